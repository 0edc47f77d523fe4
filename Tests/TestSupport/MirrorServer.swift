import FMNISTCore
import Foundation

/// The hostile loopback mirror (`Tests/Support/mirror_server.py`) run for one test.
///
/// ```swift
/// let tree = try MirrorTree()                        // fashion/, mnist/, old/ … as links to the real files
/// let server = try MirrorServer(root: tree.url, faults: ["/fashion/t10k-images-idx3-ubyte.gz": ["status": 404]])
/// server.url("fashion/")                             // "http://127.0.0.1:PORT/fashion/"
/// try server.stats()["/fashion/t10k-images-idx3-ubyte.gz"]?.requests
/// ```
public final class MirrorServer {
    /// Per-path counters kept by the server.
    public struct PathStats: Decodable {
        public let requests: Int
        public let bytes: Int64
        public let statuses: [Int]
        public let rangeStarts: [Int64?]
        public let requestBytes: [Int64]

        enum CodingKeys: String, CodingKey {
            case requests, bytes, statuses
            case rangeStarts = "range_starts"
            case requestBytes = "request_bytes"
        }
    }

    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Support/mirror_server.py")

    public let process = Process()
    public let port: Int
    public let root: URL

    public init(root: URL, faults: [String: [String: Any]] = [:], extraArguments: [String] = []) throws {
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
    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    /// The server's counters, by request path.
    public func stats() throws -> [String: PathStats] {
        try JSONDecoder().decode([String: PathStats].self, from: try control("__stats"))
    }

    /// The load counters of a server started with `--max-bodies` / `--bandwidth`.
    public struct Load: Decodable {
        /// The most bodies sent at once.
        public let peakBodies: Int
        /// File requests answered 503 because `--max-bodies` bodies were being sent.
        public let busyAnswers: Int
        /// Body bytes sent in all.
        public let bytes: Int64

        enum CodingKeys: String, CodingKey {
            case peakBodies = "peak_bodies"
            case busyAnswers = "busy_answers"
            case bytes
        }
    }

    /// The server's load counters (`GET /__load`).
    public func load() throws -> Load {
        try JSONDecoder().decode(Load.self, from: try control("__load"))
    }

    /// What each file request carried: its path, `Authorization` and `X-Api-Key` ("" when absent).
    public func authorizations() throws -> [[String: String]] {
        try JSONDecoder().decode([[String: String]].self, from: try control("__auth"))
    }

    /// The body of a control endpoint (`__stats`, `__load`, …).
    private func control(_ path: String) throws -> Data {
        let transfer = CurlTransfer(settings: TransferSettings())
        var body = Data()
        let result = transfer.perform(
            TransferRequest(url: url(path)), onResponse: { _ in true },
            onData: { chunk in
                body.append(contentsOf: chunk)
                return true
            })
        if let failure = result.failure { throw ServerError(message: "GET /\(path) failed: \(failure)") }
        return body
    }

    /// Requests of a path (0 when never asked).
    public func requests(_ path: String) throws -> Int { try stats()[path]?.requests ?? 0 }

    /// Stops the server with SIGKILL: test runners may start children with SIGTERM blocked.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    public struct ServerError: Error, CustomStringConvertible {
        public let message: String
        public init(message: String) { self.message = message }
        public var description: String { message }
    }
}
