import CZlib

/// One zlib inflate stream and the buffer it inflates into: the part that ``RawInflater`` (zip
/// entries, raw deflate) and ``GzipInflater`` (`.gz` files) share; each drives it with its own
/// wrapper, bound and faults.
///
/// ```swift
/// let zlib = ZlibInflation(chunkSize: 256 * 1024)
/// guard zlib.begin(windowBits: -15) == Z_OK else { … }
/// zlib.stream.next_in = …; zlib.stream.avail_in = …
/// let (status, produced) = zlib.step()   // `produced`: the bytes inflated by this call
/// ```
final class ZlibInflation {
    var stream = z_stream()
    /// Whether zlib's state was set up (``begin(windowBits:)`` succeeded); `deinit` frees it.
    private(set) var started = false
    private let outputBuffer: UnsafeMutablePointer<UInt8>
    let chunkSize: Int

    init(chunkSize: Int) {
        self.chunkSize = chunkSize
        outputBuffer = .allocate(capacity: chunkSize)
    }

    deinit {
        if started { inflateEnd(&stream) }
        outputBuffer.deallocate()
    }

    /// Sets zlib up for `windowBits` (-15 raw deflate, 15 + 16 gzip); zlib's status.
    func begin(windowBits: Int32) -> Int32 {
        let status = fmnist_inflateInit2(&stream, windowBits)
        if status == Z_OK { started = true }
        return status
    }

    /// Starts the next stream with the same settings (a gzip file's next member); zlib's status.
    func reset() -> Int32 { inflateReset(&stream) }

    /// One `inflate` call into the buffer: zlib's status and the bytes it produced (valid until the next call).
    func step() -> (status: Int32, produced: UnsafeRawBufferPointer) {
        stream.next_out = outputBuffer
        stream.avail_out = UInt32(chunkSize)
        let status = inflate(&stream, Z_NO_FLUSH)
        return (status, UnsafeRawBufferPointer(start: outputBuffer, count: chunkSize - Int(stream.avail_out)))
    }

    /// zlib's message for the last failure, or `fallback`.
    func message(or fallback: String) -> String { stream.msg.map { String(cString: $0) } ?? fallback }
}

/// Streaming raw DEFLATE (RFC 1951, no zlib or gzip wrapper: a zip entry's method 8) through zlib,
/// bounded: more output than `limit` bytes (the size the entry declares) stops with
/// ``NPZFault/sizeMismatch(name:declared:actual:)`` before more is inflated.
final class RawInflater {
    private let zlib: ZlibInflation
    private let name: String
    let limit: Int64
    private(set) var producedBytes: Int64 = 0
    /// True once the deflate stream's last block ended.
    private(set) var ended = false

    init(name: String, limit: Int64, chunkSize: Int = 256 * 1024) {
        self.name = name
        self.limit = limit
        zlib = ZlibInflation(chunkSize: chunkSize)
    }

    /// Inflates one chunk of compressed input, handing the output to `output`.
    func feed(_ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(NPZFault) -> Void) throws(NPZFault) {
        guard let base = input.baseAddress, input.count > 0 else { return }
        guard input.count <= Int(UInt32.max) else {
            throw .corruptDeflate(name: name, message: "an input chunk of \(input.count) bytes is more than zlib takes at once")
        }
        if ended { throw .malformedZip(detail: "entry \(name): bytes after the end of its deflate stream") }
        if !zlib.started {
            // windowBits -15: raw deflate, as zip entries hold it.
            let status = zlib.begin(windowBits: -15)
            guard status == Z_OK else { throw .corruptDeflate(name: name, message: "zlib could not start (\(status))") }
        }
        zlib.stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self))
        zlib.stream.avail_in = UInt32(input.count)
        defer { zlib.stream.next_in = nil }
        while true {
            let (status, produced) = zlib.step()
            if produced.count > 0 {
                producedBytes += Int64(produced.count)
                if producedBytes > limit { throw .sizeMismatch(name: name, declared: limit, actual: producedBytes) }
                try output(produced)
            }
            switch status {
            case Z_STREAM_END:
                ended = true
                if zlib.stream.avail_in != 0 { throw .malformedZip(detail: "entry \(name): bytes after the end of its deflate stream") }
                return
            case Z_OK:
                if zlib.stream.avail_in == 0 && zlib.stream.avail_out != 0 { return }
            case Z_BUF_ERROR:
                if zlib.stream.avail_in == 0 { return }
                throw .corruptDeflate(name: name, message: "no progress possible")
            case Z_DATA_ERROR:
                throw .corruptDeflate(name: name, message: zlib.message(or: "invalid data"))
            case Z_MEM_ERROR:
                throw .corruptDeflate(name: name, message: "zlib ran out of memory")
            default:
                throw .corruptDeflate(name: name, message: zlib.message(or: "zlib status \(status)"))
            }
        }
    }
}

/// Reads one zip entry's bytes: stored ones as they are, deflated ones inflated (bounded by the
/// size the entry declares, itself bounded by ``ZipLimits``), checking the inflated size and the
/// CRC-32 at the end. The bytes are handed out before the check: callers publish nothing until
/// this returns.
enum ZipEntryReader {
    static func stream(
        _ entry: ZipEntry, in file: RandomAccessFile, _ body: (UnsafeRawBufferPointer) throws(NPZFault) -> Void
    ) throws(NPZFault) {
        var crc: UInt = crc32(0, nil, 0)
        var produced: Int64 = 0
        func take(_ bytes: UnsafeRawBufferPointer) throws(NPZFault) {
            produced += Int64(bytes.count)
            if produced > entry.uncompressedSize {
                throw .sizeMismatch(name: entry.name, declared: entry.uncompressedSize, actual: produced)
            }
            if let base = bytes.baseAddress {
                crc = crc32(crc, base.assumingMemoryBound(to: UInt8.self), UInt32(bytes.count))
            }
            try body(bytes)
        }
        let what = "the data of \(entry.name)"
        if entry.method == 0 {
            try file.stream(at: entry.dataOffset, count: entry.compressedSize, what: what) { (chunk) throws(NPZFault) in try take(chunk) }
        } else {
            let inflater = RawInflater(name: entry.name, limit: entry.uncompressedSize)
            try file.stream(at: entry.dataOffset, count: entry.compressedSize, what: what) { (chunk) throws(NPZFault) in
                try inflater.feed(chunk) { (out) throws(NPZFault) in try take(out) }
            }
            if !inflater.ended {
                throw .truncated(detail: "the deflate stream of \(entry.name) ends before its last block")
            }
        }
        if produced != entry.uncompressedSize {
            throw .sizeMismatch(name: entry.name, declared: entry.uncompressedSize, actual: produced)
        }
        if UInt32(truncatingIfNeeded: crc) != entry.crc32 { throw .crcMismatch(name: entry.name) }
    }
}
