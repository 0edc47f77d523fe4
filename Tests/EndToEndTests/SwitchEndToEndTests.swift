import Foundation
import Testing

/// `fmnist switch`, run as a user would: the drop-in proof, links, refusals, concurrency.
@Suite(.serialized) struct SwitchEndToEndTests {
    @Test(.realData) func existingMNISTCodeReadsWhicheverDatasetIsSwitchedIn() throws {
        let (base, root) = try DropIn.workspaceWithBoth("dropin")
        defer { _ = base }
        let current = root.appendingPathComponent("current")

        let toFashion = try FMNISTProcess.run(["switch", "fashion", "--root", root.path])
        #expect(toFashion.status == 0, "\(toFashion.stderr)")
        #expect(toFashion.stderr.contains("0 = T-shirt/top"))
        #expect(toFashion.stderr.contains("9 = Ankle boot"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: current.path) == "fashion")
        let fashion = try DropIn.load(current)
        #expect(fashion.train_shape == [60000, 784])
        #expect(fashion.test_shape == [10000, 784])
        #expect(fashion.train_hist == DropIn.fashionTrain)
        #expect(fashion.test_hist == DropIn.fashionTest)

        let toMNIST = try FMNISTProcess.run(["switch", "mnist", "--root", root.path])
        #expect(toMNIST.status == 0, "\(toMNIST.stderr)")
        #expect(toMNIST.stderr.contains("0 = 0") && toMNIST.stderr.contains("9 = 9"))
        let mnist = try DropIn.load(current)  // the same script, unchanged
        #expect(mnist.train_shape == [60000, 784])
        #expect(mnist.train_hist == DropIn.mnistTrain)
        #expect(mnist.test_hist == DropIn.mnistTest)
    }

