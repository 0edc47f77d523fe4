import Foundation
import Testing

@testable import FMNISTCore

/// The repository's manifests/ folder.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The fashion manifest as a mutable JSON tree, to break one field at a time.
func fashionManifestJSON() throws -> [String: Any] {
    let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("manifests/fashion-mnist.json"))
    return try JSONSerialization.jsonObject(with: data) as! [String: Any]
}

/// Applies `edit` to the fashion manifest and returns the loader's rejection.
func rejection(_ edit: (inout [String: Any]) -> Void) throws -> ManifestError? {
    var json = try fashionManifestJSON()
    edit(&json)
    let data = try JSONSerialization.data(withJSONObject: json)
    do {
        _ = try ManifestLoader.parse(data, source: "test.json")
        return nil
    } catch let error as ManifestError {
        return error
    }
}

/// Edits `versions[0].files[index]`.
func editFile(_ json: inout [String: Any], _ index: Int, _ edit: (inout [String: Any]) -> Void) {
    var versions = json["versions"] as! [[String: Any]]
    var files = versions[0]["files"] as! [[String: Any]]
    edit(&files[index])
    versions[0]["files"] = files
    json["versions"] = versions
}

func setNested(_ dict: inout [String: Any], _ key: String, _ sub: String, _ value: Any) {
    var inner = dict[key] as! [String: Any]
    inner[sub] = value
    dict[key] = inner
}

