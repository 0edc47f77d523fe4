import Foundation

/// Measures files on disk with a ``StreamingVerifier``, reading each exactly once.
public enum FileVerifier {
    /// Read size: large enough to amortise hashing calls, small enough to stay in cache.
    static let readSize = 1 << 20

    /// Streams `url` through a verifier and returns the measurement (its `fault` says what is wrong).
    /// Throws only when the file cannot be read at all (missing, not a regular file, no permission).
    public static func measure(
        url: URL, payloadLimit: Int64 = StreamingVerifier.defaultPayloadLimit, classCount: Int = 10, compressed: Bool = true
    ) throws -> FileMeasurement {
        let fd = try RegularFile.openForReading(url.path)
        defer { close(fd) }
        return try measure(descriptor: fd, path: url.path, payloadLimit: payloadLimit, classCount: classCount, compressed: compressed)
    }

    /// ``measure(url:payloadLimit:classCount:compressed:)`` of a file the caller opened (and may go
    /// on using: make it read-only, sync it, check its fingerprint), read from where it stands.
    static func measure(
        descriptor fd: Int32, path: String, payloadLimit: Int64, classCount: Int, compressed: Bool
    ) throws -> FileMeasurement {
        let verifier = StreamingVerifier(payloadLimit: payloadLimit, classCount: classCount, compressed: compressed)
        try stream(descriptor: fd, path: path) { chunk in
            do { try verifier.feed(chunk); return true } catch { return false }
        }
        return verifier.finish()
    }

    /// Whether a file starts like an uncompressed IDX file (`00 00 08 01` labels, `00 00 08 03` images).
    public static func looksLikeUncompressedIDX(_ url: URL) -> Bool {
        let head = head(of: url, count: 4)
        return head.count == 4 && head[0] == 0 && head[1] == 0 && head[2] == 0x08 && (head[3] == 1 || head[3] == 3)
    }

    /// The first `count` bytes of `url` (fewer when the file is shorter, none when it cannot be
    /// read): what a file starts like, by content.
    ///
    /// ```swift
    /// FileVerifier.head(of: url, count: 4) == [0x50, 0x4B, 0x03, 0x04]   // starts like a zip
    /// ```
    public static func head(of url: URL, count: Int) -> [UInt8] {
        var head: [UInt8] = []
        try? stream(url: url) { chunk in
            head.append(contentsOf: chunk.prefix(count - head.count))
            return head.count < count
        }
        return head
    }

    /// Reads `url` in chunks, calling `body` until it returns false or the file ends. Only a
    /// regular file is read (see ``RegularFile``); `followSymlinks: false` also refuses a link.
    public static func stream(
        url: URL, followSymlinks: Bool = true, exitStatus: ExitStatus = .integrity, hint: String? = nil,
        _ body: (UnsafeRawBufferPointer) -> Bool
    ) throws {
        let fd = try RegularFile.openForReading(url.path, followSymlinks: followSymlinks, exitStatus: exitStatus, hint: hint)
        defer { close(fd) }
        try stream(descriptor: fd, path: url.path, body)
    }

    /// Reads the open file `fd` (named `path` in errors) in chunks from where it stands, calling
    /// `body` until it returns false or the file ends.
    static func stream(descriptor fd: Int32, path: String, _ body: (UnsafeRawBufferPointer) -> Bool) throws {
        #if os(Linux)
            _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
        if let failure = DescriptorIO.forEachChunk(fd, size: readSize, body) {
            throw FileAccessError(path: path, problem: "read failed (\(String(cString: strerror(failure))))", exitStatus: .integrity)
        }
    }
}
