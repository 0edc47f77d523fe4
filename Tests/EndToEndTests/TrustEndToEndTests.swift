import Foundation
import Testing

/// Issue 10's trust claims, one test each, run against the built binary on the real files:
/// a damaged copy is caught and restored, another version never changes what readers see,
/// fmnist never writes through a symlink it did not make, links have a life cycle, a lost catalog
/// is rebuilt from verified data, and deleting the lock file does not let a second writer in.
@Suite(.serialized) struct TrustEndToEndTests {
    static let trainLabels = "train-labels-idx1-ubyte.gz"
    /// The container SHA-256 of Fashion-MNIST's train-labels (the store's name for it).
    static let trainLabelsSHA = "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"

    // MARK: - Helpers

    /// `fmnist ARGS --root ROOT`.
    @discardableResult
    static func fm(_ arguments: [String], _ root: URL, environment: [String: String] = [:]) throws -> FMNISTProcess.Result {
        try FMNISTProcess.run(arguments + ["--root", root.path], environment: environment)
    }

    /// A workspace `<tmp>/data` with Fashion-MNIST imported (live, `data/current` not yet made).
    static func fashionWorkspace(_ label: String) throws -> (TemporaryDirectory, URL) {
        let base = try TemporaryDirectory(label)
        let root = base.path("data")
        let result = try fm(["import", RealData.fashion.path, "--as", "fashion"], root)
        #expect(result.status == 0, "import fashion: \(result.stderr)")
        return (base, root)
    }

    /// A folder with the current Fashion-MNIST images and the superseded 2017-08-26 labels: a
    /// valid but unknown version.
    static func oldFashionFolder(in base: TemporaryDirectory) throws -> URL {
        let folder = base.path("fashion-2017-08-26")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz"] {
            try RealData.copyFile(at: RealData.fashion.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        for name in ["train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try RealData.copyFile(at: RealData.oldFashionLabels.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        return folder
    }

    static var oldTrainLabels: URL { RealData.oldFashionLabels.appendingPathComponent(trainLabels) }

    /// Writes one flipped byte into the file at `url` in place (through whatever path leads there).
    static func writeOneByte(_ url: URL) throws {
        chmod(url.path, 0o644)  // what a user must do first; a no-op for the owner of a 0444 file under root
        var bytes = [UInt8](try Data(contentsOf: url))
        bytes[bytes.count / 2] ^= 0x5A
        let handle = try FileHandle(forWritingTo: url)
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }

    /// Replaces a label file by a *valid* gzip whose payload differs in one label (the gzip CRC
    /// and the IDX header are right: only the payload digest can tell).
    static func replaceWithOneLabelChanged(_ url: URL) throws {
        let script = """
            import gzip, os, sys
            path = sys.argv[1]
            data = bytearray(gzip.open(path).read())
            data[8 + 1234] = (data[8 + 1234] + 1) % 10
            tmp = path + '.new'
            os.chmod(os.path.dirname(path), 0o755)  # the version folder is 0555: a user other than root must open it first
            with open(tmp, 'wb') as f: f.write(gzip.compress(bytes(data)))
            os.replace(tmp, path)
            """
        let result = try DropIn.python(script, [url.path])
        #expect(result.status == 0, "python: \(result.stderr)")
    }

    static func readlink(_ url: URL) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)
    }

    static func bytes(_ url: URL) -> Data? { try? Data(contentsOf: url) }

