import Foundation
import Testing
import TestSupport

@testable import FMNISTCore

/// ``PayloadStore/adopt(_:recorded:classCount:to:)``: an import's staged uncompressed payload moves
/// into the payload store only when it measures as exactly the recorded payload; anything else is
/// left where it is (the store then inflates the proven `.gz`).
@Suite struct PayloadAdoptionTests {
    static let labels = (0..<40).map { UInt8($0 % 10) }

    /// A recorded labels file and a staging folder; `staged` is the payload written there.
    static func setUp(_ workspace: ScratchWorkspace, staged: [UInt8]) throws -> (recorded: CatalogFile, staged: URL, final: URL) {
        let payload = SyntheticIDX.labels(labels)
        let gz = try workspace.temporaryFile(SyntheticIDX.gzip(payload), name: "train-labels-idx1-ubyte.gz")
        let recorded = CatalogFile(role: .trainLabels, name: "train-labels-idx1-ubyte.gz", measurement: try FileVerifier.measure(url: gz))
        let stagedURL = try workspace.temporaryFile(staged, name: "train-labels-idx1-ubyte")
        let folder = workspace.layout.temporaryDirectory.appendingPathComponent("payload-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        return (recorded, stagedURL, folder.appendingPathComponent("train-labels-idx1-ubyte"))
    }

    @Test func theRecordedPayloadIsMovedInReadOnly() throws {
        let workspace = try ScratchWorkspace("adopt")
        let payload = SyntheticIDX.labels(Self.labels)
        let (recorded, staged, final) = try Self.setUp(workspace, staged: payload)
        #expect(PayloadStore.adopt(staged, recorded: recorded, classCount: 10, to: final))
        #expect(try Data(contentsOf: final) == Data(payload))
        #expect(!FileManager.default.fileExists(atPath: staged.path))
        #expect(FilePaths.lstat(final.path).map { $0.st_mode & 0o777 } == 0o444)
    }

    @Test(arguments: ["one label changed, same size", "cut short", "a label beyond the classes", "a symlink to the payload"])
    func anythingElseIsLeftAlone(what: String) throws {
        let workspace = try ScratchWorkspace("adopt")
        var payload = SyntheticIDX.labels(Self.labels)
        switch what {
        case "one label changed, same size": payload[20] = payload[20] == 1 ? 2 : 1
        case "cut short": payload.removeLast()
        case "a label beyond the classes": payload[9] = 12
        default: break
        }
        var (recorded, staged, final) = try Self.setUp(workspace, staged: payload)
        if what == "a symlink to the payload" {
            let link = staged.deletingLastPathComponent().appendingPathComponent("link-\(UUID().uuidString.prefix(6))")
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: staged)
            staged = link
        }
        #expect(!PayloadStore.adopt(staged, recorded: recorded, classCount: 10, to: final), "\(what)")
        #expect(!FileManager.default.fileExists(atPath: final.path), "\(what)")
        #expect(FilePaths.lstat(staged.path) != nil, "\(what): the staged file stays for the staging folder's removal")
    }

    @Test func aSymlinkAtTheDestinationIsNotReplaced() throws {
        let workspace = try ScratchWorkspace("adopt")
        let payload = SyntheticIDX.labels(Self.labels)
        let (recorded, staged, final) = try Self.setUp(workspace, staged: payload)
        let elsewhere = workspace.base.appendingPathComponent("elsewhere")
        try Data("mine".utf8).write(to: elsewhere)
        try FileManager.default.createSymbolicLink(at: final, withDestinationURL: elsewhere)
        #expect(!PayloadStore.adopt(staged, recorded: recorded, classCount: 10, to: final))
        #expect(try Data(contentsOf: elsewhere) == Data("mine".utf8))
        #expect(FileManager.default.fileExists(atPath: staged.path))
    }
}

/// ``ImportStaging/stageCompressed(_:as:)``: the `.gz` and the kept payload beside it, never
/// written through a `payloads` entry that is not a real directory.
@Suite struct StagedPayloadTests {
    @Test func theGzipAndThePayloadAreWrittenSideBySide() throws {
        let folder = try ScratchFolder("stage")
        let payload = SyntheticIDX.labels((0..<30).map { UInt8($0 % 10) })
        let gz = folder.url.appendingPathComponent("train-labels-idx1-ubyte.gz")
        try ImportStaging.stageCompressed(payload, as: gz)
        let measured = try FileVerifier.measure(url: gz)
        #expect(measured.fault == nil && measured.payloadSHA256 == MessageDigest.sha256(payload))
        let kept = ImportStaging.stagedPayload(of: gz.lastPathComponent, in: folder.url)
        #expect(kept.lastPathComponent == "train-labels-idx1-ubyte")
        #expect(try Data(contentsOf: kept) == Data(payload))
    }

    @Test func aSymlinkAtThePayloadsFolderIsRefusedAndNotFollowed() throws {
        let folder = try ScratchFolder("stage")
        let elsewhere = folder.url.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: false)
        let staging = folder.url.appendingPathComponent("staging")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(at: staging.appendingPathComponent("payloads"), withDestinationURL: elsewhere)
        let payload = SyntheticIDX.labels([1, 2, 3])
        #expect(throws: WorkspaceError.self) {
            try ImportStaging.stageCompressed(payload, as: staging.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
    }
}
