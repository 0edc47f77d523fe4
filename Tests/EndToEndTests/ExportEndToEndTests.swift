import Foundation
import Testing

/// `fmnist export` over the built binary, on workspaces made from the real data.
@Suite(.serialized) struct ExportEndToEndTests {
    static let names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

    /// A workspace with the given real datasets imported.
    static func workspace(_ label: String, datasets: [String] = ["fashion"]) throws -> (TemporaryDirectory, URL) {
        let base = try TemporaryDirectory(label)
        let root = base.path("data")
        for dataset in datasets {
            let folder = dataset == "fashion" ? RealData.fashion : RealData.mnist
            let result = try FMNISTProcess.run(["import", folder.path, "--as", dataset, "--root", root.path])
            #expect(result.status == 0, "import \(dataset): \(result.stderr)")
        }
        return (base, root)
    }

    static func export(_ arguments: [String], root: URL) throws -> FMNISTProcess.Result {
        try FMNISTProcess.run(["export"] + arguments + ["--root", root.path, "--json"])
    }

    /// Runs python3 (Debian's, numpy only) and returns stdout; records stderr on failure.
    static func python(_ script: String, _ arguments: [String]) throws -> String {
        let result = try DropIn.python(script, arguments)
        #expect(result.status == 0, "python: \(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Decompressed bytes of an upstream `.gz` (through python's gzip, independent of fmnist's zlib use).
    static func upstreamPayload(_ folder: URL, _ name: String) throws -> Data {
        let out = try TemporaryDirectory("payload")
        let target = out.path(name)
        _ = try python("import gzip, sys; open(sys.argv[2], 'wb').write(gzip.open(sys.argv[1]).read())",
                       [folder.appendingPathComponent(name + ".gz").path, target.path])
        return try Data(contentsOf: target)
    }

    @Test(.enabled(if: RealData.available)) func torchvisionFilesAreTheUpstreamPayloadsAndGz() throws {
        let (base, root) = try Self.workspace("export-tv", datasets: ["fashion", "mnist"])
        let dest = base.path("torch")
        let result = try Self.export(["torchvision", dest.path], root: root)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        let datasets = try #require(json["datasets"] as? [[String: Any]])
        #expect(datasets.map { $0["dataset"] as? String } == ["fashion", "mnist"])
        #expect(datasets.allSatisfy { $0["files"] as? Int == 8 })
        for (className, folder) in [("FashionMNIST", RealData.fashion), ("MNIST", RealData.mnist)] {
            let raw = dest.appendingPathComponent("\(className)/raw")
            for name in Self.names {
                #expect(try Data(contentsOf: raw.appendingPathComponent(name)) == Self.upstreamPayload(folder, name), "\(className)/\(name)")
                #expect(try Data(contentsOf: raw.appendingPathComponent(name + ".gz")) == Data(contentsOf: folder.appendingPathComponent(name + ".gz")))
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dest.appendingPathComponent("MNIST/raw").path).count == 8)
        // Again without --force: the same version's export is replaced (no --force needed).
        let again = try Self.export(["torchvision", dest.path, "--dataset", "fashion"], root: root)
        #expect(again.status == 0, "\(again.stderr)")
        // A processed/ cache beside raw/ (torchvision reads it first) is not part of that export:
        // refused without --force; with it the whole FashionMNIST/ is replaced, processed/ included.
        let processed = dest.appendingPathComponent("FashionMNIST/processed")
        try FileManager.default.createDirectory(at: processed, withIntermediateDirectories: true)
        try Data("stale".utf8).write(to: processed.appendingPathComponent("training.pt"))
        let refused = try Self.export(["torchvision", dest.path, "--dataset", "fashion"], root: root)
        #expect(refused.status == 7)
        #expect(refused.stderr.contains("processed/training.pt already exists") && refused.stderr.contains("--force"), "\(refused.stderr)")
        let forced = try Self.export(["torchvision", dest.path, "--dataset", "fashion", "--force"], root: root)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(!FileManager.default.fileExists(atPath: processed.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dest.path).sorted() == ["FashionMNIST", "MNIST"])
        #expect(try Set(FileManager.default.contentsOfDirectory(atPath: dest.appendingPathComponent("FashionMNIST").path)) == ["raw", "fmnist-export.json"])
        // The export is in the catalog.
        let rows = try Self.python(
            "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM exports WHERE layout='torchvision' AND result='ok'\").fetchone()[0])",
            [root.appendingPathComponent(".fmnist/catalog.sqlite3").path])
        #expect(rows == "4")
    }

    @Test(.enabled(if: RealData.available)) func verifyIdentifiesUncompressedIDXAndATorchvisionRootByContent() throws {
        let (base, root) = try Self.workspace("export-verify", datasets: ["fashion", "mnist"])
        let dest = base.path("torch")
        #expect(try Self.export(["torchvision", dest.path], root: root).status == 0)
        let whole = try FMNISTProcess.run(["verify", dest.path, "--json"])
        #expect(whole.status == 0, "\(whole.stderr)")
        let folders = try #require(try whole.json()["folders"] as? [[String: Any]])
        #expect(folders.map { $0["dataset"] as? String } == ["fashion", "mnist"])
        #expect(folders.map { $0["version_name"] as? String } == ["2017-08-31", "lecun-1998"])
        #expect(folders.allSatisfy { ($0["files"] as? [Any])?.count == 4 })
        let one = try FMNISTProcess.run(["verify", dest.appendingPathComponent("MNIST/raw/t10k-images-idx3-ubyte").path, "--json"])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(try one.json()["identified_as"] as? String == "MNIST's t10k-images")
        // MNIST's payloads under FashionMNIST/raw: named by content, and a failure.
        let swapped = base.path("swapped")
        try FileManager.default.createDirectory(at: swapped.appendingPathComponent("FashionMNIST"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: dest.appendingPathComponent("MNIST/raw"), to: swapped.appendingPathComponent("FashionMNIST/raw"))
        let wrong = try FMNISTProcess.run(["verify", swapped.path])
        #expect(wrong.status == 3)
        #expect(wrong.stderr.contains("WRONG DATASET: FashionMNIST/raw holds MNIST"))
        // One changed pixel: a valid IDX file that matches nothing.
        let payload = swapped.appendingPathComponent("FashionMNIST/raw/t10k-images-idx3-ubyte")
        var bytes = try Data(contentsOf: payload)
        bytes[5000] ^= 0xFF
        try FileManager.default.removeItem(at: payload)
        try bytes.write(to: payload)
        let changed = try FMNISTProcess.run(["verify", payload.path])
        #expect(changed.status == 3)
        #expect(changed.stderr.contains("matches no known file"))
    }

    @Test(.enabled(if: RealData.available)) func aClassFolderThatIsNoExportIsRefusedWithoutForceAndReplacedWithIt() throws {
        let (base, root) = try Self.workspace("export-tv-warn")
        let dest = base.path("torch")
        let processed = dest.appendingPathComponent("FashionMNIST/processed")
        try FileManager.default.createDirectory(at: processed, withIntermediateDirectories: true)
        let result = try Self.export(["torchvision", dest.path], root: root)
        #expect(result.status == 7, "\(result.stderr)")
        #expect(result.stderr.contains("FashionMNIST already exists"), "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: processed.path))
        #expect(!FileManager.default.fileExists(atPath: dest.appendingPathComponent("FashionMNIST/raw").path))
        let forced = try Self.export(["torchvision", dest.path, "--force"], root: root)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(!FileManager.default.fileExists(atPath: processed.path))
        let notes = try #require((try forced.json()["datasets"] as? [[String: Any]])?.first?["notes"] as? [String])
        #expect(notes.contains { $0.contains("replaced") && $0.contains("no fmnist provenance file") }, "\(notes)")
    }

    @Test(.enabled(if: RealData.available)) func npzLoadsWithNumpyAndEqualsTheIDX() throws {
        let (base, root) = try Self.workspace("export-npz")
        let dest = base.path("npz")
        let result = try Self.export(["npz", dest.path, "--dataset", "fashion"], root: root)
        #expect(result.status == 0, "\(result.stderr)")
        let script = """
            import gzip, sys, numpy as np
            d = np.load(sys.argv[1], allow_pickle=False)
            def idx(name, offset):
                return np.frombuffer(gzip.open(sys.argv[2] + '/' + name + '.gz').read(), np.uint8, offset=offset)
            ok = (d['x_train'].dtype == np.uint8 and d['x_train'].shape == (60000, 28, 28)
                  and (d['x_train'].reshape(-1) == idx('train-images-idx3-ubyte', 16)).all()
                  and (d['y_train'] == idx('train-labels-idx1-ubyte', 8)).all()
                  and d['x_test'].shape == (10000, 28, 28) and (d['y_test'] == idx('t10k-labels-idx1-ubyte', 8)).all())
            print(sorted(d.files), ok)
            """
        #expect(try Self.python(script, [dest.appendingPathComponent("fashion.npz").path, RealData.fashion.path])
                == "['x_test', 'x_train', 'y_test', 'y_train'] True")
    }

    @Test(.enabled(if: RealData.available)) func csvHasKaggleHeaderRowsAndFirstRow() throws {
        let (base, root) = try Self.workspace("export-csv")
        let dest = base.path("csv")
        let result = try Self.export(["csv", dest.path], root: root)
        #expect(result.status == 0, "\(result.stderr)")
        let train = try Data(contentsOf: dest.appendingPathComponent("fashion-mnist_train.csv"))
        #expect(train.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } == 60001 && train.last == 0x0A)
        let lines = String(decoding: train.prefix(20_000), as: UTF8.self).split(separator: "\n")
        #expect(lines[0] == "label," + (1...784).map { "pixel\($0)" }.joined(separator: ","))
        let images = try Self.upstreamPayload(RealData.fashion, "train-images-idx3-ubyte")
        let labels = try Self.upstreamPayload(RealData.fashion, "train-labels-idx1-ubyte")
        let expected = ([labels[8]] + images[16..<(16 + 784)]).map(String.init).joined(separator: ",")
        #expect(lines[1] == Substring(expected))
        let test = try Data(contentsOf: dest.appendingPathComponent("fashion-mnist_test.csv"))
        #expect(test.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } == 10001)
    }

    @Test(.enabled(if: RealData.available)) func pngFoldersHoldEveryImageDecodable() throws {
        let (base, root) = try Self.workspace("export-png")
        let dest = base.path("png")
        let result = try Self.export(["png", dest.path], root: root)
        #expect(result.status == 0, "\(result.stderr)")
        let fm = FileManager.default
        var counts: [Int] = []
        for label in 0..<10 {
            counts.append(try fm.contentsOfDirectory(atPath: dest.appendingPathComponent("fashion/train/\(label)").path).count)
        }
        #expect(counts == Array(repeating: 6000, count: 10))
        let testCount = try (0..<10).reduce(0) { $0 + (try fm.contentsOfDirectory(atPath: dest.appendingPathComponent("fashion/test/\($1)").path).count) }
        #expect(testCount == 10000)
        #expect(try String(contentsOf: dest.appendingPathComponent("fashion/classes.txt"), encoding: .utf8).hasPrefix("T-shirt/top\nTrouser\n"))
        // Decode test image 0 (label 9) with python's zlib and compare it with the IDX pixels.
        let script = """
            import sys, zlib, struct, gzip
            data = open(sys.argv[1], 'rb').read()
            assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
            pos, idat, size = 8, b'', None
            while pos < len(data):
                n, kind = struct.unpack('>I4s', data[pos:pos + 8]); body = data[pos + 8:pos + 8 + n]
                assert zlib.crc32(kind + body) == struct.unpack('>I', data[pos + 8 + n:pos + 12 + n])[0]
                if kind == b'IHDR': size = struct.unpack('>II', body[:8])
                if kind == b'IDAT': idat += body
                pos += 12 + n
            raw = zlib.decompress(idat)
            pixels = b''.join(raw[r * 29 + 1:(r + 1) * 29] for r in range(28))
            expected = gzip.open(sys.argv[2]).read()[16:16 + 784]
            print(size, all(raw[r * 29] == 0 for r in range(28)) and pixels == expected)
            """
        #expect(try Self.python(script, [dest.appendingPathComponent("fashion/test/9/0.png").path,
                                         RealData.fashion.appendingPathComponent("t10k-images-idx3-ubyte.gz").path]) == "(28, 28) True")
    }

    @Test(.enabled(if: RealData.available)) func parquetHasTheHubSchemaAndFooter() throws {
        let (base, root) = try Self.workspace("export-hf")
        let dest = base.path("hf")
        let result = try Self.export(["hf", dest.path], root: root)
        #expect(result.status == 0, "\(result.stderr)")
        let file = try Data(contentsOf: dest.appendingPathComponent("fashion_mnist/test-00000-of-00001.parquet"))
        #expect(file.prefix(4) == Data("PAR1".utf8) && file.suffix(4) == Data("PAR1".utf8))
        let footerLength = file.dropLast(4).suffix(4).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(footerLength > 0 && footerLength < file.count - 12)
        let footer = String(decoding: file.dropLast(8).suffix(footerLength), as: UTF8.self)
        for needle in ["huggingface", "\"_type\": \"ClassLabel\"", "T - shirt / top", "Ankle boot", "image", "bytes", "path", "label"] {
            #expect(footer.contains(needle), "footer lacks \(needle)")
        }
        // Read it for real with pyarrow (the test venv's, made by scripts/test-venv.sh; a missing one fails here).
        let python = try S3Server.python(importing: "pyarrow.parquet", for: "the Parquet read-back test")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", """
            import sys, pyarrow.parquet as pq, collections
            t = pq.read_table(sys.argv[1]); labels = t.column('label').to_pylist()
            print(t.num_rows, str(t.schema.field('image').type), collections.Counter(labels)[9])
            """, dest.appendingPathComponent("fashion_mnist/test-00000-of-00001.parquet").path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == "10000 struct<bytes: binary, path: string> 1000")
    }

    @Test(.enabled(if: RealData.available)) func kerasWritesFashionAndRefusesASelfMadeMNIST() throws {
        let (base, root) = try Self.workspace("export-keras", datasets: ["fashion", "mnist"])
        let dest = base.path("keras")
        let mnist = try Self.export(["keras", dest.path, "--dataset", "mnist"], root: root)
        #expect(mnist.status == 4)
        #expect(mnist.stderr.contains("mnist.npz") && mnist.stderr.contains("fmnist never writes one"))
        #expect(mnist.stderr.contains("fmnist fetch mnist --artifact keras"))
        let both = try Self.export(["keras", dest.path], root: root)
        #expect(both.status == 0, "\(both.stderr)")
        let skipped = try #require(try both.json()["skipped"] as? [[String: Any]])
        #expect(skipped.first?["dataset"] as? String == "mnist")
        #expect((skipped.first?["reason"] as? String)?.contains("fmnist fetch mnist --artifact keras") == true)
        #expect(!FileManager.default.fileExists(atPath: dest.appendingPathComponent("datasets/mnist.npz").path))
        for name in Self.names {
            #expect(try Data(contentsOf: dest.appendingPathComponent("datasets/fashion-mnist/\(name).gz"))
                    == Data(contentsOf: RealData.fashion.appendingPathComponent(name + ".gz")))
        }
        let tfds = try Self.export(["tfds", base.path("tfds").path], root: root)
        #expect(tfds.status == 0, "\(tfds.stderr)")
        #expect(tfds.stderr.contains("tfds build mnist --manual_dir=\(base.path("tfds").path) --add_name_to_manual_dir"))
        #expect(FileManager.default.fileExists(atPath: base.path("tfds/mnist/t10k-labels-idx1-ubyte.gz").path))
    }

    @Test(.enabled(if: RealData.available)) func foreignSymlinksInDestAreRefusedAndTheirTargetsUntouched() throws {
        let (base, root) = try Self.workspace("export-symlink")
        let victim = base.path("victim")
        try FileManager.default.createDirectory(at: victim, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: victim.appendingPathComponent("fashion.npz"))
        // A folder symlink where torchvision's class folder goes.
        let dest = base.path("dest")
        try FileManager.default.createDirectory(at: dest, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: dest.appendingPathComponent("FashionMNIST"), withDestinationURL: victim)
        let tv = try Self.export(["torchvision", dest.path, "--force"], root: root)
        #expect(tv.status == 7)
        #expect(tv.stderr.contains("symlink that fmnist did not make"))
        // A file symlink where the npz goes, even with --force.
        try FileManager.default.createSymbolicLink(at: dest.appendingPathComponent("fashion.npz"),
                                                   withDestinationURL: victim.appendingPathComponent("fashion.npz"))
        let npz = try Self.export(["npz", dest.path, "--force"], root: root)
        #expect(npz.status == 7)
        // DEST itself a symlink.
        let linkedDest = base.path("linked")
        try FileManager.default.createSymbolicLink(at: linkedDest, withDestinationURL: victim)
        let csv = try Self.export(["csv", linkedDest.path], root: root)
        #expect(csv.status == 7)
        #expect(try FileManager.default.contentsOfDirectory(atPath: victim.path) == ["fashion.npz"])
        #expect(try String(contentsOf: victim.appendingPathComponent("fashion.npz"), encoding: .utf8) == "keep")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dest.appendingPathComponent("fashion.npz").path)
                == victim.appendingPathComponent("fashion.npz").path)
    }

    /// Every regular file under `folder` (relative paths), fmnist's temporaries included.
    static func regularFiles(under folder: URL) -> [String] {
        (FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? []).filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }
    }

    /// Holds the workspace lock (a flock on `.fmnist`, as fmnist takes it) from another process
    /// until `body` returns.
    static func holdingTheWorkspaceLock<T>(_ root: URL, _ body: () throws -> T) throws -> T {
        let ready = root.deletingLastPathComponent().appendingPathComponent("lock-held-\(UUID().uuidString.prefix(6))")
        // One process (so terminating it releases the lock): flock, say so, then sleep.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDONLY); fcntl.flock(fd, fcntl.LOCK_EX); open(sys.argv[2], 'w').close(); time.sleep(60)",
            root.appendingPathComponent(".fmnist").path, ready.path,
        ]
        try holder.run()
        // SIGKILL: the test runner's children may inherit a blocked SIGTERM.
        defer { kill(holder.processIdentifier, SIGKILL); holder.waitUntilExit() }
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: ready.path) {
            guard Date() < deadline else { throw CocoaError(.fileReadUnknown) }
            usleep(20_000)
        }
        return try body()
    }

    /// Replaces the live copy of Fashion-MNIST's train labels with MNIST's (a new file in the
    /// read-only version folder, as root or a careless script would).
    static func tamperWithTheLiveTrainLabels(_ root: URL) throws {
        let live = root.appendingPathComponent("fashion/train-labels-idx1-ubyte.gz")
        let folder = live.resolvingSymlinksInPath().deletingLastPathComponent()
        _ = chmod(folder.path, 0o755)
        try FileManager.default.removeItem(at: live)
        try FileManager.default.copyItem(at: RealData.mnist.appendingPathComponent("train-labels-idx1-ubyte.gz"), to: live)
        _ = chmod(folder.path, 0o555)
    }

    @Test(.enabled(if: RealData.available)) func aTamperedLiveFileIsRestoredFromTheStoreBeforeExporting() throws {
        let (base, root) = try Self.workspace("export-tamper")
        for layout in ["torchvision", "npz", "csv"] {
            try Self.tamperWithTheLiveTrainLabels(root)
            let dest = base.path(layout)
            let result = try Self.export([layout, dest.path], root: root)
            #expect(result.status == 0, "\(layout): \(result.stderr)")
            let notes = try #require((try result.json()["datasets"] as? [[String: Any]])?.first?["notes"] as? [String])
            #expect(notes.contains { $0.contains("restored train-labels-idx1-ubyte.gz") && $0.contains("it was damaged") }, "\(layout): \(notes)")
        }
        // What was exported is Fashion-MNIST's, and the workspace verifies again.
        #expect(try Data(contentsOf: base.path("torchvision/FashionMNIST/raw/train-labels-idx1-ubyte"))
                == Self.upstreamPayload(RealData.fashion, "train-labels-idx1-ubyte"))
        #expect(try FMNISTProcess.run(["verify", "fashion", "--root", root.path]).status == 0)
    }

    @Test(.enabled(if: RealData.available)) func aFileDamagedInTheStoreAndTheWorkspaceIsRefusedAndNothingIsPlaced() throws {
        let (base, root) = try Self.workspace("export-tamper-both")
        try Self.tamperWithTheLiveTrainLabels(root)
        // The store's copy too: no good copy is left.
        let stored = try #require(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(".fmnist/store/sha256").path)
            .map { root.appendingPathComponent(".fmnist/store/sha256/\($0)") }
            .first { try Data(contentsOf: $0) == Data(contentsOf: RealData.fashion.appendingPathComponent("train-labels-idx1-ubyte.gz")) })
        _ = chmod(stored.path, 0o644)
        try Data("not gzip".utf8).write(to: stored)
        for layout in ["torchvision", "npz", "csv"] {
            let dest = base.path(layout)
            let result = try Self.export([layout, dest.path], root: root)
            #expect(result.status == 3, "\(layout): \(result.stderr)")
            #expect(result.stderr.contains("train-labels-idx1-ubyte.gz"), "\(layout): \(result.stderr)")
            #expect(result.stderr.contains("fmnist verify"), "\(layout): \(result.stderr)")
            #expect(Self.regularFiles(under: dest).isEmpty, "\(layout) placed or left: \(Self.regularFiles(under: dest))")
        }
        let failed = try Self.python(
            "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM exports WHERE result='failed'\").fetchone()[0])",
            [root.appendingPathComponent(".fmnist/catalog.sqlite3").path])
        #expect(failed == "3")
    }

    @Test(.enabled(if: RealData.available)) func whileAnotherProcessHoldsTheLockExportReverifiesTheLiveFilesWithoutWaiting() throws {
        let (base, root) = try Self.workspace("export-busy")
        let (result, seconds) = try Self.holdingTheWorkspaceLock(root) {
            let started = Date()
            return (try Self.export(["torchvision", base.path("busy").path], root: root), Date().timeIntervalSince(started))
        }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(seconds < 30, "export waited for the lock")
        let notes = try #require((try result.json()["datasets"] as? [[String: Any]])?.first?["notes"] as? [String])
        #expect(notes.contains { $0.contains("the workspace is busy") && $0.contains("re-verifying the live files") }, "\(notes)")
        #expect(try Data(contentsOf: base.path("busy/FashionMNIST/raw/t10k-images-idx3-ubyte"))
                == Self.upstreamPayload(RealData.fashion, "t10k-images-idx3-ubyte"))
        // A damaged live file cannot be repaired without the lock: it is refused, nothing placed.
        try Self.tamperWithTheLiveTrainLabels(root)
        let refused = try Self.holdingTheWorkspaceLock(root) {
            try Self.export(["torchvision", base.path("busy-damaged").path], root: root)
        }
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(Self.regularFiles(under: base.path("busy-damaged")).isEmpty)
    }

    @Test(.enabled(if: RealData.available)) func torchvisionKeepsThePayloadsOnceInTheStoreAndCopiesThem() throws {
        let (base, root) = try Self.workspace("export-payloads")
        #expect(try Self.export(["torchvision", base.path("one").path], root: root).status == 0)
        let payloads = root.appendingPathComponent(".fmnist/payload/fashion")
        let versions = try FileManager.default.contentsOfDirectory(atPath: payloads.path)
        #expect(versions.count == 1)
        let folder = payloads.appendingPathComponent(versions[0])
        #expect(try FileManager.default.attributesOfItem(atPath: folder.path)[.posixPermissions] as? Int == 0o555)
        #expect(try Set(FileManager.default.contentsOfDirectory(atPath: folder.path)) == Set(Self.names))
        // Damage the kept payload (as root could): the next export inflates it again from the proven .gz.
        let kept = folder.appendingPathComponent("t10k-images-idx3-ubyte")
        _ = chmod(kept.path, 0o644)
        let handle = try FileHandle(forWritingTo: kept)
        try handle.seek(toOffset: 5000)
        try handle.write(contentsOf: Data([0xFF, 0x00, 0xFF]))
        try handle.close()
        let second = try Self.export(["torchvision", base.path("two").path], root: root)
        #expect(second.status == 0, "\(second.stderr)")
        let notes = try #require((try second.json()["datasets"] as? [[String: Any]])?.first?["notes"] as? [String])
        #expect(notes.contains { $0.contains("inflated t10k-images-idx3-ubyte") }, "\(notes)")
        let upstream = try Self.upstreamPayload(RealData.fashion, "t10k-images-idx3-ubyte")
        #expect(try Data(contentsOf: base.path("two/FashionMNIST/raw/t10k-images-idx3-ubyte")) == upstream)
        #expect(try Data(contentsOf: kept) == upstream)
        // A write into an exported file (torchvision's download=True opens them "wb") reaches that copy only.
        let exported = base.path("two/FashionMNIST/raw/t10k-images-idx3-ubyte")
        try Data("overwritten".utf8).write(to: exported)
        #expect(try Data(contentsOf: kept) == upstream)
        #expect(try FMNISTProcess.run(["verify", "fashion", "--root", root.path]).status == 0)
        // remove and gc take the kept payloads too.
        #expect(try FMNISTProcess.run(["remove", "fashion@\(versions[0].prefix(12))", "--force", "--root", root.path]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }

    @Test(.enabled(if: RealData.available)) func theArrayExportsReadTheKeptPayloadsAndTrustNoneEditedInPlace() throws {
        let (base, root) = try Self.workspace("export-kept-read")
        let folder = root.appendingPathComponent(".fmnist/payload/fashion")
        let version = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.path).first)
        let kept = folder.appendingPathComponent(version).appendingPathComponent("train-images-idx3-ubyte")
        for layout in ["csv", "npz"] {
            let before = base.path("\(layout)-before")
            #expect(try Self.export([layout, before.path], root: root).status == 0)
            // A hostile edit of the kept payload that keeps its size and modification time.
            var info = stat()
            #expect(lstat(kept.path, &info) == 0)
            _ = chmod(kept.path, 0o644)
            let handle = try FileHandle(forWritingTo: kept)
            try handle.seek(toOffset: 5000)
            try handle.write(contentsOf: Data([0xFF, 0x00, 0xFF, 0x7F]))
            try handle.close()
            var times = [info.st_atim, info.st_mtim]
            #expect(utimensat(AT_FDCWD, kept.path, &times, 0) == 0)
            _ = chmod(kept.path, 0o444)
            let after = base.path("\(layout)-after")
            let second = try Self.export([layout, after.path], root: root)
            #expect(second.status == 0, "\(layout): \(second.stderr)")
            let notes = try #require((try second.json()["datasets"] as? [[String: Any]])?.first?["notes"] as? [String])
            #expect(notes.contains { $0.contains("inflated train-images-idx3-ubyte") }, "\(layout): \(notes)")
            #expect(Self.regularFiles(under: after).sorted() == Self.regularFiles(under: before).sorted())
            for name in Self.regularFiles(under: before) {
                #expect(try Data(contentsOf: after.appendingPathComponent(name)) == Data(contentsOf: before.appendingPathComponent(name)),
                        "\(layout): \(name) differs after the kept payload was edited")
            }
        }
        #expect(try Data(contentsOf: kept) == Self.upstreamPayload(RealData.fashion, "train-images-idx3-ubyte"))
    }

    @Test func badLayoutAndMissingDatasetHaveDocumentedExits() throws {
        let base = try TemporaryDirectory("export-usage")
        let root = base.path("data")
        let layout = try FMNISTProcess.run(["export", "cifar", base.path("out").path, "--root", root.path, "--json"])
        #expect(layout.status == 2)
        #expect((try layout.json()["error"] as? String)?.contains("unknown export layout") == true)
        let empty = try FMNISTProcess.run(["export", "npz", base.path("out").path, "--root", root.path])
        #expect(empty.status == 4)
        #expect(empty.stderr.contains("fmnist fetch"))
    }
}
