import Foundation
import Testing
import TestSupport

@testable import FMNISTCore

/// ``KaggleCSVFile``'s parallel read: the file cut at newlines into segments parsed side by side
/// gives the one-pass parser's split byte for byte, and any file the one-pass parser refuses is
/// refused with exactly its fault (line, column, words), because the segmented read hands every
/// irregular file back to it.
@Suite struct KaggleCSVSegmentTests {
    /// 2×2 images, up to 200 rows, 10 classes.
    static let limits = CSVLimits(rows: 2, columns: 2, maxRows: 200, classCount: 10)
    static let header = "label,pixel1,pixel2,pixel3,pixel4\n"

    /// `count` rows of varied widths (1–3 digits), `\r\n` on every fifth.
    static func rows(_ count: Int, seed: UInt64 = 5) -> String {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { row in
            let values = (0..<4).map { _ in String(UInt8(truncatingIfNeeded: random.next()) >> UInt8(random.next() % 8)) }
            return "\(row % 10)," + values.joined(separator: ",") + (row % 5 == 4 ? "\r\n" : "\n")
        }.joined()
    }

    static func file(_ text: String) throws -> (ScratchFolder, URL) {
        let folder = try ScratchFolder("csv-segments")
        let url = folder.url.appendingPathComponent("train.csv")
        try Data(text.utf8).write(to: url)
        return (folder, url)
    }

    @Test(arguments: [7, 64, 1000])
    func segmentsJoinToTheOnePassSplit(segmentSize: Int) throws {
        let (folder, url) = try Self.file(KaggleCSVSegmentTests.header + KaggleCSVSegmentTests.rows(180))
        defer { withExtendedLifetime(folder) {} }
        let onePass = try KaggleCSVFile.readInOnePass(url, limits: Self.limits)
        for threads in [2, 3] {
            let split = try #require(KaggleCSVFile.readInSegments(url, limits: Self.limits, threads: threads, segmentSize: segmentSize))
            #expect(split.imagesPayload == onePass.imagesPayload)
            #expect(split.labelsPayload == onePass.labelsPayload)
            #expect(split.count == 180 && split.classHistogram == onePass.classHistogram)
        }
        #expect(try KaggleCSVFile.read(url, limits: Self.limits, threads: 2).imagesPayload == onePass.imagesPayload)
    }

    /// Files the one-pass parser refuses: what is wrong, and the text.
    static let irregular: [(String, String)] = {
        let head: String = header
        let many: String = rows(120)
        let few: String = rows(10)
        return [
            ("a value above 255 deep in the file", head + many + "3,1,2,256,4\n" + few),
            ("a short row", head + many + "3,1,2\n" + few),
            ("no newline at the end", head + many + "3,1,2,3,4"),
            ("more rows than any split", head + rows(201)),
            ("an empty line", head + many + "\n" + few),
            ("a bad header", "label,pixel1,pixel2,pixel3,pixel5\n" + few),
            ("only the header", head),
            ("an empty file", ""),
            ("a stray carriage return", head + many + "3,1,2\r,3,4\n"),
        ]
    }()

    @Test(arguments: irregular)
    func irregularFilesGetTheOnePassFault(what: String, text: String) throws {
        let (folder, url) = try Self.file(text)
        defer { withExtendedLifetime(folder) {} }
        #expect(KaggleCSVFile.readInSegments(url, limits: Self.limits, threads: 2, segmentSize: 64) == nil, "\(what)")
        let expected = #expect(throws: CSVFault.self, "\(what)") { try KaggleCSVFile.readInOnePass(url, limits: Self.limits) }
        let got = #expect(throws: CSVFault.self, "\(what)") { try KaggleCSVFile.read(url, limits: Self.limits, threads: 2) }
        #expect(got == expected, "\(what)")
    }

    /// The parser's whole-row fast path (taken when a row starts in a chunk and ends in it) and its
    /// byte-by-byte loop (a chunk of one byte never holds a row) agree: the same split for valid
    /// rows (leading zeros, `\r\n`, 255), the same fault, line, column and words for each bad one.
    @Test(arguments: [
        ("valid", "", true),
        ("a value of four digits", "1,0,0,1000,0\n", false),
        ("a value above 255", "1,0,0,256,0\n", false),
        ("a label beyond the classes", "10,0,0,0,0\n", false),
        ("a column too many", "1,0,0,0,0,0\n", false),
        ("a column short", "1,0,0,0\n", false),
        ("an empty field", "1,0,,0,0\n", false),
        ("a carriage return alone", "1,0,0,0,0\r1,2,3,4,5\n", false),
        ("a space", "1,0, 0,0,0\n", false),
        ("a minus sign", "1,0,-1,0,0\n", false),
    ])
    func fastRowsAndTheByteLoopAgree(what: String, bad: String, valid: Bool) throws {
        let text = Self.header + "007,255,0,10,099\r\n" + Self.rows(30) + bad + Self.rows(5, seed: 9)
        let bytes = Array(text.utf8)
        func parse(chunk: Int) -> Result<CSVSplit, CSVFault> {
            var parser = KaggleCSVParser(limits: Self.limits)
            do {
                for start in stride(from: 0, to: bytes.count, by: chunk) {
                    try parser.feed(Array(bytes[start..<min(bytes.count, start + chunk)]))
                }
                return .success(try parser.finish())
            } catch {
                return .failure(error)
            }
        }
        let byteByByte = parse(chunk: 1)
        for chunk in [bytes.count, 4096, 37, 2] {
            switch (parse(chunk: chunk), byteByByte) {
            case (.success(let fast), .success(let slow)):
                #expect(valid, "\(what)")
                #expect(fast.imagesPayload == slow.imagesPayload && fast.labelsPayload == slow.labelsPayload, "\(what), chunk \(chunk)")
                #expect(fast.count == 36 && fast.imagesPayload[16..<20] == [255, 0, 10, 99] && fast.labelsPayload[8] == 7)
            case (.failure(let fast), .failure(let slow)):
                #expect(!valid, "\(what)")
                #expect(fast == slow, "\(what), chunk \(chunk)")
                #expect(fast.line == 33, "\(what): the bad row is line 33")
            default:
                Issue.record("\(what), chunk \(chunk): the fast path and the byte loop disagree")
            }
        }
    }
}
