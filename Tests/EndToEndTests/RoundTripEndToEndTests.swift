import FMNISTCore
import Foundation
import Testing
import TestSupport

/// Every layout `fmnist export` writes, read back: `verify DEST` names the version by content and
/// `import DEST --as D` into a fresh workspace gives the same version id, for all seven layouts
/// (a synthetic dataset: fast). A PNG, a Parquet row or an npz byte changed is a failure naming
/// what changed; hostile PNG and Parquet files are refused cleanly.
@Suite(.serialized) struct RoundTripEndToEndTests {
    typealias Toy = LayoutsEndToEndTests.Toy

    static let layouts = ["torchvision", "keras", "tfds", "png", "csv", "npz", "hf"]

    @Test(arguments: layouts)
    func everyExportLayoutVerifiesAsItsVersionAndImportsAsTheSameVersion(layout: String) throws {
        let toy = try Toy("roundtrip-\(layout)")
        let dest = try toy.export(layout, layout)
        // An unknown provenance-like file at the top of the export, and in each folder directly
        // inside it, is ignored.
        let note = Data("{\"written_by\": \"someone else\"}".utf8)
        try note.write(to: dest.appendingPathComponent("fmnist-export.json"))
        for name in try FileManager.default.contentsOfDirectory(atPath: dest.path)
        where RegularFile.kind(at: dest.appendingPathComponent(name).path) == .directory {
            try note.write(to: dest.appendingPathComponent(name).appendingPathComponent("fmnist-export.json"))
        }
        let verify = try toy.run(["verify", dest.path, "--json", "--root", toy.root.path])
        #expect(verify.status == 0, "verify \(layout): \(verify.stderr)")
        #expect(verify.stdout.contains(String(toy.versionID.prefix(12))) || verify.stdout.contains("\"v1\""),
                "verify \(layout) names the version: \(verify.stdout.prefix(600))")
        _ = try toy.importFresh(dest, layout: Self.importLayout[layout]!, layout)
    }

    /// The layout name `import --json` reports for each export.
    static let importLayout = [
        "torchvision": "torchvision", "keras": "keras", "tfds": "tfds-manual", "png": "png", "csv": "csv", "npz": "npz", "hf": "hf",
    ]

    @Test func newLayoutsReportTheVersionInJSON() throws {
        let toy = try Toy("roundtrip-json")
        let short = String(toy.versionID.prefix(12))
        for layout in ["png", "hf", "npz"] {
            let dest = try toy.export(layout, layout)
            let json = try toy.run(["verify", dest.path, "--json", "--root", toy.root.path]).json()
            #expect(json["layouts"] as? [String] == [layout])
            let holds = try #require(json["holds"] as? [[String: Any]])
            #expect(holds.count == 1)
            #expect(holds.first?["version_short_id"] as? String == short)
            #expect(holds.first?["complete"] as? Bool == true)
            #expect(json["exit_status"] as? Int == 0)
            if layout != "npz" {
                let splits = try #require(json["splits"] as? [[String: Any]])
                #expect(splits.map { $0["split"] as? String }.sorted { ($0 ?? "") > ($1 ?? "") } == ["train", "test"])
                #expect(splits.allSatisfy { $0["identified_as"] as? String != nil && $0["layout"] as? String == layout })
                #expect(splits.first { $0["split"] as? String == "train" }?["rows"] as? Int == 30)
            }
        }
        // The dataset folder itself, and one Parquet file alone.
        let png = toy.base.path("png")
        #expect(try toy.run(["verify", png.appendingPathComponent("toyds").path]).status == 0)
        let parquet = toy.base.path("hf/toyds/test-00000-of-00001.parquet")
        let one = try toy.run(["verify", parquet.path, "--json"])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(try one.json()["identified_as"] as? String == "Toy-DS v1's test split (images and labels)")
    }

    @Test func severalLayoutsInOneFolderAreEachReadBack() throws {
        let toy = try Toy("roundtrip-mixed")
        let dest = toy.base.path("mixed")
        for layout in ["png", "npz", "csv"] {
            let result = try toy.run(["export", layout, dest.path, "--dataset", "toyds", "--root", toy.root.path])
            #expect(result.status == 0, "export \(layout): \(result.stderr)")
        }
        // `hf` would write the same dataset folder (`toyds/`) as `png`: one export per part, so it is
        // refused (exit 7, naming the png export there) rather than mixed into it.
        let clash = try toy.run(["export", "hf", dest.path, "--dataset", "toyds", "--root", toy.root.path])
        #expect(clash.status == 7 && clash.stderr.contains("png export"), "\(clash.stderr)")
        let verify = try toy.run(["verify", dest.path, "--json", "--root", toy.root.path])
        #expect(verify.status == 0, "\(verify.stderr)")
        let json = try verify.json()
        #expect(json["layouts"] as? [String] == ["png", "npz", "csv"])
        #expect((json["holds"] as? [[String: Any]])?.count == 1)
        #expect((json["splits"] as? [Any])?.count == 2 && (json["csv"] as? [Any])?.count == 2 && (json["npz"] as? [Any])?.count == 1)
        _ = try toy.importFresh(dest, layout: "csv", "mixed")
        // A CSV beside the others that holds another split than its name says fails the folder.
        let train = dest.appendingPathComponent("toyds_train.csv")
        let test = dest.appendingPathComponent("toyds_test.csv")
        try FileManager.default.removeItem(at: train)
        try FileManager.default.copyItem(at: test, to: train)
        let wrong = try toy.run(["verify", dest.path])
        #expect(wrong.status == 3, "\(wrong.stderr)")
        #expect(wrong.stderr.contains("WRONG SPLIT"), "\(wrong.stderr)")
    }

    @Test func anAcceptedUnknownVersionIsNamedFromTheWorkspaceAndImportsAsTheSameID() throws {
        let toy = try Toy("roundtrip-unknown")
        let other = try SyntheticDataset(name: "toyds", title: "Toy-DS", seed: 11, train: 30, test: 10, in: toy.base.path("other"))
        let imported = try toy.run(
            ["import", other.folder.path, "--as", "toyds", "--accept-unknown", "--activate", "--root", toy.root.path, "--json"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let unknownID = try #require((try imported.json()["version"] as? [String: Any])?["id"] as? String)
        #expect(unknownID != toy.versionID)
        let short = String(unknownID.prefix(12))
        for layout in ["png", "hf"] {
            let dest = try toy.export(layout, layout)
            let verify = try toy.run(["verify", dest.path, "--root", toy.root.path, "--json"])
            #expect(verify.status == 0, "\(verify.stderr)")
            #expect(verify.stderr.contains("this is Toy-DS UNKNOWN (\(short))'s train split"), "\(verify.stderr)")
            #expect(verify.stderr.contains("accepted as unknown on request"))
            let holds = try #require(try verify.json()["holds"] as? [[String: Any]])
            #expect(holds.count == 1 && holds.first?["version_short_id"] as? String == short && holds.first?["complete"] as? Bool == true)
            // Without that workspace no manifest knows the content: a failure, not a guess.
            let elsewhere = try toy.run(["verify", dest.path, "--root", toy.base.path("empty-\(layout)").path])
            #expect(elsewhere.status == 3, "\(elsewhere.stderr)")
            let fresh = toy.base.path("fresh-unknown-\(layout)")
            let back = try toy.run(["import", dest.path, "--as", "toyds", "--accept-unknown", "--root", fresh.path, "--json"])
            #expect(back.status == 0, "\(back.stderr)")
            #expect((try back.json()["version"] as? [String: Any])?["id"] as? String == unknownID)
        }
    }

    /// Replaces the PNG at `url` with one whose pixel `pixel` is changed (a valid PNG).
    static func changePixel(_ url: URL, pixel: Int) throws {
        var pixels = try PNGReader.grayscale([UInt8](Data(contentsOf: url)), width: 28, height: 28)
        pixels[pixel] ^= 0x40
        try FileManager.default.removeItem(at: url)
        try Data(PNGWriter.grayscale(width: 28, height: 28, pixels: pixels)).write(to: url)
    }

    /// The first PNG of the test split: its label folder and name for image `index`.
    static func pngPath(_ dest: URL, split: String, index: Int) throws -> (url: URL, relative: String) {
        let splitFolder = dest.appendingPathComponent("toyds/\(split)")
        for label in 0..<10 {
            let url = splitFolder.appendingPathComponent("\(label)/\(index).png")
            if FileManager.default.fileExists(atPath: url.path) { return (url, "\(split)/\(label)/\(index).png") }
        }
        throw CocoaError(.fileNoSuchFile)
    }

    @Test func aPNGChangedByOnePixelFailsNamingTheFileAndIsNotImported() throws {
        let toy = try Toy("roundtrip-png-tamper")
        let dest = try toy.export("png", "png")
        let victim = try Self.pngPath(dest, split: "test", index: 7)
        try Self.changePixel(victim.url, pixel: 400)
        let verify = try toy.run(["verify", dest.path, "--root", toy.root.path, "--json"])
        #expect(verify.status == 3, "\(verify.stderr)")
        #expect(verify.stderr.contains("1 image differs from Toy-DS v1's, the first at \(victim.relative)"), "\(verify.stderr)")
        let failed = try #require(try verify.json()["splits"] as? [[String: Any]]).first { $0["exit_status"] as? Int == 3 }
        #expect(failed?["at"] as? String == victim.relative)
        // Without the version in the workspace: still a failure, saying what would find the image.
        let elsewhere = try toy.run(["verify", dest.path, "--root", toy.base.path("empty").path])
        #expect(elsewhere.status == 3)
        #expect(elsewhere.stderr.contains("labels: Toy-DS's t10k-labels (v1)") && elsewhere.stderr.contains("to find which image differs"))
        let fresh = toy.base.path("fresh")
        let refused = try toy.run(["import", dest.path, "--as", "toyds", "--root", fresh.path])
        #expect(refused.status == 8, "\(refused.stderr)")
        #expect(refused.stderr.contains("matches no known version"))
    }

    @Test func staleAndForeignFilesInAPNGExportAreNamed() throws {
        let toy = try Toy("roundtrip-png-stale")
        let dest = try toy.export("png", "png")
        // A stale image of another export: the same index under another label.
        let original = try Self.pngPath(dest, split: "train", index: 3)
        let otherLabel = original.relative.hasPrefix("train/0/") ? 1 : 0
        let stale = dest.appendingPathComponent("toyds/train/\(otherLabel)/3.png")
        try FileManager.default.copyItem(at: original.url, to: stale)
        let twice = try toy.run(["verify", dest.path])
        #expect(twice.status == 3)
        #expect(twice.stderr.contains("image 3 is there twice"), "\(twice.stderr)")
        try FileManager.default.removeItem(at: stale)
        // A missing image.
        let moved = toy.base.path("moved.png")
        try FileManager.default.moveItem(at: original.url, to: moved)
        let missing = try toy.run(["verify", dest.path])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("image 3 is missing"), "\(missing.stderr)")
        try FileManager.default.moveItem(at: moved, to: original.url)
        // A FIFO named like an image: refused by what it is, without waiting on it.
        let fifo = try Self.pngPath(dest, split: "train", index: 29).url
        try FileManager.default.removeItem(at: fifo)
        #expect(mkfifo(fifo.path, 0o644) == 0)
        let pipe = try FMNISTProcess.run(["verify", dest.path] + toy.manifests, timeout: 60)
        #expect(pipe.status == 3)
        #expect(pipe.stderr.contains("named pipe"), "\(pipe.stderr)")
    }

    @Test func hostilePNGsAreRefusedCleanly() throws {
        let toy = try Toy("roundtrip-png-hostile")
        let dest = try toy.export("png", "png")
        let victim = try Self.pngPath(dest, split: "test", index: 2)
        let bytes = [UInt8](try Data(contentsOf: victim.url))
        // Truncated.
        try Data(bytes.prefix(bytes.count / 2)).write(to: victim.url)
        let cut = try toy.run(["verify", dest.path])
        #expect(cut.status == 3)
        #expect(cut.stderr.contains(victim.relative) && cut.stderr.contains("cut short"), "\(cut.stderr)")
        // A "bomb": IHDR claims 100000×100000 (CRC valid).
        var ihdr = Array(bytes[12..<29])
        ihdr.replaceSubrange(4..<12, with: [0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0])
        let bomb = Array(bytes[0..<8]) + [0, 0, 0, 13] + ihdr + (0..<4).map { UInt8(truncatingIfNeeded: crc32Of(ihdr) >> (24 - 8 * UInt32($0))) } + Array(bytes[33...])
        try Data(bomb).write(to: victim.url)
        let huge = try toy.run(["verify", dest.path])
        #expect(huge.status == 3)
        #expect(huge.stderr.contains("is 100000×100000 pixels"), "\(huge.stderr)")
        let refused = try toy.run(["import", dest.path, "--as", "toyds", "--root", toy.base.path("fresh").path])
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("is 100000×100000 pixels"))
        // A large file where a PNG should be: refused by its size, not read.
        try Data(count: 10_000_000).write(to: victim.url)
        let large = try toy.run(["verify", dest.path])
        #expect(large.status == 3)
        #expect(large.stderr.contains("larger than"), "\(large.stderr)")
    }

    @Test func aParquetRowChangedFailsNamingTheRowAndHostileParquetIsRefused() throws {
        let toy = try Toy("roundtrip-hf-tamper")
        let dest = try toy.export("hf", "hf")
        let file = dest.appendingPathComponent("toyds/train-00000-of-00001.parquet")
        let bytes = [UInt8](try Data(contentsOf: file))
        func rewrite(_ new: [UInt8]) throws {
            try FileManager.default.removeItem(at: file)
            try Data(new).write(to: file)
        }
        // One label changed to another class: row 4 (the label column ends right before the footer).
        let footerLength = Int(bytes[bytes.count - 8]) | Int(bytes[bytes.count - 7]) << 8 | Int(bytes[bytes.count - 6]) << 16
        let labelAt = bytes.count - 8 - footerLength - 8 * (30 - 4)
        var relabelled = bytes
        relabelled[labelAt] = (relabelled[labelAt] + 1) % 10
        try rewrite(relabelled)
        let label = try toy.run(["verify", dest.path, "--root", toy.root.path])
        #expect(label.status == 3, "\(label.stderr)")
        #expect(label.stderr.contains("1 label differs from Toy-DS v1's, the first at row 4"), "\(label.stderr)")
        let refused = try toy.run(["import", dest.path, "--as", "toyds", "--root", toy.base.path("fresh").path])
        #expect(refused.status == 8, "\(refused.stderr)")
        // One byte of one row's PNG changed: its CRC names the row.
        var image = bytes
        let png = try #require((0..<(bytes.count - 8)).first { Array(bytes[$0..<($0 + 4)]) == Array("IDAT".utf8) })
        image[png + 20] ^= 0x01
        try rewrite(image)
        let row = try toy.run(["verify", dest.path])
        #expect(row.status == 3)
        #expect(row.stderr.contains("row 0: its image: the CRC of the IDAT chunk"), "\(row.stderr)")
        // An absurd footer length.
        var footer = bytes
        footer.replaceSubrange((bytes.count - 8)..<(bytes.count - 4), with: [0xF0, 0xFF, 0xFF, 0xFF])
        try rewrite(footer)
        let absurd = try toy.run(["verify", dest.path])
        #expect(absurd.status == 3)
        #expect(absurd.stderr.contains("footer length 4294967280 does not fit"), "\(absurd.stderr)")
        // Not Parquet at all, and cut short.
        try rewrite(Array("<html>error</html>".utf8))
        #expect(try toy.run(["verify", file.path]).stderr.contains("not a Parquet file"))
        try rewrite(Array(bytes.prefix(bytes.count / 2)))
        let cut = try toy.run(["import", dest.path, "--as", "toyds", "--root", toy.base.path("fresh2").path])
        #expect(cut.status == 3, "\(cut.stderr)")
        #expect(cut.stderr.contains("does not end with PAR1"), "\(cut.stderr)")
    }

    @Test func anNPZByteChangedFailsNamingTheArray() throws {
        let toy = try Toy("roundtrip-npz-tamper")
        let dest = try toy.export("npz", "npz")
        let file = dest.appendingPathComponent("toyds.npz")
        var bytes = [UInt8](try Data(contentsOf: file))
        // A pixel of x_test: stored entries, so the byte lies inside the archive as is.
        let entry = try #require((0..<(bytes.count - 10)).first { Array(bytes[$0..<($0 + 10)]) == Array("x_test.npy".utf8) })
        bytes[entry + 10 + 128 + 100] ^= 0x01
        try FileManager.default.removeItem(at: file)
        try Data(bytes).write(to: file)
        let verify = try toy.run(["verify", dest.path])
        #expect(verify.status == 3)
        #expect(verify.stderr.contains("x_test.npy"), "\(verify.stderr)")
        let refused = try toy.run(["import", dest.path, "--as", "toyds", "--root", toy.base.path("fresh").path])
        #expect(refused.status == 3, "\(refused.stderr)")
    }

    /// Real data, one round trip through the three layouts read back by content, run with the
    /// release binary (`FMNIST_BIN`, as `scripts/test.sh` sets it): a debug build takes 5 minutes.
    @Test(.realData, .enabled(if: ProcessInfo.processInfo.environment["FMNIST_BIN"] != nil, "needs FMNIST_BIN (a release build)")) func realFashionRoundTripsThroughPNGParquetAndNPZ() throws {
        let base = try TemporaryDirectory("roundtrip-real")
        let root = base.path("data")
        #expect(try FMNISTProcess.run(["import", RealData.fashion.path, "--as", "fashion", "--root", root.path]).status == 0)
        for layout in ["npz", "hf", "png"] {
            let dest = base.path(layout)
            let export = try FMNISTProcess.run(["export", layout, dest.path, "--dataset", "fashion", "--root", root.path])
            #expect(export.status == 0, "\(export.stderr)")
            let verify = try FMNISTProcess.run(["verify", dest.path, "--json", "--root", root.path])
            #expect(verify.status == 0, "\(verify.stderr)")
            #expect(verify.stderr.contains("holds Fashion-MNIST 2017-08-31 (915659908dce)"), "\(verify.stderr)")
            let fresh = base.path("fresh-\(layout)")
            let imported = try FMNISTProcess.run(["import", dest.path, "--as", "fashion", "--root", fresh.path, "--json"])
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect((try imported.json()["version"] as? [String: Any])?["short_id"] as? String == "915659908dce")
            try? FileManager.default.removeItem(at: dest)
        }
    }
}

/// The CRC-32 of `bytes` (PNG's and zlib's polynomial), computed bit by bit.
private func crc32Of(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}
