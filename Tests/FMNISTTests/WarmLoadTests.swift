@testable import FMNIST
import FMNISTCore
import Foundation
import TestSupport
import Testing

/// `load` reads a live version's kept payloads (`.fmnist/payload/…`) without re-hashing them only
/// while they are exactly what was proven (their recorded stat fingerprints); any hostile edit —
/// one that keeps the size and the modification time included — sends it back to the proving read.
@Suite struct WarmLoadTests {
    /// The kept payload of `role` of the live version of `dataset`.
    static func keptPayload(_ toy: ToyWorkspace, _ dataset: String, _ role: FileRole) throws -> URL {
        let data = try toy.workspace.load(DatasetName(dataset))
        return WorkspaceLayout(root: toy.root).payloadDirectory(dataset: dataset, versionID: data.version.full)
            .appendingPathComponent(PayloadStore.payloadName(SyntheticDataset.fileName(role)))
    }

    static func loader(_ toy: ToyWorkspace, _ dataset: String) throws -> DatasetLoader {
        let layout = WorkspaceLayout(root: toy.root)
        let registry = try ManifestRegistry.load(extraDirectories: toy.workspace.manifestDirectories.map(\.path), environment: [:])
        return DatasetLoader(layout: layout, registry: registry, manifest: try registry.manifest(named: dataset))
    }

