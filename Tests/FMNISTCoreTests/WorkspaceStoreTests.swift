import Foundation
import Testing

@testable import FMNISTCore

/// The content-addressed store, live placement, the installer and link flips.
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

    @Test func installMovesTheFileInReadOnlyAndIsIdempotent() throws {
        let ws = try ScratchWorkspace("store")
        let store = VersionStore(layout: ws.layout)
        let files = try ws.syntheticVersion()
        let file = files[0]
        let hex = file.measurement.containerSHA256
        let stored = try store.install(fileAt: file.temporaryURL, containerSHA256: hex)
        #expect(stored == ws.layout.storedFile(containerSHA256: hex))
        #expect(!FileManager.default.fileExists(atPath: file.temporaryURL.path))
        #expect(Self.mode(stored) == 0o444)
        #expect(store.contains(containerSHA256: hex, size: file.measurement.containerSize))
        #expect(!store.contains(containerSHA256: hex, size: 1))
        // Installing the same bytes again removes the new temporary and keeps the stored file.
        let again = try ws.temporaryFile([UInt8](try Data(contentsOf: stored)))
        let inodeBefore = Self.inode(stored)
        try store.install(fileAt: again, containerSHA256: hex)
        #expect(!FileManager.default.fileExists(atPath: again.path))
        #expect(Self.inode(stored)! == inodeBefore!)
    }

    @Test func installRefusesADigestThatIsNotHex() throws {
        let ws = try ScratchWorkspace("storehex")
        let file = try ws.temporaryFile([1, 2, 3])
        #expect(throws: UsageError.self) {
            try VersionStore(layout: ws.layout).install(fileAt: file, containerSHA256: "../../etc/passwd")
        }
    }

    @Test func placeLiveHardLinksTheStoredBytesAndRemovesOnlyStaleFiles() throws {
        let ws = try ScratchWorkspace("place")
        let store = VersionStore(layout: ws.layout)
        let first = try ws.syntheticVersion(seed: 1)
        for file in first { try store.install(fileAt: file.temporaryURL, containerSHA256: file.measurement.containerSHA256) }
        let catalogFiles = first.map(\.catalogFile)
        let methods = try store.placeLive(catalogFiles, dataset: "fashion")
        let live = ws.layout.liveDirectory(dataset: "fashion")
        #expect(Set(methods.values) == [.hardLink])
        for file in catalogFiles {
            let placed = live.appendingPathComponent(file.name)
            #expect(Self.inode(placed)! == Self.inode(ws.layout.storedFile(containerSHA256: file.containerSHA256))!)
            #expect(store.isPlaced(file, dataset: "fashion", requireHardLink: true))
        }
        // Placing again changes nothing.
        #expect(Set(try store.placeLive(catalogFiles, dataset: "fashion").values) == [.unchanged])

        // A second version with one extra-named file, plus a user's own file in the folder.
        try Data("mine".utf8).write(to: live.appendingPathComponent("notes.txt"))
        let second = try ws.syntheticVersion(seed: 2)
        for file in second { try store.install(fileAt: file.temporaryURL, containerSHA256: file.measurement.containerSHA256) }
        try store.placeLive(second.map(\.catalogFile), dataset: "fashion", removing: catalogFiles.map(\.name) + ["gone.gz"])
        for file in second.map(\.catalogFile) { #expect(store.isPlaced(file, dataset: "fashion", requireHardLink: true)) }
        #expect(FileManager.default.fileExists(atPath: live.appendingPathComponent("notes.txt").path))
        let names = try FileManager.default.contentsOfDirectory(atPath: live.path).sorted()
        #expect(names == (second.map(\.name) + ["notes.txt"]).sorted(), "no temporary names are left behind")
        // Both versions stay in the store.
        for file in first + second { #expect(store.contains(containerSHA256: file.measurement.containerSHA256)) }
    }

    @Test func placeLiveChangesNothingWhenAStoredFileIsMissing() throws {
        let ws = try ScratchWorkspace("placemissing")
        let store = VersionStore(layout: ws.layout)
        let files = try ws.syntheticVersion()
        for file in files.dropLast() { try store.install(fileAt: file.temporaryURL, containerSHA256: file.measurement.containerSHA256) }
        let error = #expect(throws: WorkspaceError.self) { try store.placeLive(files.map(\.catalogFile), dataset: "mnist") }
        #expect(error?.exitStatus == .missing)
        #expect(error?.hint?.contains("fmnist fetch mnist") == true)
        let live = ws.layout.liveDirectory(dataset: "mnist")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: live.path))?.isEmpty ?? true)
    }

    @Test func installerStoresRecordsAndPlacesAVersion() throws {
        let ws = try ScratchWorkspace("installer")
        let registry = try ManifestRegistry.builtin()
        let catalog = try Catalog.open(ws.layout)
        let files = try ws.syntheticVersion()
        struct Details: Encodable { let source: String }
        let installed = try VersionInstaller(layout: ws.layout, catalog: catalog).commit(
            dataset: try registry.manifest(named: "mnist"), files: files, source: .import, eventDetails: Details(source: "test"))
        #expect(!installed.version.known)  // synthetic data is no known version
        #expect(installed.version.dataset == "mnist")
        #expect(try catalog.liveVersion(dataset: "mnist")?.versionID == installed.version.id)
        #expect(try catalog.files(versionID: installed.version.id).count == 4)
        let event = try #require(try catalog.events().first)
        #expect(event.kind == .import && event.result == .ok && event.versionID == installed.version.id)
        #expect(event.details["source"] == .string("test"))
        #expect(try catalog.lastVerification(versionID: installed.version.id)?.result == .ok)
        for file in installed.files { #expect(VersionStore(layout: ws.layout).isPlaced(file, dataset: "mnist", requireHardLink: true)) }
    }

    @Test func linkTargetsAreRelativeInsideTheRootAndAbsoluteOutside() throws {
        let ws = try ScratchWorkspace("linktext")
        let switcher = LinkSwitcher(layout: ws.layout)
        let fashion = ws.layout.liveDirectory(dataset: "fashion")
        #expect(switcher.targetText(link: ws.layout.currentLink, target: fashion) == "fashion")
        #expect(switcher.targetText(link: ws.layout.root.appendingPathComponent("sub/current"), target: fashion) == "../fashion")
        #expect(switcher.targetText(link: ws.base.appendingPathComponent("MNIST_data"), target: fashion) == fashion.path)
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
