import Foundation
import Testing

/// `fmnist verify` run as a user would, on the real files.
@Suite(.serialized) struct VerifyEndToEndTests {
    /// A workspace whose `fashion/` folder holds copies of the real Fashion-MNIST files.
    func workspaceWithFashion() throws -> TemporaryDirectory {
        let workspace = try TemporaryDirectory("verify")
        let fashion = workspace.path("fashion")
        try FileManager.default.createDirectory(at: fashion, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: RealData.fashion.path) {
            try RealData.copyFile(at: RealData.fashion.appendingPathComponent(name), to: fashion.appendingPathComponent(name))
        }
        return workspace
    }

    @Test(.realData) func realFashionFilesVerifyAndNameTheDataset() throws {
        let workspace = try workspaceWithFashion()
        let result = try FMNISTProcess.run(["verify", "fashion", "--root", workspace.url.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Fashion-MNIST 2017-08-31"))
        #expect(result.stderr.contains("all 4 files verified"))
    }

    @Test(.realData) func mnistFileInTheFashionFolderIsNamedAndFails() throws {
        let workspace = try workspaceWithFashion()
        let target = workspace.path("fashion/t10k-images-idx3-ubyte.gz")
        try FileManager.default.removeItem(at: target)
        try RealData.copyFile(at: RealData.mnist.appendingPathComponent("t10k-images-idx3-ubyte.gz"), to: target)
        let result = try FMNISTProcess.run(["verify", "fashion", "--root", workspace.url.path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("this is MNIST's t10k-images"))
        let json = try FMNISTProcess.run(["verify", "fashion", "--root", workspace.url.path, "--json"]).json()
        #expect(json["exit_code"] as? Int == 3)
        let files = try #require((json["datasets"] as? [[String: Any]])?.first?["files"] as? [[String: Any]])
        let swapped = try #require(files.first { $0["role"] as? String == "test-images" })
        #expect(swapped["status"] as? String == "wrong_file")
        #expect(swapped["identified_as"] as? String == "MNIST's t10k-images")
    }

    @Test(.realData) func verifyAllChecksBothSharedFoldersByPath() throws {
        let mnist = try FMNISTProcess.run(["verify", RealData.mnist.path, "--json"])
        #expect(mnist.status == 0)
        let json = try mnist.json()
        let dataset = try #require((json["datasets"] as? [[String: Any]])?.first)
        #expect(dataset["dataset"] as? String == "mnist")
        #expect(dataset["version_name"] as? String == "lecun-1998")
        #expect((dataset["version_short_id"] as? String)?.count == 12)
    }

    @Test(.realData) func recompressedFileIsSameDataDifferentContainer() throws {
        let workspace = try workspaceWithFashion()
        let labels = workspace.path("fashion/t10k-labels-idx1-ubyte.gz")
        // Re-compress with gzip -9 and a different header, as Debian's package does.
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "zcat '\(labels.path)' | gzip -9 -n > '\(labels.path).new' && mv '\(labels.path).new' '\(labels.path)'"]
        try shell.run()
        shell.waitUntilExit()
        let result = try FMNISTProcess.run(["verify", "fashion", "--root", workspace.url.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("same data, different container"))
    }

    @Test(.realDataWithOldLabels) func oldReleaseLabelsAreUnknownContent() throws {
        let workspace = try workspaceWithFashion()
        let old = RealData.oldFashionLabels.appendingPathComponent("train-labels-idx1-ubyte.gz")
        let target = workspace.path("fashion/train-labels-idx1-ubyte.gz")
        try FileManager.default.removeItem(at: target)
        try RealData.copyFile(at: old, to: target)
        let result = try FMNISTProcess.run(["verify", "fashion", "--root", workspace.url.path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("matches no known version"))
    }

    @Test(.realData) func singleFileIsIdentified() throws {
        let result = try FMNISTProcess.run(["verify", RealData.fashion.appendingPathComponent("train-labels-idx1-ubyte.gz").path])
        #expect(result.status == 0)
        #expect(result.stderr.contains("this is Fashion-MNIST's train-labels"))
    }

    @Test func corruptAndMissingFilesHaveDistinctExitCodes() throws {
        let workspace = try TemporaryDirectory("verify-bad")
        let folder = workspace.path("mnist")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Nothing there: missing.
        let missing = try FMNISTProcess.run(["verify", "mnist", "--root", workspace.url.path])
        #expect(missing.status == 4)
        #expect(missing.stderr.contains("not present"))
        // An HTML page where a file should be: integrity.
        try Data("<!DOCTYPE html><html>Not Found</html>".utf8).write(to: folder.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        let corrupt = try FMNISTProcess.run(["verify", "mnist", "--root", workspace.url.path])
        #expect(corrupt.status == 3)
        #expect(corrupt.stderr.contains("HTML page"))
        // A directory where a file should be.
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz"), withIntermediateDirectories: true)
        let directory = try FMNISTProcess.run(["verify", "mnist", "--root", workspace.url.path])
        #expect(directory.status == 3)
        #expect(directory.stderr.contains("is a directory"))
    }

    /// `verify PATH` through a symlink (`data/current`) resolves it once: while a background
    /// process flips `data/current` between the datasets, 60 verifies each read one whole dataset
    /// (never "found MNIST's …" in a Fashion-MNIST check, never exit 3). `verify current` too.
    @Test(.realData, .timeLimit(.minutes(10))) func verifyThroughALinkWhileSwitchFlipsSeesOneDataset() throws {
        let (base, root) = try DropIn.workspaceWithBoth("verify-through-link")
        defer {
            // The version folders are read-only: make them writable so that a user who is not root removes them too.
            if let walker = FileManager.default.enumerator(atPath: base.url.path) {
                for case let path as String in walker where (try? base.url.appendingPathComponent(path).resourceValues(forKeys: [.isDirectoryKey]))?.isDirectory == true {
                    chmod(base.url.appendingPathComponent(path).path, 0o755)
                }
            }
        }
        #expect(try FMNISTProcess.run(["switch", "fashion", "--root", root.path, "-q"]).status == 0)
        let stop = base.path("stop")
        // Bounded: at most 2,000 round trips, and it stops when told to.
        let loop = Process()
        loop.executableURL = URL(fileURLWithPath: "/bin/sh")
        loop.arguments = ["-c", """
            n=0; while [ ! -e "$3" ] && [ $n -lt 2000 ]; do
              "$1" switch mnist --root "$2" -q || exit 1; "$1" switch fashion --root "$2" -q || exit 1; n=$((n+1)); done; echo $n
            """, "sh", FMNISTProcess.executable.path, root.path, stop.path]
        let output = Pipe()
        loop.standardOutput = output
        loop.standardError = FileHandle.nullDevice
        try loop.run()
        var stopped = false
        func stopLoop() {
            guard !stopped else { return }
            stopped = true
            _ = FileManager.default.createFile(atPath: stop.path, contents: Data())
            loop.waitUntilExit()
        }
        defer { stopLoop() }
        var seen: [String: Int] = [:]
        for run in 0..<60 {
            let target = run % 10 == 9 ? "current" : root.appendingPathComponent("current").path
            let result = try FMNISTProcess.run(["verify", target, "--root", root.path, "--json"], timeout: 120)
            #expect(result.status == 0, "verify \(target) (run \(run)): exit \(result.status)\n\(result.stderr)")
            let report = ((try? result.json())?["datasets"] as? [[String: Any]])?.first
            let dataset = report?["dataset"] as? String ?? "?"
            let title = dataset == "fashion" ? "Fashion-MNIST's" : "MNIST's"
            let files = report?["files"] as? [[String: Any]] ?? []
            #expect(files.count == 4 && files.allSatisfy { ($0["identified_as"] as? String)?.hasPrefix(title) == true },
                    "run \(run): \(dataset) with \(files.compactMap { $0["identified_as"] as? String })")
            seen[dataset, default: 0] += 1
        }
        stopLoop()
        let rounds = Int(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(loop.terminationStatus == 0, "a switch failed")
        #expect(rounds >= 5, "the switch loop ran \(rounds) round trips during the verifies")
        print("verify through data/current: 60 runs (\(seen)) during \(rounds) switch round trips, each saw one whole dataset")
    }

    /// Resolving a symlinked PATH keeps the names that tell its layout and dataset: a torchvision
    /// `FashionMNIST/raw` that is a link to a folder of MNIST files still fails (WRONG DATASET), a
    /// keras `datasets` that is a link is still a keras cache, a folder link named `fashion` is
    /// still checked as Fashion-MNIST.
    @Test(.realData) func aSymlinkedPathKeepsTheNamesThatTellItsLayout() throws {
        let base = try TemporaryDirectory("verify-linked-names")
        let root = base.path("data").path
        let files = base.path("mnist-files")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        for name in RealData.names.map({ String($0.dropLast(3)) }) {
            try ExportEndToEndTests.upstreamPayload(RealData.mnist, name).write(to: files.appendingPathComponent(name))
        }
        try FileManager.default.createDirectory(at: base.path("tv/FashionMNIST"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: base.path("tv/FashionMNIST/raw"), withDestinationURL: files)
        let raw = try FMNISTProcess.run(["verify", base.path("tv/FashionMNIST/raw").path, "--root", root, "--json"])
        #expect(raw.status == 3, "\(raw.stderr)")
        let folder = ((try raw.json())["folders"] as? [[String: Any]])?.first
        #expect(folder?["path"] as? String == base.path("tv/FashionMNIST/raw").path)
        #expect((folder?["verdict"] as? String)?.contains("WRONG DATASET") == true)

        let mine = base.path("my-datasets")
        try FileManager.default.createDirectory(at: mine.appendingPathComponent("fashion-mnist"), withIntermediateDirectories: true)
        for name in RealData.names {
            try FileManager.default.copyItem(at: RealData.fashion.appendingPathComponent(name), to: mine.appendingPathComponent("fashion-mnist/" + name))
        }
        try FileManager.default.createDirectory(at: base.path("keras"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: base.path("keras/datasets"), withDestinationURL: mine)
        let keras = try FMNISTProcess.run(["verify", base.path("keras/datasets").path, "--root", root, "--json"])
        #expect(keras.status == 0, "\(keras.stderr)")
        #expect((try keras.json())["loader"] as? String == "keras")

        try FileManager.default.createDirectory(at: base.path("named"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: base.path("named/fashion"), withDestinationURL: RealData.mnist)
        let named = try FMNISTProcess.run(["verify", base.path("named/fashion").path, "--root", root])
        #expect(named.status == 3 && named.stderr.contains("this is MNIST's"), "\(named.stderr)")
    }

    /// A PATH that holds no MNIST-format data in any layout says so (exit 4), naming the layouts it
    /// looks for, instead of "Fashion-MNIST is not present".
    @Test func aFolderHoldingNoMNISTFormatDataSaysSo() throws {
        let base = try TemporaryDirectory("verify-no-data")
        let root = base.path("data")
        let empty = base.path("fashion")
        let unrelated = base.path("stuff")
        for folder in [empty, unrelated] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        try Data("notes".utf8).write(to: unrelated.appendingPathComponent("notes.txt"))
        try Data("weights".utf8).write(to: unrelated.appendingPathComponent("model.pt"))
        for folder in [empty.path, unrelated.path, "/etc"] {
            let result = try FMNISTProcess.run(["verify", folder, "--root", root.path])
            #expect(result.status == 4, "\(folder): \(result.stderr)")
            #expect(result.stderr.contains("\(folder): no MNIST-format data found here"), "\(result.stderr)")
            for layout in ["torchvision root", "keras cache", "TFDS manual dir", "Kaggle-format CSV", "uncompressed IDX"] {
                #expect(result.stderr.contains(layout), "\(layout) not named: \(result.stderr)")
            }
            #expect(!result.stderr.contains("not present"))
            let json = try FMNISTProcess.run(["verify", folder, "--root", root.path, "--json"])
            #expect(json.status == 4)
            #expect((try json.json())["exit_code"] as? Int == 4)
        }
        // With --as the folder must hold that dataset: its four files are named as missing.
        let expected = try FMNISTProcess.run(["verify", empty.path, "--as", "fashion", "--root", root.path])
        #expect(expected.status == 4 && expected.stderr.contains("MISS"), "\(expected.stderr)")
        // One file of a dataset: the others are named as missing, as before.
        try Data("x".utf8).write(to: unrelated.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        let partial = try FMNISTProcess.run(["verify", unrelated.path, "--root", root.path])
        #expect(partial.status == 3 || partial.status == 4)
        #expect(partial.stderr.contains("MISS") && !partial.stderr.contains("no MNIST-format data found"), "\(partial.stderr)")
    }

    @Test func usageErrorsExitWithTwo() throws {
        let unknown = try FMNISTProcess.run(["verify", "cifar10"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("cifar10"))
        let badFlag = try FMNISTProcess.run(["verify", "--no-such-flag"])
        #expect(badFlag.status == 2)
    }

    @Test func malformedManifestDirectoryIsAUsageError() throws {
        let directory = try TemporaryDirectory("bad-manifest")
        try Data(#"{"schema": 1, "name": "x"}"#.utf8).write(to: directory.path("x.json"))
        let result = try FMNISTProcess.run(["verify", "all", "--manifests", directory.url.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("x.json"))
        #expect(result.stderr.contains("is missing"))
    }
}

/// `fmnist verify` with no argument checks what the workspace holds: one fetched dataset that
/// verifies (after `--repair` fixed it, too) exits 0 and the other is named as not fetched;
/// `verify all` still counts a dataset that is not here as missing (exit 4).
@Suite struct VerifyWhatIsHereTests {
    @Test(.realData) func oneDatasetHereVerifiesWithoutAnArgumentAndAllStillSaysMissing() throws {
        let base = try TemporaryDirectory("verify-one")
        let root = base.path("data").path
        // Nothing here at all: still "missing" (exit 4), with the fetch hint.
        let empty = try FMNISTProcess.run(["verify", "--root", root])
        #expect(empty.status == 4, "\(empty.stderr)")
        #expect(empty.stderr.contains("fmnist fetch"), "\(empty.stderr)")
        #expect(try FMNISTProcess.run(["import", RealData.fashion.path, "--as", "fashion", "--root", root]).status == 0)
        let plain = try FMNISTProcess.run(["verify", "--root", root, "--json"])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stderr.contains("mnist: not fetched, not checked"), "\(plain.stderr)")
        let json = try plain.json()
        #expect(json["not_fetched"] as? [String] == ["mnist"])
        #expect((json["datasets"] as? [[String: Any]])?.map { $0["dataset"] as? String } == ["fashion"])
        // `all` names both: the one not here is missing.
        let all = try FMNISTProcess.run(["verify", "all", "--root", root, "--json"])
        #expect(all.status == 4, "\(all.stderr)")
        #expect(try all.json()["not_fetched"] as? [String] == [])
        // Damage the live copy: verify fails (3), --repair restores it and the same command exits 0.
        let live = URL(fileURLWithPath: root).appendingPathComponent("fashion").resolvingSymlinksInPath()
        let file = live.appendingPathComponent(DatasetFiles.testLabels)
        chmod(live.path, 0o755)
        chmod(file.path, 0o644)
        let handle = try FileHandle(forWritingTo: file)
        try handle.seek(toOffset: 100)
        handle.write(Data(repeating: 0xFF, count: 16))
        try handle.close()
        #expect(try FMNISTProcess.run(["verify", "--root", root]).status == 3)
        let repaired = try FMNISTProcess.run(["verify", "--repair", "--root", root])
        #expect(repaired.status == 0, "\(repaired.stderr)")
        #expect(repaired.stderr.contains("restored"), "\(repaired.stderr)")
        #expect(try FMNISTProcess.run(["verify", "--root", root]).status == 0)
        // A dataset the catalog says is live but whose link is gone is missing (exit 4), not "not fetched".
        #expect(unlink(URL(fileURLWithPath: root).appendingPathComponent("fashion").path) == 0)
        let gone = try FMNISTProcess.run(["verify", "--root", root, "--json"])
        #expect(gone.status == 4, "\(gone.stderr)")
        #expect(try gone.json()["not_fetched"] as? [String] == ["mnist"])
    }
}
