import FMNISTCore
import Foundation
import Testing
import TestSupport

/// `fmnist verify` and `fmnist import` of the layouts `fmnist export` writes (torchvision, keras,
/// Kaggle CSV), run as a user would: on a synthetic dataset (fast, every case) and once on the
/// real Fashion-MNIST CSV.
@Suite(.serialized) struct LayoutsEndToEndTests {
    /// A workspace holding a synthetic dataset `toyds`, and the flag that makes its manifest known.
    struct Toy {
        let base: TemporaryDirectory
        let dataset: SyntheticDataset
        let root: URL
        let versionID: String
        var manifests: [String] { ["--manifests", dataset.manifestDirectory.path] }

        init(_ label: String) throws {
            base = try TemporaryDirectory(label)
            dataset = try SyntheticDataset(name: "toyds", title: "Toy-DS", seed: 3, train: 30, test: 10, in: base.url)
            root = base.path("data")
            let imported = try FMNISTProcess.run(
                ["import", dataset.folder.path, "--as", "toyds", "--root", root.path, "--json", "--manifests", dataset.manifestDirectory.path])
            #expect(imported.status == 0, "\(imported.stderr)")
            versionID = try #require(try imported.json()["version"] as? [String: Any])["id"] as? String ?? ""
        }

        func run(_ arguments: [String]) throws -> FMNISTProcess.Result { try FMNISTProcess.run(arguments + manifests) }

        func export(_ layout: String, _ name: String) throws -> URL {
            let dest = base.path(name)
            let result = try run(["export", layout, dest.path, "--dataset", "toyds", "--root", root.path])
            #expect(result.status == 0, "export \(layout): \(result.stderr)")
            return dest
        }

        /// Imports `path` into a fresh workspace; checks that it verifies and is the same version.
        func importFresh(_ path: URL, layout: String, _ label: String) throws -> [String: Any] {
            let fresh = base.path("fresh-\(label)")
            let result = try run(["import", path.path, "--as", "toyds", "--root", fresh.path, "--json"])
            #expect(result.status == 0, "import \(label): \(result.stderr)")
            let json = try result.json()
            #expect(json["layout"] as? String == layout)
            #expect((json["version"] as? [String: Any])?["id"] as? String == versionID, "\(label): the same version")
            let verify = try run(["verify", "toyds", "--root", fresh.path])
            #expect(verify.status == 0, "verify after import \(label): \(verify.stderr)")
            return json
        }
    }

    @Test func csvExportIsIdentifiedByContentFileAndFolderAndImportsAsTheSameVersion() throws {
        let toy = try Toy("layouts-csv")
        let dest = try toy.export("csv", "csv")
        let file = try toy.run(["verify", dest.appendingPathComponent("toyds_train.csv").path, "--json"])
        #expect(file.status == 0, "\(file.stderr)")
        let report = try file.json()
        #expect(report["identified_as"] as? String == "Toy-DS v1's train split (images and labels)")
        #expect(report["split"] as? String == "train")
        #expect(report["rows"] as? Int == 30)
        #expect(file.stderr.contains("this is Toy-DS v1's train split (images and labels), as Kaggle-format CSV"))
        let folder = try toy.run(["verify", dest.path, "--json"])
        #expect(folder.status == 0, "\(folder.stderr)")
        let holds = try #require(try folder.json()["holds"] as? [[String: Any]])
        #expect(holds.count == 1)
        #expect(holds.first?["dataset"] as? String == "toyds")
        #expect(holds.first?["complete"] as? Bool == true)
        #expect(holds.first?["version_short_id"] as? String == String(toy.versionID.prefix(12)))
        let imported = try toy.importFresh(dest, layout: "csv", "csv")
        #expect((imported["verdict"] as? String)?.contains("Kaggle-format CSV") == true)
        // One split only: the folder is incomplete (exit 4) and cannot be imported.
        try FileManager.default.removeItem(at: dest.appendingPathComponent("toyds_test.csv"))
        let half = try toy.run(["verify", dest.path])
        #expect(half.status == 4, "\(half.stderr)")
        #expect(half.stderr.contains("toyds_test.csv"))
        let halfImport = try toy.run(["import", dest.path, "--as", "toyds", "--root", toy.base.path("half").path, "--json"])
        #expect(halfImport.status == 4, "\(halfImport.stderr)")
        // It says which split is there and which is not, and the hint names the missing file.
        #expect(halfImport.stderr.contains("holds toyds_train.csv but not toyds_test.csv: an import needs both splits of Toy-DS"), "\(halfImport.stderr)")
        let hint = try #require(try halfImport.json()["hint"] as? String)
        #expect(hint == "put toyds_test.csv (the other split of the same export) in \(dest.standardizedFileURL.path), then run fmnist import again", "\(hint)")
    }

