import Foundation
import Testing
import TestSupport

@testable import FMNISTCore

/// A registry with a synthetic dataset whose files the tests can generate.
func syntheticRegistry() throws -> (ManifestRegistry, [FileRole: [UInt8]]) {
    let payloads: [FileRole: [UInt8]] = [
        .trainImages: SyntheticIDX.images(count: 20, seed: 3),
        .trainLabels: SyntheticIDX.labels((0..<20).map { UInt8($0 % 10) }),
        .testImages: SyntheticIDX.images(count: 10, seed: 5),
        .testLabels: SyntheticIDX.labels((0..<10).map { UInt8($0) }),
    ]
    var files: [[String: Any]] = []
    for role in FileRole.allCases {
        let payload = payloads[role]!
        let container = SyntheticIDX.gzip(payload)
        let m = SyntheticIDX.measure(container)
        files.append([
            "role": role.rawValue, "name": "\(role.fileStem)-idx\(role.isImages ? 3 : 1)-ubyte.gz",
            "container": ["size": container.count, "md5": m.containerMD5, "sha256": m.containerSHA256],
            "payload": ["size": payload.count, "sha256": m.payloadSHA256],
            "idx": ["type": "u8", "dims": m.idxDims],
        ])
    }
    let json: [String: Any] = [
        "schema": 1, "name": "synthetic", "title": "Synthetic", "aliases": [], "license": "test",
        "classes": (0..<10).map(String.init), "mirrors": ["http://127.0.0.1/"],
        "histogram": ["train": Array(repeating: 2, count: 10), "test": Array(repeating: 1, count: 10)],
        "sanity": ["min_accuracy": 0.5, "max_accuracy": 1.0],
        "versions": [["name": "v1", "files": files]],
    ]
    let manifest = try ManifestLoader.parse(try JSONSerialization.data(withJSONObject: json), source: "synthetic")
    let builtin = try ManifestRegistry.builtin()
    return (ManifestRegistry(manifests: builtin.manifests + [manifest]), payloads)
}

@Suite struct IdentificationTests {
    @Test func identifiesExactAndRecompressedFiles() throws {
        let (registry, payloads) = try syntheticRegistry()
        let index = KnownFileIndex(registry: registry)
        let exact = SyntheticIDX.measure(SyntheticIDX.gzip(payloads[.testImages]!))
        let (known, match) = try #require(index.identify(exact))
        #expect(known.dataset == "synthetic" && known.role == .testImages && match == .exactContainer)
        #expect(known.description == "Synthetic's t10k-images")
        // Same payload, different compression level: a different container, the same file.
        let recompressed = SyntheticIDX.measure(Deflater.compress(payloads[.testImages]!, format: .gzip, level: 1))
        #expect(recompressed.containerSHA256 != exact.containerSHA256)
        let (again, how) = try #require(index.identify(recompressed))
        #expect(again.role == .testImages && how == .samePayload)
    }

    @Test func unknownAndFaultyFilesMatchNothing() throws {
        let (registry, _) = try syntheticRegistry()
        let index = KnownFileIndex(registry: registry)
        #expect(index.identify(SyntheticIDX.measure(SyntheticIDX.gzip(SyntheticIDX.images(count: 3, seed: 99)))) == nil)
        #expect(index.identify(SyntheticIDX.measure(Array("<html>".utf8))) == nil)
    }

    @Test func swappedFileIsNamedByTheVerifier() throws {
        let (registry, payloads) = try syntheticRegistry()
        let manifest = try registry.manifest(named: "synthetic")
        let verifier = DatasetVerifier(registry: registry)
        // The test-images file put where train-images belongs.
        let m = SyntheticIDX.measure(SyntheticIDX.gzip(payloads[.testImages]!))
        let report = verifier.judge(measurement: m, role: .trainImages, url: URL(fileURLWithPath: "/x/train-images-idx3-ubyte.gz"), manifest: manifest)
        #expect(report.status == .wrongFile)
        #expect(report.message.contains("Synthetic's t10k-images"))
        let recompressed = verifier.judge(
            measurement: SyntheticIDX.measure(Deflater.compress(payloads[.trainImages]!, format: .gzip, level: 9)),
            role: .trainImages, url: URL(fileURLWithPath: "/x/a.gz"), manifest: manifest)
        #expect(recompressed.status == .recompressed)
        #expect(recompressed.notes.contains { $0.contains("same data, different container") })
    }

    @Test func verifiesAFolderAndComputesTheVersion() throws {
        let (registry, payloads) = try syntheticRegistry()
        let manifest = try registry.manifest(named: "synthetic")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ident-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for file in manifest.defaultVersion.files {
            try Data(SyntheticIDX.gzip(payloads[file.role]!)).write(to: directory.appendingPathComponent(file.name))
        }
        let verifier = DatasetVerifier(registry: registry)
        let good = verifier.verify(directory: directory, expecting: manifest)
        #expect(good.exitStatus == .success)
        #expect(good.versionID == manifest.defaultVersion.identity.full)
        #expect(good.versionName == "v1")
        // Remove one file: missing.
        try FileManager.default.removeItem(at: directory.appendingPathComponent(manifest.defaultVersion.file(.testLabels).name))
        #expect(verifier.verify(directory: directory, expecting: manifest).exitStatus == .missing)
        // Corrupt another: integrity outranks missing.
        try Data("<html>oops</html>".utf8).write(to: directory.appendingPathComponent(manifest.defaultVersion.file(.trainLabels).name))
        let bad = verifier.verify(directory: directory, expecting: manifest)
        #expect(bad.exitStatus == .integrity)
        #expect(bad.files.first { $0.role == .trainLabels }?.message.contains("HTML") == true)
    }

    @Test func realManifestsNameEachOther() throws {
        let registry = try ManifestRegistry.builtin()
        let index = KnownFileIndex(registry: registry)
        let mnist = try registry.manifest(named: "mnist").defaultVersion.file(.testImages)
        let known = try #require(index.identify(containerSHA256: mnist.container.sha256))
        #expect(known.description == "MNIST's t10k-images")
    }
}
