import Foundation
import Testing

/// `fmnist diff`, `lock` / `fetch --locked` / `verify --locked`, `remove`, `gc`, and the
/// smoke-train verdict in `versions` and `status`, end to end on the release binary.
@Suite struct LifecycleEndToEndTests {
    // MARK: - diff

    /// The 2017-08-26 labels on today's images: every image matches (by content), and the label
    /// changes are exactly the positions where the two label files differ (counted by Python).
    @Test(.realDataWithOldLabels) func diffOfTheOldLabelsMatchesEveryImageAndCountsTheLabelChanges() throws {
        let base = try TemporaryDirectory("lc-diff")
        let root = base.path("data")
        let unknown = try Lifecycle.workspaceWithOldLabels(base, root: root)
        let start = Date()
        let result = try Lifecycle.run(["diff", "fashion@915659908dce", "fashion@\(unknown.prefix(12))", "--root", root.path, "--json"])
        let seconds = Date().timeIntervalSince(start)
        let json = try result.json()
        let splits = try #require(json["splits"] as? [String: [String: Any]])
        for (split, count, labels) in [("train", 60000, DatasetFiles.trainLabels), ("test", 10000, DatasetFiles.testLabels)] {
            let diff = try #require(splits[split])
            #expect(diff["matched"] as? Int == count)
            #expect(diff["only_in_a"] as? Int == 0)
            #expect(diff["only_in_b"] as? Int == 0)
            let now = try Lifecycle.labels(RealData.fashion.appendingPathComponent(labels))
            let old = try Lifecycle.labels(RealData.oldFashionLabels.appendingPathComponent(labels))
            let changed = zip(now, old).filter { $0 != $1 }.count
            #expect(changed > 0)
            #expect(diff["label_changes"] as? Int == changed)
            let sample = try #require(diff["changed_sample"] as? [[String: Any]])
            let first = try #require(sample.first)
            let index = try #require(first["index_a"] as? Int)
            #expect(first["label_a"] as? Int == Int(now[index]) && first["label_b"] as? Int == Int(old[index]))
            #expect(first["class_a"] is String && first["class_b"] is String)
        }
        let roles = try #require(json["roles"] as? [[String: Any]])
        #expect(roles.map { $0["verdict"] as? String } == ["identical", "different", "identical", "different"])
        #expect(json["same_data"] as? Bool == false)
        print(String(format: "diff 2017-08-31 vs the 2017-08-26-labels version: %.2f s", seconds))
    }

    /// Fashion-MNIST against MNIST (a version spec against a folder spec): not one image in common.
    @Test(.realData) func diffOfFashionAgainstMNISTMatchesNoImage() throws {
        let base = try TemporaryDirectory("lc-diff-fm")
        let root = base.path("data")
        try Lifecycle.run(["import", RealData.fashion.path, "--as", "fashion", "--root", root.path])
        let start = Date()
        let result = try Lifecycle.run(["diff", "fashion", RealData.mnist.path, "--root", root.path, "--json"])
        let seconds = Date().timeIntervalSince(start)
        let json = try result.json()
        let splits = try #require(json["splits"] as? [String: [String: Any]])
        #expect(splits["train"]?["matched"] as? Int == 0 && splits["train"]?["only_in_a"] as? Int == 60000)
        #expect(splits["test"]?["matched"] as? Int == 0 && splits["test"]?["only_in_b"] as? Int == 10000)
        #expect((json["roles"] as? [[String: Any]])?.allSatisfy { $0["verdict"] as? String == "different" } == true)
        #expect((json["b"] as? [String: Any])?["dataset"] as? String == "mnist")
        print(String(format: "diff Fashion-MNIST vs MNIST: %.2f s", seconds))
    }