    @Test func switchingToADatasetThatIsNotHereNamesTheCommandToRun() throws {
        let base = try TemporaryDirectory("switch-missing")
        let root = base.path("data")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        // An empty folder holds no workspace, and says so (with the commands that make one).
        let noWorkspace = try FMNISTProcess.run(["switch", "mnist", "--root", root.path])
        #expect(noWorkspace.status == 4)
        #expect(noWorkspace.stderr.contains("no workspace at \(root.path)"), "\(noWorkspace.stderr)")
        #expect(noWorkspace.stderr.contains("fmnist fetch"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).isEmpty, "switch created nothing there")
        // A workspace (its .fmnist/ made) without mnist names the command that brings it.
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".fmnist"), withIntermediateDirectories: true)
        let result = try FMNISTProcess.run(["switch", "mnist", "--root", root.path])
        #expect(result.status == 4)
        #expect(result.stderr.contains("mnist is not in this workspace"))
        #expect(result.stderr.contains("run: fmnist fetch mnist"))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("current").path))
        let json = try FMNISTProcess.run(["switch", "mnist", "--root", root.path, "--json"]).json()
        #expect(json["exit_code"] as? Int == 4)
        let unknown = try FMNISTProcess.run(["switch", "cifar", "--root", root.path])
        #expect(unknown.status == 2)
    }

    @Test(.realData) func switchWithoutArgumentPrintsWhatIsActive() throws {
        let (base, root) = try DropIn.workspaceWithBoth("active")
        defer { _ = base }
        let none = try FMNISTProcess.run(["switch", "--root", root.path, "--json"])
        #expect(none.status == 0)
        #expect(try none.json()["dataset"] == nil)
        #expect(try FMNISTProcess.run(["switch", "fashion", "--root", root.path]).status == 0)
        let active = try FMNISTProcess.run(["switch", "--root", root.path, "--json"])
        #expect(active.status == 0)
        let json = try active.json()
        #expect(json["dataset"] as? String == "fashion")
        #expect((json["version"] as? [String: Any])?["name"] as? String == "2017-08-31")
        let classes = try #require(json["classes"] as? [[String: Any]])
        #expect(classes.first?["name"] as? String == "T-shirt/top")
        #expect(active.stderr.contains("active: Fashion-MNIST 2017-08-31"))
    }

    @Test(.realData) func registeredLinksFollowEverySwitch() throws {
        let (base, root) = try DropIn.workspaceWithBoth("links")
        defer { _ = base }
        let extra = base.path("MNIST_data")
        let first = try FMNISTProcess.run(["switch", "fashion", "--link", extra.path, "--root", root.path, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        // Relative: the link and the workspace share a folder (moving it keeps the link working).
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: extra.path) == "data/fashion")
        #expect(try DropIn.load(extra).train_hist == DropIn.fashionTrain)
        // The next switch flips the registered link too, without repeating --link.
        #expect(try FMNISTProcess.run(["switch", "mnist", "--root", root.path]).status == 0)
        #expect(try DropIn.load(extra).train_hist == DropIn.mnistTrain)
        let status = try FMNISTProcess.run(["status", "--root", root.path, "--json"]).json()
        let links = try #require(status["links"] as? [[String: Any]])
        #expect(links.map { $0["dataset"] as? String } == ["mnist", "mnist"])
        let datasets = try #require(status["datasets"] as? [[String: Any]])
        let mnist = try #require(datasets.first { $0["dataset"] as? String == "mnist" })
        #expect(mnist["active"] as? Bool == true)
        #expect((mnist["active_links"] as? [String])?.count == 2)
    }

    @Test(.realData) func aLinkPathThatIsARealFolderIsRefusedAndNothingChanges() throws {
        let (base, root) = try DropIn.workspaceWithBoth("realdir")
        defer { _ = base }
        let folder = base.path("MNIST_data")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("user data".utf8).write(to: folder.appendingPathComponent("keep.txt"))
        let result = try FMNISTProcess.run(["switch", "fashion", "--link", folder.path, "--root", root.path])
        #expect(result.status == 7)
        #expect(result.stderr.contains("is a directory, not a symbolic link"))
        #expect(try Data(contentsOf: folder.appendingPathComponent("keep.txt")) == Data("user data".utf8))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("current").path))
    }

    @Test(.realData) func deepSwitchCatchesTamperedBytesAndTheFastCheckThenRefuses() throws {
        let (base, root) = try DropIn.workspaceWithBoth("deep")
        defer { _ = base }
        #expect(try FMNISTProcess.run(["switch", "fashion", "--deep", "--root", root.path]).status == 0)
        // Flip one byte of a file (size unchanged): the store is read-only, so chmod first.
        func flipOneByte(_ url: URL) throws {
            chmod(url.path, 0o644)
            var bytes = [UInt8](try Data(contentsOf: url))
            bytes[bytes.count / 2] ^= 0xFF
            let handle = try FileHandle(forWritingTo: url)
            try handle.write(contentsOf: Data(bytes))
            try handle.close()
        }
        let name = "t10k-labels-idx1-ubyte.gz"
        let stored = root.appendingPathComponent(".fmnist/store/sha256/67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5")
        let good = try Data(contentsOf: stored)
        // Only the store damaged: the live copy is proven, so the deep switch restores the store from it.
        try flipOneByte(stored)
        let restoring = try FMNISTProcess.run(["switch", "fashion", "--deep", "--root", root.path])
        #expect(restoring.status == 0, "\(restoring.stderr)")
        #expect(restoring.stderr.contains("restored \(name)"))
        #expect(try Data(contentsOf: stored) == good)
        // Both the store and the live copy damaged: no good copy is left.
        try flipOneByte(stored)
        try flipOneByte(root.appendingPathComponent("fashion/\(name)"))
        let deep = try FMNISTProcess.run(["switch", "fashion", "--deep", "--root", root.path])
        #expect(deep.status == 3, "\(deep.stderr)")
        #expect(deep.stderr.contains("t10k-labels-idx1-ubyte.gz"))
        #expect(deep.stderr.contains("run: fmnist fetch fashion"))
        let fast = try FMNISTProcess.run(["switch", "fashion", "--root", root.path])
        #expect(fast.status == 4)
        #expect(fast.stderr.contains("is not verified"))
        #expect(fast.stderr.contains("hint: run: fmnist verify --repair (or fmnist fetch fashion)"))
        // Switching to the other, intact dataset still works.
        #expect(try FMNISTProcess.run(["switch", "mnist", "--root", root.path]).status == 0)
    }

    @Test(.realDataWithOldLabels) func switchingBetweenTwoVersionsOfADatasetNeverDownloads() throws {
        let (base, root) = try DropIn.workspaceWithBoth("versions")
        defer { _ = base }
        // An unknown Fashion-MNIST version: the superseded first-release labels with the current images.
        let old = base.path("fashion-old")
        try FileManager.default.createDirectory(at: old, withIntermediateDirectories: true)
        for name in ["train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz"] {
            try RealData.copyFile(at: RealData.fashion.appendingPathComponent(name), to: old.appendingPathComponent(name))
        }
        let oldLabels = RealData.oldFashionLabels
        for name in ["train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try RealData.copyFile(at: oldLabels.appendingPathComponent(name), to: old.appendingPathComponent(name))
        }
        let imported = try FMNISTProcess.run(["import", old.path, "--as", "fashion", "--accept-unknown", "--root", root.path])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try FMNISTProcess.run(["switch", "fashion@2017-08-31", "--root", root.path]).status == 0)
        #expect(try DropIn.load(root.appendingPathComponent("current")).train_hist == DropIn.fashionTrain)
        let toUnknown = try FMNISTProcess.run(["switch", "fashion@unknown", "--root", root.path])
        #expect(toUnknown.status == 0, "\(toUnknown.stderr)")
        #expect(toUnknown.stderr.contains("UNKNOWN"))
        let loaded = try DropIn.load(root.appendingPathComponent("current"))
        #expect(loaded.train_shape == [60000, 784])
        #expect(loaded.train_hist.reduce(0, +) == 60000)
        let versions = try FMNISTProcess.run(["versions", "fashion", "--root", root.path, "--json"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(versions.stdout.utf8)) as? [[String: Any]])
        #expect(list.count == 2)
        #expect(list.compactMap { ($0["version"] as? [String: Any])?["known"] as? Bool }.sorted { !$0 && $1 } == [false, true])
        #expect(list.filter { $0["active"] as? Bool == true }.count == 1)
        let bad = try FMNISTProcess.run(["switch", "fashion@ffffffff", "--root", root.path])
        #expect(bad.status == 4)
        #expect(bad.stderr.contains("run: fmnist versions fashion"))
    }

    @Test(.realData) func concurrentSwitchesAndVerifiesLeaveASoundCatalogAndACompleteLink() throws {
        let (base, root) = try DropIn.workspaceWithBoth("concurrent")
        defer { _ = base }
        var commands: [[String]] = []
        for index in 0..<6 { commands.append(["switch", index % 2 == 0 ? "fashion" : "mnist", "--root", root.path]) }
        for _ in 0..<3 { commands.append(["verify", "all", "--root", root.path]) }
        commands.append(["status", "--root", root.path, "--json"])
        let results = DropIn.runConcurrently(commands)
        for (arguments, result) in zip(commands, results) {
            let result = try #require(result, "fmnist \(arguments.joined(separator: " ")) did not run")
            // Switches serialize on the lock; verifies read live files that are only ever renamed into place.
            #expect(result.status == 0, "fmnist \(arguments.joined(separator: " ")): \(result.stderr)")
        }
        #expect(try DropIn.integrityCheck(root.appendingPathComponent(".fmnist/catalog.sqlite3")) == "ok")
        let loaded = try DropIn.load(root.appendingPathComponent("current"))
        #expect(loaded.train_shape == [60000, 784])
        #expect(loaded.train_hist == DropIn.fashionTrain || loaded.train_hist == DropIn.mnistTrain)
        let log = try FMNISTProcess.run(["log", "--limit", "100", "--root", root.path, "--json"])
        let events = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
        let switches = events.filter { ($0["event"] as? [String: Any])?["kind"] as? String == "switch" }
        #expect(switches.count == 6)
        // After the dust settles, verify agrees with the catalog.
        #expect(try FMNISTProcess.run(["verify", "all", "--root", root.path]).status == 0)
    }
}
