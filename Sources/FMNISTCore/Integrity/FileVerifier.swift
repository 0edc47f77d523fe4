import Foundation

/// Errors reading a local file (as opposed to faults in its bytes).
public struct FileAccessError: FMNISTError {
    public let path: String
    public let problem: String
    public let exitStatus: ExitStatus
    public init(path: String, problem: String, exitStatus: ExitStatus = .missing) {
        self.path = path
        self.problem = problem
        self.exitStatus = exitStatus
    }
    public var description: String { "\(path): \(problem)" }
}

/// Measures files on disk with a ``StreamingVerifier``, reading each exactly once.
public enum FileVerifier {
    /// Read size: large enough to amortise hashing calls, small enough to stay in cache.
    static let readSize = 1 << 20

    /// Streams `url` through a verifier and returns the measurement (its `fault` says what is wrong).
    /// Throws only when the file cannot be read at all (missing, a directory, no permission).
    public static func measure(
        url: URL, payloadLimit: Int64 = StreamingVerifier.defaultPayloadLimit, classCount: Int = 10, compressed: Bool = true
    ) throws -> FileMeasurement {
        let verifier = StreamingVerifier(payloadLimit: payloadLimit, classCount: classCount, compressed: compressed)
        try stream(url: url) { chunk in
            do { try verifier.feed(chunk); return true } catch { return false }
        }
        return verifier.finish()
    }

    /// Whether a file starts like an uncompressed IDX file (`00 00 08 01` labels, `00 00 08 03` images).
    public static func looksLikeUncompressedIDX(_ url: URL) -> Bool {
        var head: [UInt8] = []
        try? stream(url: url, regularOnly: true) { chunk in
            head.append(contentsOf: chunk.prefix(4 - head.count))
            return head.count < 4
        }
        return head.count == 4 && head[0] == 0 && head[1] == 0 && head[2] == 0x08 && (head[3] == 1 || head[3] == 3)
    }

    /// Reads `url` in chunks, calling `body` until it returns false or the file ends.
    /// With `regularOnly`, anything but a regular file (a FIFO, a device, a socket) is refused
    /// before and after opening (checked on the open descriptor too).
    public static func stream(url: URL, regularOnly: Bool = false, _ body: (UnsafeRawBufferPointer) -> Bool) throws {
        let path = url.path
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw FileAccessError(path: path, problem: errno == ENOENT ? "file is missing" : String(cString: strerror(errno)))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw FileAccessError(path: path, problem: "is a directory, expected a file", exitStatus: .integrity)
        }
        if regularOnly, (info.st_mode & S_IFMT) != S_IFREG {
            throw FileAccessError(path: path, problem: "is not a regular file", exitStatus: .integrity)
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC | (regularOnly ? O_NONBLOCK : 0))
        guard fd >= 0 else {
            throw FileAccessError(path: path, problem: "cannot be opened (\(String(cString: strerror(errno))))", exitStatus: .workspace)
        }
        defer { close(fd) }
        if regularOnly, fstat(fd, &info) != 0 || (info.st_mode & S_IFMT) != S_IFREG {
            throw FileAccessError(path: path, problem: "is not a regular file", exitStatus: .integrity)
        }
        #if os(Linux)
            _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: readSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer, readSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw FileAccessError(path: path, problem: "read failed (\(String(cString: strerror(errno))))", exitStatus: .integrity)
            }
            if count == 0 { break }
            if !body(UnsafeRawBufferPointer(start: buffer, count: count)) { break }
        }
    }
}