    /// Synthetic folders: duplicates inside a split, test images also in train, a moved image
    /// (matched by content, not position) and a relabelled one are all found.
    @Test func diffFindsDuplicatesLeaksMovesAndRelabels() throws {
        let base = try TemporaryDirectory("lc-diff-synth")
        // A: train images 0..7 (image 3 repeated at 7), test = [train 2, new 100, new 101];
        // B: A's train reversed with image 5's label changed; test as A.
        let script = """
        import gzip, struct, sys, os
        def images(ids): return struct.pack('>IIII', 0x803, len(ids), 28, 28) + b''.join(bytes([i % 256]) * 784 for i in ids)
        def labels(ls): return struct.pack('>II', 0x801, len(ls)) + bytes(ls)
        def write(folder, train, trainLabels, test, testLabels):
            os.makedirs(folder, exist_ok=True)
            for name, data in [('train-images-idx3-ubyte.gz', images(train)), ('train-labels-idx1-ubyte.gz', labels(trainLabels)),
                               ('t10k-images-idx3-ubyte.gz', images(test)), ('t10k-labels-idx1-ubyte.gz', labels(testLabels))]:
                with gzip.open(os.path.join(folder, name), 'wb') as f: f.write(data)
        trainA = [0, 1, 2, 3, 4, 5, 6, 3]; labelsA = [i % 10 for i in range(8)]
        write(sys.argv[1], trainA, labelsA, [2, 100, 101], [1, 2, 3])
        trainB = list(reversed(trainA)); labelsB = list(reversed(labelsA)); labelsB[2] = (labelsB[2] + 1) % 10
        write(sys.argv[2], trainB, labelsB, [2, 100, 102], [1, 2, 3])
        """
        let made = try DropIn.python(script, [base.path("a").path, base.path("b").path])
        #expect(made.status == 0, "\(made.stderr)")
        let result = try Lifecycle.run(["diff", base.path("a").path, base.path("b").path, "--root", base.path("data").path, "--json"])
        let json = try result.json()
        let train = try #require((json["splits"] as? [String: [String: Any]])?["train"])
        #expect(train["matched"] as? Int == 8 && train["only_in_a"] as? Int == 0)
        #expect(train["label_changes"] as? Int == 1)
        let change = try #require((train["changed_sample"] as? [[String: Any]])?.first)
        #expect(change["index_a"] as? Int == 5 && change["index_b"] as? Int == 2)
        #expect((train["duplicates_in_a"] as? [String: Any])?["duplicates"] as? Int == 1)
        let test = try #require((json["splits"] as? [String: [String: Any]])?["test"])
        #expect(test["matched"] as? Int == 2 && test["only_in_a"] as? Int == 1 && test["only_in_b"] as? Int == 1)
        #expect((json["a"] as? [String: Any])?["test_images_in_train"] as? Int == 1)
    }

    // MARK: - lock

