import Foundation
import Testing

@testable import FMNISTCore

/// `fmnist publish`'s planning and index (``PublishPlan``, ``MirrorIndex``), `lock --mirror`'s base
/// (``LockWriter/publishedBase(_:)``), and ``Publisher`` itself on synthetic versions.
@Suite struct PublishTests {
    static let idA = String(repeating: "a", count: 64)
    static let idB = String(repeating: "b", count: 64)

    static func file(_ role: FileRole, size: Int64 = 100, sha: Character = "1") -> ManifestFile {
        ManifestFile(
            role: role, name: BuiltinNames.name(role),
            container: ContainerDigests(size: size, md5: String(repeating: "0", count: 32), sha256: String(repeating: sha, count: 64)),
            payload: PayloadDigests(size: role.isImages ? 784 : 1, sha256: String(repeating: "2", count: 64)),
            idx: IDXShape(type: "u8", dims: role.isImages ? [1, 28, 28] : [1]))
    }

    static func version(_ dataset: String = "fashion", id: String = idA, known: Bool = true) -> MirrorIndexVersion {
        MirrorIndexVersion(dataset: dataset, versionId: id, name: known ? "2017-08-31" : "unknown", known: known,
                           files: FileRole.allCases.reversed().map { file($0) })
    }

    // MARK: the tree's layout and index

    @Test func aVersionsFolderIsAMirrorBaseUnderAnyBase() {
        #expect(PublishedTree.folder(dataset: "fashion", versionID: Self.idA) == "fashion/\(Self.idA)/")
        #expect(PublishedTree.mirror(base: "s3://team/fmnist", dataset: "mnist", versionID: Self.idB) == "s3://team/fmnist/mnist/\(Self.idB)/")
        #expect(PublishedTree.mirror(base: "http://h/m/", dataset: "mnist", versionID: Self.idB) == "http://h/m/mnist/\(Self.idB)/")
        // Files are listed in role order whatever order they come in, so equal versions give equal text.
        #expect(Self.version().files.map(\.role) == FileRole.allCases)
    }

    @Test func theIndexIsSortedStableAndReadsBack() throws {
        let index = MirrorIndex(versions: [Self.version("mnist", id: Self.idB), Self.version(id: Self.idB, known: false), Self.version()])
        #expect(index.datasets.map(\.dataset) == ["fashion", "mnist"])
        #expect(index.datasets[0].versions.map(\.versionId) == [Self.idA, Self.idB])
        let text = try index.text()
        #expect(text.hasSuffix("\n"))
        #expect(text.contains("\"format\" : \"fmnist-mirror\""))
        #expect(text.contains("\"path\" : \"fashion/\(Self.idA)/\""))
        #expect(try MirrorIndex(versions: index.versions.reversed()).text() == text, "the same versions give the same bytes")
        #expect(MirrorIndex.parse(Data(text.utf8)) == index)
    }

    @Test func anIndexThatIsNotOursIsNotTrusted() throws {
        let good = try MirrorIndex(versions: [Self.version()]).text()
        #expect(MirrorIndex.parse(Data("not json".utf8)) == nil)
        #expect(MirrorIndex.parse(Data(good.replacingOccurrences(of: "fmnist-mirror", with: "other").utf8)) == nil)
        // A path that is not the version's folder (it could point anywhere) is refused.
        #expect(MirrorIndex.parse(Data(good.replacingOccurrences(of: "\"path\" : \"fashion/", with: "\"path\" : \"../fashion/").utf8)) == nil)
        #expect(MirrorIndex.parse(Data(good.replacingOccurrences(of: Self.idA, with: "abc").utf8)) == nil)
        #expect(MirrorIndex.parse(Data(good.replacingOccurrences(of: "train-images-idx3-ubyte.gz", with: "../x.gz").utf8)) == nil)
    }

    @Test func mergingKeepsEarlierVersionsAndReplacesRepublishedOnes() {
        let old = MirrorIndex(versions: [Self.version(), Self.version("mnist", id: Self.idB)])
        let again = MirrorIndexVersion(dataset: "fashion", versionId: Self.idA, name: "renamed", known: true, files: Self.version().files)
        let merged = MirrorIndex.merged(previous: old, published: [again, Self.version(id: Self.idB, known: false)])
        #expect(merged.versions.count == 3)
        #expect(merged.versions.first { $0.versionId == Self.idA }?.name == "renamed")
        #expect(MirrorIndex.merged(previous: nil, published: [Self.version()]).versions == [Self.version()])
    }

