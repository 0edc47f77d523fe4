import Foundation
import Testing
import TestSupport

@testable import FMNISTCore

/// The Kaggle-format CSV parser behind `fmnist verify FILE.csv` and `fmnist import CSVDIR`: good
/// input in any chunking, every malformed case named by line and column, and the bounds.
@Suite struct KaggleCSVTests {
    /// Small limits: 2×2 images (header `label,pixel1,…,pixel4`), at most 3 rows, 10 classes.
    static let small = CSVLimits(rows: 2, columns: 2, maxRows: 3, classCount: 10)
    static let header = "label,pixel1,pixel2,pixel3,pixel4\n"

    static func parse(_ text: String, limits: CSVLimits = small, chunk: Int = .max) throws(CSVFault) -> CSVSplit {
        var parser = KaggleCSVParser(limits: limits)
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            try parser.feed(Array(bytes[offset..<end]))
            offset = end
        }
        return try parser.finish()
    }

    static func fault(_ text: String, limits: CSVLimits = small) -> CSVFault? {
        do {
            _ = try parse(text, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [1, 2, 7, 1 << 20])
    func goodCSVRebuildsTheIDXPayloadsInAnyChunking(chunk: Int) throws {
        let split = try Self.parse(Self.header + "3,0,1,254,255\n9,10,100,200,7\r\n", chunk: chunk)
        #expect(split.count == 2)
        #expect(split.imagesPayload == [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 254, 255, 10, 100, 200, 7])
        #expect(split.labelsPayload == [0, 0, 8, 1, 0, 0, 0, 2, 3, 9])
        #expect(split.classHistogram == [0, 0, 0, 1, 0, 0, 0, 0, 0, 1])
    }

    @Test func theExportersCSVParsesToTheSyntheticPayloads() throws {
        // What `export csv` writes for a synthetic split, parsed back: byte-identical IDX payloads.
        let images = SyntheticIDX.images(count: 5, seed: 11)
        let labels: [UInt8] = [0, 9, 4, 4, 1]
        var text = "label," + (1...784).map { "pixel\($0)" }.joined(separator: ",") + "\n"
        for row in 0..<5 {
            text += "\(labels[row])," + images[(16 + row * 784)..<(16 + (row + 1) * 784)].map(String.init).joined(separator: ",") + "\n"
        }
        let split = try Self.parse(text, limits: CSVLimits(rows: 28, columns: 28, maxRows: 60000, classCount: 10), chunk: 4096)
        #expect(split.imagesPayload == images)
        #expect(split.labelsPayload == SyntheticIDX.labels(labels))
    }

    @Test(arguments: [
        // (input after a good header, line, column, words in the problem)
        ("3,0,1,2\n", 2, 5, "ends after 4 of 5 columns"),
        ("3,0,1,2,3,4\n", 2, 6, "more than 5 columns"),
        ("3,0,1,256,3\n", 2, 4, "256 is above 255"),
        ("3,0,1,1000,3\n", 2, 4, "above 255"),
        ("3,0,x,2,3\n", 2, 3, "not a number: \"x\""),
        ("3,0, 1,2,3\n", 2, 3, "not a number: \" \""),
        ("3,0,-1,2,3\n", 2, 3, "not a number: \"-\""),
        ("3,0,1.5,2,3\n", 2, 3, "not a number: \".\""),
        ("3,0,,2,3\n", 2, 3, "an empty field"),
        ("12,0,1,2,3\n", 2, 1, "label 12 is not below 10"),
        ("3,0,1,2,0003\n", 2, 5, "more than 3 digits"),
        ("3,0,1,2,3\n\n", 3, 0, "an empty line"),
        ("3,0,1,2,3\r0\n", 2, 5, "carriage return"),
        ("3,0,1,2,3", 2, 0, "the last line has no newline"),
        ("", 2, 0, "no rows after the header"),
        ("1,1,1,1,1\n2,2,2,2,2\n3,3,3,3,3\n4,4,4,4,4\n", 5, 0, "more than 3 rows"),
    ])
    func malformedRowsAreNamedByLineAndColumn(input: String, line: Int, column: Int, words: String) throws {
        let fault = try #require(Self.fault(Self.header + input), "\(input.debugDescription) should fail")
        #expect(fault.line == line, "\(fault)")
        #expect(fault.column == column, "\(fault)")
        #expect(fault.problem.contains(words), "\(fault)")
        #expect(fault.exitStatus == .integrity)
    }

    @Test(arguments: [
        ("", 0, 0, "the file is empty"),
        ("\n", 1, 0, "the first line is empty"),
        ("PK\u{03}\u{04}", 1, 0, "not a Kaggle-format CSV"),
        ("label,pixel1,pixel2,pixel3\n", 1, 4, "the header ends after 4 of 5 columns"),
        ("label,pixel1,pixel2,pixel3,pixel4,pixel5\n", 1, 6, "more than 5 columns"),
        ("label,pixel1,pixel3,pixel3,pixel4\n", 1, 3, "column 3 should be \"pixel2\""),
        ("Label,pixel1,pixel2,pixel3,pixel4\n", 1, 0, "not a Kaggle-format CSV"),
        ("label,pixel1,pixel2,pixel3,pixel4", 1, 0, "the header line has no newline"),
        ("label,pixel1,pixel2,pixel3,pixel40\n", 1, 5, "should be \"pixel4\""),
    ])
    func malformedHeadersAreRefused(input: String, line: Int, column: Int, words: String) throws {
        let fault = try #require(Self.fault(input), "\(input.debugDescription) should fail")
        #expect(fault.line == line, "\(fault)")
        #expect(fault.column == column, "\(fault)")
        #expect(fault.problem.contains(words), "\(fault)")
    }

    @Test func aCRLFHeaderIsAccepted() throws {
        #expect(try Self.parse("label,pixel1,pixel2,pixel3,pixel4\r\n1,2,3,4,5\r\n").count == 1)
    }

    @Test func aLineWithoutNewlineIsCutAtTheLineBound() {
        // A header-less stream of digits is refused at its first byte; a row of endless zeros at
        // the column bound; neither reads on.
        var parser = KaggleCSVParser(limits: Self.small)
        #expect(throws: CSVFault.self) { try parser.feed(Array(Self.header.utf8) + Array(repeating: UInt8(ascii: "0"), count: 100)) }
        let zeros = Self.fault(Self.header + String(repeating: "0,", count: 1000))
        #expect(zeros?.problem.contains("more than 5 columns") == true)
    }

    @Test func limitsComeFromTheManifests() throws {
        let registry = try ManifestRegistry.load(extraDirectories: [])
        let limits = CSVLimits(registry: registry)
        #expect(limits.pixelsPerImage == 784)
        #expect(limits.maxRows == 60000)
        #expect(limits.classCount == 10)
        #expect(limits.header.count == Array(("label," + (1...784).map { "pixel\($0)" }.joined(separator: ",")).utf8).count)
        // 60,001 lines of at most 3142 bytes: about 189 MB, so a 5 GB file is refused by its size.
        #expect(limits.maxFileSize < 200_000_000 && limits.maxFileSize > 130_000_000)
    }

    @Test func filesAreReadBoundedAndOnlyWhenRegular() throws {
        let scratch = try ScratchFolder("csv")
        let limits = Self.small
        // Larger than the bound: refused by its size (sparse, so nothing is written).
        let huge = scratch.url.appendingPathComponent("huge.csv")
        #expect(FileManager.default.createFile(atPath: huge.path, contents: Data(Self.header.utf8)))
        #expect(truncate(huge.path, 5_000_000_000) == 0)
        let tooLarge = #expect(throws: CSVFault.self) { try KaggleCSVFile.read(huge, limits: limits) }
        #expect(tooLarge?.problem.contains("more than a Kaggle-format CSV of the largest known split can be") == true)
        // A FIFO is never opened for a blocking read.
        let fifo = scratch.url.appendingPathComponent("pipe.csv")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        let pipe = #expect(throws: FileAccessError.self) { try KaggleCSVFile.read(fifo, limits: limits) }
        #expect(pipe?.problem.contains("named pipe") == true)
        // A good file, and its fault path.
        let good = scratch.url.appendingPathComponent("good.csv")
        try Data((Self.header + "1,2,3,4,5\n").utf8).write(to: good)
        #expect(try KaggleCSVFile.read(good, limits: limits).count == 1)
        let bad = scratch.url.appendingPathComponent("bad.csv")
        try Data((Self.header + "1,2,3,4,5\n1,2,x,4,5\n").utf8).write(to: bad)
        let malformed = #expect(throws: CSVFault.self) { try KaggleCSVFile.read(bad, limits: limits) }
        #expect(malformed?.path == bad.path)
        #expect(malformed?.description.contains("line 3, column 3 (pixel2): not a number") == true, "\(String(describing: malformed))")
    }

    @Test func aSplitIsIdentifiedOnlyWhenBothPayloadsAreOneVersions() throws {
        let scratch = try ScratchFolder("csv-identify")
        let toy = try SyntheticDataset(name: "toycsv", title: "Toy-CSV", seed: 5, in: scratch.url)
        let registry = try ManifestRegistry.load(extraDirectories: [toy.manifestDirectory.path])
        let split = CSVSplit(
            imagesPayload: toy.payloads[.testImages]!, labelsPayload: toy.payloads[.testLabels]!, count: 10,
            classHistogram: [])
        let named = scratch.url.appendingPathComponent("toycsv_test.csv")
        let good = SplitReport.identify(split, url: named, registry: registry)
        #expect(good.exitStatus == .success, "\(good.message)")
        #expect(good.message == "this is Toy-CSV v1's test split (images and labels), as Kaggle-format CSV")
        #expect(good.dataset == "toycsv" && good.split == "test" && good.versionName == "v1")
        // Named as the train split: the content wins, and the mismatch fails.
        let misnamed = SplitReport.identify(split, url: scratch.url.appendingPathComponent("toycsv_train.csv"), registry: registry)
        #expect(misnamed.exitStatus == .integrity)
        #expect(misnamed.message.contains("WRONG SPLIT"))
        // One pixel changed: valid, but no known split; the images are named as unknown, the labels as known.
        var images = toy.payloads[.testImages]!
        images[100] ^= 1
        let tampered = SplitReport.identify(
            CSVSplit(imagesPayload: images, labelsPayload: toy.payloads[.testLabels]!, count: 10, classHistogram: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
            url: named, registry: registry)
        #expect(tampered.exitStatus == .integrity)
        #expect(tampered.message.contains("valid CSV of 10 rows but matches no known split"))
        #expect(tampered.message.contains("labels: Toy-CSV's t10k-labels"))
        #expect(tampered.message.contains("class histogram [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"))
    }
}
