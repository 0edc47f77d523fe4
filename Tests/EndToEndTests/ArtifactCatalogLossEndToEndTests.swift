import FMNISTCore
import Foundation
import Testing
import TestSupport

/// A lost catalog never makes an artifact look unused: keras's `mnist.npz`, fetched with
/// `fetch mnist --artifact keras` from a file:// mirror, lives only in the store (no version
/// directory). After `data/.fmnist/catalog.sqlite3` is deleted, catalog recovery records it again
/// (proven by its pin, cross-checked), and `gc` keeps every artifact a manifest pins for a
/// recorded version in any case; `export keras` still writes it.
@Suite(.serialized) struct ArtifactCatalogLossEndToEndTests {
    typealias Fixture = ArtifactEndToEndTests.Fixture

    /// The toy MNIST with its artifact fetched over file://, then the catalog deleted.
    static func fetchedThenCatalogLost() throws -> Fixture {
        let fixture = try Fixture()
        let mirror = fixture.mirrors.appendingPathComponent("good").absoluteString
        let fetch = try fixture.run(["fetch", "mnist", "--artifact", "keras", "--mirror", mirror])
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(FileManager.default.fileExists(atPath: fixture.storedNPZ.path))
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: fixture.base.path("data/.fmnist/catalog.sqlite3\(suffix)").path)
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.base.path("data/.fmnist/catalog.sqlite3").path))
        return fixture
    }

    /// gc (and its dry run) keeps the artifact; returns gc's JSON.
    static func gcKeepsTheArtifact(_ fixture: Fixture) throws -> [String: Any] {
        for arguments in [["gc", "--dry-run", "--json"], ["gc", "--json"]] {
            let gc = try fixture.run(arguments)
            #expect(gc.status == 0, "\(arguments): \(gc.stderr)")
            let items = try gc.json()["items"] as? [[String: Any]] ?? []
            #expect(!items.contains { ($0["path"] as? String)?.hasSuffix(NPZDigest.sha256(fixture.npz)) == true },
                    "\(arguments.joined(separator: " ")) would free the stored mnist.npz: \(items)")
        }
        #expect(try Data(contentsOf: fixture.storedNPZ) == Data(fixture.npz), "gc took or changed the stored mnist.npz")
        return try fixture.run(["gc", "--json"]).json()
    }

    /// export keras writes the exact artifact, and a fetch of it needs nothing: its row is back.
    static func exportAndFetchFindTheArtifact(_ fixture: Fixture) throws {
        let dest = fixture.base.path("keras-out")
        let export = try fixture.run(["export", "keras", dest.path, "--dataset", "mnist"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(try Data(contentsOf: dest.appendingPathComponent("datasets/mnist.npz")) == Data(fixture.npz))
        let again = try fixture.run(["fetch", "mnist", "--artifact", "keras", "--offline", "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try ArtifactEndToEndTests.artifact(again)["status"] as? String == "present", "the catalog did not record the artifact again")
    }

    @Test func gcRightAfterTheCatalogIsDeletedKeepsTheArtifact() throws {
        let fixture = try Self.fetchedThenCatalogLost()
        let json = try Self.gcKeepsTheArtifact(fixture)
        #expect(json["freed_bytes"] as? Int == 0, "\(json)")
        try Self.exportAndFetchFindTheArtifact(fixture)
    }

    @Test(arguments: [["verify", "mnist", "--repair"], ["switch", "mnist"], ["verify", "mnist"]])
    func aRecoveringCommandRecordsTheArtifactAgainAndGCKeepsIt(command: [String]) throws {
        let fixture = try Self.fetchedThenCatalogLost()
        let recover = try fixture.run(command)
        #expect(recover.status == 0, "\(command): \(recover.stderr)")
        _ = try Self.gcKeepsTheArtifact(fixture)
        try Self.exportAndFetchFindTheArtifact(fixture)
    }

    /// A stored artifact that no longer proves (one byte changed) cannot be recorded again, but gc
    /// still keeps it while its version is recorded (the manifest pins it); fetch then replaces it.
    @Test func aDamagedStoredArtifactIsKeptByItsPinAndFetchRestoresIt() throws {
        let fixture = try Self.fetchedThenCatalogLost()
        let stored = fixture.storedNPZ.path
        #expect(chmod(stored, 0o644) == 0)
        var bytes = try [UInt8](Data(contentsOf: fixture.storedNPZ))
        bytes[bytes.count / 2] ^= 0x5A
        try Data(bytes).write(to: fixture.storedNPZ)
        #expect(chmod(stored, 0o444) == 0)
        let gc = try fixture.run(["gc", "--json"])
        #expect(gc.status == 0, "\(gc.stderr)")
        #expect(FileManager.default.fileExists(atPath: stored), "gc deleted the pinned (damaged) artifact")
        // Not recorded again (it does not prove): export refuses, naming the fetch that restores it.
        let refused = try fixture.run(["export", "keras", fixture.base.path("refused").path, "--dataset", "mnist"])
        #expect(refused.status != 0)
        let mirror = fixture.mirrors.appendingPathComponent("good").absoluteString
        let fetch = try fixture.run(["fetch", "mnist", "--artifact", "keras", "--mirror", mirror])
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(try Data(contentsOf: fixture.storedNPZ) == Data(fixture.npz))
        try Self.exportAndFetchFindTheArtifact(fixture)
    }
}
