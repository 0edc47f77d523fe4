import FMNISTCore
import Foundation
import Testing

/// The hostile loopback mirror (`Tests/Support/mirror_server.py`) run for one test.
///
/// ```swift
/// let tree = try MirrorTree()                        // fashion/, mnist/, old/ … as links to the real files
/// let server = try MirrorServer(root: tree.url, faults: ["/fashion/t10k-images-idx3-ubyte.gz": ["status": 404]])
/// server.url("fashion/")                             // "http://127.0.0.1:PORT/fashion/"
/// try server.stats()["/fashion/t10k-images-idx3-ubyte.gz"]?.requests
/// ```
final class MirrorServer {
    /// Per-path counters kept by the server.
    struct PathStats: Decodable {
        let requests: Int
        let bytes: Int64
        let statuses: [Int]
        let rangeStarts: [Int64?]
        let requestBytes: [Int64]

        enum CodingKeys: String, CodingKey {
            case requests, bytes, statuses
            case rangeStarts = "range_starts"
            case requestBytes = "request_bytes"
        }
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Support/mirror_server.py")

    let process = Process()
    let port: Int
    let root: URL

    init(root: URL, faults: [String: [String: Any]] = [:], extraArguments: [String] = []) throws {
        self.root = root
        let faultText = String(decoding: try JSONSerialization.data(withJSONObject: faults), as: UTF8.self)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", MirrorServer.script.path, "--root", root.path, "--faults", faultText] + extraArguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line is "PORT <n>".
        var text = ""
        let deadline = Date().addingTimeInterval(20)
        while !text.contains("\n") && Date() < deadline {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first, line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            kill(process.processIdentifier, SIGKILL)
            throw ServerError(message: "mirror_server.py did not start (said: \(text))")
        }
        self.port = port
    }

    deinit { stop() }

    /// `http://127.0.0.1:PORT/` + path.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    /// The server's counters, by request path.
    func stats() throws -> [String: PathStats] {
        let transfer = CurlTransfer(settings: TransferSettings())
        var body = Data()
        let result = transfer.perform(
            TransferRequest(url: url("__stats")), onResponse: { _ in true },
            onData: { chunk in
                body.append(contentsOf: chunk)
                return true
            })
        if let failure = result.failure { throw ServerError(message: "GET /__stats failed: \(failure)") }
        return try JSONDecoder().decode([String: PathStats].self, from: body)
    }

    /// Requests of a path (0 when never asked).
    func requests(_ path: String) throws -> Int { try stats()[path]?.requests ?? 0 }

    /// Stops the server with SIGKILL: test runners may start children with SIGTERM blocked.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    struct ServerError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}

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

    init(_ arguments: [String], environment: [String: String] = [:], logs: URL) throws {
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
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        process.standardInput = FileHandle.nullDevice
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
