@testable import FMNISTCore
import Foundation
import Testing
import TestSupport

/// The reader of an export's provenance file: what it returns, and what it refuses.
struct ExportProvenanceTests {
    static func sample(schemaLayout: ExportLayout = .npz) -> ExportProvenance {
        ExportProvenance(
            layout: schemaLayout, dataset: "fashion", title: "Fashion-MNIST",
            version: .init(id: String(repeating: "ab", count: 32), shortID: String(repeating: "ab", count: 6), name: "2017-08-31", known: true),
            files: [.init(path: "fashion.npz", size: 12, sha256: String(repeating: "0", count: 64))], trees: [], fileCount: 1, bytes: 12)
    }

    @Test func writtenProvenanceReadsBackEqualAndAbsentIsNil() throws {
        let scratch = try ScratchFolder("provenance")
        #expect(try ExportProvenance.read(from: scratch.url) == nil)
        let provenance = Self.sample()
        try Data(try provenance.encoded()).write(to: scratch.url.appendingPathComponent(ExportProvenance.fileName))
        #expect(try ExportProvenance.read(from: scratch.url) == provenance)
        // snake_case keys, as docs/json.md documents them.
        let text = try String(contentsOf: scratch.url.appendingPathComponent(ExportProvenance.fileName), encoding: .utf8)
        for key in ["\"short_id\"", "\"file_count\"", "\"kind\" : \"fmnist-export\"", "\"schema\" : 1", "\"layout\" : \"npz\""] {
            #expect(text.contains(key), "\(key)")
        }
    }

    @Test func locationsAreTheDatasetsFolderOrBesideItsFiles() throws {
        let registry = try ManifestRegistry.builtin()
        let fashion = try registry.manifest(named: "fashion"), mnist = try registry.manifest(named: "mnist")
        #expect(try ExportProvenance.location(layout: .torchvision, manifest: fashion) == ["FashionMNIST", "fmnist-export.json"])
        #expect(try ExportProvenance.location(layout: .png, manifest: mnist) == ["mnist", "fmnist-export.json"])
        #expect(try ExportProvenance.location(layout: .keras, manifest: fashion) == ["datasets", "fashion-mnist", "fmnist-export.json"])
        #expect(try ExportProvenance.location(layout: .keras, manifest: mnist) == ["datasets", "fmnist-export-keras-mnist.json"])
        #expect(try ExportProvenance.location(layout: .tfds, manifest: fashion) == ["fashion_mnist", "fmnist-export.json"])
        #expect(try ExportProvenance.location(layout: .hf, manifest: mnist) == ["mnist", "fmnist-export.json"])
        #expect(try ExportProvenance.location(layout: .csv, manifest: fashion) == ["fmnist-export-csv-fashion.json"])
        #expect(try ExportProvenance.location(layout: .npz, manifest: mnist) == ["fmnist-export-npz-mnist.json"])
    }

    @Test func findAllReadsEveryPlaceInADest() throws {
        let scratch = try ScratchFolder("provenance-all")
        try Data(try Self.sample().encoded()).write(to: scratch.url.appendingPathComponent("fmnist-export-npz-fashion.json"))
        try FileManager.default.createDirectory(at: scratch.url.appendingPathComponent("FashionMNIST"), withIntermediateDirectories: true)
        try Data(try Self.sample(schemaLayout: .torchvision).encoded())
            .write(to: scratch.url.appendingPathComponent("FashionMNIST/fmnist-export.json"))
        let found = try ExportProvenance.findAll(in: scratch.url, registry: try ManifestRegistry.builtin())
        #expect(found.map(\.provenance.layout) == ["torchvision", "npz"])
        #expect(found.first?.folder.lastPathComponent == "FashionMNIST")
    }

    @Test func notARegularFileTooLargeNotJSONOrANewerSchemaIsRefused() throws {
        let scratch = try ScratchFolder("provenance-bad")
        let file = scratch.url.appendingPathComponent(ExportProvenance.fileName)
        func refusal() -> String? {
            do {
                _ = try ExportProvenance.read(from: scratch.url)
                return nil
            } catch let error as FileAccessError {
                #expect(error.exitStatus == .integrity)
                return error.problem
            } catch {
                return "\(error)"
            }
        }
        // A symlink to a valid provenance file is not followed.
        let elsewhere = scratch.url.appendingPathComponent("elsewhere.json")
        try Data(try Self.sample().encoded()).write(to: elsewhere)
        try FileManager.default.createSymbolicLink(at: file, withDestinationURL: elsewhere)
        #expect(refusal()?.contains("symbolic link") == true, "\(refusal() ?? "accepted")")
        try FileManager.default.removeItem(at: file)
        // A FIFO (never blocks).
        #expect(mkfifo(file.path, 0o644) == 0)
        #expect(refusal()?.contains("named pipe") == true, "\(refusal() ?? "accepted")")
        try FileManager.default.removeItem(at: file)
        // Larger than 1 MiB.
        try Data(repeating: 0x20, count: ExportProvenance.maximumSize + 1).write(to: file)
        #expect(refusal()?.contains("larger than") == true, "\(refusal() ?? "accepted")")
        // Not the JSON.
        try Data("{\"kind\": \"something else\"}".utf8).write(to: file)
        #expect(refusal()?.contains("not an fmnist export provenance file") == true, "\(refusal() ?? "accepted")")
        try Data("not json".utf8).write(to: file)
        #expect(refusal()?.contains("not an fmnist export provenance file") == true, "\(refusal() ?? "accepted")")
        // A newer schema.
        let newer = String(decoding: try Self.sample().encoded(), as: UTF8.self).replacingOccurrences(of: "\"schema\" : 1", with: "\"schema\" : 2")
        try Data(newer.utf8).write(to: file)
        #expect(refusal()?.contains("schema 2") == true, "\(refusal() ?? "accepted")")
    }

    @Test func treeDigestIsTheSha256sumListingSortedBytewise() {
        // printf 'bbb  a/10.png\naaa  a/9.png\n' | sha256sum  (bytewise: "1" < "9")
        let digest = ExportProvenance.treeDigest([(path: "a/9.png", sha256: "aaa"), (path: "a/10.png", sha256: "bbb")])
        #expect(digest == "2b03be92cb973bbc3ead6dfd3b998b696936b2a13cde8e0b6342e15f326fe953")
    }
}