    /// A lock written in one workspace (an unknown version live for Fashion-MNIST, MNIST fetched
    /// from a file:// mirror) reproduces both versions in a fresh workspace: the unknown one with no
    /// --accept-unknown, MNIST from the lock's own mirror. verify --locked passes, then catches a
    /// switch to another version; a mirror serving other labels is refused with exit 3 naming the files.
    @Test(.realDataWithOldLabels) func lockReproducesTheVersionsInAFreshWorkspaceAndCatchesDrift() throws {
        let base = try TemporaryDirectory("lc-lock")
        let root = base.path("data")
        let unknown = try Lifecycle.workspaceWithOldLabels(base, root: root)
        try Lifecycle.run(["switch", "fashion@\(unknown.prefix(12))", "--root", root.path])
        try Lifecycle.run(["fetch", "mnist", "--mirror", "file://\(RealData.mnist.path)/", "--root", root.path])
        let lockFile = base.path("project/fmnist.lock")
        try FileManager.default.createDirectory(at: lockFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Lifecycle.run(["lock", "--root", root.path], currentDirectory: lockFile.deletingLastPathComponent())
        let text = try String(contentsOf: lockFile, encoding: .utf8)
        #expect(text.contains(unknown) && text.contains("\"mirrors\" : [\n        \"file://\(RealData.mnist.path)/\""))
        try Lifecycle.run(["verify", "--locked", "--file", lockFile.path, "--root", root.path])

        // A fresh workspace, offline: Fashion-MNIST from a folder of the pinned files.
        let fresh = base.path("fresh/data")
        let mirrorBase = try TemporaryDirectory("lc-lock-mirror")
        let oldFolder = try Lifecycle.oldLabelsFolder(in: mirrorBase)
        try Lifecycle.run(["fetch", "--locked", "--file", lockFile.path, "--mirror", "fashion=file://\(oldFolder.path)/", "--root", fresh.path])
        let verified = try Lifecycle.run(["verify", "--locked", "--file", lockFile.path, "--root", fresh.path, "--json"])
        #expect(try verified.json()["ok"] as? Bool == true)
        try Lifecycle.run(["import", RealData.fashion.path, "--as", "fashion", "--root", fresh.path])
        try Lifecycle.run(["switch", "fashion@2017-08-31", "--root", fresh.path])
        let drift = try Lifecycle.run(["verify", "--locked", "--file", lockFile.path, "--root", fresh.path], expect: 3)
        #expect(drift.stderr.contains("fashion is 2017-08-31 (915659908dce), the lock pins UNKNOWN (\(unknown.prefix(12)))"))

        // A mirror that serves the 2017-08-31 labels: refused, naming the two label files.
        let other = base.path("other/data")
        let refused = try Lifecycle.run(
            ["fetch", "--locked", "--file", lockFile.path, "--mirror", "fashion=file://\(RealData.fashion.path)/", "--root", other.path],
            expect: 3)
        #expect(refused.stderr.contains(DatasetFiles.trainLabels) && refused.stderr.contains(DatasetFiles.testLabels))
        #expect(!FileManager.default.fileExists(atPath: other.appendingPathComponent("fashion").path))
    }

    /// Messages about an unknown version say how it really got here: `--accept-unknown` where the
    /// user passed it, the lock where `fetch --locked` admitted it (no flag), in the fetch notes,
    /// `versions`, `status` and `switch`, and in `--json` (`admitted`). Synthetic data: no
    /// FMNIST_DATA_DIR needed.
    @Test func anUnknownVersionSaysWhetherTheFlagOrTheLockAdmittedIt() throws {
        let base = try TemporaryDirectory("lc-admitted")
        let folder = base.path("synthetic")
        try SyntheticFiles.writeValidFolder(folder)
        let first = base.path("first/data")
        try Lifecycle.run(["import", folder.path, "--as", "fashion", "--accept-unknown", "--root", first.path])
        let accepted = try Lifecycle.run(["versions", "fashion", "--root", first.path])
        #expect(accepted.stderr.contains("UNKNOWN: matches no manifest (accepted as unknown on request)"), "\(accepted.stderr)")
        let acceptedJSON = try Lifecycle.run(["versions", "fashion", "--root", first.path, "--json"])
        #expect(acceptedJSON.stdout.contains("\"admitted\" : \"accept_unknown\""), "\(acceptedJSON.stdout)")
        let project = base.path("project")
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        try Lifecycle.run(["lock", "--root", first.path], currentDirectory: project)

        // A fresh workspace gets it from the lock alone: nobody passes --accept-unknown there.
        let second = base.path("second/data")
        let lockFile = project.appendingPathComponent("fmnist.lock").path
        let fetched = try Lifecycle.run(
            ["fetch", "--locked", "--file", lockFile, "--mirror", "fashion=file://\(folder.path)/", "--root", second.path])
        #expect(!fetched.stderr.contains("--accept-unknown"), "\(fetched.stderr)")
        #expect(fetched.stderr.contains("kept because the lock pins it"), "\(fetched.stderr)")
        #expect(fetched.stderr.contains("pinned by the lock file"), "\(fetched.stderr)")
        for command in [["versions", "fashion"], ["status"], ["switch", "fashion"]] {
            let shown = try Lifecycle.run(command + ["--root", second.path])
            #expect(!shown.stderr.contains("--accept-unknown"), "\(command): \(shown.stderr)")
            #expect(shown.stderr.contains("matches no manifest (pinned by a lock file, which admitted it)"), "\(command): \(shown.stderr)")
        }
        let versions = try Lifecycle.run(["versions", "fashion", "--root", second.path, "--json"])
        #expect(versions.stdout.contains("\"admitted\" : \"lock\""), "\(versions.stdout)")
        // Fetching it again with the lock: the files' notes say the lock, not the flag.
        let again = try Lifecycle.run(
            ["fetch", "--locked", "--file", lockFile, "--mirror", "fashion=file://\(folder.path)/", "--root", second.path])
        #expect(!again.stderr.contains("--accept-unknown"), "\(again.stderr)")
        // And verify of the workspace does not claim a flag nobody passed.
        let verify = try Lifecycle.run(["verify", "fashion", "--root", second.path, "--json"])
        #expect(!verify.stdout.contains("--accept-unknown") && verify.stdout.contains("pinned by the lock file"), "\(verify.stdout)")
    }

    /// An unknown version fetched from a mirror (with --accept-unknown) is pinned with that mirror,
    /// and a fresh workspace gets it from the lock alone: no --mirror, no --accept-unknown.
    @Test(.realDataWithOldLabels) func anUnknownVersionComesBackFromTheLocksOwnMirror() throws {
        let base = try TemporaryDirectory("lc-lock-mirror-only")
        let mirror = try Lifecycle.oldLabelsFolder(in: base)
        let root = base.path("data")
        try Lifecycle.run(["fetch", "fashion", "--accept-unknown", "--mirror", "file://\(mirror.path)/", "--root", root.path])
        let lockFile = base.path("fmnist.lock")
        try Lifecycle.run(["lock", "--file", lockFile.path, "--root", root.path])
        let lock = try JSONSerialization.jsonObject(with: Data(contentsOf: lockFile)) as? [String: Any]
        let pinned = try #require((lock?["datasets"] as? [[String: Any]])?.first)
        #expect(pinned["known"] as? Bool == false && pinned["mirrors"] as? [String] == ["file://\(mirror.path)/"])
        let fresh = base.path("fresh/data")
        let fetched = try Lifecycle.run(["fetch", "--locked", "--file", lockFile.path, "--root", fresh.path])
        #expect(fetched.stderr.contains("kept because the lock pins it"))
        try Lifecycle.run(["verify", "--locked", "--file", lockFile.path, "--root", fresh.path])
    }

    /// A malformed lock file is exit 2 naming the field; a missing one exit 4.
    @Test func malformedLockFilesNameTheField() throws {
        let base = try TemporaryDirectory("lc-lock-bad")
        let root = base.path("data").path
        let cases: [(String, String)] = [
            ("{\"format\":\"fmnist.lock\",\"lock_version\":1,\"datasets\":[{\"dataset\":\"fashion\"}]}", "datasets[0].version_id"),
            ("{\"format\":\"fmnist.lock\",\"lock_version\":2,\"datasets\":[]}", "lock_version"),
            ("{\"format\":\"fmnist.lock\",\"lock_version\":1,\"datasets\":[{\"dataset\":\"cifar\",\"version_id\":\"x\",\"name\":\"n\",\"known\":true,\"files\":[],\"mirrors\":[]}]}", "datasets[0].dataset"),
            ("not json", "is not valid JSON"),
        ]
        for (index, (text, field)) in cases.enumerated() {
            let file = base.path("lock\(index)")
            try text.write(to: file, atomically: true, encoding: .utf8)
            for command in [["verify", "--locked"], ["fetch", "--locked"]] {
                let result = try Lifecycle.run(command + ["--file", file.path, "--root", root, "--json"], expect: 2)
                #expect(result.stderr.contains(field), "\(command) \(text): \(result.stderr)")
                #expect(try result.json()["exit_code"] as? Int == 2)
            }
        }
        let missing = try Lifecycle.run(["verify", "--locked", "--file", base.path("none").path, "--root", root], expect: 4)
        #expect(missing.stderr.contains("no such lock file"))
    }

    /// A digest changed in a real lock is caught by its version id (the lock does not add up).
    @Test(.realData) func aTamperedLockIsRefusedAndTheLockIsNeverWrittenThroughASymlink() throws {
        let base = try TemporaryDirectory("lc-lock-tamper")
        let root = base.path("data")
        try Lifecycle.run(["import", RealData.fashion.path, "--as", "fashion", "--root", root.path])
        let file = base.path("fmnist.lock")
        try Lifecycle.run(["lock", "--file", file.path, "--root", root.path])
        var text = try String(contentsOf: file, encoding: .utf8)
        let digest = "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"  // train-images payload
        #expect(text.contains(digest))
        text = text.replacingOccurrences(of: digest, with: String(repeating: "0", count: 64))
        try text.write(to: file, atomically: true, encoding: .utf8)
        let refused = try Lifecycle.run(["verify", "--locked", "--file", file.path, "--root", root.path], expect: 2)
        #expect(refused.stderr.contains("datasets[0].version_id: does not match its files' payload digests"))

        let target = base.path("elsewhere.txt")
        try "mine".write(to: target, atomically: true, encoding: .utf8)
        let link = base.path("linked.lock")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        try Lifecycle.run(["lock", "--file", link.path, "--root", root.path], expect: 7)
        #expect(try String(contentsOf: target, encoding: .utf8) == "mine")
    }

    // MARK: - remove and gc

    /// remove + gc of an unknown version frees exactly its own store files (the two old label
    /// containers), the live version still verifies, and the live one is refused without --force.
    @Test(.realDataWithOldLabels) func removeAndGCFreeAnUnknownVersionsBytesAndTheLiveOneStillVerifies() throws {
        let base = try TemporaryDirectory("lc-remove")
        let root = base.path("data")
        let unknown = try Lifecycle.workspaceWithOldLabels(base, root: root)
        let refused = try Lifecycle.run(["remove", "fashion@915659908dce", "--root", root.path], expect: 2)
        #expect(refused.stderr.contains("live version") && refused.stderr.contains("--force"))
        let before = Lifecycle.storeFiles(root)
        #expect(before.count == 6)
        let removed = try Lifecycle.run(["remove", "fashion@\(unknown.prefix(12))", "--root", root.path, "--json"])
        let oldBytes = [DatasetFiles.trainLabels, DatasetFiles.testLabels].reduce(Int64(0)) {
            $0 + fileSize(RealData.oldFashionLabels.appendingPathComponent($1))
        }
        #expect(try removed.json()["reclaimable_bytes"] as? Int == Int(oldBytes))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent(".fmnist/versions/fashion/\(unknown)").path))
        let dry = try Lifecycle.run(["gc", "--dry-run", "--root", root.path, "--json"])
        #expect(try dry.json()["freed_bytes"] as? Int == Int(oldBytes))
        #expect(Lifecycle.storeFiles(root) == before)
        let gc = try Lifecycle.run(["gc", "--root", root.path, "--json"])
        #expect(try gc.json()["freed_bytes"] as? Int == Int(oldBytes))
        #expect(gc.stderr.contains("freed \(oldBytes) bytes"))
        #expect(Lifecycle.storeFiles(root).count == 4)
        try Lifecycle.run(["verify", "fashion", "--root", root.path])
        try Lifecycle.run(["switch", "fashion", "--deep", "--root", root.path])
        let versions = try FMNISTProcess.run(["versions", "--root", root.path, "--json"])
        let list = try JSONSerialization.jsonObject(with: Data(versions.stdout.utf8)) as? [[String: Any]]
        #expect(list?.count == 1)
        // A second gc finds nothing.
        #expect(try Lifecycle.run(["gc", "--root", root.path, "--json"]).json()["freed_bytes"] as? Int == 0)
    }

    /// remove --force of the live version leaves the dataset without one: data/fashion and
    /// data/current (which pointed there) are removed, status says absent, and gc frees its files.
    @Test(.realData) func forcedRemovalOfTheLiveVersionLeavesNoLiveVersion() throws {
        let base = try TemporaryDirectory("lc-remove-force")
        let root = base.path("data")
        try Lifecycle.run(["import", RealData.fashion.path, "--as", "fashion", "--root", root.path])
        try Lifecycle.run(["switch", "fashion", "--root", root.path])
        let removed = try Lifecycle.run(["remove", "fashion@2017-08-31", "--force", "--root", root.path, "--json"])
        let json = try removed.json()
        #expect(json["was_live"] as? Bool == true)
        #expect(Set(json["links_removed"] as? [String] ?? []) == [root.appendingPathComponent("current").path, root.appendingPathComponent("fashion").path])
        #expect(removed.stderr.contains("now has no live version"))
        for name in ["current", "fashion"] {
            var info = stat()
            #expect(lstat(root.appendingPathComponent(name).path, &info) != 0, "\(name) still there")
        }
        let status = try Lifecycle.run(["status", "--root", root.path, "--json"])
        let fashion = (try status.json()["datasets"] as? [[String: Any]])?.first { $0["dataset"] as? String == "fashion" }
        #expect(fashion?["present"] as? Bool == false && fashion?["version"] == nil)
        try Lifecycle.run(["gc", "--root", root.path])
        #expect(Lifecycle.storeFiles(root).isEmpty)
        try Lifecycle.run(["verify", "fashion", "--root", root.path], expect: 4)
    }

    /// remove --force names every registered link it leaves dangling, in every layout (the seed
    /// link itself, keras's datasets/fashion-mnist, torchvision's <Class>/raw), in the human output
    /// and in --json, with the registered PATH that `switch --unlink` takes.
    @Test(.realData) func forcedRemovalNamesEveryRegisteredLinkItLeavesDangling() throws {
        let base = try TemporaryDirectory("lc-remove-links")
        let root = base.path("data")
        try Lifecycle.run(["import", RealData.fashion.path, "--as", "fashion", "--root", root.path])
        try Lifecycle.run(["import", RealData.mnist.path, "--as", "mnist", "--root", root.path])
        let seed = base.path("seed-link").path
        let keras = base.path("keras-home").path
        let vision = base.path("vision").path
        let other = base.path("mnist-link").path
        try Lifecycle.run(["switch", "mnist", "--link", other, "--root", root.path])
        try Lifecycle.run(["switch", "fashion", "--link", seed, "--root", root.path])
        try Lifecycle.run(["switch", "fashion", "--link", keras, "--layout", "keras", "--root", root.path])
        try Lifecycle.run(["switch", "fashion", "--link", vision, "--layout", "torchvision", "--root", root.path])
        // Registered links follow every switch: the one made while MNIST was active shows Fashion-MNIST now too.
        let removed = try Lifecycle.run(["remove", "fashion@2017-08-31", "--force", "--root", root.path, "--json"])
        let json = try removed.json()
        let dangling = Set(json["dangling_links"] as? [String] ?? [])
        let expected: Set<String> = [
            seed, other, keras + "/datasets/fashion-mnist", vision + "/FashionMNIST/raw", vision + "/MNIST/raw",
        ]
        #expect(dangling == expected, "\(dangling)")
        #expect(Set(json["dangling_registered_links"] as? [String] ?? []) == [seed, other, keras, vision])
        for path in expected {
            #expect(removed.stderr.contains("warning: the registered link \(path) now dangles"), "\(path) not named:\n\(removed.stderr)")
            var info = stat()
            #expect(lstat(path, &info) == 0 && stat(path, &info) != 0, "\(path) should be a dangling symlink")
        }
        #expect(removed.stderr.contains("fmnist switch --unlink \(vision)"))
    }

    /// `remove` and `gc` as a user other than root (as `nobody` when the tests run as root): a
    /// version's read-only (0555) folders, its `.gz` copies and its uncompressed payloads (made by
    /// `export torchvision`), are moved aside and deleted, which a user can do only after fmnist
    /// makes them writable again; gc then frees the store and an orphaned payload folder.
    @Test(.realData) func removeAndGCWorkForAUserOtherThanRootAndTakeTheKeptPayloads() throws {
        let base = try TemporaryDirectory("lc-remove-user")
        let asRoot = geteuid() == 0
        let binary = base.path("fmnist")
        try FileManager.default.copyItem(at: FMNISTProcess.executable, to: binary)
        try RealData.writableCopy(of: RealData.fashion, to: base.path("source"))
        func command(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.currentDirectoryURL = base.url
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, stderr)
        }
        if asRoot {
            _ = chmod(base.url.path, 0o755)
            #expect(try command("/bin/chown", ["-R", "nobody", base.url.path]).status == 0)
        }
        func fmnist(_ arguments: [String], expect status: Int32 = 0) throws {
            let result = asRoot
                ? try command("/usr/sbin/runuser", ["-u", "nobody", "--", binary.path] + arguments + ["--root", "ws"])
                : try command(binary.path, arguments + ["--root", "ws"])
            #expect(result.status == status, "fmnist \(arguments.joined(separator: " ")): \(result.stderr)")
        }
        try fmnist(["import", "source", "--as", "fashion"])
        try fmnist(["export", "torchvision", "out"])
        let root = base.path("ws")
        let id = try #require(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(".fmnist/versions/fashion").path).first)
        let folders = [".fmnist/versions/fashion/\(id)", ".fmnist/payload/fashion/\(id)"].map { root.appendingPathComponent($0) }
        #expect(folders.allSatisfy { FileManager.default.fileExists(atPath: $0.path) })
        try fmnist(["remove", "fashion@\(id.prefix(12))", "--force"])
        for folder in folders { #expect(!FileManager.default.fileExists(atPath: folder.path), "\(folder.path) is still there") }
        // An orphaned payload folder (a version the catalog no longer knows): gc frees it.
        try fmnist(["import", "source", "--as", "fashion"])
        try fmnist(["export", "torchvision", "out2"])
        let orphan = root.appendingPathComponent(".fmnist/payload/fashion/\(String(repeating: "c", count: 64))")
        try FileManager.default.createDirectory(at: orphan, withIntermediateDirectories: false)
        try Data("x".utf8).write(to: orphan.appendingPathComponent("train-images-idx3-ubyte"))
        if asRoot { #expect(try command("/bin/chown", ["-R", "nobody", orphan.path]).status == 0) }
        _ = chmod(orphan.path, 0o555)
        try fmnist(["gc"])
        #expect(!FileManager.default.fileExists(atPath: orphan.path))
        #expect(FileManager.default.fileExists(atPath: folders[1].path), "gc took the payloads of a recorded version")
        try fmnist(["verify", "fashion"])
    }

    /// With the catalog deleted, gc first records the verified versions again and frees none of
    /// their files: every store file and version directory stays, and the data still verifies.
    @Test(.realData) func gcWithALostCatalogKeepsEveryVerifiedVersion() throws {
        let base = try TemporaryDirectory("lc-gc-lost")
        let root = base.path("data")
        try Lifecycle.run(["import", RealData.mnist.path, "--as", "mnist", "--root", root.path])
        let store = Lifecycle.storeFiles(root)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: root.appendingPathComponent(".fmnist/catalog.sqlite3\(suffix)").path) }
        let gc = try Lifecycle.run(["gc", "--root", root.path, "--json"])
        let json = try gc.json()
        #expect(json["freed_bytes"] as? Int == 0)
        #expect((json["recovered"] as? [[String: Any]])?.count == 1)
        #expect(Lifecycle.storeFiles(root) == store && store.count == 4)
        try Lifecycle.run(["verify", "mnist", "--root", root.path])
        try Lifecycle.run(["switch", "mnist", "--root", root.path])
    }

