import Foundation
import Testing

@testable import FMNISTCore

/// The content-addressed store, per-version directories of copies, the live link, the installer
/// and link flips.
@Suite struct WorkspaceStoreTests {
    static func inode(_ url: URL) -> (UInt64, UInt64)? {
        var info = stat()
        guard lstat(url.path, &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    static func mode(_ url: URL) -> Int {
        var info = stat()
        _ = lstat(url.path, &info)
        return Int(info.st_mode & 0o777)
    }

    /// Flips one byte in the middle of a file (size unchanged), through whatever path is given.
    static func flipByte(_ url: URL) throws {
        chmod(url.path, 0o644)
        var bytes = [UInt8](try Data(contentsOf: url))
        bytes[bytes.count / 2] ^= 0xFF
        let handle = try FileHandle(forWritingTo: url)
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }

    /// A store with a catalog and a checker over it.
    struct Fixture {
        let ws: ScratchWorkspace
        let catalog: Catalog
        let store: VersionStore
        let checker: TrustedFileChecker
        init(_ label: String) throws {
            ws = try ScratchWorkspace(label)
            catalog = try Catalog.open(ws.layout)
            store = VersionStore(layout: ws.layout)
            checker = TrustedFileChecker(layout: ws.layout, catalog: catalog)
        }
        func installAll(_ files: [VerifiedFile]) throws {
            for file in files { try store.install(fileAt: file.temporaryURL, file: file.catalogFile, checker: checker, classCount: 10) }
        }
        func versionID(_ files: [VerifiedFile]) -> String {
            VersionIdentity(payloadDigests: Dictionary(uniqueKeysWithValues: files.map { ($0.role, $0.measurement.payloadSHA256) })).full
        }
    }

    @Test func installMovesTheFileInReadOnlyAndIsIdempotent() throws {
        let fx = try Fixture("store")
        let files = try fx.ws.syntheticVersion()
        let file = files[0]
        let hex = file.measurement.containerSHA256
        let stored = fx.ws.layout.storedFile(containerSHA256: hex)
        #expect(try fx.store.install(fileAt: file.temporaryURL, file: file.catalogFile, checker: fx.checker, classCount: 10))
        #expect(!FileManager.default.fileExists(atPath: file.temporaryURL.path))
        #expect(Self.mode(stored) == 0o444)
        #expect(fx.store.contains(containerSHA256: hex, size: file.measurement.containerSize))
        #expect(!fx.store.contains(containerSHA256: hex, size: 1))
        // Installing the same bytes again removes the new temporary and keeps the (proven) stored file.
        let again = try fx.ws.temporaryFile([UInt8](try Data(contentsOf: stored)))
        let inodeBefore = Self.inode(stored)
        #expect(try fx.store.install(fileAt: again, file: file.catalogFile, checker: fx.checker, classCount: 10) == false)
        #expect(!FileManager.default.fileExists(atPath: again.path))
        #expect(Self.inode(stored)! == inodeBefore!)
    }

    @Test func installReplacesADamagedStoredFileWithTheVerifiedBytes() throws {
        let fx = try Fixture("storedamaged")
        let files = try fx.ws.syntheticVersion()
        let file = files[0]
        let original = try Data(contentsOf: file.temporaryURL)
        try fx.installAll([file])
        let stored = fx.ws.layout.storedFile(containerSHA256: file.measurement.containerSHA256)
        try Self.flipByte(stored)
        #expect(try Data(contentsOf: stored) != original)
        // The name and size are right, the content is not: the store must not keep it.
        let again = try fx.ws.temporaryFile([UInt8](original))
        #expect(try fx.store.install(fileAt: again, file: file.catalogFile, checker: fx.checker, classCount: 10))
        #expect(try Data(contentsOf: stored) == original)
        #expect(Self.mode(stored) == 0o444)
    }

    @Test func installRefusesADigestThatIsNotHex() throws {
        let fx = try Fixture("storehex")
        let file = try fx.ws.syntheticVersion()[0]
        let c = file.catalogFile
        let hostile = CatalogFile(
            role: c.role, name: c.name, containerSize: c.containerSize, containerMD5: c.containerMD5,
            containerSHA256: "../../etc/passwd", payloadSize: c.payloadSize, payloadSHA256: c.payloadSHA256, idx: c.idx)
        #expect(throws: UsageError.self) {
            try fx.store.install(fileAt: file.temporaryURL, file: hostile, checker: fx.checker, classCount: 10)
        }
    }

    @Test func prepareVersionBuildsAReadOnlyDirectoryOfCopiesAndThePointLiveFlipsAsOneUnit() throws {
        let fx = try Fixture("place")
        let first = try fx.ws.syntheticVersion(seed: 1)
        try fx.installAll(first)
        let firstID = fx.versionID(first)
        let prepared = try fx.store.prepareVersion(
            dataset: "fashion", versionID: firstID, files: first.map(\.catalogFile), checker: fx.checker, classCount: 10)
        let directory = fx.ws.layout.versionDirectory(dataset: "fashion", versionID: firstID)
        #expect(prepared.directory.standardizedFileURL.path == directory.standardizedFileURL.path)
        #expect(Set(prepared.placement.values) == [.copy])
        #expect(Self.mode(directory) == 0o555)
        for file in first.map(\.catalogFile) {
            let copy = directory.appendingPathComponent(file.name)
            let stored = fx.ws.layout.storedFile(containerSHA256: file.containerSHA256)
            #expect(try Data(contentsOf: copy) == Data(contentsOf: stored))
            #expect(Self.inode(copy)! != Self.inode(stored)!, "a copy, not a hard link: a write through it must not reach the store")
            #expect(Self.mode(copy) == 0o444)
        }
        // Preparing again writes nothing.
        let again = try fx.store.prepareVersion(
            dataset: "fashion", versionID: firstID, files: first.map(\.catalogFile), checker: fx.checker, classCount: 10)
        #expect(Set(again.placement.values) == [.unchanged])
        #expect(again.restored.isEmpty && again.restoredStore.isEmpty)

        let live = fx.ws.layout.liveDirectory(dataset: "fashion")
        #expect(try fx.store.pointLive(dataset: "fashion", versionID: firstID))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: live.path) == ".fmnist/versions/fashion/\(firstID)")
        #expect(fx.store.liveLinkVersionID(dataset: "fashion") == firstID)
        #expect(fx.store.isShownLive(firstID, files: first.map(\.catalogFile), dataset: "fashion"))
        #expect(try fx.store.pointLive(dataset: "fashion", versionID: firstID) == false, "already shown: nothing changes")

        // A second version: its own directory; the flip replaces the link, never the files behind it.
        let second = try fx.ws.syntheticVersion(seed: 2)
        try fx.installAll(second)
        let secondID = fx.versionID(second)
        try fx.store.prepareVersion(dataset: "fashion", versionID: secondID, files: second.map(\.catalogFile), checker: fx.checker, classCount: 10)
        #expect(fx.store.liveLinkVersionID(dataset: "fashion") == firstID, "preparing a version does not make it live")
        #expect(try fx.store.pointLive(dataset: "fashion", versionID: secondID))
        #expect(fx.store.liveLinkVersionID(dataset: "fashion") == secondID)
        for file in second { #expect(try Data(contentsOf: live.appendingPathComponent(file.name)) == Data(contentsOf: fx.ws.layout.storedFile(containerSHA256: file.measurement.containerSHA256))) }
        #expect(FileManager.default.fileExists(atPath: directory.path), "the first version's directory is kept")
        let names = try FileManager.default.contentsOfDirectory(atPath: fx.ws.layout.root.path).sorted()
        #expect(names == [".fmnist", "fashion"], "no temporary names are left behind")
        for file in first + second { #expect(fx.store.contains(containerSHA256: file.measurement.containerSHA256)) }
    }

    @Test func prepareVersionRestoresADamagedCopyFromTheStoreAndADamagedStoreFromTheCopy() throws {
        let fx = try Fixture("repair")
        let files = try fx.ws.syntheticVersion()
        try fx.installAll(files)
        let id = fx.versionID(files)
        let catalogFiles = files.map(\.catalogFile)
        try fx.store.prepareVersion(dataset: "mnist", versionID: id, files: catalogFiles, checker: fx.checker, classCount: 10)
        let directory = fx.ws.layout.versionDirectory(dataset: "mnist", versionID: id)
        let labels = catalogFiles.first { $0.role == .trainLabels }!
        let copy = directory.appendingPathComponent(labels.name)
        let stored = fx.ws.layout.storedFile(containerSHA256: labels.containerSHA256)
        let good = try Data(contentsOf: stored)

        // A write through the copy (what `data/mnist/<labels>` reaches): the copy is restored, the store untouched.
        try Self.flipByte(copy)
        #expect(try Data(contentsOf: stored) == good)
        let fixedCopy = try fx.store.prepareVersion(dataset: "mnist", versionID: id, files: catalogFiles, checker: fx.checker, classCount: 10)
        #expect(fixedCopy.restored == [labels.name])
        #expect(fixedCopy.placement[labels.name] == .copy)
        #expect(try Data(contentsOf: copy) == good)

        // The store damaged (bit rot): restored from the proven copy.
        try Self.flipByte(stored)
        let fixedStore = try fx.store.prepareVersion(dataset: "mnist", versionID: id, files: catalogFiles, checker: fx.checker, classCount: 10)
        #expect(fixedStore.restoredStore == [labels.name])
        #expect(try Data(contentsOf: stored) == good)

        // The store file deleted by hand: restored from the copy too.
        unlink(stored.path)
        let recreated = try fx.store.prepareVersion(dataset: "mnist", versionID: id, files: catalogFiles, checker: fx.checker, classCount: 10)
        #expect(recreated.restoredStore == [labels.name])
        #expect(try Data(contentsOf: stored) == good)
        #expect(Self.mode(stored) == 0o444)

        // A file a user put there through data/<dataset> is kept (it is theirs); a half-written
        // temporary of fmnist's own is removed.
        chmod(directory.path, 0o755)
        try Data("x".utf8).write(to: directory.appendingPathComponent("notes.txt"))
        try Data("partial".utf8).write(to: directory.appendingPathComponent(".\(labels.name).fmnist-123-0a1b2c3d"))
        chmod(directory.path, 0o555)
        try fx.store.prepareVersion(dataset: "mnist", versionID: id, files: catalogFiles, checker: fx.checker, classCount: 10)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == (catalogFiles.map(\.name) + ["notes.txt"]).sorted())
    }

    @Test func prepareVersionRefusesWhenAFileHasNoGoodCopyLeft() throws {
        let fx = try Fixture("nocopy")
        let files = try fx.ws.syntheticVersion()
        try fx.installAll(Array(files.dropLast()))
        let id = fx.versionID(files)
        let error = #expect(throws: WorkspaceError.self) {
            try fx.store.prepareVersion(dataset: "mnist", versionID: id, files: files.map(\.catalogFile), checker: fx.checker, classCount: 10)
        }
        #expect(error?.exitStatus == .integrity)
        #expect(error?.description.contains(files.last!.name) == true)
        #expect(error?.hint?.contains("fmnist fetch mnist") == true)
        #expect(!FileManager.default.fileExists(atPath: fx.ws.layout.versionDirectory(dataset: "mnist", versionID: id).path), "nothing half-built")
        #expect(!FileManager.default.fileExists(atPath: fx.ws.layout.liveDirectory(dataset: "mnist").path))

        // Both the copy and the store damaged: refused, and the damaged bytes are not declared good.
        try fx.installAll([files.last!])
        try fx.store.prepareVersion(dataset: "mnist", versionID: id, files: files.map(\.catalogFile), checker: fx.checker, classCount: 10)
        let name = files[1].name
        try Self.flipByte(fx.ws.layout.versionDirectory(dataset: "mnist", versionID: id).appendingPathComponent(name))
        try Self.flipByte(fx.ws.layout.storedFile(containerSHA256: files[1].measurement.containerSHA256))
        let both = #expect(throws: WorkspaceError.self) {
            try fx.store.prepareVersion(dataset: "mnist", versionID: id, files: files.map(\.catalogFile), checker: fx.checker, classCount: 10)
        }
        #expect(both?.exitStatus == .integrity)
        #expect(both?.description.contains(name) == true)
    }