    /// Overwrites the byte at `offset` of `url`, then puts its modification time back: the size and
    /// the mtime are as before, only the change time (which no user can set) differs.
    static func tamperKeepingSizeAndTime(_ url: URL, offset: Int) throws {
        var info = stat()
        #expect(lstat(url.path, &info) == 0)
        let folder = url.deletingLastPathComponent().path
        chmod(folder, 0o755)
        chmod(url.path, 0o644)
        let handle = try FileHandle(forUpdating: url)
        try handle.seek(toOffset: UInt64(offset))
        let old = try handle.read(upToCount: 1)!.first!
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: [old ^ 0xff])
        try handle.close()
        var times = [info.st_atim, info.st_mtim]
        #expect(utimensat(AT_FDCWD, url.path, &times, AT_SYMLINK_NOFOLLOW) == 0)
        chmod(url.path, 0o444)
        var after = stat()
        #expect(lstat(url.path, &after) == 0)
        #expect(after.st_size == info.st_size && after.st_mtim.tv_sec == info.st_mtim.tv_sec && after.st_mtim.tv_nsec == info.st_mtim.tv_nsec)
    }

    @Test func aFreshImportKeepsPayloadsAndTheNextLoadReadsThemWithoutRehashing() throws {
        let toy = try ToyWorkspace("warm")
        let (data, kept) = try Self.loader(toy, "toyfashion").loadReporting()
        #expect(kept == Set(FileRole.allCases), "the import's kept payloads were not trusted")
        #expect(data.train.images == toy.fashion.pixels(.trainImages))
        #expect(data.test.images == toy.fashion.pixels(.testImages))
        #expect(data.train.labels == toy.fashion.trainLabels && data.test.labels == toy.fashion.testLabels)
    }

    @Test func aTamperedPayloadWithItsSizeAndTimeKeptIsRehashedNeverReturned() throws {
        let toy = try ToyWorkspace("tamper")
        let payload = try Self.keptPayload(toy, "toyfashion", .trainImages)
        try Self.tamperKeepingSizeAndTime(payload, offset: 16 + 100)
        let (data, kept) = try Self.loader(toy, "toyfashion").loadReporting()
        #expect(!kept.contains(.trainImages))
        #expect(data.train.images == toy.fashion.pixels(.trainImages), "the tampered payload's bytes were returned")
        // The live folder itself is fine (verify checks it), and `switch` re-proves the kept payloads,
        // inflating the damaged one again from the proven `.gz`; its new fingerprint is recorded, so
        // the next load reads it without a re-hash.
        #expect(try toy.workspace.verify("toyfashion").ok)
        try toy.workspace.switchTo("toyfashion")
        let (again, keptAgain) = try Self.loader(toy, "toyfashion").loadReporting()
        #expect(keptAgain == Set(FileRole.allCases))
        #expect(again.train.images == toy.fashion.pixels(.trainImages))
    }

    @Test func aReplacedTruncatedOrSymlinkedPayloadIsNotTrusted() throws {
        let toy = try ToyWorkspace("replace")
        let images = try Self.keptPayload(toy, "toyfashion", .trainImages)
        let labels = try Self.keptPayload(toy, "toyfashion", .testLabels)
        let testImages = try Self.keptPayload(toy, "toyfashion", .testImages)
        chmod(images.deletingLastPathComponent().path, 0o755)
        // Replaced by an identical copy (a new inode): re-hashed, which is right, and still correct.
        let copy = images.deletingLastPathComponent().appendingPathComponent("copy")
        try FileManager.default.copyItem(at: images, to: copy)
        #expect(rename(copy.path, images.path) == 0)
        // Truncated.
        chmod(labels.path, 0o644)
        #expect(truncate(labels.path, 4) == 0)
        // A symlink to a file with the right bytes.
        let elsewhere = toy.scratch.url.appendingPathComponent("elsewhere")
        try FileManager.default.copyItem(at: testImages, to: elsewhere)
        try FileManager.default.removeItem(at: testImages)
        try FileManager.default.createSymbolicLink(at: testImages, withDestinationURL: elsewhere)
        let (data, kept) = try Self.loader(toy, "toyfashion").loadReporting()
        #expect(kept == [.trainLabels])
        #expect(data.train.images == toy.fashion.pixels(.trainImages))
        #expect(data.test.images == toy.fashion.pixels(.testImages))
        #expect(data.test.labels == toy.fashion.testLabels)
    }

    @Test func aDamagedLiveFolderIsReportedEvenWhenThePayloadsAreIntact() throws {
        let toy = try ToyWorkspace("livefolder")
        let wrong = toy.mnist.folder.appendingPathComponent(SyntheticDataset.fileName(.testLabels))
        try toy.replaceLiveFile(of: "toyfashion", role: .testLabels, with: wrong)
        #expect {
            try Self.loader(toy, "toyfashion").loadReporting()
        } throws: { error in
            guard case .wrongFile = error as? DatasetError else { return false }
            return true
        }
    }

    @Test func keptPayloadReaderChecksTheHeaderAgainstTheRecord() throws {
        let toy = try ToyWorkspace("header")
        let layout = WorkspaceLayout(root: toy.root)
        let url = try Self.keptPayload(toy, "toymnist", .trainImages)
        let catalog = try Catalog.openReadOnly(layout)
        defer { catalog.close() }
        let id = try catalog.liveVersion(dataset: "toymnist")!.versionID
        let file = try catalog.files(versionID: id).first { $0.role == .trainImages }!
        let fingerprint = try #require(try catalog.fingerprint(path: layout.catalogKey(url), payloadSHA256: file.payloadSHA256))
        let read = try #require(KeptPayloadReader.read(at: url, recorded: file, fingerprint: fingerprint))
        #expect(read.dims == file.idx.dims && read.elements == toy.mnist.pixels(.trainImages))
        // A record whose shape disagrees with the file (same size, other dimensions) is refused.
        let swapped = CatalogFile(
            role: file.role, name: file.name, containerSize: file.containerSize, containerMD5: file.containerMD5,
            containerSHA256: file.containerSHA256, payloadSize: file.payloadSize, payloadSHA256: file.payloadSHA256,
            idx: IDXShape(dims: Array(file.idx.dims.reversed())))
        #expect(swapped.idx.dims != file.idx.dims)
        #expect(KeptPayloadReader.read(at: url, recorded: swapped, fingerprint: fingerprint) == nil)
        // Another fingerprint (what a stale record would hold) is refused.
        let other = FileFingerprint(
            device: fingerprint.device, inode: fingerprint.inode, size: fingerprint.size,
            modifiedNanoseconds: fingerprint.modifiedNanoseconds, changedNanoseconds: fingerprint.changedNanoseconds + 1)
        #expect(KeptPayloadReader.read(at: url, recorded: file, fingerprint: other) == nil)
    }
}
