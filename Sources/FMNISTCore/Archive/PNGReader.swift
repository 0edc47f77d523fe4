import CZlib

/// Why bytes are not a PNG that `fmnist` can read back as one MNIST-format image.
public struct PNGFault: Error, Sendable, Equatable, CustomStringConvertible {
    public let problem: String
    public init(_ problem: String) { self.problem = problem }
    public var description: String { problem }
}

/// A bounded decoder for exactly the PNGs an MNIST-format image can be: 8-bit grayscale
/// (colour type 0), non-interlaced, of the expected width and height (what `export png` and
/// `export hf` write; any encoder's filters 0–4 are undone). Every chunk's CRC-32 is checked,
/// ancillary chunks are skipped, anything else (a palette, colour, 16 bits, interlacing, another
/// size, an unknown critical chunk, bytes after `IEND`) is a ``PNGFault`` naming it. The image
/// data inflates into a buffer of exactly the size the header allows, so a "PNG bomb" costs at
/// most that; the header's dimensions are checked before anything is inflated.
///
/// ```swift
/// let pixels = try PNGReader.grayscale(bytes, width: 28, height: 28)   // 784 bytes, row-major
/// ```
public enum PNGReader {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The row-major pixels of `bytes`, a `width`×`height` 8-bit grayscale PNG.
    public static func grayscale(_ bytes: [UInt8], width: Int, height: Int) throws(PNGFault) -> [UInt8] {
        // The expected size is the caller's (28×28), never the file's; it bounds every allocation.
        guard width > 0, height > 0, width <= 1 << 12, height <= 1 << 12 else { throw PNGFault("no image size to expect") }
        guard bytes.count >= signature.count else {
            throw PNGFault(bytes.isEmpty ? "empty file, not a PNG" : "cut short: \(bytes.count) bytes, shorter than a PNG signature")
        }
        guard Array(bytes[0..<8]) == signature else { throw PNGFault("not a PNG (no PNG signature)") }
        var at = 8
        var sawHeader = false
        var sawEnd = false
        var idatState = 0  // 0 none yet, 1 in the IDAT run, 2 after it
        var compressed: [UInt8] = []
        while at < bytes.count {
            guard !sawEnd else { throw PNGFault("\(bytes.count - at) bytes after the IEND chunk") }
            guard bytes.count - at >= 12 else { throw PNGFault("cut short inside a chunk header at byte \(at)") }
            let length = Int(be32(bytes, at))
            let typeBytes = Array(bytes[(at + 4)..<(at + 8)])
            guard typeBytes.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
                throw PNGFault("a chunk at byte \(at) has no valid type (damaged file)")
            }
            let type = String(decoding: typeBytes, as: UTF8.self)
            // 12 = length + type + CRC; lengths above 2^31-1 are invalid PNG.
            guard length <= Int(Int32.max), bytes.count - at - 12 >= length else {
                throw PNGFault("cut short: the \(type) chunk at byte \(at) declares \(length) bytes, the file has \(max(0, bytes.count - at - 12)) left")
            }
            let dataStart = at + 8
            let dataEnd = dataStart + length
            let stored = be32(bytes, dataEnd)
            let crc = bytes.withUnsafeBufferPointer { UInt32(truncatingIfNeeded: crc32(0, $0.baseAddress! + at + 4, UInt32(length + 4))) }
            guard crc == stored else { throw PNGFault("the CRC of the \(type) chunk at byte \(at) does not match: the file was altered") }
            if !sawHeader && type != "IHDR" { throw PNGFault("the first chunk is \(type), not IHDR") }
            switch type {
            case "IHDR":
                guard !sawHeader else { throw PNGFault("a second IHDR chunk") }
                guard length == 13 else { throw PNGFault("an IHDR chunk of \(length) bytes (must be 13)") }
                sawHeader = true
                let w = Int(be32(bytes, dataStart))
                let h = Int(be32(bytes, dataStart + 4))
                let depth = bytes[dataStart + 8], colour = bytes[dataStart + 9]
                let method = bytes[dataStart + 10], filter = bytes[dataStart + 11], interlace = bytes[dataStart + 12]
                guard w == width && h == height else {
                    throw PNGFault("is \(w)×\(h) pixels; an image of this dataset is \(width)×\(height)")
                }
                guard colour == 0 else { throw PNGFault("colour type \(colour) (\(colourName(colour))), not 8-bit grayscale (0)") }
                guard depth == 8 else { throw PNGFault("\(depth)-bit grayscale, not 8-bit") }
                guard method == 0, filter == 0 else { throw PNGFault("an unknown compression (\(method)) or filter method (\(filter))") }
                guard interlace == 0 else { throw PNGFault("interlaced (Adam7); fmnist reads only non-interlaced PNGs") }
            case "IDAT":
                guard idatState != 2 else { throw PNGFault("IDAT chunks that are not consecutive") }
                idatState = 1
                compressed.append(contentsOf: bytes[dataStart..<dataEnd])
            case "IEND":
                guard length == 0 else { throw PNGFault("an IEND chunk with data") }
                sawEnd = true
            case "PLTE":
                throw PNGFault("a palette (PLTE) chunk in a grayscale image")
            default:
                // Bit 5 of the first type byte: 0 = critical (must be understood), 1 = ancillary.
                guard typeBytes[0] & 0x20 != 0 else { throw PNGFault("an unknown critical chunk \(type)") }
            }
            if type != "IDAT" && idatState == 1 { idatState = 2 }
            at = dataEnd + 4
        }
        guard sawHeader else { throw PNGFault("no IHDR chunk") }
        guard sawEnd else { throw PNGFault("cut short: no IEND chunk") }
        guard idatState != 0 else { throw PNGFault("no image data (IDAT)") }
        guard compressed.count <= Int(UInt32.max) else { throw PNGFault("more image data than any PNG of this size holds") }
        let stride = width + 1
        let raw = try inflate(compressed, exactly: stride * height)
        return try unfilter(raw, width: width, height: height)
    }

    /// Inflates a zlib stream that must produce exactly `size` bytes and end there.
    static func inflate(_ input: [UInt8], exactly size: Int) throws(PNGFault) -> [UInt8] {
        var stream = z_stream()
        guard fmnist_inflateInit2(&stream, 15) == Z_OK else { throw PNGFault("zlib could not start") }
        defer { inflateEnd(&stream) }
        // One byte of room beyond `size`: producing it means the data is larger than the image.
        var output = [UInt8](repeating: 0, count: size + 1)
        var input = input
        let status: Int32 = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = UInt32(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = UInt32(outBuffer.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        let produced = output.count - Int(stream.avail_out)
        if produced > size { throw PNGFault("its image data inflates to more than the \(size) bytes the image's rows have (a decompression bomb?)") }
        switch status {
        case Z_STREAM_END:
            guard produced == size else { throw PNGFault("its image data inflates to \(produced) bytes, not \(size)") }
            guard stream.avail_in == 0 else { throw PNGFault("bytes after the end of its compressed image data") }
            return Array(output[0..<size])
        case Z_DATA_ERROR:
            throw PNGFault("its compressed image data is corrupt (\(stream.msg.map { String(cString: $0) } ?? "invalid data"))")
        default:
            throw PNGFault("its compressed image data ends early (\(produced) of \(size) bytes)")
        }
    }

    /// Undoes the per-row filters (None, Sub, Up, Average, Paeth) of 1-byte pixels.
    static func unfilter(_ raw: [UInt8], width: Int, height: Int) throws(PNGFault) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height)
        for row in 0..<height {
            let filter = raw[row * (width + 1)]
            let source = row * (width + 1) + 1
            let target = row * width
            for x in 0..<width {
                let value = raw[source + x]
                let left = x > 0 ? pixels[target + x - 1] : 0
                let up = row > 0 ? pixels[target - width + x] : 0
                let upLeft = (x > 0 && row > 0) ? pixels[target - width + x - 1] : 0
                let predicted: UInt8
                switch filter {
                case 0: predicted = 0
                case 1: predicted = left
                case 2: predicted = up
                case 3: predicted = UInt8((Int(left) + Int(up)) / 2)
                case 4:
                    let p = Int(left) + Int(up) - Int(upLeft)
                    let pa = abs(p - Int(left)), pb = abs(p - Int(up)), pc = abs(p - Int(upLeft))
                    predicted = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft
                default: throw PNGFault("row \(row) has an unknown filter type \(filter)")
                }
                pixels[target + x] = value &+ predicted
            }
        }
        return pixels
    }

    static func colourName(_ type: UInt8) -> String {
        switch type {
        case 2: return "RGB"
        case 3: return "palette"
        case 4: return "grayscale with alpha"
        case 6: return "RGBA"
        default: return "invalid"
        }
    }

    static func be32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }
}