    /// A version whose catalog record fails (here a read-only catalog; a full disk in real life)
    /// takes the store files it added out again: the store holds what it held, nothing else.
    @Test func aVersionTheCatalogCannotRecordLeavesTheStoreAsItWas() throws {
        let ws = try ScratchWorkspace("unrecorded")
        let registry = try ManifestRegistry.builtin()
        let fashion = try registry.manifest(named: "fashion")
        struct Details: Encodable { let source: String }
        let writable = try Catalog.open(ws.layout)
        _ = try VersionInstaller(layout: ws.layout, catalog: writable).commit(
            dataset: fashion, files: try ws.syntheticVersion(seed: 3), source: .import, eventDetails: Details(source: "test"))
        writable.close()
        func storeFiles() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: ws.layout.storeDirectory.path).sorted() }
        let before = try storeFiles()
        #expect(before.count == 4)

        let readOnly = try Catalog(file: ws.layout.catalogFile, readOnly: true)
        let other = try ws.syntheticVersion(seed: 9)
        #expect(throws: (any Error).self) {
            try VersionInstaller(layout: ws.layout, catalog: readOnly).commit(
                dataset: fashion, files: other, source: .import, eventDetails: Details(source: "test"))
        }
        readOnly.close()
        #expect(try storeFiles() == before)
        let new = other.filter { !before.contains($0.measurement.containerSHA256) }
        #expect(new.count >= 2, "the second version must bring files of its own")  // its images (the labels are the same)
        for file in new { #expect(!FileManager.default.fileExists(atPath: ws.layout.storedFile(containerSHA256: file.measurement.containerSHA256).path)) }
    }

    @Test func aFastCheckTrustsAnUnchangedFingerprintAndReHashesAChangedOne() throws {
        let fx = try Fixture("fingerprint")
        let file = try fx.ws.syntheticVersion()[1]
        try fx.installAll([file])
        let stored = fx.ws.layout.storedFile(containerSHA256: file.measurement.containerSHA256)
        #expect(fx.checker.check(stored, recorded: file.catalogFile, classCount: 10) == .proven(rehashed: false))
        #expect(fx.checker.check(stored, recorded: file.catalogFile, classCount: 10, rehash: true) == .proven(rehashed: true))
        // Same bytes written again (mtime/ctime change): re-hashed, still proven.
        let bytes = try Data(contentsOf: stored)
        chmod(stored.path, 0o644)  // a store file is 0444: a user other than root must make it writable first
        try bytes.write(to: stored)
        #expect(fx.checker.check(stored, recorded: file.catalogFile, classCount: 10) == .proven(rehashed: true))
        try Self.flipByte(stored)
        guard case .damaged = fx.checker.check(stored, recorded: file.catalogFile, classCount: 10) else {
            Issue.record("a changed byte must be caught by the fast check")
            return
        }
        unlink(stored.path)
        #expect(fx.checker.check(stored, recorded: file.catalogFile, classCount: 10) == .missing)
    }

    @Test func pointLiveRefusesForeignSymlinksFilesAndFoldersOfStrangers() throws {
        let fx = try Fixture("pointlive")
        let files = try fx.ws.syntheticVersion()
        try fx.installAll(files)
        let id = fx.versionID(files)
        try fx.store.prepareVersion(dataset: "fashion", versionID: id, files: files.map(\.catalogFile), checker: fx.checker, classCount: 10)
        let live = fx.ws.layout.liveDirectory(dataset: "fashion")

        // Someone else's symlink: refused, untouched.
        let user = fx.ws.base.appendingPathComponent("user-folder")
        try FileManager.default.createDirectory(at: user, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: user.appendingPathComponent("notes.txt"))
        try FileManager.default.createSymbolicLink(atPath: live.path, withDestinationPath: user.path)
        let foreign = #expect(throws: WorkspaceError.self) { try fx.store.pointLive(dataset: "fashion", versionID: id) }
        #expect(foreign == .foreignSymlink(path: live.standardizedFileURL.path, target: user.path))
        #expect(foreign?.exitStatus == .workspace)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: live.path) == user.path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: user.path) == ["notes.txt"])
        unlink(live.path)

        // A real folder with a file fmnist cannot vouch for: refused, kept.
        try FileManager.default.createDirectory(at: live, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: live.appendingPathComponent("notes.txt"))
        let folder = #expect(throws: WorkspaceError.self) { try fx.store.pointLive(dataset: "fashion", versionID: id) }
        #expect(folder?.exitStatus == .workspace)
        #expect(FileManager.default.fileExists(atPath: live.appendingPathComponent("notes.txt").path))
        // The same folder holding only vouched-for entries is adopted (replaced by the link).
        unlink(live.appendingPathComponent("notes.txt").path)
        try Data(contentsOf: fx.ws.layout.storedFile(containerSHA256: files[0].measurement.containerSHA256))
            .write(to: live.appendingPathComponent(files[0].name))
        #expect(try fx.store.pointLive(dataset: "fashion", versionID: id) { $0.lastPathComponent == files[0].name })
        #expect(fx.store.liveLinkVersionID(dataset: "fashion") == id)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fx.ws.layout.temporaryDirectory.path).isEmpty, "the old folder is gone")

        // A regular file there: refused.
        unlink(live.path)
        try Data("x".utf8).write(to: URL(fileURLWithPath: live.standardizedFileURL.path))
        #expect(throws: WorkspaceError.self) { try fx.store.pointLive(dataset: "fashion", versionID: id) }
    }

    @Test func installerMakesTheFirstVersionLiveAndLeavesItLiveWhenAnotherArrives() throws {
        let ws = try ScratchWorkspace("installer")
        let registry = try ManifestRegistry.builtin()
        let catalog = try Catalog.open(ws.layout)
        let files = try ws.syntheticVersion()
        struct Details: Encodable { let source: String }
        let installer = VersionInstaller(layout: ws.layout, catalog: catalog)
        let installed = try installer.commit(
            dataset: try registry.manifest(named: "mnist"), files: files, source: .import, eventDetails: Details(source: "test"))
        #expect(!installed.version.known)  // synthetic data is no known version
        #expect(installed.version.dataset == "mnist")
        #expect(installed.activated && installed.activationCommand == nil)
        #expect(try catalog.liveVersion(dataset: "mnist")?.versionID == installed.version.id)
        #expect(try catalog.files(versionID: installed.version.id).count == 4)
        let event = try #require(try catalog.events().first)
        #expect(event.kind == .import && event.result == .ok && event.versionID == installed.version.id)
        #expect(event.details["source"] == .string("test"))
        #expect(try catalog.lastVerification(versionID: installed.version.id)?.result == .ok)
        let store = VersionStore(layout: ws.layout)
        #expect(store.isShownLive(installed.version.id, files: installed.files, dataset: "mnist"))

        // Another version of a dataset that has a live one: stored and recorded, not live.
        let other = try ws.syntheticVersion(seed: 9)
        let second = try installer.commit(
            dataset: try registry.manifest(named: "mnist"), files: other, source: .import, eventDetails: Details(source: "test"))
        #expect(!second.activated)
        #expect(second.activationCommand == "fmnist switch mnist@\(second.version.shortID)")
        #expect(try catalog.liveVersion(dataset: "mnist")?.versionID == installed.version.id)
        #expect(store.liveLinkVersionID(dataset: "mnist") == installed.version.id)
        #expect(FileManager.default.fileExists(atPath: ws.layout.versionDirectory(dataset: "mnist", versionID: second.version.id).path))

        // With activate: it becomes live.
        let again = try ws.syntheticVersion(seed: 9)
        let third = try installer.commit(
            dataset: try registry.manifest(named: "mnist"), files: again, source: .import, eventDetails: Details(source: "test"),
            activate: true)
        #expect(third.activated)
        #expect(store.liveLinkVersionID(dataset: "mnist") == second.version.id)
        #expect(try catalog.liveVersion(dataset: "mnist")?.versionID == second.version.id)
    }

    @Test func linkTargetsAreRelativeInsideTheRootAndAbsoluteOutside() throws {
        let ws = try ScratchWorkspace("linktext")
        let switcher = LinkSwitcher(layout: ws.layout)
        let fashion = ws.layout.liveDirectory(dataset: "fashion")
        #expect(switcher.targetText(link: ws.layout.currentLink, target: fashion) == "fashion")
        #expect(switcher.targetText(link: ws.layout.root.appendingPathComponent("sub/current"), target: fashion) == "../fashion")
        // Beside the workspace (a project folder holding both): relative, so moving the project keeps it.
        #expect(switcher.targetText(link: ws.base.appendingPathComponent("MNIST_data"), target: fashion) == "data/fashion")
        // Sharing nothing below `/`: absolute.
        let elsewhere = URL(fileURLWithPath: "/fmnist-elsewhere-\(UUID().uuidString.prefix(8))/MNIST_data")
        #expect(switcher.targetText(link: elsewhere, target: fashion) == fashion.path)
    }

    @Test func flipReplacesALinkAtomicallyAndRefusesRealFilesAndFolders() throws {
        let ws = try ScratchWorkspace("flip")
        let switcher = LinkSwitcher(layout: ws.layout)
        for dataset in ["fashion", "mnist"] {
            try FileManager.default.createDirectory(at: ws.layout.liveDirectory(dataset: dataset), withIntermediateDirectories: true)
        }
        try switcher.flip(link: ws.layout.currentLink, to: ws.layout.liveDirectory(dataset: "fashion"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: ws.layout.currentLink.path) == "fashion")
        #expect(switcher.dataset(of: ws.layout.currentLink, among: ["fashion", "mnist"]) == "fashion")
        try switcher.flip(link: ws.layout.currentLink, to: ws.layout.liveDirectory(dataset: "mnist"))
        #expect(switcher.dataset(of: ws.layout.currentLink, among: ["fashion", "mnist"]) == "mnist")
        let outside = ws.base.appendingPathComponent("MNIST_data")
        try switcher.flip(link: outside, to: ws.layout.liveDirectory(dataset: "mnist"))
        #expect(switcher.destination(of: outside)?.path == ws.layout.liveDirectory(dataset: "mnist").path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: ws.layout.root.path).sorted() == ["current", "fashion", "mnist"])

        let folder = ws.base.appendingPathComponent("real-folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: folder.appendingPathComponent("x"))
        let folderError = #expect(throws: WorkspaceError.self) { try switcher.flip(link: folder, to: ws.layout.liveDirectory(dataset: "mnist")) }
        #expect(folderError == .notALink(path: folder.path, kind: "directory"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("x").path))
        let file = ws.base.appendingPathComponent("real-file")
        try Data("keep".utf8).write(to: file)
        let fileError = #expect(throws: WorkspaceError.self) { try switcher.flip(link: file, to: ws.layout.liveDirectory(dataset: "mnist")) }
        #expect(fileError == .notALink(path: file.path, kind: "regular file"))
        #expect(try Data(contentsOf: file) == Data("keep".utf8))
    }

    @Test func switchTargetsParse() throws {
        #expect(try SwitchTarget(parsing: "fashion") == SwitchTarget(dataset: "fashion"))
        #expect(try SwitchTarget(parsing: "mnist@lecun-1998") == SwitchTarget(dataset: "mnist", version: "lecun-1998"))
        #expect(throws: UsageError.self) { try SwitchTarget(parsing: "fashion@") }
        #expect(throws: UsageError.self) { try SwitchTarget(parsing: "@abcd") }
    }
}

