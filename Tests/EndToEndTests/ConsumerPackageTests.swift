import Foundation
import Testing

/// A package whose `Package.swift` holds the README's exact dependency lines (between its
/// `consumer-check` markers) builds and prints the right JSON for real Fashion-MNIST with the path
/// line, and each of the README's url lines (branch, revision, `from:` a tagged clone) resolves
/// (`scripts/consumer-check.sh`). It builds a package of its own, about 30 s of CPU (1–3 minutes
/// on a busy 2-core machine).
@Suite struct ConsumerPackageTests {
    @Test(.realData)
    func aPackageFromTheReadmesDependencyLinesBuildsAndLoadsVerifiedFashion() throws {
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
        #expect(text.contains("consumer-check: ok: {"), "consumer-check said:\n\(text)")
        #expect(text.contains("consumer-check: ok: the README's dependency lines (path: built and run; 3 url lines: resolved)"),
                "consumer-check said:\n\(text)")
    }
}