    // MARK: the plan

    @Test func eachFileIsWrittenKeptOrReplacedAndOnlyASameSizedFileIsHashed() throws {
        let file = Self.file(.trainImages, size: 100, sha: "1")
        var hashed = 0
        let right = { hashed += 1; return String(repeating: "1", count: 64) }
        #expect(try PublishPlan.action(for: file, found: .absent, at: "p", digest: right) == .write)
        #expect(try PublishPlan.action(for: file, found: .regular(size: 99), at: "p", digest: right) == .replace)
        #expect(hashed == 0, "a file of another size is replaced without reading it")
        #expect(try PublishPlan.action(for: file, found: .regular(size: 100), at: "p", digest: right) == .keep)
        #expect(try PublishPlan.action(for: file, found: .regular(size: 100), at: "p", digest: { String(repeating: "9", count: 64) }) == .replace)
        #expect(hashed == 1)
        for found in [FoundEntry.symlink, .folder, .other] {
            #expect(throws: PublishPlan.Refusal(path: "fashion/x.gz", found: found)) {
                try PublishPlan.action(for: file, found: found, at: "fashion/x.gz", digest: right)
            }
        }
    }

    @Test func thePlanCoversEveryFileOnceAndRefusesBeforeWriting() throws {
        let versions = [Self.version(), Self.version(), Self.version("mnist", id: Self.idB)]
        var probed: [String] = []
        let plan = try PublishPlan(versions: versions) { folder, file in
            probed.append(folder + file.name)
            return folder.hasPrefix("mnist") ? (.regular(size: 100), { String(repeating: "1", count: 64) }) : (.absent, { "" })
        }
        #expect(plan.versions.count == 2, "a version listed twice is published once")
        #expect(plan.steps.count == 8 && Set(probed).count == 8)
        #expect(plan.changes.allSatisfy { $0.version.dataset == "fashion" && $0.action == .write })
        #expect(plan.steps.filter { $0.action == .keep }.map(\.path).allSatisfy { $0.hasPrefix("mnist/\(Self.idB)/") })
        #expect(throws: PublishPlan.Refusal.self) {
            try PublishPlan(versions: versions) { _, file in (file.role == .testLabels ? .symlink : .absent, { "" }) }
        }
    }

    // MARK: lock --mirror

    @Test func aPublishedBaseIsAFolderURLWithNoSecret() throws {
        #expect(try LockWriter.publishedBase("https://mirror.example/fmnist") == "https://mirror.example/fmnist/")
        #expect(try LockWriter.publishedBase("s3://bucket/team/") == "s3://bucket/team/")
        #expect(try LockWriter.publishedBase("file:///srv/mirror") == "file:///srv/mirror/")
        #expect(try LockWriter.publishedBase("http://ann:s3cr3t@127.0.0.1:8080/m") == "http://ann:***@127.0.0.1:8080/m/")
        for bad in ["ftp://host/m/", "/srv/mirror", "https://host/m/?X-Amz-Signature=abc", "https://host/m/#x", "not a url"] {
            #expect(throws: UsageError.self, "\(bad)") { try LockWriter.publishedBase(bad) }
        }
        do {
            _ = try LockWriter.publishedBase("ftp://ann:s3cr3t@host/")
        } catch let error as UsageError {
            #expect(!error.message.contains("s3cr3t"), "\(error.message)")
        }
    }

    /// `lock(publishedAt:)`: each base's folder of the pinned version, in order, before the catalog's mirrors
    /// (an imported version has none of its own).
    @Test func lockWithPublishedBasesPutsTheirFoldersFirst() throws {
        let (ws, registry, id) = try Self.workspace("publish-lock")
        let writer = LockWriter(layout: ws.layout, registry: registry)
        #expect(try writer.lock().pinned("fashion")?.mirrors == [])
        let bases = try ["https://ann:pw@m.example/team", "s3://bucket/fmnist/"].map(LockWriter.publishedBase)
        let pinned = try #require(try writer.lock(publishedAt: bases).pinned("fashion"))
        #expect(pinned.mirrors == ["https://ann:***@m.example/team/fashion/\(id)/", "s3://bucket/fmnist/fashion/\(id)/"])
        // The lock it makes is valid, and a fetch --locked of it asks those folders first.
        let text = try ProjectLock(datasets: [pinned]).text()
        let parsed = try ProjectLock.parse(Data(text.utf8), path: "fmnist.lock", registry: registry)
        #expect(try registry.manifest(named: "fashion").pinned(to: parsed.datasets[0]).mirrors == pinned.mirrors)
        #expect(!text.contains("pw@"))
    }

    // MARK: Publisher on a synthetic workspace

    /// A workspace with one synthetic (unknown) Fashion-MNIST version recorded live.
    static func workspace(_ label: String) throws -> (ScratchWorkspace, ManifestRegistry, String) {
        let ws = try ScratchWorkspace(label)
        let registry = try ManifestRegistry.builtin()
        struct Details: Encodable { let source: String }
        let catalog = try Catalog.open(ws.layout)
        defer { catalog.close() }
        let files = try ws.syntheticVersion(seed: 5)
        _ = try VersionInstaller(layout: ws.layout, catalog: catalog).commit(
            dataset: try registry.manifest(named: "fashion"), files: files, source: .import, eventDetails: Details(source: "test"))
        let id = VersionIdentity(payloadDigests: Dictionary(uniqueKeysWithValues: files.map { ($0.role, $0.measurement.payloadSHA256) })).full
        return (ws, registry, id)
    }

    @Test func publishWritesTheTreeThenKeepsItAndRepairsOnlyWhatDiffers() throws {
        let (ws, registry, id) = try Self.workspace("publish-unit")
        let dest = ws.base.appendingPathComponent("mirror")
        let publisher = Publisher(layout: ws.layout, registry: registry)
        let first = try publisher.run(destination: dest)
        #expect(first.written == 4 && first.kept == 0 && first.indexAction == .write)
        let folder = dest.appendingPathComponent("fashion/\(id)")
        let catalog = try Catalog.openReadOnly(ws.layout)
        let records = try catalog.files(versionID: id)
        catalog.close()
        for record in records {
            let bytes = try Data(contentsOf: folder.appendingPathComponent(record.name))
            #expect(Int64(bytes.count) == record.containerSize)
            #expect(try FileVerifier.measure(url: folder.appendingPathComponent(record.name)).containerSHA256 == record.containerSHA256)
        }
        let index = try #require(MirrorIndex.parse(try Data(contentsOf: dest.appendingPathComponent(MirrorIndex.fileName))))
        #expect(index.versions.map(\.versionId) == [id] && index.versions[0].known == false && index.versions[0].name == "unknown")

        let second = try publisher.run(destination: dest)
        #expect(second.written == 0 && second.replaced == 0 && second.kept == 4 && second.indexAction == .keep && second.bytesWritten == 0)

        // A truncated copy in DEST is replaced; the others are kept.
        let damaged = folder.appendingPathComponent(records[0].name)
        try Data([0x1f, 0x8b]).write(to: damaged)
        let third = try publisher.run(destination: dest)
        #expect(third.replaced == 1 && third.kept == 3 && third.indexAction == .keep)
        #expect(try FileVerifier.measure(url: damaged).containerSHA256 == records[0].containerSHA256)
    }

    @Test func aSymlinkInDestIsRefusedBeforeAnythingIsWritten() throws {
        let (ws, registry, id) = try Self.workspace("publish-link")
        let publisher = Publisher(layout: ws.layout, registry: registry)
        let elsewhere = ws.base.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)

        let linkedDest = ws.base.appendingPathComponent("linked")
        try FileManager.default.createSymbolicLink(at: linkedDest, withDestinationURL: elsewhere)
        #expect(throws: PublishError.symlink(path: linkedDest.path)) { try publisher.run(destination: linkedDest) }

        let dest = ws.base.appendingPathComponent("mirror")
        try FileManager.default.createDirectory(at: dest.appendingPathComponent("fashion"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: dest.appendingPathComponent("fashion/\(id)"), withDestinationURL: elsewhere)
        #expect(throws: PublishError.symlink(path: dest.path + "/fashion/\(id)")) { try publisher.run(destination: dest) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dest.appendingPathComponent(MirrorIndex.fileName).path))
        #expect(PublishError.symlink(path: "x").exitStatus == .workspace)
    }

    @Test func destInsideTheWorkspaceIsAUsageError() throws {
        let (ws, registry, _) = try Self.workspace("publish-inside")
        let publisher = Publisher(layout: ws.layout, registry: registry)
        for inside in [ws.layout.privateDirectory.appendingPathComponent("m"), ws.layout.root.appendingPathComponent("fashion/m"), ws.layout.root] {
            do {
                _ = try publisher.run(destination: inside)
                Issue.record("\(inside.path) was accepted")
            } catch let error as WorkspaceError {
                #expect(error.exitStatus == .usage, "\(error)")
            }
        }
    }
}
