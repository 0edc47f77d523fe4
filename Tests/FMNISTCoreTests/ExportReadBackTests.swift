import CZlib
import Foundation
import Testing
import TestSupport

@testable import FMNISTCore

/// The bounded readers behind `verify`/`import` of `export png` and `export hf`: ``PNGReader``
/// (8-bit grayscale PNG) and ``ParquetImageTableReader`` (the Parquet fmnist writes). What the
/// writers write is read back exactly; every other or damaged input is a fault, never a crash.
@Suite struct ExportReadBackTests {
    static func image(seed: UInt64) -> [UInt8] {
        var random = SeededRandom(seed: seed)
        // Runs of black with noise, like a digit.
        return (0..<784).map { i in i % 28 < 6 || i / 28 < 4 ? 0 : UInt8(truncatingIfNeeded: random.next()) }
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] { PNGWriter.chunk(type, data) }

    /// A PNG assembled by hand: the IHDR fields given, `raw` (filter bytes included) zlib-compressed.
    static func png(width: UInt32 = 28, height: UInt32 = 28, depth: UInt8 = 8, colour: UInt8 = 0, interlace: UInt8 = 0,
                    raw: [UInt8], extra: [[UInt8]] = []) -> [UInt8] {
        let header = PNGWriter.bigEndian(width) + PNGWriter.bigEndian(height) + [depth, colour, 0, 0, interlace]
        var compressed = [UInt8](repeating: 0, count: raw.count + 1024)
        var length = UInt(compressed.count)
        _ = compress2(&compressed, &length, raw, UInt(raw.count), 6)
        return PNGReader.signature + chunk("IHDR", header) + extra.flatMap { $0 } + chunk("IDAT", Array(compressed[0..<Int(length)]))
            + PNGWriter.iend
    }

    /// Rows of `pixels` with PNG filter `filter` applied to every row.
    static func filtered(_ pixels: [UInt8], filter: UInt8) -> [UInt8] {
        var raw: [UInt8] = []
        for row in 0..<28 {
            raw.append(filter)
            for x in 0..<28 {
                let value = pixels[row * 28 + x]
                let left = x > 0 ? pixels[row * 28 + x - 1] : 0
                let up = row > 0 ? pixels[(row - 1) * 28 + x] : 0
                let upLeft = x > 0 && row > 0 ? pixels[(row - 1) * 28 + x - 1] : 0
                let predicted: UInt8
                switch filter {
                case 1: predicted = left
                case 2: predicted = up
                case 3: predicted = UInt8((Int(left) + Int(up)) / 2)
                case 4:
                    let p = Int(left) + Int(up) - Int(upLeft)
                    let pa = abs(p - Int(left)), pb = abs(p - Int(up)), pc = abs(p - Int(upLeft))
                    predicted = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft
                default: predicted = 0
                }
                raw.append(value &- predicted)
            }
        }
        return raw
    }

