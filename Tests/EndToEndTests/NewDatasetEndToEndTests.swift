import FMNISTCore
import Foundation
import Testing
import TestSupport

/// A dataset added by manifest only: a `kmnist.json` (Kuzushiji-MNIST's name, title, classes and
/// framework names) given with `--manifests DIR`, pinning synthetic files (real KMNIST is not
/// available offline) served from a `file://` mirror, round-trips through the built binary:
/// fetch → verify → switch (with a torchvision and a keras link) → export in every layout, each
/// export read back by `verify` and, for torchvision, imported again as the same version.
@Suite(.serialized) struct NewDatasetEndToEndTests {
    static let classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]

    /// The synthetic files, the rewritten `kmnist.json`, and a workspace root.
    struct KMNIST {
        let base: TemporaryDirectory
        let dataset: SyntheticDataset
        let manifest: Manifest
        var root: URL { base.path("data") }

        init(_ label: String) throws {
            base = try TemporaryDirectory(label)
            dataset = try SyntheticDataset(name: "kmnist", title: "Kuzushiji-MNIST", seed: 5, train: 200, test: 50, in: base.url)
            let url = dataset.manifestDirectory.appendingPathComponent("kmnist.json")
            var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            json["title"] = "Kuzushiji-MNIST"
            json["aliases"] = ["kuzushiji-mnist"]
            json["license"] = "CC BY-SA 4.0 (synthetic test data under KMNIST's names)"
            json["classes"] = NewDatasetEndToEndTests.classes
            json["mirrors"] = [dataset.folder.absoluteURL.absoluteString]
            json["frameworks"] = ["torchvision": "KMNIST", "kaggle": "kmnist", "tfds": "kmnist"]
            try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .prettyPrinted]).write(to: url)
            manifest = try ManifestLoader.load(file: url)
        }

        var versionID: String { manifest.defaultVersion.identity.full }

        func run(_ arguments: [String], root: URL? = nil) throws -> FMNISTProcess.Result {
            try FMNISTProcess.run(arguments + ["--root", (root ?? self.root).path, "--manifests", dataset.manifestDirectory.path])
        }

        /// `export LAYOUT DEST` of kmnist; checks the exit and the provenance it writes.
        func export(_ layout: String) throws -> URL {
            let dest = base.path("export-\(layout)")
            let result = try run(["export", layout, dest.path, "--dataset", "kmnist", "--json"])
            #expect(result.status == 0, "export \(layout): \(result.stderr)")
            let written = try #require((try result.json()["datasets"] as? [[String: Any]])?.first)
            #expect(written["dataset"] as? String == "kmnist", "\(layout)")
            return dest
        }

        /// `verify PATH`: exit 0, and the version it names is kmnist's.
        func expectVerifies(_ path: URL, _ what: String) throws {
            let result = try run(["verify", path.path])
            #expect(result.status == 0, "verify \(what): \(result.stderr)")
            #expect(result.stderr.contains("Kuzushiji-MNIST"), "verify \(what) names the dataset: \(result.stderr)")
        }
    }

    @Test func aKMNISTManifestRoundTripsFetchVerifySwitchAndExport() throws {
        let kmnist = try KMNIST("new-dataset")
        #expect(kmnist.manifest.frameworkNames.torchvision == "KMNIST")
        let payloads = kmnist.dataset.payloads

        // fetch, from the manifest's file:// mirror.
        let fetched = try kmnist.run(["fetch", "kmnist", "--json"])
        #expect(fetched.status == 0, "fetch: \(fetched.stderr)")
        let fetchedDataset = try #require((try fetched.json()["datasets"] as? [[String: Any]])?.first)
        #expect(fetchedDataset["version_name"] as? String == "v1")
        for role in FileRole.allCases {
            let live = kmnist.root.appendingPathComponent("kmnist/\(SyntheticDataset.fileName(role))")
            #expect(try Data(contentsOf: live) == Data(contentsOf: kmnist.dataset.folder.appendingPathComponent(SyntheticDataset.fileName(role))))
        }

        // verify, by name and by alias.
        let verified = try kmnist.run(["verify", "kmnist"])
        #expect(verified.status == 0, "verify: \(verified.stderr)")
        #expect(try kmnist.run(["verify", "kuzushiji-mnist"]).status == 0)

        // switch, registering a torchvision and a keras link: the manifest's names are where they go.
        let tv = kmnist.base.path("tv-root"), kerasHome = kmnist.base.path("keras-home")
        let toTorchvision = try kmnist.run(["switch", "kmnist", "--link", tv.path, "--layout", "torchvision"])
        #expect(toTorchvision.status == 0, "switch --layout torchvision: \(toTorchvision.stderr)")
        let toKeras = try kmnist.run(["switch", "kmnist", "--link", kerasHome.path, "--layout", "keras"])
        #expect(toKeras.status == 0, "switch --layout keras: \(toKeras.stderr)")
        let current = try FileManager.default.destinationOfSymbolicLink(atPath: kmnist.root.appendingPathComponent("current").path)
        #expect(current.hasSuffix("kmnist"), "data/current → \(current)")
        for role in FileRole.allCases {
            let raw = tv.appendingPathComponent("KMNIST/raw/\(LoaderLayout.uncompressedName(SyntheticDataset.fileName(role)))")
            #expect(try Data(contentsOf: raw) == Data(payloads[role]!), "torchvision link \(role)")
            #expect(RegularFile.kind(at: kerasHome.appendingPathComponent("datasets/kmnist/\(SyntheticDataset.fileName(role))").path) == .regular)
        }
        // Every manifest's class folder shows the active dataset's payloads: KMNIST/raw among them.
        for className in ["KMNIST", "FashionMNIST", "MNIST"] {
            let text = try FileManager.default.destinationOfSymbolicLink(atPath: tv.appendingPathComponent("\(className)/raw").path)
            #expect(text.contains(".fmnist/payload/kmnist/"), "\(className)/raw → \(text)")
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: kerasHome.appendingPathComponent("datasets/kmnist").path)
            .hasSuffix("kmnist"))

        // export torchvision: DEST/KMNIST/raw/ holds the four payloads (and their .gz).
        let torchvision = try kmnist.export("torchvision")
        let raw = torchvision.appendingPathComponent("KMNIST/raw")
        for role in FileRole.allCases {
            let name = SyntheticDataset.fileName(role)
            #expect(try Data(contentsOf: raw.appendingPathComponent(LoaderLayout.uncompressedName(name))) == Data(payloads[role]!))
            #expect(RegularFile.kind(at: raw.appendingPathComponent(name).path) == .regular)
        }
        try kmnist.expectVerifies(torchvision, "torchvision root")
        let fresh = kmnist.base.path("fresh")
        let imported = try kmnist.run(["import", torchvision.path, "--as", "kmnist", "--json"], root: fresh)
        #expect(imported.status == 0, "import of the torchvision export: \(imported.stderr)")
        #expect((try imported.json()["version"] as? [String: Any])?["id"] as? String == kmnist.versionID)

        // export csv: Kaggle's names from the manifest, one row per image.
        let csv = try kmnist.export("csv")
        let train = try String(contentsOf: csv.appendingPathComponent("kmnist_train.csv"), encoding: .utf8)
        #expect(train.split(separator: "\n").count == 201)
        #expect(train.hasPrefix("label,pixel1,"))
        #expect(RegularFile.kind(at: csv.appendingPathComponent("kmnist_test.csv").path) == .regular)
        try kmnist.expectVerifies(csv, "csv folder")

        // export tfds and keras: the four .gz in DEST/kmnist/ and DEST/datasets/kmnist/ (keras reads gzip by default).
        let tfds = try kmnist.export("tfds")
        let keras = try kmnist.export("keras")
        for role in FileRole.allCases {
            let name = SyntheticDataset.fileName(role)
            #expect(RegularFile.kind(at: tfds.appendingPathComponent("kmnist/\(name)").path) == .regular)
            #expect(RegularFile.kind(at: keras.appendingPathComponent("datasets/kmnist/\(name)").path) == .regular)
        }
        try kmnist.expectVerifies(tfds, "TFDS manual dir")
        try kmnist.expectVerifies(keras, "keras cache")

        // export hf: DEST/<tfds name>/, the class labels are the manifest's classes (no hf_classes given).
        let hf = try kmnist.export("hf")
        let parquet = try Data(contentsOf: hf.appendingPathComponent("kmnist/train-00000-of-00001.parquet"))
        let labels = "\"names\": [" + Self.classes.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        #expect(parquet.range(of: Data(labels.utf8)) != nil, "the hub schema names the manifest's classes")
        try kmnist.expectVerifies(hf, "hf export")

        // npz and png: named after the dataset.
        let npz = try kmnist.export("npz")
        #expect(RegularFile.kind(at: npz.appendingPathComponent("kmnist.npz").path) == .regular)
        let png = try kmnist.export("png")
        #expect(RegularFile.kind(at: png.appendingPathComponent("kmnist/train").path) == .directory)
        try kmnist.expectVerifies(npz, "npz export")
        try kmnist.expectVerifies(png, "png export")
    }

    /// Names unlike the defaults: every layout writes, and verify and import find, where the
    /// manifest's `frameworks` says; `keras_reads: npz` makes keras need a pinned npz.
    @Test func frameworkNamesOtherThanTheDefaultsAreWhereEveryLayoutGoes() throws {
        let kmnist = try KMNIST("new-dataset-names")
        let url = kmnist.dataset.manifestDirectory.appendingPathComponent("kmnist.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let hubLabels = Self.classes.map { $0.uppercased() }
        json["frameworks"] = [
            "torchvision": "KuzushijiMNIST", "kaggle": "kuzushiji-mnist", "tfds": "kuzushiji_mnist", "keras": "kuzushiji",
            "hf_classes": hubLabels,
        ]
        try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]).write(to: url)
        let fetched = try kmnist.run(["fetch", "kmnist"])
        #expect(fetched.status == 0, "fetch: \(fetched.stderr)")

        let torchvision = try kmnist.export("torchvision")
        #expect(RegularFile.kind(at: torchvision.appendingPathComponent("KuzushijiMNIST/raw/train-images-idx3-ubyte").path) == .regular)
        #expect(RegularFile.kind(at: torchvision.appendingPathComponent("KMNIST").path) == nil)
        try kmnist.expectVerifies(torchvision, "torchvision root")
        let imported = try kmnist.run(["import", torchvision.path, "--as", "kmnist", "--json"], root: kmnist.base.path("fresh"))
        #expect(imported.status == 0, "import: \(imported.stderr)")
        #expect((try imported.json()["version"] as? [String: Any])?["id"] as? String == kmnist.versionID)

        let csv = try kmnist.export("csv")
        #expect(RegularFile.kind(at: csv.appendingPathComponent("kuzushiji-mnist_train.csv").path) == .regular)
        #expect(RegularFile.kind(at: csv.appendingPathComponent("kuzushiji-mnist_test.csv").path) == .regular)
        try kmnist.expectVerifies(csv, "csv folder")

        let tfds = try kmnist.export("tfds")
        #expect(RegularFile.kind(at: tfds.appendingPathComponent("kuzushiji_mnist/train-images-idx3-ubyte.gz").path) == .regular)
        try kmnist.expectVerifies(tfds, "TFDS manual dir")
        let keras = try kmnist.export("keras")
        #expect(RegularFile.kind(at: keras.appendingPathComponent("datasets/kuzushiji/train-images-idx3-ubyte.gz").path) == .regular)
        try kmnist.expectVerifies(keras, "keras cache")

        let hf = try kmnist.export("hf")
        let parquet = try Data(contentsOf: hf.appendingPathComponent("kuzushiji_mnist/test-00000-of-00001.parquet"))
        let labels = "\"names\": [" + hubLabels.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        #expect(parquet.range(of: Data(labels.utf8)) != nil, "the hub schema names hf_classes")

        // keras_reads npz: keras reads only a pinned npz, and this version pins none.
        var npzJSON = json
        npzJSON["frameworks"] = ["keras_reads": "npz"]
        try JSONSerialization.data(withJSONObject: npzJSON, options: [.sortedKeys]).write(to: url)
        let refused = try kmnist.run(["export", "keras", kmnist.base.path("keras-npz").path, "--dataset", "kmnist"])
        #expect(refused.status == 4, "\(refused.stderr)")
        #expect(refused.stderr.contains("fetch kmnist --artifact keras"), "\(refused.stderr)")
    }

    /// The same manifest without `frameworks`: every name is derived from `kmnist`.
    @Test func withoutFrameworksTheNamesComeFromTheDatasetName() throws {
        let kmnist = try KMNIST("new-dataset-defaults")
        let url = kmnist.dataset.manifestDirectory.appendingPathComponent("kmnist.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        json.removeValue(forKey: "frameworks")
        try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]).write(to: url)
        let fetched = try kmnist.run(["fetch", "kmnist"])
        #expect(fetched.status == 0, "fetch: \(fetched.stderr)")
        let torchvision = try kmnist.export("torchvision")
        #expect(RegularFile.kind(at: torchvision.appendingPathComponent("KMNIST/raw").path) == .directory)
        let csv = try kmnist.export("csv")
        #expect(RegularFile.kind(at: csv.appendingPathComponent("kmnist_train.csv").path) == .regular)
    }
}
