import Foundation

/// A regular file opened for reads at any offset (`pread`), as a zip's central directory needs.
/// Opened through ``RegularFile`` (never blocks, refuses FIFOs, devices and folders); its size is
/// taken once, and a read past it, or one the file no longer has bytes for, is `.truncated`.
final class RandomAccessFile {
    let path: String
    let size: Int64
    private let descriptor: Int32

    init(path: String, followSymlinks: Bool = true) throws(FileAccessError) {
        self.path = path
        descriptor = try RegularFile.openForReading(path, followSymlinks: followSymlinks)
        var info = stat()
        size = fstat(descriptor, &info) == 0 ? max(0, Int64(info.st_size)) : 0
    }

    deinit { close(descriptor) }

    /// Exactly `count` bytes at `offset` (`what` names them in the fault).
    func read(at offset: Int64, count: Int, what: String) throws(NPZFault) -> [UInt8] {
        guard count >= 0, offset >= 0 else { throw .malformedZip(detail: "\(what) at a negative offset or of a negative length") }
        guard ByteSpan.fits(offset: offset, length: Int64(count), within: size) else {
            throw .truncated(detail: "\(what) (\(count) bytes at offset \(offset)) lies beyond the end of the \(size)-byte file")
        }
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        let outcome = bytes.withUnsafeMutableBytes {
            DescriptorIO.read(descriptor, into: $0.baseAddress!, count: count, at: off_t(offset))
        }
        switch outcome {
        case .complete: return bytes
        case .ended: throw .truncated(detail: "the file ended while reading \(what)")
        case .failed(let code): throw .readFailed(detail: String(cString: strerror(code)))
        }
    }

    /// Hands `count` bytes from `offset` to `body` in chunks of at most `chunk` bytes.
    func stream(
        at offset: Int64, count: Int64, what: String, chunk: Int = 1 << 20,
        _ body: (UnsafeRawBufferPointer) throws(NPZFault) -> Void
    ) throws(NPZFault) {
        guard ByteSpan.fits(offset: offset, length: count, within: size) else {
            throw .truncated(detail: "\(what) (\(count) bytes at offset \(offset)) lies beyond the end of the \(size)-byte file")
        }
        var position: Int64 = 0
        while position < count {
            let length = Int(min(Int64(chunk), count - position))
            let bytes = try read(at: offset + position, count: length, what: what)
            try withRawBytes(bytes, body)
            position += Int64(length)
        }
    }
}

/// `Array.withUnsafeBytes` with an `NPZFault`-throwing body.
func withRawBytes(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(NPZFault) -> Void) throws(NPZFault) {
    var failure: NPZFault?
    array.withUnsafeBytes { raw in
        do throws(NPZFault) { try body(raw) } catch { failure = error }
    }
    if let failure { throw failure }
}

/// Little-endian reads from a byte array (zip fields), bounds checked by the caller.
extension Array where Element == UInt8 {
    func le16(_ at: Int) -> UInt16 { UInt16(self[at]) | UInt16(self[at + 1]) << 8 }
    func le32(_ at: Int) -> UInt32 { (0..<4).reduce(UInt32(0)) { $0 | UInt32(self[at + $1]) << (8 * UInt32($1)) } }
    func le64(_ at: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(self[at + $1]) << (8 * UInt64($1)) } }
}