    @Test func aTamperedCSVMatchesNoKnownSplitAndIsNotImported() throws {
        let toy = try Toy("layouts-tamper")
        let dest = try toy.export("csv", "csv")
        let victim = dest.appendingPathComponent("toyds_test.csv")
        var text = try String(contentsOf: victim, encoding: .utf8)
        // The second row's first pixel, changed to another valid value.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var fields = lines[2].split(separator: ",").map(String.init)
        fields[1] = fields[1] == "7" ? "8" : "7"
        text = ([lines[0], lines[1], fields.joined(separator: ",")] + lines[3...]).joined(separator: "\n")
        try FileManager.default.removeItem(at: victim)
        try text.write(to: victim, atomically: false, encoding: .utf8)
        let verify = try toy.run(["verify", victim.path])
        #expect(verify.status == 3, "\(verify.stderr)")
        #expect(verify.stderr.contains("valid CSV of 10 rows but matches no known split"))
        #expect(verify.stderr.contains("class histogram ["))
        let fresh = toy.base.path("fresh")
        let refused = try toy.run(["import", dest.path, "--as", "toyds", "--root", fresh.path])
        #expect(refused.status == 8, "\(refused.stderr)")
        #expect(refused.stderr.contains("matches no known version"))
        #expect(!FileManager.default.fileExists(atPath: fresh.appendingPathComponent("toyds").path))
        // A malformed CSV: named by line and column, exit 3, for verify and import alike.
        try FileManager.default.removeItem(at: victim)
        try (lines[0] + "\n" + lines[1] + "\n1,2,x\n").write(to: victim, atomically: false, encoding: .utf8)
        let malformed = try toy.run(["verify", victim.path])
        #expect(malformed.status == 3)
        #expect(malformed.stderr.contains("line 3, column 3 (pixel2): not a number: \"x\""), "\(malformed.stderr)")
        let refusedMalformed = try toy.run(["import", dest.path, "--as", "toyds", "--root", fresh.path])
        #expect(refusedMalformed.status == 3, "\(refusedMalformed.stderr)")
        #expect(refusedMalformed.stderr.contains("toyds_test.csv: line 3, column 3"))
    }

    @Test func torchvisionExportImportsFromTheRootAndFromPayloadsAlone() throws {
        let toy = try Toy("layouts-tv")
        let dest = try toy.export("torchvision", "torch")
        let root = try toy.importFresh(dest, layout: "torchvision", "root")
        #expect(root["read_from"] as? String == dest.appendingPathComponent("TOYDS/raw").path)
        // Without the .gz: the uncompressed payloads are gzipped while staged ("same data, different container").
        let raw = toy.base.path("payloads/TOYDS/raw")
        try FileManager.default.createDirectory(at: raw, withIntermediateDirectories: true)
        for role in FileRole.allCases {
            let name = String(SyntheticDataset.fileName(role).dropLast(3))
            try FileManager.default.copyItem(at: dest.appendingPathComponent("TOYDS/raw/\(name)"), to: raw.appendingPathComponent(name))
        }
        let payloads = try toy.importFresh(raw, layout: "torchvision", "payloads")
        #expect((payloads["verdict"] as? String)?.contains("the uncompressed payloads, gzipped here") == true)
        let files = try #require(payloads["files"] as? [[String: Any]])
        // The synthetic "published" .gz were made with the same zlib settings, so the containers
        // even match byte for byte; the real files come back "recompressed".
        #expect(files.allSatisfy { ["ok", "recompressed"].contains($0["status"] as? String) })
        #expect(files.allSatisfy { ($0["path"] as? String)?.hasPrefix(raw.path) == true })
    }

    @Test func kerasCacheIsVerifiedAndImported() throws {
        let toy = try Toy("layouts-keras")
        let dest = try toy.export("keras", "keras")
        let verify = try toy.run(["verify", dest.path, "--json"])
        #expect(verify.status == 0, "\(verify.stderr)")
        let json = try verify.json()
        #expect(json["loader"] as? String == "keras")
        let datasets = try #require(json["datasets"] as? [[String: Any]])
        #expect(datasets.map { $0["dataset"] as? String } == ["toyds"])
        #expect(datasets.first?["version_name"] as? String == "v1")
        // A keras mnist.npz beside it that is not an npz at all fails the cache (keras would delete it).
        let npz = dest.appendingPathComponent("datasets/mnist.npz")
        try Data("not an npz".utf8).write(to: npz)
        let broken = try toy.run(["verify", dest.path, "--json"])
        #expect(broken.status == 3, "\(broken.stderr)")
        let entries = try #require(try broken.json()["npz"] as? [[String: Any]])
        #expect(entries.first?["checked"] as? Bool == true)
        #expect(broken.stderr.contains("not a readable npz"), "\(broken.stderr)")
        try FileManager.default.removeItem(at: npz)
        // The datasets/ folder itself is the same cache.
        #expect(try toy.run(["verify", dest.appendingPathComponent("datasets").path]).status == 0)
        _ = try toy.importFresh(dest, layout: "keras", "keras")
    }

    @Test(.realData) func realFashionCSVIsIdentifiedAs20170831() throws {
        let base = try TemporaryDirectory("layouts-real")
        let root = base.path("data")
        #expect(try FMNISTProcess.run(["import", RealData.fashion.path, "--as", "fashion", "--root", root.path]).status == 0)
        let dest = base.path("csv")
        let export = try FMNISTProcess.run(["export", "csv", dest.path, "--dataset", "fashion", "--root", root.path])
        #expect(export.status == 0, "\(export.stderr)")
        let verify = try FMNISTProcess.run(["verify", dest.appendingPathComponent("fashion-mnist_train.csv").path, "--json"])
        #expect(verify.status == 0, "\(verify.stderr)")
        let json = try verify.json()
        #expect(json["identified_as"] as? String == "Fashion-MNIST 2017-08-31's train split (images and labels)")
        #expect(json["version_short_id"] as? String == "915659908dce")
        #expect(json["rows"] as? Int == 60000)
    }
}
