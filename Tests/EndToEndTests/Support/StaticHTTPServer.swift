import Foundation

/// `python3 -m http.server --bind 127.0.0.1 PORT --directory ROOT` for one test: the plain static
/// server a team might put in front of a tree `fmnist publish` wrote. A free port is found by
/// binding port 0 and releasing it; when another process takes it first, the server exits and
/// the next port is tried. Its request log (stderr) is kept for the test to read.
///
/// ```swift
/// let server = try StaticHTTPServer(root: dest)
/// server.url                    // "http://127.0.0.1:PORT/"
/// server.log().contains("GET /fashion/")
/// ```
final class StaticHTTPServer {
    private var started: Process?
    let port: Int
    let logFolder: TemporaryDirectory
    var url: String { "http://127.0.0.1:\(port)/" }

    init(root: URL) throws {
        logFolder = try TemporaryDirectory("fmnist-http-server")
        let log = logFolder.path("server.log")
        for _ in 0..<5 {
            let candidate = try LoopbackPort.free()
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-m", "http.server", "--bind", "127.0.0.1", String(candidate), "--directory", root.path]
            process.standardOutput = FileHandle(forWritingAtPath: log.path)
            process.standardError = FileHandle(forWritingAtPath: log.path)
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning && Date() < deadline && !Self.accepts(candidate) { usleep(50_000) }
            if process.isRunning && Self.accepts(candidate) {
                port = candidate
                started = process
                return
            }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        throw MirrorServer.ServerError(message: "python3 -m http.server did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    deinit { stop() }

    func stop() {
        if let started, started.isRunning {
            kill(started.processIdentifier, SIGKILL)
            started.waitUntilExit()
        }
    }

    /// The server's request log ("GET /path HTTP/1.1" 200 …).
    func log() -> String { (try? String(contentsOf: logFolder.path("server.log"), encoding: .utf8)) ?? "" }


    /// Whether something accepts connections on 127.0.0.1:`port`.
    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
