import Foundation
import Testing

/// `fmnist doctor` over caches built the way the loaders build them, from the real data: a
/// torchvision root (`raw/` with the `.gz` and the uncompressed files, as `download=True` leaves
/// it), a keras cache of `.gz`, a TFDS manual dir; faults planted of every status; the JSON; the
/// repair; symlinks that must not be written through.
@Suite(.serialized) struct DoctorEndToEndTests {
    static let names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

    /// A test folder: a workspace with `datasets` imported, and HOME, KERAS_HOME, TFDS_DATA_DIR
    /// inside it (so the default-location scan sees only what the test plants).
    struct Scene {
        let base: TemporaryDirectory
        var root: URL { base.path("data") }
        var keras: URL { base.path("keras") }
        var tfds: URL { base.path("tfds") }
        var environment: [String: String] {
            ["HOME": base.path("home").path, "KERAS_HOME": keras.path, "TFDS_DATA_DIR": tfds.path]
        }

        init(_ label: String, datasets: [String]) throws {
            base = try TemporaryDirectory(label)
            try FileManager.default.createDirectory(at: base.path("home"), withIntermediateDirectories: true)
            for dataset in datasets {
                let folder = dataset == "fashion" ? RealData.fashion : RealData.mnist
                let result = try FMNISTProcess.run(["import", folder.path, "--as", dataset, "--root", root.path, "-q"])
                #expect(result.status == 0, "import \(dataset): \(result.stderr)")
            }
        }

        func doctor(_ arguments: [String]) throws -> (FMNISTProcess.Result, [[String: Any]]) {
            let result = try FMNISTProcess.run(["doctor"] + arguments + ["--root", root.path, "--json"], environment: environment,
                                               currentDirectory: base.url)
            let findings = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [[String: Any]]
            #expect(findings != nil, "doctor --json is not a list: \(result.stdout.prefix(300)) \(result.stderr)")
            return (result, findings ?? [])
        }

        /// Builds what a loader's download leaves: the `.gz` (and, for torchvision, the uncompressed file).
        func plant(_ folder: URL, from source: (String) -> URL, uncompressed: Bool) throws {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for name in DoctorEndToEndTests.names {
                let gz = source(name)
                try RealData.copyFile(at: gz, to: folder.appendingPathComponent(name + ".gz"))
                if uncompressed { try Data(ExportEndToEndTests.upstreamPayload(gz.deletingLastPathComponent(), name)).write(to: folder.appendingPathComponent(name)) }
            }
        }
    }

    static func fashion(_ name: String) -> URL { RealData.fashion.appendingPathComponent(name + ".gz") }
    static func mnist(_ name: String) -> URL { RealData.mnist.appendingPathComponent(name + ".gz") }

    static func finding(_ findings: [[String: Any]], _ suffix: String) -> [String: Any]? {
        findings.first { ($0["path"] as? String)?.hasSuffix(suffix) == true }
    }

