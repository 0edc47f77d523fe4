import Foundation
import Testing
import TestSupport

@testable import FMNISTCore

@Suite struct LifecycleTests {
    /// The record splitter gives the same digests whatever the chunk sizes (records and the
    /// header cut across chunk boundaries), one per image, and different digests for different images.
    @Test(arguments: [1, 7, 784, 785, 4096, 1 << 20]) func recordDigestsIgnoreChunkBoundaries(chunk: Int) {
        let payload = SyntheticIDX.images(count: 9, seed: 13)
        let whole = (0..<9).map { index in
            payload[(16 + index * 784)..<(16 + (index + 1) * 784)].withUnsafeBytes { ImageDigest(of: $0) }
        }
        let splitter = RecordSplitter()
        var offset = 0
        while offset < payload.count {
            let end = min(payload.count, offset + chunk)
            payload[offset..<end].withUnsafeBytes { splitter.feed($0) }
            offset = end
        }
        #expect(splitter.digests == whole)
        #expect(Set(whole).count == 9)
        #expect(splitter.labels.isEmpty)
    }

    @Test func labelRecordsAreKeptAsBytes() {
        let splitter = RecordSplitter()
        let payload = SyntheticIDX.labels([3, 1, 4, 1, 5])
        for byte in payload { [byte].withUnsafeBytes { splitter.feed($0) } }
        #expect(splitter.labels == [3, 1, 4, 1, 5])
        #expect(splitter.digests.isEmpty)
    }

    /// One changed pixel changes the digest.
    @Test func oneChangedPixelChangesTheDigest() {
        var image = [UInt8](repeating: 0, count: 784)
        let before = image.withUnsafeBytes { ImageDigest(of: $0) }
        image[783] = 1
        #expect(image.withUnsafeBytes { ImageDigest(of: $0) } != before)
        image[783] = 0
        image[0] = 1
        #expect(image.withUnsafeBytes { ImageDigest(of: $0) } != before)
    }

    /// A lock round-trips through its text, and every malformed field is named.
    @Test func lockTextRoundTripsAndNamesBadFields() throws {
        let registry = try ManifestRegistry.builtin()
        let manifest = try registry.manifest(named: "fashion")
        let version = manifest.defaultVersion
        let pinned = PinnedVersion(
            dataset: "fashion", versionId: version.identity.full, name: version.name, known: true, files: version.files,
            mirrors: ["http://127.0.0.1:9/fashion/"])
        let lock = ProjectLock(datasets: [pinned])
        let text = try lock.text()
        #expect(try ProjectLock.parse(Data(text.utf8), path: "fmnist.lock", registry: registry) == lock)
        let broken: [(String, String, String)] = [
            (version.files[1].payload.sha256, "XYZ", "datasets[0].files[1].payload.sha256"),
            ("\"u8\"", "\"f32\"", "datasets[0].files[0].idx.type"),
            ("http://127.0.0.1:9/fashion/", "gopher://x/", "datasets[0].mirrors[0]"),
            ("\"known\" : true", "\"known\" : \"yes\"", "datasets[0].known"),
        ]
        for (old, new, field) in broken {
            let bad = text.replacingOccurrences(of: old, with: new)
            #expect(bad != text)
            #expect(throws: LockFileError.self) { try ProjectLock.parse(Data(bad.utf8), path: "fmnist.lock", registry: registry) }
            do {
                _ = try ProjectLock.parse(Data(bad.utf8), path: "fmnist.lock", registry: registry)
            } catch let error as LockFileError {
                #expect(error.field == field, "\(error)")
                #expect(error.exitStatus == .usage)
            }
        }
    }
}