@Suite struct ManifestLoaderTests {
    @Test func shippedManifestsLoadAndMatchTheBuiltinCopies() throws {
        let registry = try ManifestRegistry.builtin()
        #expect(registry.manifests.map(\.name) == ["fashion", "mnist"])
        let fromDisk = try ManifestLoader.load(directory: repositoryRoot.appendingPathComponent("manifests"))
        #expect(Set(fromDisk.map(\.name)) == Set(registry.manifests.map(\.name)))
        for manifest in fromDisk {
            #expect(try registry.manifest(named: manifest.name) == manifest,
                    "the compiled-in \(manifest.name) manifest differs from manifests/: rebuild")
        }
    }

    @Test func aliasesResolve() throws {
        let registry = try ManifestRegistry.builtin()
        #expect(try registry.manifest(named: "fashion-mnist").name == "fashion")
        #expect(try registry.manifest(named: "MNIST").name == "mnist")
        #expect(throws: UsageError.self) { try registry.manifest(named: "cifar10") }
    }

    @Test func rejectsUnknownSchemaVersion() throws {
        let error = try rejection { $0["schema"] = 2 }
        #expect(error?.field == "schema")
        #expect(error?.problem.contains("unknown schema version 2") == true)
    }

    @Test func rejectsMissingField() throws {
        let error = try rejection { $0.removeValue(forKey: "classes") }
        #expect(error?.field == "classes")
        #expect(error?.problem == "is missing")
    }

    @Test(arguments: [
        ("deadbeef", "must be 32 hex digits"),
        ("8D4FB7E6C68D591D4C3DFEF9EC88BF0D", "lower-case hex"),
        ("zz4fb7e6c68d591d4c3dfef9ec88bf0d", "lower-case hex"),
    ])
    func rejectsBadMD5(value: String, expected: String) throws {
        let error = try rejection { editFile(&$0, 0) { setNested(&$0, "container", "md5", value) } }
        #expect(error?.field == "versions[0].files[0].container.md5")
        #expect(error?.problem.contains(expected) == true)
    }

    @Test func rejectsWrongLengthSHA256() throws {
        let error = try rejection { editFile(&$0, 1) { setNested(&$0, "payload", "sha256", "abc") } }
        #expect(error?.field == "versions[0].files[1].payload.sha256")
    }

    @Test func rejectsNegativeSizes() throws {
        let container = try rejection { editFile(&$0, 2) { setNested(&$0, "container", "size", -1) } }
        #expect(container?.field == "versions[0].files[2].container.size")
        #expect(container?.problem.contains("negative") == true)
        let payload = try rejection { editFile(&$0, 2) { setNested(&$0, "payload", "size", -5) } }
        #expect(payload?.field == "versions[0].files[2].payload.size")
    }

    @Test(arguments: ["../etc/passwd", "a/b.gz", "/abs.gz", "x\u{0}y.gz", "..", "evil..gz", ".hidden", "back\\slash"])
    func rejectsHostileFileNames(name: String) throws {
        let error = try rejection { editFile(&$0, 0) { $0["name"] = name } }
        #expect(error?.field == "versions[0].files[0].name", "accepted \(name)")
    }

    @Test(arguments: ["ftp://example.com/x/", "gopher://h/", "javascript:alert(1)", "not a url", "file://evil.host/x/", "http:///nohost"])
    func rejectsUnsupportedMirrorURLs(url: String) throws {
        let error = try rejection { $0["mirrors"] = [url] }
        #expect(error?.field == "mirrors[0]", "accepted \(url)")
    }

    @Test func rejectsDuplicateRoles() throws {
        let error = try rejection { editFile(&$0, 1) { $0["role"] = "train-images" } }
        #expect(error?.field == "versions[0].files[1].role")
        #expect(error?.problem.contains("duplicate role") == true)
    }

    @Test func rejectsUnknownRole() throws {
        let error = try rejection { editFile(&$0, 1) { $0["role"] = "validation-images" } }
        #expect(error?.field == "versions[0].files[1].role")
    }

    @Test func rejectsDimensionsThatDisagreeWithPayloadSize() throws {
        let error = try rejection { editFile(&$0, 0) { setNested(&$0, "idx", "dims", [60000, 28, 27]) } }
        #expect(error?.field == "versions[0].files[0].payload.size")
    }

    @Test func rejectsHistogramOfWrongLength() throws {
        let error = try rejection { setNested(&$0, "histogram", "train", [1, 2, 3]) }
        #expect(error?.field == "histogram.train")
    }

    @Test func rejectsBadSanityBand() throws {
        let error = try rejection { $0["sanity"] = ["min_accuracy": 0.9, "max_accuracy": 0.5] }
        #expect(error?.field == "sanity")
    }

    @Test func statisticsAreOptionalButMustBePixelScaled() throws {
        #expect(try rejection { $0["statistics"] = nil } == nil)
        #expect(try rejection { $0["statistics"] = ["mean": 73.0, "std": 90.0] }?.field == "statistics")
        #expect(try rejection { $0["statistics"] = ["mean": 0.3, "std": 0.0] }?.field == "statistics")
        var json = try fashionManifestJSON()
        json["statistics"] = ["mean": 0.25, "std": 0.5]
        let parsed = try ManifestLoader.parse(try JSONSerialization.data(withJSONObject: json), source: "test.json")
        #expect(parsed.statistics == PixelStatistics(mean: 0.25, std: 0.5))
    }

    @Test func rejectsBadDatasetName() throws {
        let error = try rejection { $0["name"] = "../fashion" }
        #expect(error?.field == "name")
    }

    @Test func rejectsInvalidJSON() throws {
        #expect(throws: ManifestError.self) { try ManifestLoader.parse(Data("{not json".utf8), source: "x.json") }
    }

    @Test func overrideDirectoryAddsAndReplaces() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("manifests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var json = try fashionManifestJSON()
        json["name"] = "private-fashion"
        json["aliases"] = ["pf"]
        try JSONSerialization.data(withJSONObject: json).write(to: directory.appendingPathComponent("private.json"))
        let registry = try ManifestRegistry.load(extraDirectories: [directory.path], environment: [:])
        #expect(try registry.manifest(named: "pf").name == "private-fashion")
        #expect(registry.manifests.count == 3)
    }

    @Test func aliasCollisionAcrossManifestsIsRejected() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("manifests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var json = try fashionManifestJSON()
        json["name"] = "other"
        json["aliases"] = ["mnist"]
        try JSONSerialization.data(withJSONObject: json).write(to: directory.appendingPathComponent("other.json"))
        #expect(throws: ManifestError.self) { try ManifestRegistry.load(extraDirectories: [directory.path], environment: [:]) }
    }

    @Test func versionIdentityIsStableAndShort() throws {
        let fashion = try ManifestRegistry.builtin().manifest(named: "fashion")
        let identity = fashion.defaultVersion.identity
        #expect(identity.full.count == 64)
        #expect(identity.short.count == 12)
        #expect(identity.matches(prefix: String(identity.full.prefix(6))))
    }
}
