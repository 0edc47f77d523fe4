import CZlib
import Foundation
import Testing

@testable import FMNISTCore

/// The hand-written encoders behind `fmnist export`: .npy headers, Thrift compact, the DEST rules.
@Suite struct ExportFormatTests {
    @Test(arguments: [[60000, 28, 28], [10000], [7, 3, 2]])
    func npyHeaderIsAlignedAndDescribesTheArray(shape: [Int]) {
        let header = NPYFormat.header(uint8Shape: shape)
        #expect(header.count % 64 == 0)
        #expect(Array(header.prefix(8)) == [0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = Int(header[8]) | Int(header[9]) << 8
        #expect(length == header.count - 10)
        let text = String(decoding: header.dropFirst(10), as: UTF8.self)
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        #expect(text.hasPrefix("{'descr': '|u1', 'fortran_order': False, 'shape': \(dims), }"))
        #expect(text.hasSuffix("\n"))
    }

    @Test func thriftCompactEncodesFieldsListsAndStructs() {
        var w = ThriftCompactWriter()
        w.i32(1, 1)  // delta 1, i32, zigzag(1) = 2
        w.i64(3, -1)  // delta 2, i64, zigzag(-1) = 1
        w.string(4, "ab")  // delta 1, binary, length 2
        w.beginList(5, .i32, count: 2)  // delta 1, list; size 2 of i32
        w.listElement(Int32(300))  // zigzag 600 = varint 0xD8 0x04
        w.listElement(Int32(0))
        w.beginStruct(20)  // delta 15: long form? no, 15 fits: 0xFC
        w.i32(1, 0)
        w.endStruct()
        w.stop()
        #expect(w.bytes == [0x15, 0x02, 0x26, 0x01, 0x18, 0x02, 0x61, 0x62, 0x19, 0x25, 0xD8, 0x04, 0x00, 0xFC, 0x15, 0x00, 0x00, 0x00])
    }

    @Test func pngEncoderOutputInflatesBackToTheScanlines() throws {
        let pixels = (0..<(28 * 28)).map { UInt8(($0 * 7) & 0xFF) }
        let encoder = PNGWriter.Encoder(width: 28, height: 28)
        for _ in 0..<2 {  // the reused stream gives the same, valid result every time
            let png = encoder.encode(pixels.withUnsafeBufferPointer { $0 })
            #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            #expect(Array(png.suffix(12)) == PNGWriter.iend)
            // IHDR is 8 + 25 bytes; IDAT follows: length, type, data, CRC.
            let length = png[33..<37].reduce(0) { $0 << 8 | Int($1) }
            #expect(Array(png[37..<41]) == Array("IDAT".utf8))
            let idat = Array(png[41..<(41 + length)])
            var raw = [UInt8](repeating: 0, count: 29 * 28 + 16)
            var rawLength = UInt(raw.count)
            #expect(uncompress(&raw, &rawLength, idat, UInt(idat.count)) == Z_OK)
            #expect(rawLength == 29 * 28)
            let rows = (0..<28).map { Array(raw[($0 * 29 + 1)..<(($0 + 1) * 29)]) }
            #expect(rows.flatMap { $0 } == pixels)
            #expect((0..<28).allSatisfy { raw[$0 * 29] == 0 })
            let crc = png[(41 + length)..<(45 + length)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            #expect(crc == UInt32(crc32(0, Array(png[37..<(41 + length)]), UInt32(4 + length))))
        }
    }

    @Test func exportDirectoryRefusesSymlinksAndPlacesFilesByRename() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("export-dir-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: base) }
        let outside = base.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let dest = try ExportDirectory.open(base.appendingPathComponent("dest"))
        try FileManager.default.createSymbolicLink(at: base.appendingPathComponent("dest/link"), withDestinationURL: outside)
        #expect(throws: ExportError.foreignSymlink(path: dest.path(of: "link"))) { try dest.subdirectory("link") }
        #expect(throws: ExportError.foreignSymlink(path: dest.path(of: "link"))) { try dest.writeFile("link", [1], replacing: true) }
        try dest.writeFile("a.bin", [1, 2, 3], replacing: false)
        #expect(throws: ExportError.exists(path: dest.path(of: "a.bin"))) { try dest.writeFile("a.bin", [4], replacing: false) }
        try dest.writeFile("a.bin", [4], replacing: true)
        #expect(try Data(contentsOf: base.appendingPathComponent("dest/a.bin")) == Data([4]))
        let abandoned = try dest.create("b.bin", replacing: false)
        try abandoned.write([9, 9])
        abandoned.abandon()
        #expect(try FileManager.default.contentsOfDirectory(atPath: base.appendingPathComponent("dest").path).sorted() == ["a.bin", "link"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
    }

    /// Every pixel value (0…255) and label (0…9) once more than a block holds: the counted length
    /// of each block is what its formatting writes, and the text is the decimal one.
    @Test func csvBlocksAreAsLongAsCountedAndSpellEveryValue() {
        let count = CSVExporter.rowsPerBlock + 3
        let (rows, columns) = (4, 64)
        let images = (0..<(count * rows * columns)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 256) }
        let split = LoadedSplit(name: "train", images: images, labels: (0..<count).map { UInt8($0 % 10) }, rows: rows, columns: columns)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 * (rows * columns + 1) * CSVExporter.rowsPerBlock, alignment: 64)
        defer { buffer.deallocate() }
        var text = ""
        for index in 0..<2 {
            let range = CSVExporter.block(index, of: split)
            let length = CSVExporter.rows(of: split, range, into: buffer)
            #expect(length == CSVExporter.textSize(of: split, range), "block \(index)")
            text += String(decoding: UnsafeRawBufferPointer(rebasing: buffer[..<length]), as: UTF8.self)
        }
        let expected = (0..<count).map { row in
            ([String(row % 10)] + images[(row * rows * columns)..<((row + 1) * rows * columns)].map { String($0) }).joined(separator: ",") + "\n"
        }.joined()
        #expect(text == expected)
        #expect(Set(images).count == 256)
    }
}
