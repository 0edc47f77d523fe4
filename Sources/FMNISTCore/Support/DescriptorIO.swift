import Foundation

/// Whole reads and writes on an open POSIX file descriptor: interrupted calls (`EINTR`) are
/// retried, short counts continued, and a failure is handed back as its `errno` for the caller to
/// word in its own error type. Every read and write loop of the library goes through here.
///
/// ```swift
/// if let failure = DescriptorIO.writeAll(fd, bytes) { throw ExportError.io(path: path, operation: "writing", errno: failure) }
/// let failure = DescriptorIO.forEachChunk(fd, size: 1 << 20) { chunk in hasher.update(chunk); return true }
/// try DescriptorIO.withNewFile(at: temporary, orThrow: { WorkspaceError.posix("create", temporary) }) { fd in … }
/// ```
package enum DescriptorIO {
    /// Writes every byte of `bytes` to `fd`; nil when all were written, else the failed write's `errno`.
    package static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        guard let base = bytes.baseAddress else { return nil }
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(fd, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }

    /// Writes every byte of `bytes` to `fd` from `offset` on (`pwrite(2)`: the file offset stays
    /// where it is); nil when all were written, else the failed write's `errno`.
    package static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: off_t) -> Int32? {
        guard let base = bytes.baseAddress else { return nil }
        var done = 0
        while done < bytes.count {
            let written = pwrite(fd, base + done, bytes.count - done, offset + off_t(done))
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            done += written
        }
        return nil
    }

    /// One `read(2)` of at most `count` bytes, retried while interrupted: the bytes read (0 at the
    /// end of the file), or -1 with `errno` set.
    package static func read(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int) -> Int {
        while true {
            let got = Foundation.read(fd, buffer, count)
            if got < 0 && errno == EINTR { continue }
            return got
        }
    }

    /// How a read of an exact length ended.
    package enum ExactRead: Equatable {
        /// All the bytes asked for were read.
        case complete
        /// The file ended after `read` of them.
        case ended(read: Int)
        /// A read failed with this `errno`.
        case failed(errno: Int32)
    }

    /// `pread(2)`s exactly `count` bytes at `offset` into `buffer`.
    package static func read(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, at offset: off_t) -> ExactRead {
        var done = 0
        while done < count {
            let got = pread(fd, buffer + done, count - done, offset + off_t(done))
            if got < 0 {
                if errno == EINTR { continue }
                return .failed(errno: errno)
            }
            if got == 0 { return .ended(read: done) }
            done += got
        }
        return .complete
    }

    /// Reads `fd` from where it stands to its end in chunks of at most `size` bytes, handing each
    /// to `body` until it returns false; nil at the end (or when `body` stopped), else the failed
    /// read's `errno`. The buffer is reused: `body` must copy what it keeps.
    package static func forEachChunk(
        _ fd: Int32, size: Int, _ body: (UnsafeRawBufferPointer) throws -> Bool
    ) rethrows -> Int32? {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, into: buffer, count: size)
            if count < 0 { return errno }
            if count == 0 { return nil }
            if try !body(UnsafeRawBufferPointer(start: buffer, count: count)) { return nil }
        }
    }

    /// Creates the file `path`, which must not exist (`O_EXCL`, never through a link), runs `body`
    /// with it open for writing, and closes it; when `body` throws, the file is removed. An open
    /// that fails throws `orThrow()`, made while `errno` still says why.
    package static func withNewFile<T>(
        at path: String, mode: mode_t = 0o644, orThrow failure: () -> any Error, _ body: (Int32) throws -> T
    ) throws -> T {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure() }
        do {
            let result = try body(fd)
            close(fd)
            return result
        } catch {
            close(fd)
            unlink(path)
            throw error
        }
    }
}
