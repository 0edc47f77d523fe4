import Foundation
import Testing

/// Runs the built `fmnist` executable and captures its output and exit status.
///
/// The binary is found through `FMNIST_BIN` (CI points it at a release build), else next to
/// the test bundle in the build directory (`.build/<triple>/<config>/fmnist`).
struct FMNISTProcess {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        /// Parses stdout as a JSON object.
        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
                throw CocoaError(.coderReadCorrupt)
            }
            return object
        }
    }

    /// The path of the `fmnist` executable under test.
    static let executable: URL = {
        if let path = ProcessInfo.processInfo.environment["FMNIST_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        // The test bundle lives in the build products directory beside the executable.
        var directory = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("fmnist")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/fmnist")
        return fallback
    }()

    /// Runs `fmnist` with `arguments`, extra environment and an optional working directory.
    @discardableResult
    static func run(
        _ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil,
        timeout: TimeInterval = 300
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env.removeValue(forKey: "FMNIST_ROOT")
        env.removeValue(forKey: "FMNIST_MIRRORS")
        env.removeValue(forKey: "FMNIST_MANIFESTS")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Drain both pipes concurrently so a chatty process never blocks on a full pipe.
        let outData = LockedData()
        let errData = LockedData()
        let group = DispatchGroup()
        for (pipe, sink) in [(out, outData), (err, errData)] {
            group.enter()
            DispatchQueue.global().async {
                sink.set(pipe.fileHandleForReading.readDataToEndOfFile())
                group.leave()
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            // SIGKILL: the test runner's children may inherit a blocked SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            Issue.record("fmnist \(arguments.joined(separator: " ")) timed out after \(timeout)s")
        }
        process.waitUntilExit()
        group.wait()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData.get(), as: UTF8.self),
            stderr: String(decoding: errData.get(), as: UTF8.self))
    }
}

/// Thread-safe holder for pipe output.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}

/// Where the real MNIST / Fashion-MNIST files are (`FMNIST_DATA_DIR`), or nil with a printed skip note.
enum RealData {
    static let directory: URL? = {
        guard let path = ProcessInfo.processInfo.environment["FMNIST_DATA_DIR"], !path.isEmpty,
            FileManager.default.fileExists(atPath: path + "/fashion-mnist/train-images-idx3-ubyte.gz")
        else {
            print("SKIPPED: real-data tests need FMNIST_DATA_DIR pointing at the shared data folder (see .ci/run)")
            return nil
        }
        return URL(fileURLWithPath: path)
    }()

    static var available: Bool { directory != nil }
    static var fashion: URL { directory!.appendingPathComponent("fashion-mnist") }
    static var mnist: URL { directory!.appendingPathComponent("mnist") }
}

/// A fresh temporary directory, removed when the test ends.
final class TemporaryDirectory {
    let url: URL
    init(_ label: String = "fmnist-e2e") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ component: String) -> URL { url.appendingPathComponent(component) }
}