/// What `verify` records of the live version it proved.
@Suite struct VerifyRecordingTests {
    @Test func verifyRemembersAFingerprintOnlyForFilesUnchangedSinceWellBeforeItsMeasurement() throws {
        let ws = try ScratchWorkspace("verifyprint")
        let registry = try ManifestRegistry.builtin()
        let catalog = try Catalog.open(ws.layout)
        struct Details: Encodable { let source: String }
        let installed = try VersionInstaller(layout: ws.layout, catalog: catalog).commit(
            dataset: try registry.manifest(named: "mnist"), files: try ws.syntheticVersion(), source: .import,
            eventDetails: Details(source: "test"))
        let checker = TrustedFileChecker(layout: ws.layout, catalog: catalog)
        let file = installed.files[1]
        let copy = ws.layout.versionDirectory(dataset: "mnist", versionID: installed.version.id).appendingPathComponent(file.name)
        let key = checker.relativePath(copy)
        // The same bytes written again: a new ctime, so the recorded fingerprint no longer matches.
        let bytes = try Data(contentsOf: copy)
        chmod(copy.path, 0o644)  // a copy is 0444: a user other than root must make it writable first
        let handle = try FileHandle(forWritingTo: copy)
        try handle.write(contentsOf: bytes)
        try handle.close()
        let rewritten = try #require(FileFingerprint(path: copy.path))
        #expect(try catalog.fingerprint(path: key, payloadSHA256: file.payloadSHA256) != rewritten)

        let service = VerifyService(layout: ws.layout, registry: registry)
        guard case .datasets(let result) = try service.run(target: "mnist") else { Issue.record("expected dataset reports"); return }
        #expect(result.ok, "\(result.datasets.map(\.verdict))")
        // Changed moments ago: verify does not vouch for it (a write during the read would go unseen).
        #expect(try catalog.fingerprint(path: key, payloadSHA256: file.payloadSHA256) != rewritten)
        #expect(try catalog.lastVerification(versionID: installed.version.id)?.result == .ok)

        // Unchanged for longer than the margin: the pass is remembered, so the fast check trusts it.
        Thread.sleep(forTimeInterval: VerifyService.fingerprintMargin + 0.2)
        guard case .datasets(let again) = try service.run(target: "mnist") else { Issue.record("expected dataset reports"); return }
        #expect(again.ok)
        #expect(try catalog.fingerprint(path: key, payloadSHA256: file.payloadSHA256) == rewritten)
    }
}
