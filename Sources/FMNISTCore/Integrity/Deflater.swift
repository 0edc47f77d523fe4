import CZlib

/// One-shot zlib compression, for writing PNG data (zlib format), gzip files (tests, import) and raw
/// deflate (zip entries in tests).
package enum Deflater {
    package enum Format: Sendable {
        /// zlib wrapper (RFC 1950), as PNG IDAT chunks need.
        case zlib
        /// gzip wrapper (RFC 1952), as `.gz` files.
        case gzip
        /// No wrapper (RFC 1951), as zip entries hold deflate data (test fixtures).
        case raw
    }

    /// Compresses `bytes` in one go.
    package static func compress(_ bytes: [UInt8], format: Format, level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        let windowBits: Int32
        switch format {
        case .zlib: windowBits = 15
        case .gzip: windowBits = 15 + 16
        case .raw: windowBits = -15
        }
        guard fmnist_deflateInit2(&stream, level, windowBits) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
        var produced = 0
        bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                _ = deflate(&stream, Z_FINISH)
                produced = out.count - Int(stream.avail_out)
            }
        }
        return Array(output.prefix(produced))
    }
}
