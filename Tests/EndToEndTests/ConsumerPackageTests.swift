import Foundation
import Testing

/// A package that depends on fmnist by version (`from: "0.1.0"` on a tagged clone) builds and
/// prints the right JSON for real Fashion-MNIST (`scripts/consumer-check.sh`). It builds a
/// package of its own, about 30 s of CPU (1–2 minutes on a busy 2-core machine).
@Suite struct ConsumerPackageTests {
    @Test(.realData)
    func aPackageDependingOnTheTaggedProjectBuildsAndLoadsVerifiedFashion() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/consumer-check.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", script.path]
        var environment = ProcessInfo.processInfo.environment
        environment["FMNIST_BIN"] = FMNISTProcess.executable.path
        environment["FMNIST_FASHION_DIR"] = RealData.fashion.path
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "consumer-check said:\n\(text)")
        #expect(text.contains("consumer-check: ok"), "consumer-check said:\n\(text)")
    }
}
