import CZlib
import Foundation
import Testing

@testable import FMNISTCore

/// A minimal PNG decoder for tests: checks chunk CRCs and inflates the image data.
struct DecodedPNG {
    let width: Int
    let height: Int
    let bitDepth: UInt8
    let colorType: UInt8
    let rows: [[UInt8]]

    init(_ bytes: [UInt8]) throws {
        guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw CocoaError(.coderReadCorrupt) }
        func u32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
        var offset = 8
        var header: [UInt8] = []
        var idat: [UInt8] = []
        while offset + 12 <= bytes.count {
            let length = u32(offset)
            let body = Array(bytes[(offset + 4)..<(offset + 8 + length)])
            let crc = body.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
            guard crc == UInt32(u32(offset + 8 + length)) else { throw CocoaError(.coderReadCorrupt) }
            let type = String(decoding: body.prefix(4), as: UTF8.self)
            if type == "IHDR" { header = Array(body.dropFirst(4)) }
            if type == "IDAT" { idat += body.dropFirst(4) }
            offset += 12 + length
        }
        let width = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        let height = Int(header[4]) << 24 | Int(header[5]) << 16 | Int(header[6]) << 8 | Int(header[7])
        self.width = width
        self.height = height
        bitDepth = header[8]
        colorType = header[9]
        var raw = [UInt8](repeating: 0, count: (width + 1) * height)
        var length = UInt(raw.count)
        let status = raw.withUnsafeMutableBufferPointer { out in
            idat.withUnsafeBufferPointer { uncompress(out.baseAddress, &length, $0.baseAddress, UInt(idat.count)) }
        }
        guard status == Z_OK, Int(length) == raw.count else { throw CocoaError(.coderReadCorrupt) }
        let stride = width + 1
        rows = (0..<height).map { Array(raw[($0 * stride + 1)..<(($0 + 1) * stride)]) }
    }
}

@Suite struct PreviewTests {
    @Test func pngRoundTripsThroughADecoder() throws {
        let pixels = (0..<(7 * 5)).map { UInt8($0 * 7) }
        let png = try DecodedPNG(PNGWriter.grayscale(width: 7, height: 5, pixels: pixels))
        #expect(png.width == 7 && png.height == 5 && png.bitDepth == 8 && png.colorType == 0)
        #expect(png.rows.flatMap { $0 } == pixels)
    }

    @Test func spriteHasOneRowPerClass() {
        // 3 classes, 2×2 images; image i has all pixels = 100 + i, label = i % 3.
        let labels: [UInt8] = (0..<9).map { UInt8($0 % 3) }
        let images = (0..<9).flatMap { [UInt8](repeating: UInt8(100 + $0), count: 4) }
        let renderer = SpriteRenderer(gap: 1)
        let sprite = renderer.render(images: images, labels: labels, rows: 2, columns: 2, classes: 3, perClass: 2)
        #expect(sprite.width == 1 + 2 * 3 && sprite.height == 1 + 3 * 3)
        // Row of class 1, second image: image index 4 → 104.
        let y = 1 + 1 * 3
        let x = 1 + 1 * 3
        #expect(sprite.pixels[y * sprite.width + x] == 104)
        // Class 2, first image: index 2 → 102.
        #expect(sprite.pixels[(1 + 2 * 3) * sprite.width + 1] == 102)
    }
}
