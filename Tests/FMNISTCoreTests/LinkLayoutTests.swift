import Foundation
import Testing

@testable import FMNISTCore

/// Link layouts: the catalog migration that records them, the symlinks each keeps, and the lexical
/// path normalisation that recognises fmnist's relative link targets.
@Suite struct LinkLayoutTests {
    @Test func linksRegisteredBeforeLayoutsExistedReadAsSeedAfterTheMigration() throws {
        let ws = try ScratchWorkspace("layout-migration")
        try ws.layout.createPrivateDirectories()
        // A catalog as the previous schema (3) left it, with one registered link.
        let raw = try SQLiteDatabase(path: ws.layout.catalogFile.path, mode: .readWrite)
        for index in 0..<3 { try raw.execute(CatalogSchema.migrations[index]) }
        try raw.execute("PRAGMA user_version = 3")
        try raw.run("INSERT INTO links(path, registered) VALUES (?, ?)", ["/home/me/MNIST_data", Date(timeIntervalSince1970: 1)])
        raw.close()

        let catalog = try Catalog.open(ws.layout)
        defer { catalog.close() }
        #expect(try catalog.schemaVersion() == CatalogSchema.currentVersion)
        try catalog.registerLink(path: "/home/me/tv", layout: .torchvision, at: Date(timeIntervalSince1970: 2))
        let links = try catalog.registeredLinkLayouts()
        #expect(links.map(\.path) == ["/home/me/MNIST_data", "/home/me/tv"])
        #expect(links.map(\.layout) == [.seed, .torchvision])
        #expect(try catalog.registeredLinks() == ["/home/me/MNIST_data", "/home/me/tv"])
        // The column takes any layout's name (the set is open), never an empty one.
        #expect(throws: (any Error).self) {
            try catalog.db.run("INSERT INTO links(path, registered, layout) VALUES ('/x', 3, '')")
        }
    }

    @Test func eachLayoutKeepsTheSymlinksItsFrameworkReads() throws {
        let registry = try ManifestRegistry.builtin()
        #expect(LinkLayout.seed.placements(root: "/p", registry: registry) == [.init(path: "/p", folders: [], shows: .liveFolder)])
        let torchvision = LinkLayout.torchvision.placements(root: "/p", registry: registry)
        #expect(Set(torchvision.map(\.path)) == ["/p/MNIST/raw", "/p/FashionMNIST/raw"])
        #expect(torchvision.allSatisfy { $0.shows == .payloads && $0.folders.first == "/p" && $0.folders.count == 2 })
        #expect(LinkLayout.keras.placements(root: "/p", registry: registry)
            == [.init(path: "/p/datasets/fashion-mnist", folders: ["/p", "/p/datasets"], shows: .liveFolder)])
        #expect(try LinkLayout(parsing: "TorchVision") == .torchvision)
        #expect(throws: UsageError.self) { try LinkLayout(parsing: "pytorch") }
    }

    @Test func linkDestinationsAreNormalisedWithoutFollowingSymlinks() {
        #expect(FilePaths.lexicallyNormalized("/a/b/../../data/mnist") == "/data/mnist")
        #expect(FilePaths.lexicallyNormalized("/a//b/./c/") == "/a/b/c")
        #expect(FilePaths.lexicallyNormalized("/../x") == "/x")
        #expect(FilePaths.lexicallyNormalized("/") == "/")
    }
}