    static func inode(_ url: URL) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.systemFileNumber] as? Int)
    }

    /// The done-when scenario: a torchvision root whose FashionMNIST/raw holds MNIST's images, a
    /// keras cache with a truncated file, a TFDS manual dir with an HTML page, and a stale
    /// processed/; then --fix, then all ok.
    @Test(.realData) func namesEachProblemAndFixMakesEverythingOk() throws {
        let scene = try Scene("doctor-done", datasets: ["fashion", "mnist"])
        let torch = scene.base.path("torch")
        let fashionRaw = torch.appendingPathComponent("FashionMNIST/raw")
        try scene.plant(fashionRaw, from: { $0.hasPrefix("train-images") ? Self.mnist($0) : Self.fashion($0) }, uncompressed: true)
        try scene.plant(torch.appendingPathComponent("MNIST/raw"), from: Self.mnist, uncompressed: true)
        let processed = torch.appendingPathComponent("FashionMNIST/processed")
        try FileManager.default.createDirectory(at: processed, withIntermediateDirectories: true)
        for name in ["training.pt", "test.pt"] { try Data("old tensors".utf8).write(to: processed.appendingPathComponent(name)) }
        let kerasCache = scene.keras.appendingPathComponent("datasets/fashion-mnist")
        try scene.plant(kerasCache, from: Self.fashion, uncompressed: false)
        let truncated = kerasCache.appendingPathComponent("t10k-images-idx3-ubyte.gz")
        let whole = try Data(contentsOf: truncated)
        try whole.prefix(whole.count / 2).write(to: truncated)
        let manual = scene.tfds.appendingPathComponent("downloads/manual")
        try scene.plant(manual, from: Self.mnist, uncompressed: false)
        try Data("<!DOCTYPE html><html><body>503 Service Unavailable</body></html>".utf8)
            .write(to: manual.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        let untouched = fashionRaw.appendingPathComponent("t10k-labels-idx1-ubyte")
        let untouchedInode = try Self.inode(untouched)

        let (first, findings) = try scene.doctor([torch.path])
        #expect(first.status == 3, "\(first.stderr)")
        // 8 workspace files, 16 + 1 in the torchvision root, 4 keras, 4 TFDS.
        #expect(findings.count == 33, "\(findings.map { $0["path"] ?? "" })")
        let swapped = try #require(Self.finding(findings, "FashionMNIST/raw/train-images-idx3-ubyte"))
        #expect(swapped["status"] as? String == "other-dataset")
        #expect(swapped["identity"] as? String == "MNIST's train-images")
        #expect(swapped["loader"] as? String == "torchvision")
        #expect(swapped["expected"] as? String == "Fashion-MNIST's train-images")
        #expect(Self.finding(findings, "FashionMNIST/raw/train-images-idx3-ubyte.gz")?["status"] as? String == "other-dataset")
        let stale = try #require(Self.finding(findings, "FashionMNIST/processed"))
        #expect(stale["status"] as? String == "stale-cache" && stale["loader"] as? String == "torchvision")
        let damaged = try #require(Self.finding(findings, "fashion-mnist/t10k-images-idx3-ubyte.gz"))
        #expect(damaged["status"] as? String == "damaged" && damaged["loader"] as? String == "keras")
        #expect(damaged["fault"] as? String == "truncated_gzip")
        let html = try #require(Self.finding(findings, "manual/train-labels-idx1-ubyte.gz"))
        #expect(html["status"] as? String == "not-data" && html["loader"] as? String == "tfds-manual")
        #expect(html["expected_dataset"] as? String == "mnist")
        #expect(findings.filter { $0["status"] as? String != "ok" }.count == 5)
        #expect(findings.filter { $0["loader"] as? String == "seed-loader" }.count == 8)
        #expect(first.stderr.contains("MNIST's train-images") && first.stderr.contains("--fix"))

        let (fixed, fixes) = try scene.doctor([torch.path, "--fix"])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        let actions = fixes.compactMap { ($0["fix"] as? [String: Any])?["action"] as? String }.sorted()
        #expect(actions == ["moved_aside", "replaced", "replaced", "replaced", "replaced"])
        #expect(try Data(contentsOf: fashionRaw.appendingPathComponent("train-images-idx3-ubyte"))
            == ExportEndToEndTests.upstreamPayload(RealData.fashion, "train-images-idx3-ubyte"))
        #expect(try Data(contentsOf: fashionRaw.appendingPathComponent("train-images-idx3-ubyte.gz")) == Data(contentsOf: Self.fashion("train-images-idx3-ubyte")))
        #expect(try Data(contentsOf: truncated) == Data(contentsOf: Self.fashion("t10k-images-idx3-ubyte")))
        #expect(try Data(contentsOf: manual.appendingPathComponent("train-labels-idx1-ubyte.gz")) == Data(contentsOf: Self.mnist("train-labels-idx1-ubyte")))
        #expect(!FileManager.default.fileExists(atPath: processed.path))
        let aside = try FileManager.default.contentsOfDirectory(atPath: torch.appendingPathComponent("FashionMNIST").path).filter { $0.hasPrefix("processed.stale-") }
        #expect(aside.count == 1)
        #expect(FileManager.default.fileExists(atPath: torch.appendingPathComponent("FashionMNIST/\(aside.first ?? "")/training.pt").path))
        #expect(try Self.inode(untouched) == untouchedInode, "a file that was ok was rewritten")
        #expect(try FileManager.default.contentsOfDirectory(atPath: fashionRaw.path).count == 8, "a temporary was left behind")

        let (again, after) = try scene.doctor([torch.path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(after.count == 32 && after.allSatisfy { $0["status"] as? String == "ok" })
        #expect(try FMNISTProcess.run(["verify", "all", "--root", scene.root.path, "-q"]).status == 0)
    }

    /// One planted fault of each file status in a TF1 `read_data_sets` folder, and a wrong form.
    @Test(.realData) func eachStatusIsReported() throws {
        let scene = try Scene("doctor-status", datasets: ["mnist"])
        let folder = scene.base.path("MNIST_data")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try RealData.copyFile(at: Self.mnist("train-labels-idx1-ubyte"), to: folder.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        try RealData.copyFile(at: Self.fashion("t10k-labels-idx1-ubyte"), to: folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        #expect(FileManager.default.createFile(atPath: folder.appendingPathComponent("train-images-idx3-ubyte.gz").path, contents: Data()))
        // A valid IDX label file of no known version: MNIST's test labels with one label changed, re-gzipped.
        _ = try ExportEndToEndTests.python(
            "import gzip, sys; b = bytearray(gzip.open(sys.argv[1]).read()); b[8] = (b[8] + 1) % 10; gzip.open(sys.argv[2], 'wb').write(bytes(b))",
            [Self.mnist("t10k-labels-idx1-ubyte").path, folder.appendingPathComponent("t10k-images-idx3-ubyte.gz").path])
        // torchvision reads uncompressed files: a .gz under the uncompressed name is the wrong form.
        let raw = scene.base.path("torch/MNIST/raw")
        try FileManager.default.createDirectory(at: raw, withIntermediateDirectories: true)
        try RealData.copyFile(at: Self.mnist("t10k-labels-idx1-ubyte"), to: raw.appendingPathComponent("t10k-labels-idx1-ubyte"))

        let (result, findings) = try scene.doctor([folder.path, scene.base.path("torch").path])
        #expect(result.status == 3)
        func status(_ suffix: String) -> String? { Self.finding(findings, suffix)?["status"] as? String }
        #expect(status("MNIST_data/train-labels-idx1-ubyte.gz") == "ok")
        #expect(Self.finding(findings, "MNIST_data/train-labels-idx1-ubyte.gz")?["loader"] as? String == "tf1-read_data_sets")
        #expect(status("MNIST_data/t10k-labels-idx1-ubyte.gz") == "other-dataset")
        #expect(Self.finding(findings, "MNIST_data/t10k-labels-idx1-ubyte.gz")?["identity"] as? String == "Fashion-MNIST's t10k-labels")
        #expect(status("MNIST_data/train-images-idx3-ubyte.gz") == "not-data")
        // Named t10k-images but holding labels of no known version: unknown (no identity).
        #expect(status("MNIST_data/t10k-images-idx3-ubyte.gz") == "unknown")
        #expect(Self.finding(findings, "MNIST_data/t10k-images-idx3-ubyte.gz")?["identity"] == nil)
        let form = try #require(Self.finding(findings, "raw/t10k-labels-idx1-ubyte"))
        #expect(form["status"] as? String == "damaged" && (form["message"] as? String)?.contains("gzip-compressed") == true)

        let (fixed, fixes) = try scene.doctor([folder.path, scene.base.path("torch").path, "--fix"])
        // MNIST's own files are replaced; nothing asks for Fashion-MNIST, which is not needed.
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(fixes.filter { $0["fix"] != nil }.count == 4)
        #expect(try Data(contentsOf: raw.appendingPathComponent("t10k-labels-idx1-ubyte")) == ExportEndToEndTests.upstreamPayload(RealData.mnist, "t10k-labels-idx1-ubyte"))
        #expect(try scene.doctor([folder.path, scene.base.path("torch").path]).0.status == 0)
    }

    /// A keras cache whose folder is a symlink fmnist did not make, and a torchvision file that is
    /// one: reported, never written through; the workspace lacking a dataset names the fetch.
    @Test(.realData) func symlinksAreNotWrittenThroughAndMissingDataNamesTheFetch() throws {
        let scene = try Scene("doctor-links", datasets: ["fashion"])
        let elsewhere = scene.base.path("elsewhere")
        try scene.plant(elsewhere, from: Self.fashion, uncompressed: false)
        let victim = elsewhere.appendingPathComponent("train-labels-idx1-ubyte.gz")
        try Data("<html>gone</html>".utf8).write(to: victim)
        try FileManager.default.createDirectory(at: scene.keras.appendingPathComponent("datasets"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: scene.keras.appendingPathComponent("datasets/fashion-mnist"), withDestinationURL: elsewhere)
        let raw = scene.base.path("torch/FashionMNIST/raw")
        try FileManager.default.createDirectory(at: raw, withIntermediateDirectories: true)
        let foreign = scene.base.path("foreign-t10k")
        try Data("not data".utf8).write(to: foreign)
        try FileManager.default.createSymbolicLink(at: raw.appendingPathComponent("t10k-images-idx3-ubyte"), withDestinationURL: foreign)
        // A torchvision class folder linked into fmnist's workspace (the wrong dataset, too): never written through.
        try FileManager.default.createDirectory(at: scene.base.path("torch/MNIST"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: scene.base.path("torch/MNIST/raw"), withDestinationURL: scene.root.appendingPathComponent("fashion"))
        let manual = scene.tfds.appendingPathComponent("downloads/manual/mnist")
        try FileManager.default.createDirectory(at: manual, withIntermediateDirectories: true)
        try Data("<html>x</html>".utf8).write(to: manual.appendingPathComponent("train-images-idx3-ubyte.gz"))

        let (result, findings) = try scene.doctor([scene.base.path("torch").path, "--fix"])
        #expect(result.status == 3)
        let linked = try #require(Self.finding(findings, "datasets/fashion-mnist/train-labels-idx1-ubyte.gz"))
        #expect(linked["status"] as? String == "not-data")
        let refusal = try #require(linked["fix"] as? [String: Any])
        #expect(refusal["action"] as? String == "refused")
        #expect((refusal["message"] as? String)?.contains("did not make") == true)
        #expect(try String(contentsOf: victim, encoding: .utf8) == "<html>gone</html>")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).count == 4)
        let fileLink = try #require(Self.finding(findings, "raw/t10k-images-idx3-ubyte"))
        #expect((fileLink["fix"] as? [String: Any])?["action"] as? String == "refused")
        #expect(try String(contentsOf: foreign, encoding: .utf8) == "not data")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: raw.appendingPathComponent("t10k-images-idx3-ubyte").path) == foreign.path)
        let intoStore = findings.filter { ($0["path"] as? String)?.contains("torch/MNIST/raw/") == true }
        #expect(intoStore.count == 4 && intoStore.allSatisfy { $0["status"] as? String == "other-dataset" })
        #expect(intoStore.allSatisfy { ($0["fix"] as? [String: Any])?["action"] as? String == "refused" })
        #expect(intoStore.allSatisfy { (($0["fix"] as? [String: Any])?["message"] as? String)?.contains("a link into fmnist's workspace") == true })
        #expect(try FMNISTProcess.run(["verify", "fashion", "--root", scene.root.path, "-q"]).status == 0)
        let fetch = try #require(Self.finding(findings, "manual/mnist/train-images-idx3-ubyte.gz")?["fix"] as? [String: Any])
        #expect(fetch["action"] as? String == "needs_fetch")
        #expect(fetch["fetch_command"] as? String == "fmnist fetch mnist --root \(scene.root.path)")
        #expect(result.stderr.contains("fmnist fetch mnist"))
    }

    /// A damaged file of the workspace itself is reported (seed-loader) but never written by
    /// doctor, also when its version folder is given as a PATH: `verify --repair` mends it.
    @Test(.realData) func theWorkspaceIsReportedButNotWritten() throws {
        let scene = try Scene("doctor-ws", datasets: ["fashion"])
        let live = scene.root.appendingPathComponent("fashion/t10k-labels-idx1-ubyte.gz").resolvingSymlinksInPath()
        let folder = live.deletingLastPathComponent()
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: live.path)
        let bytes = try Data(contentsOf: live)
        try bytes.prefix(100).write(to: live)
        let (result, findings) = try scene.doctor([folder.path, "--fix"])
        #expect(result.status == 3)
        // Once as the workspace's live file, once in the version folder given as PATH (any folder: TF1's place).
        let damaged = findings.filter { $0["status"] as? String == "damaged" }
        #expect(damaged.compactMap { $0["loader"] as? String }.sorted() == ["seed-loader", "tf1-read_data_sets"], "\(findings)")
        for finding in damaged {
            let fix = try #require(finding["fix"] as? [String: Any])
            #expect(fix["action"] as? String == "refused")
            #expect((fix["message"] as? String)?.contains("fmnist verify --repair") == true)
        }
        #expect(try Data(contentsOf: live) == bytes.prefix(100))
    }

    @Test func usageErrorsExitTwo() throws {
        let base = try TemporaryDirectory("doctor-usage")
        let result = try FMNISTProcess.run(["doctor", base.path("missing").path, "--root", base.path("data").path],
                                           environment: ["HOME": base.url.path, "KERAS_HOME": base.url.path, "TFDS_DATA_DIR": base.url.path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(try FMNISTProcess.run(["doctor", "--bogus"]).status == 2)
        let empty = try FMNISTProcess.run(["doctor", base.url.path, "--root", base.path("data").path, "--json"],
                                          environment: ["HOME": base.url.path, "KERAS_HOME": base.url.path, "TFDS_DATA_DIR": base.url.path],
                                          currentDirectory: base.url)
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]" || empty.stdout.contains("[]"))
        #expect(empty.stderr.contains("no MNIST-format files found"))
    }
}