    /// Symlinks planted inside .fmnist/store, .fmnist/versions, .fmnist/partial and .fmnist/tmp,
    /// pointing outside, are removed as links: their targets are untouched. A .fmnist/store that is
    /// itself a foreign symlink is refused (exit 7) and nothing behind it is touched.
    @Test func gcRemovesPlantedSymlinksAsLinksOnlyAndRefusesAForeignStore() throws {
        let base = try TemporaryDirectory("lc-gc-links")
        let root = base.path("data")
        let outside = base.path("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let precious = outside.appendingPathComponent(String(repeating: "a", count: 64))
        try "precious".write(to: precious, atomically: true, encoding: .utf8)
        let fm = FileManager.default
        for folder in [".fmnist/store/sha256", ".fmnist/versions/fashion", ".fmnist/partial/fashion", ".fmnist/tmp"] {
            try fm.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let links = [
            ".fmnist/store/sha256/\(String(repeating: "a", count: 64))": precious,
            ".fmnist/versions/fashion/\(String(repeating: "b", count: 64))": outside,
            ".fmnist/versions/mnist": outside,
            ".fmnist/partial/fashion/train-images-idx3-ubyte.gz.part": precious,
            ".fmnist/tmp/planted": outside,
        ]
        for (path, target) in links { try fm.createSymbolicLink(at: root.appendingPathComponent(path), withDestinationURL: target) }
        let gc = try Lifecycle.run(["gc", "--root", root.path, "--json"])
        let items = try gc.json()["items"] as? [[String: Any]] ?? []
        #expect(items.filter { $0["kind"] as? String == "foreign_symlink" }.count == links.count, "\(items)")
        for path in links.keys {
            var info = stat()
            #expect(lstat(root.appendingPathComponent(path).path, &info) != 0, "\(path) still there")
        }
        #expect(try String(contentsOf: precious, encoding: .utf8) == "precious")
        #expect(try fm.contentsOfDirectory(atPath: outside.path) == [precious.lastPathComponent])

        // .fmnist/store as a symlink to the outside folder: refused, nothing deleted there.
        let store = root.appendingPathComponent(".fmnist/store")
        try fm.removeItem(at: store)
        try fm.createSymbolicLink(at: store, withDestinationURL: outside)
        let refused = try Lifecycle.run(["gc", "--root", root.path], expect: 7)
        #expect(refused.stderr.contains(store.path))
        #expect(try String(contentsOf: precious, encoding: .utf8) == "precious")
    }

    // MARK: - smoke-train verdicts

    /// versions and status show the last smoke-train of each version (verdict and accuracy).
    @Test(.realData) func versionsAndStatusShowTheLastSmokeTrain() throws {
        let base = try TemporaryDirectory("lc-smoke")
        let root = base.path("data")
        try Lifecycle.run(["import", RealData.mnist.path, "--as", "mnist", "--root", root.path])
        let before = try FMNISTProcess.run(["versions", "--root", root.path])
        #expect(before.stderr.contains("never smoke-trained"))
        let train = try FMNISTProcess.run(["smoke-train", "mnist", "--epochs", "1", "--limit", "3000", "--threads", "1", "--root", root.path, "--json"])
        #expect([0, 6].contains(train.status), "\(train.stderr)")
        let accuracy = try #require((try train.json()["report"] as? [String: Any])?["test_accuracy"] as? Double)
        let versions = try Lifecycle.run(["versions", "--root", root.path, "--json"])
        let listing = try #require((try JSONSerialization.jsonObject(with: Data(versions.stdout.utf8)) as? [[String: Any]])?.first)
        let stamp = try #require(listing["last_smoke_train"] as? [String: Any])
        #expect(stamp["accuracy"] as? Double == accuracy)
        #expect(stamp["passed"] as? Bool == (train.status == 0))
        #expect(versions.stderr.contains(String(format: "%.1f%%", accuracy * 100)))
        let status = try Lifecycle.run(["status", "--root", root.path, "--json"])
        let mnist = (try status.json()["datasets"] as? [[String: Any]])?.first { $0["dataset"] as? String == "mnist" }
        #expect((mnist?["last_smoke_train"] as? [String: Any])?["accuracy"] as? Double == accuracy)
        #expect(status.stderr.contains("smoke-train \(train.status == 0 ? "pass" : "FAIL")"))
    }
}
