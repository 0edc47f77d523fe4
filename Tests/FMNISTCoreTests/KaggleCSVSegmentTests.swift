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
}
