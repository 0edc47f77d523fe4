import Foundation
import Testing
import TestSupport

/// `fmnist doctor` over caches built the way the loaders build them, from the real data: a
/// torchvision root (`raw/` with the `.gz` and the uncompressed files, as `download=True` leaves
/// it), a keras cache of `.gz`, a TFDS manual dir; faults planted of every status; the JSON; the
/// repair; symlinks that must not be written through.
@Suite(.serialized) struct DoctorEndToEndTests {
    static let names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

    /// A test folder: a workspace with `datasets` imported, and HOME, KERAS_HOME, TFDS_DATA_DIR
    /// inside it (so the default-location scan sees only what the test plants).
    final class Scene {
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

        /// Makes the workspace's read-only folders writable first, so that the folder is removed
        /// for a user who is not root too (the scene's folder is removed right after).
        deinit {
            if let walker = FileManager.default.enumerator(atPath: base.url.path) {
                for case let path as String in walker {
                    var info = stat()
                    let full = base.url.appendingPathComponent(path).path
                    if lstat(full, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { chmod(full, 0o755) }
                }
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
        /// The copies are the user's own files, writable (the shared originals may be read-only,
        /// which only root could write through).
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

    /// One entry found under a folder: a regular file's inode and bytes, or a symlink's text.
    struct Entry: Equatable {
        let inode: Int
        let bytes: Data
        let link: String?
    }

    /// Every regular file and symlink under `folder` (links not followed): to prove nothing was written.
    static func contents(_ folder: URL) throws -> [String: Entry] {
        var result: [String: Entry] = [:]
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        while let name = enumerator?.nextObject() as? String {
            let url = folder.appendingPathComponent(name)
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            let inode = attributes[.systemFileNumber] as? Int ?? 0
            if attributes[.type] as? FileAttributeType == .typeSymbolicLink {
                result[name] = Entry(inode: inode, bytes: Data(), link: try FileManager.default.destinationOfSymbolicLink(atPath: url.path))
            } else if attributes[.type] as? FileAttributeType == .typeRegular {
                result[name] = Entry(inode: inode, bytes: try Data(contentsOf: url), link: nil)
            }
        }
        return result
    }

    static func action(_ finding: [String: Any]?) -> String? { (finding?["fix"] as? [String: Any])?["action"] as? String }

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

        // MNIST_data holds one known file of each dataset: only its name says MNIST, so neither is
        // proven the intruder; the unknown file is valid data of no known version.
        #expect(Self.finding(findings, "MNIST_data/t10k-labels-idx1-ubyte.gz")?["expected_from"] == nil)
        let before = try Self.contents(folder)

        let (fixed, fixes) = try scene.doctor([folder.path, scene.base.path("torch").path, "--fix"])
        #expect(fixed.status == 3, "\(fixed.stderr)")
        func action(_ suffix: String) -> String? { (Self.finding(fixes, suffix)?["fix"] as? [String: Any])?["action"] as? String }
        #expect(action("raw/t10k-labels-idx1-ubyte") == "replaced")
        #expect(action("MNIST_data/t10k-labels-idx1-ubyte.gz") == "left_alone")
        #expect(action("MNIST_data/t10k-images-idx3-ubyte.gz") == "left_alone")
        #expect(action("MNIST_data/train-images-idx3-ubyte.gz") == "refused")
        #expect(action("MNIST_data/train-labels-idx1-ubyte.gz") == nil)
        #expect(try Self.contents(folder) == before, "a file in MNIST_data was written")
        #expect(try Data(contentsOf: raw.appendingPathComponent("t10k-labels-idx1-ubyte")) == ExportEndToEndTests.upstreamPayload(RealData.mnist, "t10k-labels-idx1-ubyte"))
        #expect(fixed.stderr.contains("left alone"))
        let again = try scene.doctor([folder.path, scene.base.path("torch").path]).0
        #expect(again.status == 3)
        #expect(!again.stderr.contains("hint: run `fmnist doctor --fix`"), "--fix would change nothing: \(again.stderr)")
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

    /// Writes `name` (uncompressed IDX, or gzip'd when it ends in .gz) into `folder`.
    static func write(_ payload: [UInt8], _ folder: URL, _ name: String) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(name.hasSuffix(".gz") ? SyntheticIDX.gzip(payload) : payload).write(to: folder.appendingPathComponent(name))
    }

    /// Principle: valid data of no known version is reported and never overwritten, whatever the
    /// place: the superseded 2017-08-26 Fashion-MNIST labels in keras's Fashion-MNIST cache, a
    /// Kuzushiji-like set in MNIST_data/, EMNIST-like files (47 classes of labels, more images than
    /// any known file holds) and an IDX of floats in torchvision's MNIST/raw.
    @Test(.realDataWithOldLabels) func validDataOfNoKnownVersionIsReportedAndLeftAlone() throws {
        let scene = try Scene("doctor-unknown", datasets: ["fashion", "mnist"])
        let kerasCache = scene.keras.appendingPathComponent("datasets/fashion-mnist")
        try scene.plant(kerasCache, from: Self.fashion, uncompressed: false)
        for name in ["train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try FileManager.default.removeItem(at: kerasCache.appendingPathComponent(name))
            try FileManager.default.copyItem(at: RealData.oldFashionLabels.appendingPathComponent(name), to: kerasCache.appendingPathComponent(name))
        }
        let kuzushiji = scene.base.path("project/MNIST_data")
        try Self.write(SyntheticIDX.images(count: 600, seed: 11), kuzushiji, "train-images-idx3-ubyte.gz")
        try Self.write(SyntheticIDX.labels((0..<600).map { UInt8($0 * 7 % 10) }), kuzushiji, "train-labels-idx1-ubyte.gz")
        try Self.write(SyntheticIDX.images(count: 100, seed: 13), kuzushiji, "t10k-images-idx3-ubyte.gz")
        try Self.write(SyntheticIDX.labels((0..<100).map { UInt8($0 * 3 % 10) }), kuzushiji, "t10k-labels-idx1-ubyte.gz")
        let raw = scene.base.path("torch/MNIST/raw")
        try Self.write(SyntheticIDX.labels((0..<470).map { UInt8($0 % 47) }), raw, "train-labels-idx1-ubyte")
        // 112,800 images of 28×28 (EMNIST balanced): 88 MB, more than any known file; zeros compress to little.
        try Self.write([0, 0, 0x08, 0x03] + [112_800, 28, 28].flatMap { SyntheticIDX.bigEndian($0) } + [UInt8](repeating: 0, count: 112_800 * 784),
                       raw, "train-images-idx3-ubyte.gz")
        try Self.write([0, 0, 0x0D, 0x03] + [10, 28, 28].flatMap { SyntheticIDX.bigEndian($0) } + [UInt8](repeating: 0x3F, count: 10 * 784 * 4),
                       raw, "t10k-images-idx3-ubyte")
        let folders = [kerasCache, kuzushiji, raw]
        let before = try folders.map(Self.contents)

        let (result, findings) = try scene.doctor([kuzushiji.deletingLastPathComponent().path, scene.base.path("torch").path])
        #expect(result.status == 3, "\(result.stderr)")
        let unknown = findings.filter { $0["status"] as? String == "unknown" }
        #expect(unknown.count == 9, "\(findings.map { "\($0["path"] ?? "") \($0["status"] ?? "")" })")
        #expect(unknown.allSatisfy { $0["identity"] == nil })
        #expect(findings.filter { $0["status"] as? String != "ok" }.count == 9)
        #expect((Self.finding(findings, "raw/train-labels-idx1-ubyte")?["message"] as? String)?.contains("labels 0…46") == true)
        #expect((Self.finding(findings, "raw/train-images-idx3-ubyte.gz")?["message"] as? String)?.contains("larger than any known file") == true)
        #expect(Self.finding(findings, "fashion-mnist/train-labels-idx1-ubyte.gz")?["expected_from"] as? String == "place")
        #expect(!result.stderr.contains("hint: run `fmnist doctor --fix`"), "nothing --fix would repair: \(result.stderr)")

        let (fixed, fixes) = try scene.doctor([kuzushiji.deletingLastPathComponent().path, scene.base.path("torch").path, "--fix"])
        #expect(fixed.status == 3, "\(fixed.stderr)")
        let left = fixes.filter { Self.action($0) == "left_alone" }
        #expect(left.count == 9)
        #expect(fixes.allSatisfy { $0["status"] as? String == "ok" ? $0["fix"] == nil : Self.action($0) == "left_alone" })
        #expect(left.allSatisfy { (($0["fix"] as? [String: Any])?["message"] as? String)?.contains("never overwritten") == true })
        #expect(try folders.map(Self.contents) == before, "valid data of no known version was written")
        #expect(fixed.stderr.contains("left alone"))
    }

    /// Principle: a known file of the other dataset is replaced only where the loader and dataset
    /// are certain, or where it is one intruder among the right dataset's files. A consistent set of
    /// Fashion-MNIST copied into MNIST_data/ is the user's choice (ok); a two-and-two mix is left
    /// alone; junk (an HTML page, a truncated .gz) is replaced; a torchvision FashionMNIST/raw
    /// holding a whole MNIST set is damage.
    @Test(.realData) func aConsistentSetIsTheUsersChoiceAndAnIntruderIsDamage() throws {
        let scene = try Scene("doctor-choice", datasets: ["fashion", "mnist"])
        let chosen = scene.base.path("choice/MNIST_data")
        try scene.plant(chosen, from: Self.fashion, uncompressed: false)
        let intruded = scene.base.path("intruded/MNIST_data")
        try scene.plant(intruded, from: { $0.hasPrefix("t10k-labels") ? Self.fashion($0) : Self.mnist($0) }, uncompressed: false)
        let mixed = scene.base.path("mixed/MNIST_data")
        try scene.plant(mixed, from: { $0.hasPrefix("train") ? Self.fashion($0) : Self.mnist($0) }, uncompressed: false)
        let junk = scene.base.path("junk/MNIST_data")
        try FileManager.default.createDirectory(at: junk, withIntermediateDirectories: true)
        try Data("<!DOCTYPE html><html>proxy error</html>".utf8).write(to: junk.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        let whole = try Data(contentsOf: Self.mnist("t10k-images-idx3-ubyte"))
        try whole.prefix(whole.count / 3).write(to: junk.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        let torch = scene.base.path("torch")
        let tvRaw = torch.appendingPathComponent("FashionMNIST/raw")
        try scene.plant(tvRaw, from: Self.mnist, uncompressed: true)
        let paths = ["choice", "intruded", "mixed", "junk", "torch"].map { scene.base.path($0).path }
        let (chosenBefore, mixedBefore) = (try Self.contents(chosen), try Self.contents(mixed))

        let (result, findings) = try scene.doctor(paths)
        #expect(result.status == 3, "\(result.stderr)")
        func all(_ folder: String) -> [[String: Any]] { findings.filter { ($0["path"] as? String)?.contains(folder) == true } }
        let choice = all("choice/MNIST_data/")
        #expect(choice.count == 4 && choice.allSatisfy { $0["status"] as? String == "ok" && $0["expected_from"] as? String == "files" })
        #expect(choice.allSatisfy { $0["expected_dataset"] as? String == "fashion" && ($0["message"] as? String)?.contains("suggests MNIST") == true })
        let intruder = try #require(Self.finding(findings, "intruded/MNIST_data/t10k-labels-idx1-ubyte.gz"))
        #expect(intruder["status"] as? String == "other-dataset" && intruder["expected_from"] as? String == "files")
        #expect(intruder["expected_dataset"] as? String == "mnist")
        #expect(all("intruded/MNIST_data/").filter { $0["status"] as? String == "ok" }.count == 3)
        let mix = all("mixed/MNIST_data/")
        #expect(mix.filter { $0["status"] as? String == "other-dataset" }.compactMap { $0["dataset"] as? String } == ["fashion", "fashion"])
        #expect(mix.filter { $0["status"] as? String == "ok" }.count == 2)
        #expect(Self.finding(findings, "junk/MNIST_data/train-labels-idx1-ubyte.gz")?["status"] as? String == "not-data")
        #expect(Self.finding(findings, "junk/MNIST_data/train-labels-idx1-ubyte.gz")?["expected_from"] as? String == "folder-name")
        #expect(Self.finding(findings, "junk/MNIST_data/t10k-images-idx3-ubyte.gz")?["status"] as? String == "damaged")
        let tv = all("FashionMNIST/raw/")
        #expect(tv.count == 8 && tv.allSatisfy { $0["status"] as? String == "other-dataset" && $0["expected_from"] as? String == "place" })

        let (fixed, fixes) = try scene.doctor(paths + ["--fix"])
        #expect(fixed.status == 3, "the mix stays: \(fixed.stderr)")
        #expect(try Self.contents(chosen) == chosenBefore, "the user's Fashion-MNIST in MNIST_data was written")
        #expect(try Self.contents(mixed) == mixedBefore, "a file of the mixed folder was written")
        #expect(fixes.filter { ($0["path"] as? String)?.contains("mixed/") == true }.compactMap(Self.action) == ["left_alone", "left_alone"])
        #expect(Self.action(Self.finding(fixes, "intruded/MNIST_data/t10k-labels-idx1-ubyte.gz")) == "replaced")
        #expect(try Data(contentsOf: intruded.appendingPathComponent("t10k-labels-idx1-ubyte.gz")) == Data(contentsOf: Self.mnist("t10k-labels-idx1-ubyte")))
        #expect(try Data(contentsOf: junk.appendingPathComponent("train-labels-idx1-ubyte.gz")) == Data(contentsOf: Self.mnist("train-labels-idx1-ubyte")))
        #expect(try Data(contentsOf: junk.appendingPathComponent("t10k-images-idx3-ubyte.gz")) == whole)
        #expect(tv.count == fixes.filter { ($0["path"] as? String)?.contains("FashionMNIST/raw/") == true && Self.action($0) == "replaced" }.count)
        #expect(try Data(contentsOf: tvRaw.appendingPathComponent("train-labels-idx1-ubyte")) == ExportEndToEndTests.upstreamPayload(RealData.fashion, "train-labels-idx1-ubyte"))
        #expect(try Data(contentsOf: tvRaw.appendingPathComponent("t10k-images-idx3-ubyte.gz")) == Data(contentsOf: Self.fashion("t10k-images-idx3-ubyte")))

        let (again, after) = try scene.doctor(paths)
        #expect(again.status == 3)
        #expect(after.filter { $0["status"] as? String != "ok" }.compactMap { $0["path"] as? String }.allSatisfy { $0.contains("mixed/") })
    }

    /// Principle: nothing is written through a symlink on the way to a file: KERAS_HOME/datasets
    /// linked to a user folder, a PATH below a linked folder, a file that is a link. The refusal
    /// names the link and its target; given the real folder instead, doctor repairs it there.
    @Test(.realData) func noFolderOnTheWayThatIsASymlinkIsWrittenThrough() throws {
        let scene = try Scene("doctor-symlinked", datasets: ["fashion"])
        let mine = scene.base.path("my-keras-datasets")
        let cache = mine.appendingPathComponent("fashion-mnist")
        try scene.plant(cache, from: Self.fashion, uncompressed: false)
        try Data("<html>captive portal</html>".utf8).write(to: cache.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        let full = try Data(contentsOf: Self.fashion("t10k-images-idx3-ubyte"))
        try full.prefix(1000).write(to: cache.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        try FileManager.default.createDirectory(at: scene.keras, withIntermediateDirectories: true)
        let datasets = scene.keras.appendingPathComponent("datasets")
        try FileManager.default.createSymbolicLink(at: datasets, withDestinationURL: mine)

        let real = scene.base.path("real-torch")
        let raw = real.appendingPathComponent("FashionMNIST/raw")
        try scene.plant(raw, from: Self.fashion, uncompressed: true)
        let cut = raw.appendingPathComponent("t10k-labels-idx1-ubyte")
        try Data(contentsOf: cut).prefix(5000).write(to: cut)
        let notes = scene.base.path("notes.html")
        try Data("<html>my notes</html>".utf8).write(to: notes)
        try FileManager.default.removeItem(at: raw.appendingPathComponent("train-labels-idx1-ubyte"))
        try FileManager.default.createSymbolicLink(at: raw.appendingPathComponent("train-labels-idx1-ubyte"), withDestinationURL: notes)
        let via = scene.base.path("via")
        try FileManager.default.createSymbolicLink(at: via, withDestinationURL: real)
        let before = (try Self.contents(mine), try Self.contents(real), try Data(contentsOf: notes))

        let (result, findings) = try scene.doctor([via.path, "--fix"])
        #expect(result.status == 3, "\(result.stderr)")
        let keras = findings.filter { ($0["path"] as? String)?.hasPrefix(datasets.path + "/") == true }
        #expect(keras.count == 4)
        #expect(keras.allSatisfy { $0["linked_through"] as? String == datasets.path })
        for finding in keras where finding["status"] as? String != "ok" {
            let fix = try #require(finding["fix"] as? [String: Any])
            #expect(fix["action"] as? String == "refused")
            let message = fix["message"] as? String ?? ""
            #expect(message.contains(datasets.path) && message.contains(mine.path), "\(message)")
        }
        let below = findings.filter { ($0["path"] as? String)?.hasPrefix(via.path + "/") == true }
        #expect(below.count == 8 && below.allSatisfy { $0["linked_through"] as? String == via.path })
        let refused = below.filter { $0["status"] as? String != "ok" }
        #expect(refused.count == 2 && refused.allSatisfy { Self.action($0) == "refused" })
        #expect(refused.allSatisfy { (($0["fix"] as? [String: Any])?["message"] as? String)?.contains(real.path) == true })
        #expect((try Self.contents(mine), try Self.contents(real), try Data(contentsOf: notes)) == before, "written through a symlink")

        // The real folder given as PATH: the cut file is repaired; the linked file still is not.
        let (direct, fixes) = try scene.doctor([real.path, "--fix"])
        #expect(direct.status == 3)
        #expect(Self.action(Self.finding(fixes, "real-torch/FashionMNIST/raw/t10k-labels-idx1-ubyte")) == "replaced")
        #expect(try Data(contentsOf: cut) == ExportEndToEndTests.upstreamPayload(RealData.fashion, "t10k-labels-idx1-ubyte"))
        let linkedFile = try #require(Self.finding(fixes, "real-torch/FashionMNIST/raw/train-labels-idx1-ubyte"))
        #expect(Self.action(linkedFile) == "refused" && (linkedFile["linked_through"] as? String)?.hasSuffix("raw/train-labels-idx1-ubyte") == true)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: raw.appendingPathComponent("train-labels-idx1-ubyte").path) == notes.path)
        #expect(try Data(contentsOf: notes) == before.2)
        #expect(try Self.contents(mine) == before.0)
    }

    /// fmnist's own framework links (`switch --link PATH --layout torchvision|keras`) show the
    /// active dataset under every class name: doctor judges them as verify does, for either dataset
    /// active (no OTHER-DATASET, no --fix suggested, nothing written).
    @Test(.realData) func fmnistsOwnFrameworkLinksAreJudgedAsVerifyJudgesThem() throws {
        let scene = try Scene("doctor-own-links", datasets: ["fashion", "mnist"])
        let tv = scene.base.path("tv")
        let root = scene.root.path
        #expect(try FMNISTProcess.run(["switch", "mnist", "--root", root, "--link", tv.path, "--layout", "torchvision", "-q"]).status == 0)
        #expect(try FMNISTProcess.run(["switch", "mnist", "--root", root, "--link", scene.keras.path, "--layout", "keras", "-q"]).status == 0)
        for active in ["mnist", "fashion"] {
            if active == "fashion" { #expect(try FMNISTProcess.run(["switch", "fashion", "--root", root, "-q"]).status == 0) }
            let (result, findings) = try scene.doctor([tv.path])
            #expect(result.status == 0, "\(active) active: \(result.stderr)")
            #expect(!result.stderr.contains("--fix"), "\(result.stderr)")
            let linked = findings.filter { $0["loader"] as? String == "torchvision" || $0["loader"] as? String == "keras" }
            #expect(linked.filter { $0["loader"] as? String == "keras" }.count == 4)
            #expect(linked.filter { $0["loader"] as? String == "torchvision" }.count >= 4)
            #expect(linked.allSatisfy { $0["status"] as? String == "ok" && $0["expected_from"] as? String == "fmnist-link" && $0["dataset"] as? String == active },
                    "\(linked.map { "\($0["path"] ?? "") \($0["status"] ?? "") \($0["dataset"] ?? "")" })")
            #expect(try FMNISTProcess.run(["verify", tv.path, "--root", root]).status == 0)
            let (fixed, fixes) = try scene.doctor([tv.path, "--fix"])
            #expect(fixed.status == 0, "\(fixed.stderr)")
            #expect(fixes.allSatisfy { $0["fix"] == nil })
        }
        #expect(try FMNISTProcess.run(["verify", "all", "--root", root, "-q"]).status == 0)
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
