import FMNISTCore
import Foundation
import TestSupport
import Testing

/// The `--json` output of every command keeps its shape: each command runs once on a small
/// synthetic workspace, its output is reduced to a schema (every key path with the JSON types seen
/// there), and the schemas are compared with `Tests/EndToEndTests/Fixtures/json-schema.txt`, taken
/// before the library was consolidated (issue 20). A key renamed, dropped or retyped fails the
/// test with the lines that differ; a deliberate change is recorded by rerunning with
/// `FMNIST_UPDATE_JSON_SCHEMA=1` and committing the fixture with the change that explains it.
@Suite(.serialized) struct JSONSchemaTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/json-schema.txt")

    /// Every key path of `value` with the JSON types seen there (`[]` marks array elements).
    static func schema(_ value: Any, at path: String = "", into paths: inout [String: Set<String>]) {
        switch value {
        case let object as [String: Any]:
            paths[path, default: []].insert("object")
            for (key, child) in object { schema(child, at: path + "." + key, into: &paths) }
        case let array as [Any]:
            paths[path, default: []].insert("array")
            for element in array { schema(element, at: path + "[]", into: &paths) }
        case is String:
            paths[path, default: []].insert("string")
        case is NSNull:
            paths[path, default: []].insert("null")
        default:
            paths[path, default: []].insert("number")
        }
    }

    /// One line per key path: `COMMAND PATH TYPES`, sorted.
    static func lines(_ label: String, _ json: Any) -> [String] {
        var paths: [String: Set<String>] = [:]
        schema(json, into: &paths)
        return paths.map { "\(label) \($0.key.isEmpty ? "." : $0.key) \($0.value.sorted().joined(separator: "|"))" }.sorted()
    }

    /// The reduction sees a renamed key and a changed type, so the comparison can fail.
    @Test func theSchemaSeesRenamesAndRetypes() throws {
        let before = Self.lines("x", ["a": [["b": 1]], "c": "s"] as [String: Any])
        #expect(before == ["x . object", "x .a array", "x .a[] object", "x .a[].b number", "x .c string"])
        #expect(Self.lines("x", ["a": [["B": 1]], "c": "s"] as [String: Any]) != before)
        #expect(Self.lines("x", ["a": [["b": "1"]], "c": "s"] as [String: Any]) != before)
    }

    @Test(.timeLimit(.minutes(10))) func everyCommandKeepsItsJSONShape() throws {
        let scratch = try ScratchFolder("json-schema")
        let root = scratch.url.appendingPathComponent("data")
        let planted = PlantedAuditData(train: 400, test: 100, seed: 3)
        let alpha = try SyntheticDataset(
            name: "alpha", title: "Alpha", trainPixels: planted.trainPixels, trainLabels: planted.trainLabels,
            testPixels: planted.testPixels, testLabels: planted.testLabels, in: scratch.url)
        let beta = try SyntheticDataset(name: "beta", title: "Beta", seed: 11, train: 60, test: 20, in: scratch.url)
        let manifests = scratch.url.appendingPathComponent("manifests")
        try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
        for dataset in [alpha, beta] {
            try FileManager.default.copyItem(
                at: dataset.manifestDirectory.appendingPathComponent("\(dataset.name).json"),
                to: manifests.appendingPathComponent("\(dataset.name).json"))
        }
        // Alpha's images with other labels: an unknown version of alpha.
        let relabeled = scratch.url.appendingPathComponent("alpha-relabeled")
        try FileManager.default.createDirectory(at: relabeled, withIntermediateDirectories: true)
        for role in [FileRole.trainImages, .testImages] {
            let name = SyntheticDataset.fileName(role)
            try FileManager.default.copyItem(at: alpha.folder.appendingPathComponent(name), to: relabeled.appendingPathComponent(name))
        }
        for (role, labels) in [(FileRole.trainLabels, alpha.trainLabels), (.testLabels, alpha.testLabels)] {
            let shifted = labels.map { ($0 + 1) % 10 }
            try Data(SyntheticIDX.gzip(SyntheticIDX.labels(shifted))).write(
                to: relabeled.appendingPathComponent(SyntheticDataset.fileName(role)))
        }

        var out: [String] = []
        func run(_ label: String, _ arguments: [String], expect status: Int32 = 0) throws -> [String: Any] {
            let result = try FMNISTProcess.run(
                arguments + ["--json", "--root", root.path, "--manifests", manifests.path], currentDirectory: scratch.url, timeout: 300)
            #expect(result.status == status, "fmnist \(arguments.joined(separator: " ")): exit \(result.status)\n\(result.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
            out += Self.lines(label, json)
            return json as? [String: Any] ?? [:]
        }
        func path(_ name: String) -> String { scratch.url.appendingPathComponent(name).path }

        _ = try run("fetch", ["fetch", "alpha", "--mirror", alpha.folder.absoluteString])
        _ = try run("import", ["import", beta.folder.path, "--as", "beta"])
        let unknown = try run("import-unknown", ["import", relabeled.path, "--as", "alpha", "--accept-unknown"])
        let unknownID = try #require((unknown["version"] as? [String: Any])?["id"] as? String)
        let other = "alpha@" + unknownID.prefix(12)
        _ = try run("verify", ["verify"])
        _ = try run("verify-all", ["verify", "all"], expect: 4)  // the built-in datasets are not fetched
        _ = try run("verify-file", ["verify", alpha.folder.appendingPathComponent(SyntheticDataset.fileName(.trainLabels)).path])
        _ = try run("status", ["status"])
        _ = try run("versions", ["versions"])
        _ = try run("log", ["log"])
        _ = try run("switch", ["switch", "beta"])
        _ = try run("switch-back", ["switch", "alpha"])
        _ = try run("diff", ["diff", "alpha@v1", other])
        _ = try run("lock", ["lock", "--file", path("fmnist.lock")])
        _ = try run("export-csv", ["export", "csv", path("export-csv"), "--dataset", "alpha"])
        _ = try run("export-torchvision", ["export", "torchvision", path("export-tv"), "--dataset", "alpha"])
        _ = try run("verify-folder", ["verify", path("export-tv")])
        _ = try run("doctor", ["doctor", path("export-tv")])
        _ = try run("preview", ["preview", "alpha", "--out", path("preview.png")])
        _ = try run("smoke-train", ["smoke-train", "alpha", "--limit", "200", "--epochs", "1"])
        _ = try run("audit", ["audit", "alpha", "--folds", "2", "--epochs", "1", "--top", "3"])
        _ = try run("publish", ["publish", path("published")])
        _ = try run("remove", ["remove", other])
        _ = try run("gc-dry-run", ["gc", "--dry-run"])
        _ = try run("gc", ["gc"])
        _ = try run("error-usage", ["verify", "nosuch"], expect: 2)
        _ = try run("error-unknown-version", ["smoke-train", "alpha@nosuch"], expect: 2)
        _ = try run("error-missing", ["smoke-train", "mnist"], expect: 4)
        _ = try run("error-fetch", ["fetch", "mnist", "--mirror", "file:///nonexistent/mnist/"], expect: 5)

        let text = out.joined(separator: "\n") + "\n"
        if ProcessInfo.processInfo.environment["FMNIST_UPDATE_JSON_SCHEMA"] == "1" {
            try FileManager.default.createDirectory(at: Self.fixture.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: Self.fixture, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: Self.fixture, encoding: .utf8)
        let now = Set(out), before = Set(expected.split(separator: "\n").map(String.init))
        #expect(now == before, """
            --json shapes changed (rerun with FMNIST_UPDATE_JSON_SCHEMA=1 only for a deliberate change):
            gone: \(before.subtracting(now).sorted().joined(separator: "\n      "))
            new:  \(now.subtracting(before).sorted().joined(separator: "\n      "))
            """)
    }
}