    /// Every path under `folder` with its bytes (symlinks by their text), for before/after comparison.
    static func snapshot(_ folder: URL) -> [String: Data] {
        var result: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return result }
        for case let path as String in walker {
            let url = folder.appendingPathComponent(path)
            if let text = readlink(url) {
                result[path] = Data("-> \(text)".utf8)
            } else {
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
                result[path] = isDirectory.boolValue ? Data("dir".utf8) : (bytes(url) ?? Data("unreadable".utf8))
            }
        }
        return result
    }

    static func inode(_ url: URL) -> UInt64? {
        var info = stat()
        guard lstat(url.path, &info) == 0 else { return nil }
        return UInt64(info.st_ino)
    }

    static func jsonArray(_ result: FMNISTProcess.Result) -> [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]) ?? []
    }

    static func sqlite(_ catalog: URL, _ statements: String) throws {
        let result = try DropIn.python(
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()", [catalog.path, statements])
        #expect(result.status == 0, "sqlite3: \(result.stderr)")
    }

    // MARK: - A write through the live folder

    @Test(.realData) func aByteWrittenThroughTheLiveFolderFailsVerifyBlocksTheFastSwitchAndRepairRestoresIt() throws {
        let (base, root) = try Self.fashionWorkspace("trust-write")
        defer { _ = base }
        #expect(try Self.fm(["switch", "fashion"], root).status == 0)
        let live = root.appendingPathComponent("fashion/\(Self.trainLabels)")
        let stored = root.appendingPathComponent(".fmnist/store/sha256/\(Self.trainLabelsSHA)")
        let good = try #require(Self.bytes(RealData.fashion.appendingPathComponent(Self.trainLabels)))
        try Self.writeOneByte(live)
        #expect(Self.bytes(stored) == good, "a write through data/fashion must not reach the store (copies, not hard links)")

        let verify = try Self.fm(["verify", "fashion"], root)
        #expect(verify.status == 3, "\(verify.stderr)")
        #expect(verify.stderr.contains(Self.trainLabels))
        // The failed verify blocks the fast switch, and says how to get out.
        let fast = try Self.fm(["switch", "fashion"], root)
        #expect(fast.status == 4, "\(fast.stderr)")
        #expect(fast.stderr.contains("is not verified"))
        #expect(fast.stderr.contains("verify --repair"))

        let repair = try Self.fm(["verify", "--repair", "fashion"], root)
        #expect(repair.status == 0, "\(repair.stderr)")
        #expect(repair.stderr.contains("restored: fashion"))
        #expect(Self.bytes(live) == good)
        #expect(try Self.fm(["verify", "fashion"], root).status == 0)
        #expect(try Self.fm(["switch", "fashion"], root).status == 0)
    }

    @Test(.realData) func theFastSwitchCatchesAWriteSinceTheFileWasPlacedAndRestoresTheCopy() throws {
        let (base, root) = try Self.fashionWorkspace("trust-fast")
        defer { _ = base }
        #expect(try Self.fm(["switch", "fashion"], root).status == 0)
        let live = root.appendingPathComponent("fashion/\(Self.trainLabels)")
        let good = try #require(Self.bytes(RealData.fashion.appendingPathComponent(Self.trainLabels)))
        try Self.replaceWithOneLabelChanged(live)
        #expect(Self.bytes(live) != good)
        let fast = try Self.fm(["switch", "fashion"], root)
        #expect(fast.status == 0, "\(fast.stderr)")
        #expect(fast.stderr.contains("restored \(Self.trainLabels)"))
        #expect(Self.bytes(live) == good)
    }

    @Test(.realData) func fetchAndImportRestoreADamagedLiveFileAndThenVerifyPasses() throws {
        let (base, root) = try Self.fashionWorkspace("trust-restore")
        defer { _ = base }
        let live = root.appendingPathComponent("fashion/\(Self.trainLabels)")
        let good = try #require(Self.bytes(RealData.fashion.appendingPathComponent(Self.trainLabels)))

        // fetch (offline: nothing may be downloaded) after a failed verify.
        try Self.writeOneByte(live)
        #expect(try Self.fm(["verify", "fashion"], root).status == 3)
        let fetch = try Self.fm(["fetch", "fashion", "--offline"], root)
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(fetch.stderr.contains("restored \(Self.trainLabels) (found damaged) from verified copies"))
        #expect(Self.bytes(live) == good)
        #expect(try Self.fm(["verify", "fashion"], root).status == 0)
        #expect(try Self.fm(["switch", "fashion"], root).status == 0)

        // import of the same version.
        try Self.replaceWithOneLabelChanged(live)
        let imported = try Self.fm(["import", RealData.fashion.path, "--as", "fashion"], root)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr.contains("replaced damaged \(Self.trainLabels)"))
        #expect(Self.bytes(live) == good)
        #expect(try Self.fm(["verify", "fashion"], root).status == 0)
    }

    @Test(.realData) func smokeTrainRefusesDamagedDataInsteadOfTraining() throws {
        let (base, root) = try Self.fashionWorkspace("trust-train")
        defer { _ = base }
        #expect(try Self.fm(["switch", "fashion"], root).status == 0)
        try Self.replaceWithOneLabelChanged(root.appendingPathComponent("fashion/\(Self.trainLabels)"))
        let train = try Self.fm(["smoke-train", "--limit", "200", "--epochs", "1", "--json"], root)
        #expect(train.status == 3, "\(train.stderr)")
        #expect(train.stderr.contains(Self.trainLabels))
        #expect(!train.stderr.contains("accuracy"), "no training ran")
        let log = try Self.fm(["log", "--json", "--limit", "50"], root)
        let kinds = Self.jsonArray(log).compactMap { ($0["event"] as? [String: Any])?["kind"] as? String }
        #expect(!kinds.isEmpty)
        #expect(!Self.jsonArray(log).contains { ($0["event"] as? [String: Any]).map { $0["kind"] as? String == "smoke-train" && $0["result"] as? String == "ok" } ?? false })
    }

    // MARK: - A damaged store

    @Test(.realData) func fetchReplacesADamagedStoreFile() throws {
        let (base, root) = try Self.fashionWorkspace("trust-store")
        defer { _ = base }
        let stored = root.appendingPathComponent(".fmnist/store/sha256/\(Self.trainLabelsSHA)")
        let good = try #require(Self.bytes(RealData.fashion.appendingPathComponent(Self.trainLabels)))
        try Self.writeOneByte(stored)
        let fetch = try Self.fm(["fetch", "fashion", "--offline"], root)
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(fetch.stderr.contains("restored \(Self.trainLabels) (found damaged)"))
        #expect(Self.bytes(stored) == good)
        #expect(try Self.fm(["switch", "fashion", "--deep"], root).status == 0)
    }

    @Test(.realData) func theDeepSwitchRestoresADamagedStoreFileFromTheProvenCopy() throws {
        let (base, root) = try Self.fashionWorkspace("trust-deep")
        defer { _ = base }
        let stored = root.appendingPathComponent(".fmnist/store/sha256/\(Self.trainLabelsSHA)")
        let good = try #require(Self.bytes(RealData.fashion.appendingPathComponent(Self.trainLabels)))
        try Self.writeOneByte(stored)
        let deep = try Self.fm(["switch", "fashion", "--deep"], root)
        #expect(deep.status == 0, "\(deep.stderr)")
        #expect(deep.stderr.contains("restored \(Self.trainLabels)"))
        #expect(Self.bytes(stored) == good)
        #expect(try Self.fm(["switch", "fashion", "--deep"], root).status == 0)
    }

    // MARK: - Another version never changes what readers see

    @Test(.realDataWithOldLabels) func importingAnotherVersionLeavesTheLiveFolderCurrentAndLinksUnchanged() throws {
        let (base, root) = try Self.fashionWorkspace("trust-keep")
        defer { _ = base }
        let link = base.path("MNIST_data")
        #expect(try Self.fm(["switch", "fashion", "--link", link.path], root).status == 0)
        let fashion = root.appendingPathComponent("fashion"), current = root.appendingPathComponent("current")
        let before = [Self.readlink(fashion), Self.readlink(current), Self.readlink(link)]
        let inodes = [Self.inode(fashion), Self.inode(current), Self.inode(link)]
        #expect(before.allSatisfy { $0 != nil })

        let old = try Self.oldFashionFolder(in: base)
        let imported = try Self.fm(["import", old.path, "--as", "fashion", "--accept-unknown", "--json"], root)
        #expect(imported.status == 0, "\(imported.stderr)")
        let json = try imported.json()
        #expect(json["activated"] as? Bool == false)
        let command = try #require(json["activate_command"] as? String)
        let shortID = try #require((json["version"] as? [String: Any])?["short_id"] as? String)
        #expect(command == "fmnist switch fashion@\(shortID)")
        #expect(imported.stderr.contains(command))

        #expect([Self.readlink(fashion), Self.readlink(current), Self.readlink(link)] == before)
        #expect([Self.inode(fashion), Self.inode(current), Self.inode(link)] == inodes, "not even re-made")
        #expect(try DropIn.load(current).train_hist == DropIn.fashionTrain)
        #expect(Self.bytes(link.appendingPathComponent(Self.trainLabels)) == Self.bytes(RealData.fashion.appendingPathComponent(Self.trainLabels)))
        let status = try Self.fm(["switch", "--json"], root).json()
        #expect((status["version"] as? [String: Any])?["name"] as? String == "2017-08-31")
    }

    @Test(.realDataWithOldLabels) func fetchWhileAnUnknownVersionIsLiveStoresThePublishedOneWithoutMakingItLive() throws {
        let base = try TemporaryDirectory("trust-fetch-other")
        let root = base.path("data")
        let old = try Self.oldFashionFolder(in: base)
        // The superseded labels are the first version: live.
        let first = try Self.fm(["import", old.path, "--as", "fashion", "--accept-unknown"], root)
        #expect(first.status == 0, "\(first.stderr)")
        let link = base.path("MNIST_data")
        #expect(try Self.fm(["switch", "fashion", "--link", link.path], root).status == 0)
        let fashion = root.appendingPathComponent("fashion"), current = root.appendingPathComponent("current")
        let before = [Self.readlink(fashion), Self.readlink(current), Self.readlink(link)]

        let fetch = try Self.fm(
            ["fetch", "fashion", "--offline", "--mirror", "file://" + RealData.fashion.path + "/", "--json"], root)
        #expect(fetch.status == 0, "\(fetch.stderr)")
        let report = try #require((try fetch.json()["datasets"] as? [[String: Any]])?.first)
        #expect(report["version_name"] as? String == "2017-08-31", "the published version was fetched: \(fetch.stderr)")
        #expect(report["activated"] as? Bool == false)
        #expect(report["activate_command"] as? String == "fmnist switch fashion@915659908dce")
        #expect(fetch.stderr.contains("fmnist switch fashion@915659908dce"))
        #expect([Self.readlink(fashion), Self.readlink(current), Self.readlink(link)] == before)
        #expect(Self.bytes(link.appendingPathComponent(Self.trainLabels)) == Self.bytes(Self.oldTrainLabels))
        #expect(Self.jsonArray(try Self.fm(["versions", "fashion", "--json"], root)).count == 2)

        let switched = try Self.fm(["switch", "fashion@915659908dce"], root)
        #expect(switched.status == 0, "\(switched.stderr)")
        #expect(try DropIn.load(link).train_hist == DropIn.fashionTrain)
    }

    @Test(.realDataWithOldLabels) func importWithActivateMakesTheNewVersionLive() throws {
        let (base, root) = try Self.fashionWorkspace("trust-activate")
        defer { _ = base }
        #expect(try Self.fm(["switch", "fashion"], root).status == 0)
        let old = try Self.oldFashionFolder(in: base)
        let imported = try Self.fm(["import", old.path, "--as", "fashion", "--accept-unknown", "--activate", "--json"], root)
        #expect(imported.status == 0, "\(imported.stderr)")
        let json = try imported.json()
        #expect(json["activated"] as? Bool == true)
        let id = try #require((json["version"] as? [String: Any])?["id"] as? String)
        #expect(Self.readlink(root.appendingPathComponent("fashion")) == ".fmnist/versions/fashion/\(id)")
        #expect(Self.bytes(root.appendingPathComponent("current/\(Self.trainLabels)")) == Self.bytes(Self.oldTrainLabels))
    }

    @Test(.realDataWithOldLabels) func switchingBetweenVersionsFlipsTheLiveLinkAndNothingElse() throws {
        let (base, root) = try Self.fashionWorkspace("trust-flip")
        defer { _ = base }
        #expect(try Self.fm(["switch", "fashion"], root).status == 0)
        let old = try Self.oldFashionFolder(in: base)
        let imported = try Self.fm(["import", old.path, "--as", "fashion", "--accept-unknown", "--json"], root)
        #expect(imported.status == 0, "\(imported.stderr)")
        let oldID = try #require((try imported.json()["version"] as? [String: Any])?["id"] as? String)
        let fashion = root.appendingPathComponent("fashion")
        let currentID = try #require(Self.readlink(fashion)?.split(separator: "/").last.map(String.init))
        #expect(currentID != oldID)
        let versions = root.appendingPathComponent(".fmnist/versions/fashion")
        let directories = try #require(Self.snapshot(versions) as [String: Data]?)
        let linkInode = Self.inode(fashion)
        let currentLinkText = Self.readlink(root.appendingPathComponent("current"))

        let toOld = try Self.fm(["switch", "fashion@\(oldID.prefix(12))"], root)
        #expect(toOld.status == 0, "\(toOld.stderr)")
        #expect(Self.readlink(fashion) == ".fmnist/versions/fashion/\(oldID)")
        #expect(Self.inode(fashion) != linkInode, "a new link renamed over the old one")
        #expect(Self.readlink(root.appendingPathComponent("current")) == currentLinkText, "data/current still names data/fashion")
        #expect(Self.bytes(root.appendingPathComponent("current/\(Self.trainLabels)")) == Self.bytes(Self.oldTrainLabels))
        #expect(Self.snapshot(versions) == directories, "no file of either version was rewritten")

        let back = try Self.fm(["switch", "fashion@2017-08-31"], root)
        #expect(back.status == 0, "\(back.stderr)")
        #expect(Self.readlink(fashion) == ".fmnist/versions/fashion/\(currentID)")
        #expect(try DropIn.load(root.appendingPathComponent("current")).train_hist == DropIn.fashionTrain)
        #expect(Self.snapshot(versions) == directories)
    }

    @Test(.realDataWithOldLabels) func verifyDuringVersionSwitchesSeesOneVersionOrTheOtherNeverAMix() throws {
        let (base, root) = try Self.fashionWorkspace("trust-concurrent")
        defer { _ = base }
        #expect(try Self.fm(["switch", "fashion"], root).status == 0)
        let imported = try Self.fm(["import", try Self.oldFashionFolder(in: base).path, "--as", "fashion", "--accept-unknown", "--json"], root)
        #expect(imported.status == 0, "\(imported.stderr)")
        let oldID = try #require((try imported.json()["version"] as? [String: Any])?["id"] as? String)
        let currentID = "915659908dce152f9bdf195f7c40174e77376b90f44a95e9a2b9e47f73533c46"

        // One thread flips data/fashion between the two versions 40 times; verify runs meanwhile.
        let switches = DropIn.ResultBox(count: 40)
        let done = DispatchSemaphore(value: 0)
        Thread {
            for index in 0..<40 {
                switches.set(index, try? Self.fm(["switch", index % 2 == 0 ? "fashion@\(oldID.prefix(12))" : "fashion@2017-08-31"], root))
            }
            done.signal()
        }.start()
        var verifies: [FMNISTProcess.Result] = []
        while done.wait(timeout: .now()) == .timedOut {
            verifies.append(try Self.fm(["verify", "fashion", "--json"], root))
        }
        #expect(switches.all().allSatisfy { $0?.status == 0 }, "\(switches.all().compactMap { $0?.stderr }.filter { !$0.isEmpty }.prefix(1))")
        #expect(verifies.count >= 2, "verify ran while switching")
        for result in verifies {
            #expect(result.status == 0, "\(result.stderr)")
            let id = ((try? result.json())?["datasets"] as? [[String: Any]])?.first?["version_id"] as? String
            #expect(id == oldID || id == currentID, "verify saw \(id ?? "no version"): \(result.stderr)")
        }
        print("concurrency: \(verifies.count) verifies during 40 version switches, each saw one whole version")
    }

    // MARK: - Boundaries

    @Test(.realDataWithOldLabels) func aLiveFolderThatIsSomeoneElsesSymlinkIsRefusedAndTheirFolderIsUntouched() throws {
        let (base, root) = try Self.fashionWorkspace("trust-foreign-live")
        defer { _ = base }
        let user = base.path("my-fashion")
        try FileManager.default.createDirectory(at: user, withIntermediateDirectories: true)
        try RealData.copyFile(at: Self.oldTrainLabels, to: user.appendingPathComponent(Self.trainLabels))
        try Data("my notes".utf8).write(to: user.appendingPathComponent("notes.txt"))
        let fashion = root.appendingPathComponent("fashion")
        unlink(fashion.path)
        try FileManager.default.createSymbolicLink(atPath: fashion.path, withDestinationPath: user.path)
        let before = Self.snapshot(user)

        for command in [["fetch", "fashion", "--offline"], ["import", RealData.fashion.path, "--as", "fashion"], ["switch", "fashion"],
                        ["switch", "fashion", "--deep"]] {
            let result = try Self.fm(command, root)
            #expect(result.status == 7, "\(command): \(result.stderr)")
            #expect(result.stderr.contains(fashion.path), "\(command) names the path")
            #expect(result.stderr.contains("did not make"), "\(command): \(result.stderr)")
        }
        #expect(Self.readlink(fashion) == user.path)
        #expect(Self.snapshot(user) == before)

        // The same in a fresh workspace, before anything was recorded.
        let fresh = base.path("fresh")
        try FileManager.default.createDirectory(at: fresh, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: fresh.appendingPathComponent("fashion").path, withDestinationPath: user.path)
        let first = try Self.fm(["import", RealData.fashion.path, "--as", "fashion"], fresh)
        #expect(first.status == 7, "\(first.stderr)")
        #expect(Self.snapshot(user) == before)
    }

    @Test(.realData) func aLiveFolderFilledByHandIsAdoptedOnlyWhenEveryEntryIsAProvenCopy() throws {
        let base = try TemporaryDirectory("trust-hand-folder")
        // Only the four verified files: adopted (data/fashion becomes fmnist's link to a version directory).
        let clean = base.path("clean/data")
        try FileManager.default.createDirectory(at: clean, withIntermediateDirectories: true)
        try RealData.writableCopy(of: RealData.fashion, to: clean.appendingPathComponent("fashion"))
        let adopted = try Self.fm(["fetch", "fashion", "--offline"], clean)
        #expect(adopted.status == 0, "\(adopted.stderr)")
        #expect(Self.readlink(clean.appendingPathComponent("fashion")) == ".fmnist/versions/fashion/915659908dce152f9bdf195f7c40174e77376b90f44a95e9a2b9e47f73533c46")
        #expect(try Self.fm(["verify", "fashion"], clean).status == 0)

        // The same files plus one of the user's: refused, nothing in the folder touched.
        let mixed = base.path("mixed/data")
        try FileManager.default.createDirectory(at: mixed, withIntermediateDirectories: true)
        let folder = mixed.appendingPathComponent("fashion")
        try RealData.writableCopy(of: RealData.fashion, to: folder)
        try Data("my notes".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let before = Self.snapshot(folder)
        for command in [["fetch", "fashion", "--offline"], ["import", RealData.fashion.path, "--as", "fashion"]] {
            let result = try Self.fm(command, mixed)
            #expect(result.status == 7, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("\(folder.path) is a real folder holding files fmnist did not place for fashion: notes.txt"))
            #expect(Self.readlink(folder) == nil)
            #expect(Self.snapshot(folder) == before)
        }
        #expect(!FileManager.default.fileExists(atPath: mixed.appendingPathComponent("current").path))
    }

    @Test(.realData) func aPrivateTmpThatIsASymlinkIsNeverEmptied() throws {
        let (base, root) = try Self.fashionWorkspace("trust-foreign-tmp")
        defer { _ = base }
        let user = base.path("scratch")
        try FileManager.default.createDirectory(at: user.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: user.appendingPathComponent("thesis.tex"))
        try Data("keep".utf8).write(to: user.appendingPathComponent("sub/data.bin"))
        try Data("keep".utf8).write(to: user.appendingPathComponent("download.123.abcd1234"))  // looks like a leftover
        let tmp = root.appendingPathComponent(".fmnist/tmp")
        try FileManager.default.removeItem(at: tmp)
        try FileManager.default.createSymbolicLink(atPath: tmp.path, withDestinationPath: user.path)
        let before = Self.snapshot(user)

        let imported = try Self.fm(["import", RealData.fashion.path, "--as", "fashion"], root)
        #expect(imported.status == 7, "\(imported.stderr)")
        #expect(imported.stderr.contains(tmp.path))
        for command in [["fetch", "fashion", "--offline"], ["switch", "fashion"], ["verify", "--repair"], ["status"]] {
            let result = try Self.fm(command, root)
            #expect(result.status == 0 || result.status == 7, "\(command): \(result.status) \(result.stderr)")
            #expect(Self.snapshot(user) == before, "\(command) touched the target of .fmnist/tmp")
        }
        #expect(Self.readlink(tmp) == user.path)
    }

    @Test(.realData) func privateFoldersThatAreSymlinksAreRefusedByNameAndNeverSweptThrough() throws {
        let (base, root) = try Self.fashionWorkspace("trust-foreign-private")
        defer { _ = base }
        #expect(try Self.fm(["switch", "fashion"], root).status == 0)
        for folder in [".fmnist/versions", ".fmnist/store"] {
            // The user's folder holds a copy of what was there plus names that look like fmnist's leftovers.
            let user = base.path("user-\(folder.split(separator: "/").last!)")
            let private_ = root.appendingPathComponent(folder)
            try FileManager.default.moveItem(at: private_, to: user)
            try FileManager.default.createSymbolicLink(atPath: private_.path, withDestinationPath: user.path)
            if folder == ".fmnist/versions" {
                try Data("keep".utf8).write(to: user.appendingPathComponent("fashion/.thesis.fmnist-12-0A1B2C3D"))
            } else {
                try Data("keep".utf8).write(to: user.appendingPathComponent(".notes.fmnist-12-0A1B2C3D"))
            }
            let before = Self.snapshot(user)
            for command in [["fetch", "fashion", "--offline"], ["import", RealData.fashion.path, "--as", "fashion"], ["switch", "fashion"],
                            ["verify", "--repair", "fashion"]] {
                let result = try Self.fm(command, root)
                #expect(Self.snapshot(user) == before, "\(folder), \(command) touched the user's folder")
                // A fast switch with every stored file proven (fingerprints: same device and inode)
                // only reads the store, so it may go ahead; everything that writes there refuses.
                if folder == ".fmnist/store" && command == ["switch", "fashion"] && result.status == 0 { continue }
                #expect(result.status == 7, "\(folder), \(command): \(result.status) \(result.stderr)")
                #expect(result.stderr.contains("\(private_.path) is a symbolic link"), "\(folder), \(command): \(result.stderr)")
            }
            // Put it back: the workspace works again.
            unlink(private_.path)
            try FileManager.default.moveItem(at: user, to: private_)
            #expect(try Self.fm(["switch", "fashion"], root).status == 0)
        }
    }

    @Test(.realData) func linkPathsInsideTheWorkspaceAreUsageErrors() throws {
        let (base, root) = try Self.fashionWorkspace("trust-link-inside")
        defer { _ = base }
        let versions = Self.snapshot(root.appendingPathComponent(".fmnist/versions"))
        for path in ["fashion/MNIST_data", "mnist", "fashion", ".fmnist/MNIST_data", ".fmnist", "current"] {
            let link = root.appendingPathComponent(path).path
            let result = try Self.fm(["switch", "fashion", "--link", link], root)
            #expect(result.status == 2, "--link \(path): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("outside the workspace"), "--link \(path): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("current").path), "nothing switched")
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("mnist").path))
        #expect(Self.snapshot(root.appendingPathComponent(".fmnist/versions")) == versions)
    }

    @Test(.realData) func aLinkPathThatIsSomeoneElsesSymlinkIsRefusedAndUntouched() throws {
        let (base, root) = try Self.fashionWorkspace("trust-link-foreign")
        defer { _ = base }
        let user = base.path("my-mnist")
        try FileManager.default.createDirectory(at: user, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: user.appendingPathComponent("notes.txt"))
        let link = base.path("MNIST_data")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: user.path)
        let result = try Self.fm(["switch", "fashion", "--link", link.path], root)
        #expect(result.status == 7, "\(result.stderr)")
        #expect(result.stderr.contains(link.path))
        #expect(Self.readlink(link) == user.path)
        #expect(Self.snapshot(user) == ["notes.txt": Data("mine".utf8)])
        let list = try Self.fm(["switch", "--json"], root).json()
        #expect((list["links"] as? [[String: Any]])?.count == 1, "not registered")
    }

    // MARK: - Links

    @Test(.realData) func unlinkForgetsTheLinkAndRemovesOurSymlink() throws {
        let (base, root) = try Self.fashionWorkspace("trust-unlink")
        defer { _ = base }
        let link = base.path("MNIST_data")
        #expect(try Self.fm(["switch", "fashion", "--link", link.path], root).status == 0)
        let listed = try Self.fm(["switch", "--json"], root)
        #expect(listed.status == 0)
        let paths = (try listed.json()["links"] as? [[String: Any]])?.compactMap { $0["path"] as? String }
        #expect(paths?.contains(link.path) == true)
        #expect(listed.stderr.contains(link.path))

        let unlinked = try Self.fm(["switch", "--unlink", link.path, "--json"], root)
        #expect(unlinked.status == 0, "\(unlinked.stderr)")
        #expect(try unlinked.json()["removed_symlink"] as? Bool == true)
        #expect(Self.readlink(link) == nil && !FileManager.default.fileExists(atPath: link.path))
        let after = (try Self.fm(["switch", "--json"], root).json()["links"] as? [[String: Any]])?.compactMap { $0["path"] as? String }
        #expect(after?.contains(link.path) == false)
        // The next switch does not bring it back; unlinking again is a usage error.
        #expect(try Self.fm(["switch", "fashion"], root).status == 0)
        #expect(!FileManager.default.fileExists(atPath: link.path))
        #expect(try Self.fm(["switch", "--unlink", link.path], root).status == 2)
    }

    @Test(.realData) func aLinkWhoseFolderWasDeletedIsSkippedWithAWarning() throws {
        let (base, root) = try Self.fashionWorkspace("trust-link-gone")
        defer { _ = base }
        let project = base.path("project")
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        let link = project.appendingPathComponent("MNIST_data")
        #expect(try Self.fm(["switch", "fashion", "--link", link.path], root).status == 0)
        try FileManager.default.removeItem(at: project)
        let switched = try Self.fm(["switch", "fashion"], root)
        #expect(switched.status == 0, "\(switched.stderr)")
        #expect(switched.stderr.contains("warning: skipped the link \(link.path)"))
        #expect(switched.stderr.contains("fmnist switch --unlink \(link.path)"))
        #expect(!FileManager.default.fileExists(atPath: project.path), "its folder is not re-created")
        let links = try #require(try Self.fm(["switch", "--json"], root).json()["links"] as? [[String: Any]])
        let entry = try #require(links.first { $0["path"] as? String == link.path })
        #expect((entry["problem"] as? String)?.contains("no longer exists") == true)
        #expect(try Self.fm(["switch", "--unlink", link.path], root).status == 0)
    }

    @Test(.realData) func aLinkReplacedByARealFolderIsSkippedAndKept() throws {
        let (base, root) = try Self.fashionWorkspace("trust-link-folder")
        defer { _ = base }
        let link = base.path("MNIST_data")
        #expect(try Self.fm(["switch", "fashion", "--link", link.path], root).status == 0)
        unlink(link.path)
        try FileManager.default.createDirectory(at: link, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: link.appendingPathComponent("notes.txt"))
        let switched = try Self.fm(["switch", "fashion"], root)
        #expect(switched.status == 0, "\(switched.stderr)")
        #expect(switched.stderr.contains("warning: skipped the link \(link.path): it was replaced by a real folder"))
        #expect(Self.snapshot(link) == ["notes.txt": Data("mine".utf8)])
        let listed = try Self.fm(["switch"], root)
        #expect(listed.stderr.contains("skipped: it was replaced by a real folder"))
        let unlinked = try Self.fm(["switch", "--unlink", link.path, "--json"], root)
        #expect(unlinked.status == 0)
        #expect(try unlinked.json()["removed_symlink"] as? Bool == false)
        #expect(Self.snapshot(link) == ["notes.txt": Data("mine".utf8)], "unlink never removes the user's folder")
    }

    @Test(.realData) func aLinkInsideAProjectKeepsWorkingAfterTheProjectIsMoved() throws {
        let base = try TemporaryDirectory("trust-link-move")
        let project = base.path("project")
        let root = project.appendingPathComponent("data")
        #expect(try Self.fm(["import", RealData.fashion.path, "--as", "fashion"], root).status == 0)
        let link = project.appendingPathComponent("MNIST_data")
        #expect(try Self.fm(["switch", "fashion", "--link", link.path], root).status == 0)
        #expect(Self.readlink(link) == "data/fashion")
        #expect(Self.readlink(root.appendingPathComponent("current")) == "fashion")
        let moved = base.path("moved-project")
        try FileManager.default.moveItem(at: project, to: moved)
        #expect(try DropIn.load(moved.appendingPathComponent("MNIST_data")).train_hist == DropIn.fashionTrain)
        #expect(try DropIn.load(moved.appendingPathComponent("data/current")).train_hist == DropIn.fashionTrain)
        #expect(try Self.fm(["verify", "fashion"], moved.appendingPathComponent("data")).status == 0)
        // The registration moved with the project too (it is relative to the root): the next switch
        // flips the moved link, with no "folder no longer exists" warning.
        let movedRoot = moved.appendingPathComponent("data")
        #expect(try Self.fm(["import", RealData.mnist.path, "--as", "mnist"], movedRoot).status == 0)
        let switched = try Self.fm(["switch", "mnist"], movedRoot)
        #expect(switched.status == 0, "\(switched.stderr)")
        #expect(!switched.stderr.contains("warning"), "\(switched.stderr)")
        #expect(Self.readlink(moved.appendingPathComponent("MNIST_data")) == "data/mnist")
    }

    // MARK: - The catalog rebuilt from verified data

    @Test(.realData) func aDeletedCatalogIsRebuiltByAnOfflineFetch() throws {
        let (base, root) = try Self.fashionWorkspace("trust-catalog-gone")
        defer { _ = base }
        #expect(try Self.fm(["switch", "fashion"], root).status == 0)
        for suffix in ["", "-wal", "-shm"] { unlink(root.appendingPathComponent(".fmnist/catalog.sqlite3\(suffix)").path) }
        let status = try Self.fm(["status"], root)
        #expect(status.stderr.contains("the catalog lost this version (record it again: fmnist verify --repair)"), "\(status.stderr)")
        let fetch = try Self.fm(["fetch", "fashion", "--offline"], root)
        #expect(fetch.status == 0, "\(fetch.stderr)")
        let versions = Self.jsonArray(try Self.fm(["versions", "fashion", "--json"], root))
        #expect(versions.count == 1)
        #expect((versions.first?["version"] as? [String: Any])?["name"] as? String == "2017-08-31")
        let switched = try Self.fm(["switch", "fashion"], root)
        #expect(switched.status == 0, "\(switched.stderr)")
        #expect(try Self.fm(["verify", "fashion"], root).status == 0)
    }

    @Test(.realData) func aDeletedCatalogIsRebuiltBySwitch() throws {
        let (base, root) = try Self.fashionWorkspace("trust-catalog-switch")
        defer { _ = base }
        #expect(try Self.fm(["switch", "fashion"], root).status == 0)
        for suffix in ["", "-wal", "-shm"] { unlink(root.appendingPathComponent(".fmnist/catalog.sqlite3\(suffix)").path) }
        let switched = try Self.fm(["switch", "fashion"], root)
        #expect(switched.status == 0, "\(switched.stderr)")
        #expect(switched.stderr.contains("switched to Fashion-MNIST 2017-08-31"))
        let versions = Self.jsonArray(try Self.fm(["versions", "fashion", "--json"], root))
        #expect(versions.count == 1)
        #expect((versions.first?["version"] as? [String: Any])?["source"] as? String == "recovered")
        // A dataset that has no version directory is still "not in this workspace".
        let mnist = try Self.fm(["switch", "mnist"], root)
        #expect(mnist.status == 4, "\(mnist.stderr)")
    }

    @Test(.realDataWithOldLabels) func aDeletedCatalogIsRebuiltByImportOfAnotherVersionWhichStaysInactive() throws {
        let (base, root) = try Self.fashionWorkspace("trust-catalog-import")
        defer { _ = base }
        let liveBefore = Self.readlink(root.appendingPathComponent("fashion"))
        for suffix in ["", "-wal", "-shm"] { unlink(root.appendingPathComponent(".fmnist/catalog.sqlite3\(suffix)").path) }
        let old = try Self.oldFashionFolder(in: base)
        let imported = try Self.fm(["import", old.path, "--as", "fashion", "--accept-unknown", "--json"], root)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try imported.json()["activated"] as? Bool == false, "the recovered live version stays live")
        #expect(Self.readlink(root.appendingPathComponent("fashion")) == liveBefore)
        #expect(Self.jsonArray(try Self.fm(["versions", "fashion", "--json"], root)).count == 2)
        #expect(try Self.fm(["switch", "fashion"], root).status == 0)
    }

    @Test(.realData) func catalogRowsDeletedByHandAreRebuiltByVerifyRepair() throws {
        let (base, root) = try Self.fashionWorkspace("trust-catalog-rows")
        defer { _ = base }
        #expect(try Self.fm(["switch", "fashion"], root).status == 0)
        let catalog = root.appendingPathComponent(".fmnist/catalog.sqlite3")
        try Self.sqlite(catalog, "DELETE FROM live; DELETE FROM versions;")
        let lost = try Self.fm(["versions", "fashion", "--json"], root)
        #expect(Self.jsonArray(lost).isEmpty, "the rows are really gone: \(lost.stdout)")
        let repair = try Self.fm(["verify", "--repair", "fashion"], root)
        #expect(repair.status == 0, "\(repair.stderr)")
        #expect(repair.stderr.contains("recorded again: fashion"))
        #expect(Self.jsonArray(try Self.fm(["versions", "fashion", "--json"], root)).count == 1)
        let switched = try Self.fm(["switch", "fashion"], root)
        #expect(switched.status == 0, "\(switched.stderr)")
        #expect(try DropIn.integrityCheck(catalog) == "ok")
    }

    @Test(.realData) func aStoreFileDeletedByHandIsRestoredFromTheLiveCopy() throws {
        let (base, root) = try Self.fashionWorkspace("trust-store-gone")
        defer { _ = base }
        let stored = root.appendingPathComponent(".fmnist/store/sha256/\(Self.trainLabelsSHA)")
        let good = try #require(Self.bytes(stored))
        unlink(stored.path)
        let fetch = try Self.fm(["fetch", "fashion", "--offline"], root)
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(Self.bytes(stored) == good)
        unlink(stored.path)
        let repair = try Self.fm(["verify", "--repair", "fashion"], root)
        #expect(repair.status == 0, "\(repair.stderr)")
        #expect(Self.bytes(stored) == good)
    }

    // MARK: - A store on another file system

    /// Whether this machine lets the tests mount a tmpfs (root in a container that allows it).
    static let canMountTmpfs: Bool = {
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("fmnist-mount-probe-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: probe, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: probe) }
        let q = Privileged.quote(probe.path)
        return Privileged.sh("mount -t tmpfs -o size=1m tmpfs \(q) && umount \(q)").status == 0
    }()

    @Test(.enabled(if: RealData.available && canMountTmpfs))
    func aStoreOnAnotherFileSystemWorksWithCopies() throws {
        let base = try TemporaryDirectory("trust-xdev")
        let root = base.path("data")
        let store = root.appendingPathComponent(".fmnist/store/sha256")
        try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
        let q = Privileged.quote(store.path)
        try #require(Privileged.sh("mount -t tmpfs -o size=80m tmpfs \(q)").status == 0)
        defer { Privileged.sh("umount \(q)"); _ = base }  // unmount before the folder is removed

        // Renames from .fmnist/tmp into the store fail with EXDEV: fmnist copies instead.
        let imported = try Self.fm(["import", RealData.fashion.path, "--as", "fashion"], root)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(!imported.stderr.contains("cross-device"))
        let stored = store.appendingPathComponent(Self.trainLabelsSHA)
        let good = try #require(Self.bytes(RealData.fashion.appendingPathComponent(Self.trainLabels)))
        #expect(Self.bytes(stored) == good)
        #expect(try Self.fm(["switch", "fashion", "--deep"], root).status == 0)

        // Repairs cross the file-system boundary both ways.
        try Self.writeOneByte(stored)
        let restoreStore = try Self.fm(["switch", "fashion", "--deep"], root)
        #expect(restoreStore.status == 0, "\(restoreStore.stderr)")
        #expect(Self.bytes(stored) == good)
        try Self.writeOneByte(root.appendingPathComponent("fashion/\(Self.trainLabels)"))
        let restoreCopy = try Self.fm(["switch", "fashion"], root)
        #expect(restoreCopy.status == 0, "\(restoreCopy.stderr)")
        #expect(Self.bytes(root.appendingPathComponent("fashion/\(Self.trainLabels)")) == good)
        #expect(try Self.fm(["verify", "fashion"], root).status == 0)
        let leftovers = (try FileManager.default.contentsOfDirectory(atPath: store.path)).filter { $0.count != 64 }
        #expect(leftovers.isEmpty, "\(leftovers)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(".fmnist/tmp").path).isEmpty)
    }

    // MARK: - The lock

    @Test(.realData) func deletingTheLockFileDoesNotLetASecondWriterIn() throws {
        let (base, root) = try Self.fashionWorkspace("trust-lock")
        defer { _ = base }
        let tree = try MirrorTree()
        let path = "/mnist/train-images-idx3-ubyte.gz"
        let server = try MirrorServer(root: tree.url, faults: [path: ["drip": 400_000, "drip_chunk": 16384]])
        let fetch = try BackgroundFMNIST(
            ["fetch", "mnist", "--root", root.path, "--mirror", server.url("mnist/")], logs: base.url)
        defer { if fetch.process.isRunning { fetch.sigkill() } }
        // Wait until the fetch holds the lock (its partial download grows).
        let partial = root.appendingPathComponent(".fmnist/partial/mnist/train-images-idx3-ubyte.gz.part")
        let deadline = Date().addingTimeInterval(30)
        while fetch.process.isRunning && fileSize(partial) == 0 && Date() < deadline { usleep(20_000) }
        #expect(fetch.process.isRunning && fileSize(partial) > 0, "the fetch is downloading")
        let lockFile = root.appendingPathComponent(".fmnist/lock")
        unlink(lockFile.path)
        #expect(!FileManager.default.fileExists(atPath: lockFile.path))

        let blocked = try Self.fm(["switch", "fashion", "--lock-timeout", "1"], root)
        #expect(blocked.status == 7, "\(blocked.stderr)")
        #expect(blocked.stderr.contains("lock is still held"))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("current").path), "the second writer changed nothing")
        let importer = try Self.fm(["import", RealData.fashion.path, "--as", "fashion", "--lock-timeout", "1"], root)
        #expect(importer.status == 7, "\(importer.stderr)")
        #expect(fetch.process.isRunning, "the first writer was still at work")

        fetch.sigkill()
        let after = try Self.fm(["switch", "fashion", "--lock-timeout", "5"], root)
        #expect(after.status == 0, "once the holder is gone the lock is free: \(after.stderr)")
    }
}
