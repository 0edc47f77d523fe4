import Foundation
import Testing

@testable import FMNISTCore

@Suite struct WorkspaceJanitorTests {
    @Test func recognisesOnlyPlacementNames() {
        #expect(WorkspaceJanitor.isPlacementLeftover(".train-images-idx3-ubyte.gz.fmnist-1234-0A1B2C3D"))
        #expect(WorkspaceJanitor.isPlacementLeftover(".current.fmnist-9-deadbeef"))
        #expect(!WorkspaceJanitor.isPlacementLeftover("train-images-idx3-ubyte.gz"))
        #expect(!WorkspaceJanitor.isPlacementLeftover(".fmnist"))
        #expect(!WorkspaceJanitor.isPlacementLeftover(".notes.fmnist-abc-0A1B2C3D"))
    }

    @Test func lockHolderSweepsWhatAKilledWriterLeft() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("janitor-\(UUID().uuidString)")
        let layout = WorkspaceLayout(root: root)
        try layout.createPrivateDirectories()
        defer { try? FileManager.default.removeItem(at: root) }
        let live = layout.liveDirectory(dataset: "fashion")
        try FileManager.default.createDirectory(at: live, withIntermediateDirectories: true)
        let keep = live.appendingPathComponent("train-images-idx3-ubyte.gz")
        let leftover = live.appendingPathComponent(".train-images-idx3-ubyte.gz.fmnist-77-0A1B2C3D")
        let staleTemp = layout.temporaryDirectory.appendingPathComponent("download.77.abcd1234")
        let partial = layout.partialFile(dataset: "fashion", name: "x.gz")
        try FileManager.default.createDirectory(at: partial.deletingLastPathComponent(), withIntermediateDirectories: true)
        for url in [keep, leftover, staleTemp, partial] { try Data("x".utf8).write(to: url) }
        let lock = try WorkspaceLock.acquire(layout, command: "test")
        lock.release()
        #expect(FileManager.default.fileExists(atPath: keep.path))
        #expect(FileManager.default.fileExists(atPath: partial.path), "partial downloads are how fetch resumes")
        #expect(!FileManager.default.fileExists(atPath: leftover.path))
        #expect(!FileManager.default.fileExists(atPath: staleTemp.path))
    }

    @Test func neverSweepsThroughAForeignSymlink() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("janitor-link-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let layout = WorkspaceLayout(root: base.appendingPathComponent("data"))
        try layout.createPrivateDirectories()
        // The user's folders, reached through `.fmnist/tmp` and `.fmnist/versions` symlinks, hold
        // names that look like fmnist's leftovers.
        let user = base.appendingPathComponent("user")
        let looksLikeLeftover = user.appendingPathComponent("fashion/.thesis.fmnist-12-0A1B2C3D")
        let plain = user.appendingPathComponent("download.77.abcd1234")
        try FileManager.default.createDirectory(at: looksLikeLeftover.deletingLastPathComponent(), withIntermediateDirectories: true)
        for url in [looksLikeLeftover, plain] { try Data("keep".utf8).write(to: url) }
        for directory in [layout.temporaryDirectory, layout.versionsDirectory] {
            try FileManager.default.removeItem(at: directory)
            try FileManager.default.createSymbolicLink(at: directory, withDestinationURL: user)
        }
        let removed = WorkspaceJanitor.sweep(layout)
        #expect(removed.isEmpty, "removed \(removed)")
        #expect(FileManager.default.fileExists(atPath: looksLikeLeftover.path))
        #expect(FileManager.default.fileExists(atPath: plain.path))
    }
}
