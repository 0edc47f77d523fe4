import CZlib

/// Streaming gzip decompression through zlib, bounded by a maximum output size.
///
/// Feed compressed bytes in any chunking; decompressed bytes are handed to `output` in
/// chunks of at most `chunkSize`. Concatenated gzip members are accepted (as `zcat` does);
/// anything else after the end of the stream is reported as trailing garbage.
package final class GzipInflater {
    private let zlib: ZlibInflation
    /// The most decompressed bytes accepted before reporting a decompression bomb.
    package let limit: Int64
    /// Decompressed bytes produced so far.
    package private(set) var producedBytes: Int64 = 0
    /// Compressed bytes consumed so far.
    package private(set) var consumedBytes: Int64 = 0
    /// True once a complete gzip member has ended and no further member has started.
    package private(set) var atMemberEnd = false
    private var trailingBytes: Int64 = 0
    /// Bytes of a possible next member's header seen after a member ended.
    private var pendingAfterEnd: [UInt8] = []

    package init(limit: Int64, chunkSize: Int = 256 * 1024) {
        self.limit = limit
        zlib = ZlibInflation(chunkSize: chunkSize)
    }

    private func start() throws(IntegrityFault) {
        if zlib.started {
            guard zlib.reset() == Z_OK else { throw .corruptGzip(message: "inflateReset failed") }
        } else {
            // 15 + 16: gzip wrapper only (a raw zlib stream is not a valid .gz file).
            let status = zlib.begin(windowBits: 15 + 16)
            guard status == Z_OK else { throw .corruptGzip(message: "zlib could not start (\(status))") }
        }
        atMemberEnd = false
    }

    /// Decompresses one chunk of compressed input.
    package func feed(_ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(IntegrityFault) -> Void)
        throws(IntegrityFault)
    {
        guard let base = input.baseAddress, input.count > 0 else { return }
        guard input.count <= Int(UInt32.max) else {
            throw .corruptGzip(message: "an input chunk of \(input.count) bytes is more than zlib takes at once")
        }
        var offset = 0
        if !zlib.started { try start() }
        while offset < input.count {
            if atMemberEnd {
                // After a member: only another gzip member (1f 8b) may follow.
                let byte = base.load(fromByteOffset: offset, as: UInt8.self)
                pendingAfterEnd.append(byte)
                offset += 1
                if pendingAfterEnd.count == 1 && byte == 0x1F { continue }
                if pendingAfterEnd.count == 2 && pendingAfterEnd == [0x1F, 0x8B] {
                    try start()
                    // Replay the two header bytes into the new member.
                    let header = pendingAfterEnd
                    pendingAfterEnd = []
                    try withBytes(header) { (raw) throws(IntegrityFault) in try inflateSome(raw, output: output) }
                    continue
                }
                trailingBytes = Int64(pendingAfterEnd.count) + Int64(input.count - offset)
                throw .trailingGarbage(bytes: trailingBytes)
            }
            let consumed = try inflateSome(
                UnsafeRawBufferPointer(start: base + offset, count: input.count - offset), output: output)
            offset += consumed
        }
    }

    /// Runs inflate over `input` until it is consumed or the member ends; returns bytes consumed.
    @discardableResult
    private func inflateSome(_ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(IntegrityFault) -> Void)
        throws(IntegrityFault) -> Int
    {
        zlib.stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: UInt8.self))
        zlib.stream.avail_in = UInt32(input.count)
        defer {
            zlib.stream.next_in = nil
        }
        while true {
            let (status, produced) = zlib.step()
            if produced.count > 0 {
                let allowed = limit - producedBytes
                producedBytes += Int64(produced.count)
                if producedBytes > limit {
                    // Hand out the bytes up to the bound first, so that a fault inside them is
                    // reported the same way whatever the input chunking, then stop.
                    if allowed > 0 { try output(UnsafeRawBufferPointer(rebasing: produced.prefix(Int(allowed)))) }
                    throw .decompressionBomb(limit: limit)
                }
                try output(produced)
            }
            switch status {
            case Z_STREAM_END:
                let consumed = input.count - Int(zlib.stream.avail_in)
                consumedBytes += Int64(consumed)
                atMemberEnd = true
                return consumed
            case Z_OK:
                if zlib.stream.avail_in == 0 && zlib.stream.avail_out != 0 {
                    consumedBytes += Int64(input.count)
                    return input.count
                }
            case Z_BUF_ERROR:
                // No progress possible: all input consumed and output not full.
                consumedBytes += Int64(input.count - Int(zlib.stream.avail_in))
                return input.count - Int(zlib.stream.avail_in)
            case Z_DATA_ERROR:
                let message = zlib.message(or: "invalid data")
                if message.contains("incorrect data check") || message.contains("incorrect length check") {
                    throw .crcMismatch
                }
                throw .corruptGzip(message: message)
            case Z_MEM_ERROR:
                throw .corruptGzip(message: "zlib ran out of memory")
            default:
                let message = zlib.message(or: "zlib status \(status)")
                throw .corruptGzip(message: message)
            }
        }
    }

    /// Ends the stream: throws when the input stopped before the end of a gzip member.
    package func finish() throws(IntegrityFault) {
        if !pendingAfterEnd.isEmpty { throw .trailingGarbage(bytes: Int64(pendingAfterEnd.count)) }
        if !atMemberEnd { throw .truncatedGzip(containerBytes: consumedBytes) }
    }
}
