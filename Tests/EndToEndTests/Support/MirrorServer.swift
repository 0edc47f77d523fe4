import FMNISTCore
import Foundation
import Testing

// `MirrorServer` (the loopback mirror) lives in TestSupport, shared by every test target; this
// re-export keeps it visible to all end-to-end test files.
@_exported import TestSupport


/// A temporary folder laid out as mirrors: each subfolder holds the four files by name, as links
/// to the real files in `FMNIST_DATA_DIR`.
///
/// - `fashion/`, `mnist/`: the real files; `fashion2/`, `mnist2/`: the same, as a second mirror.
/// - `old/`: Fashion-MNIST with the label files of the superseded 2017-08-26 release (unknown content;
///   only in the shared layout, see `RealData.hasOldFashionLabels`: otherwise the current labels).
/// - `debian/`: Fashion-MNIST with `t10k-labels` re-compressed (same payload, another gzip container),
///   as Debian's `dataset-fashion-mnist` package ships it (made on demand by ``addRecompressed()``).
final class MirrorTree {
    static let names = [
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
    ]

    let directory: TemporaryDirectory
    var url: URL { directory.url }

    init() throws {
        directory = try TemporaryDirectory("fmnist-mirror")
        guard RealData.available else { throw MirrorServer.ServerError(message: RealData.problem ?? "FMNIST_DATA_DIR is not set") }
        let fm = FileManager.default
        let folders = [
            ("fashion", RealData.fashion), ("fashion2", RealData.fashion), ("mnist", RealData.mnist), ("mnist2", RealData.mnist),
            ("old", RealData.fashion),
        ]
        for (folder, source) in folders {
            let target = url.appendingPathComponent(folder)
            try fm.createDirectory(at: target, withIntermediateDirectories: true)
            for name in Self.names {
                var from = source.appendingPathComponent(name)
                if folder == "old" && name.contains("labels") && RealData.hasOldFashionLabels {
                    from = RealData.oldFashionLabels.appendingPathComponent(name)
                }
                try fm.createSymbolicLink(at: target.appendingPathComponent(name), withDestinationURL: from)
            }
        }
    }

    /// Creates `debian/`: the real Fashion-MNIST files, with t10k-labels re-compressed by `gzip -9 -n`.
    func addRecompressed() throws -> URL {
        let fm = FileManager.default
        let target = url.appendingPathComponent("debian")
        try fm.createDirectory(at: target, withIntermediateDirectories: true)
        for name in Self.names where name != "t10k-labels-idx1-ubyte.gz" {
            try fm.createSymbolicLink(
                at: target.appendingPathComponent(name), withDestinationURL: RealData.fashion.appendingPathComponent(name))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let source = RealData.fashion.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path
        let output = target.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path
        process.arguments = ["-c", "gzip -dc '\(source)' | gzip -9 -n > '\(output)'"]
        try process.run()
        process.waitUntilExit()
        return target
    }
}

/// An `fmnist` process run in the background (to kill it, or to run several at once).
final class BackgroundFMNIST {
    let process = Process()
    let stdoutFile: URL
    let stderrFile: URL

    init(_ arguments: [String], environment: [String: String] = [:], logs: URL, currentDirectory: URL? = nil) throws {
        let id = UUID().uuidString.prefix(8)
        stdoutFile = logs.appendingPathComponent("out-\(id).txt")
        stderrFile = logs.appendingPathComponent("err-\(id).txt")
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.executableURL = FMNISTProcess.executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for key in ["FMNIST_ROOT", "FMNIST_MIRRORS", "FMNIST_MANIFESTS"] { env.removeValue(forKey: key) }
        // As FMNISTProcess.run: the binary's folder first on PATH, so its output names `fmnist …`.
        env["PATH"] = FMNISTProcess.executable.deletingLastPathComponent().path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        process.standardInput = FileHandle.nullDevice
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        try process.run()
    }

    /// Waits for the process (at most `timeout` seconds) and returns its status and output.
    func wait(timeout: TimeInterval = 120) -> FMNISTProcess.Result {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("background fmnist timed out")
        }
        process.waitUntilExit()
        return FMNISTProcess.Result(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "")
    }

    func sigkill() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// The size of a file, or 0.
func fileSize(_ url: URL) -> Int64 {
    ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size]) as? NSNumber)?.int64Value ?? 0
}