    @Test func pngWriterOutputIsReadBackExactlyAtEveryLevel() throws {
        for seed in UInt64(1)...20 {
            let pixels = Self.image(seed: seed)
            for encoder in [PNGWriter.Encoder(width: 28, height: 28, runLengthOnly: true), PNGWriter.Encoder(width: 28, height: 28, level: 9)] {
                let png = pixels.withUnsafeBufferPointer { encoder.encode($0) }
                #expect(try PNGReader.grayscale(png, width: 28, height: 28) == pixels)
            }
        }
        #expect(try PNGReader.grayscale(PNGWriter.grayscale(width: 28, height: 28, pixels: [UInt8](repeating: 0, count: 784)), width: 28, height: 28)
            == [UInt8](repeating: 0, count: 784))
    }

    @Test(arguments: [UInt8(0), 1, 2, 3, 4])
    func everyPNGFilterIsUndone(filter: UInt8) throws {
        let pixels = Self.image(seed: 99)
        #expect(try PNGReader.grayscale(Self.png(raw: Self.filtered(pixels, filter: filter)), width: 28, height: 28) == pixels)
    }

    @Test func ancillaryChunksAreSkippedAndOtherPNGsRefusedByName() throws {
        let pixels = Self.image(seed: 5)
        let raw = Self.filtered(pixels, filter: 0)
        let text = Self.chunk("tEXt", Array("Comment\0made elsewhere".utf8))
        #expect(try PNGReader.grayscale(Self.png(raw: raw, extra: [text]), width: 28, height: 28) == pixels)
        func problem(_ bytes: [UInt8]) -> String {
            do {
                _ = try PNGReader.grayscale(bytes, width: 28, height: 28)
                return "accepted"
            } catch { return error.problem }
        }
        #expect(problem(Self.png(colour: 2, raw: raw)).contains("colour type 2 (RGB)"))
        #expect(problem(Self.png(depth: 16, raw: raw)).contains("16-bit grayscale"))
        #expect(problem(Self.png(interlace: 1, raw: raw)).contains("interlaced"))
        #expect(problem(Self.png(width: 100_000, height: 100_000, raw: raw)).contains("is 100000×100000 pixels"))
        #expect(problem(Self.png(raw: raw, extra: [Self.chunk("PLTE", [0, 0, 0])])).contains("palette"))
        #expect(problem(Self.png(raw: raw, extra: [Self.chunk("ZZZZ", [1])])).contains("unknown critical chunk ZZZZ"))
        #expect(problem(Self.png(raw: raw) + [0]).contains("after the IEND"))
        #expect(problem(Self.png(raw: Self.filtered(pixels, filter: 7))).contains("unknown filter type 7"))
        // A "bomb": the image data inflates to far more than 28 rows of 29 bytes.
        #expect(problem(Self.png(raw: [UInt8](repeating: 0, count: 10_000_000))).contains("inflates to more than"))
        #expect(problem(Self.png(raw: Array(raw.prefix(500)))).contains("inflates to 500 bytes, not 812"))
        #expect(problem(Array("not a png at all".utf8)).contains("no PNG signature"))
        #expect(problem([]).contains("empty"))
        // One bit changed anywhere in a chunk: its CRC says so.
        var altered = Self.png(raw: raw)
        altered[60] ^= 0x01
        #expect(problem(altered).contains("CRC"))
    }

    @Test func everyTruncationAndByteFlipOfAPNGIsAFaultNeverACrash() throws {
        let png = Self.png(raw: Self.filtered(Self.image(seed: 8), filter: 4))
        for length in 0..<png.count {
            #expect(throws: PNGFault.self) { try PNGReader.grayscale(Array(png.prefix(length)), width: 28, height: 28) }
        }
        var random = SeededRandom(seed: 42)
        for _ in 0..<2000 {
            var bytes = png
            for _ in 0..<(1 + Int(random.next() % 4)) {
                bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            _ = try? PNGReader.grayscale(bytes, width: 28, height: 28)
        }
    }

    // MARK: Parquet

    static func table(rows: Int, seed: UInt64 = 1) -> (bytes: [UInt8], images: [[UInt8]], labels: [Int64]) {
        let encoder = PNGWriter.Encoder(width: 28, height: 28, runLengthOnly: true)
        let images = (0..<rows).map { i in Self.image(seed: seed + UInt64(i)).withUnsafeBufferPointer { encoder.encode($0) } }
        let labels = (0..<rows).map { Int64(($0 * 7 + 3) % 10) }
        let bytes = ParquetImageTableWriter.file(images: images, labels: labels, metadata: [("huggingface", "{}")])
        return (bytes, images, labels)
    }

    static func read(_ bytes: [UInt8]) throws(ParquetFault) -> ParquetImageTable {
        try ParquetImageTableReader.read(bytes, maxRows: 1000, maxImageSize: 4096, classCount: 10)
    }

    @Test(arguments: [1, 8, 9, 37])
    func parquetWriterOutputIsReadBackExactly(rows: Int) throws {
        let (bytes, images, labels) = Self.table(rows: rows)
        let table = try Self.read(bytes)
        #expect(table.labels == labels)
        #expect(table.images.map { Array(bytes[$0]) } == images)
    }

    @Test func hostileParquetIsRefusedByName() throws {
        let (bytes, _, _) = Self.table(rows: 12)
        func problem(_ bytes: [UInt8], maxRows: Int = 1000) -> String {
            do {
                _ = try ParquetImageTableReader.read(bytes, maxRows: maxRows, maxImageSize: 4096, classCount: 10)
                return "accepted"
            } catch { return error.problem }
        }
        // An absurd footer length (0xFFFFFFF0), and one just past the file.
        var absurd = bytes
        absurd.replaceSubrange((absurd.count - 8)..<(absurd.count - 4), with: [0xF0, 0xFF, 0xFF, 0xFF])
        #expect(problem(absurd).contains("footer length 4294967280 does not fit"))
        var past = bytes
        let beyond = UInt32(bytes.count - 11)
        past.replaceSubrange((past.count - 8)..<(past.count - 4), with: (0..<4).map { UInt8(truncatingIfNeeded: beyond >> (8 * UInt32($0))) })
        #expect(problem(past).contains("does not fit"))
        #expect(problem(Array(bytes.prefix(bytes.count - 1))).contains("does not end with PAR1"))
        #expect(problem(Array("PAR1PAR1".utf8)).contains("too short"))
        #expect(problem([]).contains("empty"))
        #expect(problem(bytes, maxRows: 5).contains("12 rows, more than any known split has (5)"))
        // A label outside the classes: the last 8 bytes before the footer are the last row's label.
        var label = bytes
        let footerLength = Int(ParquetImageTableReader.le32(bytes, bytes.count - 8))
        let lastLabel = bytes.count - 8 - footerLength - 8
        label[lastLabel] = 42
        #expect(problem(label).contains("row 11: label 42 is not a class"))
        // Another codec: the first column's codec field (i32 field 4) made SNAPPY (1, zigzag 2).
        var compressed = bytes
        let footer = Array(bytes[(bytes.count - 8 - footerLength)..<(bytes.count - 8)])
        // In fmnist's footer the codec is field 4 right after the path list: header 0x15 (delta 1, i32) then zigzag 0.
        if let at = (0..<(footer.count - 2)).first(where: { footer[$0] == 0x15 && footer[$0 + 1] == 0x00 && footer[$0 + 2] == 0x16 }) {
            compressed[bytes.count - 8 - footerLength + at + 1] = 0x02
            #expect(problem(compressed).contains("compressed (SNAPPY)"))
        } else {
            Issue.record("no codec field found in the footer")
        }
    }

    @Test func everyTruncationAndByteFlipOfAParquetFileIsAFaultNeverACrash() throws {
        let (bytes, _, _) = Self.table(rows: 3)
        for length in 0..<bytes.count {
            #expect(throws: ParquetFault.self) { try Self.read(Array(bytes.prefix(length))) }
        }
        var random = SeededRandom(seed: 7)
        for _ in 0..<5000 {
            var copy = bytes
            for _ in 0..<(1 + Int(random.next() % 3)) {
                copy[Int(random.next() % UInt64(copy.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            _ = try? Self.read(copy)
        }
    }

    @Test func thriftReaderBoundsListsStringsAndNesting() {
        func fails(_ bytes: [UInt8]) -> Bool {
            var reader = ThriftCompactReader(bytes, from: 0, to: bytes.count)
            return (try? reader.structure()) == nil
        }
        #expect(fails([0x19, 0xFC, 0xFF, 0xFF, 0xFF, 0x0F]))  // a list claiming 2^32 elements
        #expect(fails([0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]))  // a string claiming 4 GiB
        #expect(fails([UInt8](repeating: 0x1C, count: 100)))  // structs nested 100 deep
        #expect(fails([0x15] + [UInt8](repeating: 0xFF, count: 11)))  // an endless varint
        #expect(!fails([0x15, 0x02, 0x00]))
    }
}
