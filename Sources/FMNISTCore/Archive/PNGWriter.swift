import CZlib

/// Encodes 8-bit grayscale images as PNG using zlib (no other dependency).
public enum PNGWriter {
    /// PNG bytes of a `width`×`height` grayscale image given row-major `pixels`.
    public static func grayscale(width: Int, height: Int, pixels: [UInt8]) -> [UInt8] {
        precondition(pixels.count == width * height, "pixel count must be width × height")
        let encoder = Encoder(width: width, height: height, level: 9)
        return pixels.withUnsafeBufferPointer { encoder.encode($0) }
    }

    /// Encodes many images of one size, reusing one zlib stream and its buffers (export writes
    /// 70,000 28×28 images; setting zlib up per image would dominate). Not thread-safe: one per thread.
    ///
    /// ```swift
    /// let encoder = PNGWriter.Encoder(width: 28, height: 28)
    /// let png = pixels.withUnsafeBufferPointer { encoder.encode($0) }
    /// ```
    public final class Encoder {
        public let width: Int
        public let height: Int
        private var stream = z_stream()
        private let ready: Bool
        private var scanlines: [UInt8]
        private var compressed: [UInt8]
        private let head: [UInt8]

        /// - Parameters:
        ///   - level: zlib level (1 fastest … 9 smallest). A small window and hash table
        ///     (sized to the image) keep `deflateReset` cheap.
        ///   - runLengthOnly: zlib's `Z_RLE` strategy: for MNIST-like images (runs of black) about
        ///     twice as fast as the default strategy for ~3% larger files.
        public init(width: Int, height: Int, level: Int32 = 6, runLengthOnly: Bool = false) {
            self.width = width
            self.height = height
            let rawSize = (width + 1) * height
            var windowBits: Int32 = 9
            while windowBits < 15 && (1 << windowBits) < rawSize { windowBits += 1 }
            let memLevel: Int32 = rawSize <= 4096 ? 2 : 8
            ready = deflateInit2_(
                &stream, level, Z_DEFLATED, windowBits, memLevel, runLengthOnly ? Z_RLE : Z_DEFAULT_STRATEGY, zlibVersion(),
                Int32(MemoryLayout<z_stream>.size)) == Z_OK
            scanlines = [UInt8](repeating: 0, count: rawSize)
            compressed = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(rawSize))) + 64)
            var header = PNGWriter.bigEndian(UInt32(width)) + PNGWriter.bigEndian(UInt32(height))
            header += [8, 0, 0, 0, 0]  // bit depth 8, colour type 0 (gray), deflate, adaptive filter, no interlace
            head = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + PNGWriter.chunk("IHDR", header)
        }

        deinit { deflateEnd(&stream) }

        /// The PNG bytes of one image (`width × height` row-major pixels).
        public func encode(_ pixels: UnsafeBufferPointer<UInt8>) -> [UInt8] {
            precondition(pixels.count == width * height, "pixel count must be width × height")
            precondition(ready, "zlib could not start")
            let width = width
            scanlines.withUnsafeMutableBufferPointer { raw in
                for row in 0..<height {
                    raw[row * (width + 1)] = 0  // filter type: none
                    UnsafeMutableRawPointer(raw.baseAddress! + row * (width + 1) + 1)
                        .copyMemory(from: pixels.baseAddress! + row * width, byteCount: width)
                }
            }
            deflateReset(&stream)
            var produced = 0
            scanlines.withUnsafeMutableBufferPointer { input in
                compressed.withUnsafeMutableBufferPointer { out in
                    stream.next_in = input.baseAddress
                    stream.avail_in = UInt32(input.count)
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    _ = deflate(&stream, Z_FINISH)
                    produced = out.count - Int(stream.avail_out)
                }
            }
            var png = [UInt8]()
            png.reserveCapacity(head.count + produced + 24)
            png += head
            png += PNGWriter.bigEndian(UInt32(produced))
            let typeStart = png.count
            png += [0x49, 0x44, 0x41, 0x54]  // IDAT
            png += compressed[0..<produced]
            let crc = png.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress! + typeStart, UInt32(4 + produced))) }
            png += PNGWriter.bigEndian(crc)
            png += PNGWriter.iend
            return png
        }
    }

    /// The IEND chunk (always the same 12 bytes).
    static let iend: [UInt8] = chunk("IEND", [])

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        let body = typeBytes + data
        let crc = body.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc)
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
