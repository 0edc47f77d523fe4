import FMNIST
import FMNISTCore
import Foundation
import TestSupport
import Testing

/// A workspace holding two stored versions of one synthetic dataset ("v1" live, "v2" imported
/// but not made live), under one manifest that knows both.
final class TwoVersionWorkspace {
    let scratch: ScratchFolder
    let first: SyntheticDataset
    let second: SyntheticDataset
    let workspace: Workspace
    var root: URL { workspace.root }

    init(_ label: String) throws {
        scratch = try ScratchFolder(label)
        let a = scratch.url.appendingPathComponent("a"), b = scratch.url.appendingPathComponent("b")
        first = try SyntheticDataset(name: "toyfashion", title: "Toy-Fashion", seed: 3, in: a)
        second = try SyntheticDataset(name: "toyfashion", title: "Toy-Fashion", seed: 4, in: b)
        // One manifest with both versions: the first's, plus the second's files as "v2".
        func manifest(_ dataset: SyntheticDataset) throws -> [String: Any] {
            let data = try Data(contentsOf: dataset.manifestDirectory.appendingPathComponent("toyfashion.json"))
            return try JSONSerialization.jsonObject(with: data) as! [String: Any]
        }
        var combined = try manifest(first)
        var v2 = (try manifest(second)["versions"] as! [[String: Any]])[0]
        v2["name"] = "v2"
        combined["versions"] = (combined["versions"] as! [[String: Any]]) + [v2]
        let manifests = scratch.url.appendingPathComponent("manifests")
        try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: combined, options: [.sortedKeys])
            .write(to: manifests.appendingPathComponent("toyfashion.json"))
        workspace = try Workspace(root: scratch.url.appendingPathComponent("data"), manifests: [manifests])
        try workspace.importFolder(first.folder, as: "toyfashion")
        try workspace.importFolder(second.folder, as: "toyfashion")
    }

    /// Replaces one file of a stored version's read-only folder with `source`.
    func replaceStoredFile(version: String, role: FileRole, with source: URL) throws {
        try ToyWorkspace.replaceFile(
            role, in: WorkspaceLayout(root: root).versionDirectory(dataset: "toyfashion", versionID: version), with: source)
    }
}

@Suite struct VersionLoadTests {
    @Test func aVersionThatIsNotLiveLoadsByNameAndByIdPrefix() throws {
        let toy = try TwoVersionWorkspace("versions")
        let live = try toy.workspace.load("toyfashion")
        #expect(live.version.name == "v1")
        #expect(live.train.labels == toy.first.trainLabels)

        let byName = try toy.workspace.load("toyfashion", version: "v2")
        #expect(byName.version.name == "v2" && byName.version.full != live.version.full)
        #expect(byName.train.images == toy.second.pixels(.trainImages))
        #expect(byName.train.labels == toy.second.trainLabels)
        #expect(byName.test.images == toy.second.pixels(.testImages))
        #expect(byName.test.labels == toy.second.testLabels)

        let byPrefix = try toy.workspace.load("toyfashion", version: String(byName.version.full.prefix(8)))
        #expect(byPrefix.version == byName.version && byPrefix.train.labels == toy.second.trainLabels)

        // The live version, by "current", by its name or by its id, is the live load.
        for selector in ["current", "v1", live.version.short] {
            let again = try toy.workspace.load("toyfashion", version: selector)
            #expect(again.version == live.version && again.train.images == live.train.images)
        }
        // Loading a stored version changes nothing: the live version stays live.
        #expect(try toy.workspace.load("toyfashion").version == live.version)
        #expect(try toy.workspace.status().datasets.first { $0.dataset == "toyfashion" }?.version == live.version)
    }

    @Test func aStoredVersionLoadsAsynchronouslyToo() async throws {
        let toy = try TwoVersionWorkspace("async-version")
        let data = try await toy.workspace.load("toyfashion", version: "v2")
        #expect(data.version.name == "v2" && data.test.labels == toy.second.testLabels)
    }

    @Test func aTamperedStoredVersionIsRefusedNamingTheFile() throws {
        let toy = try TwoVersionWorkspace("tampered")
        let v2 = try toy.workspace.load("toyfashion", version: "v2").version
        // v2's train labels replaced by v1's: a known file, but not the one recorded for v2.
        try toy.replaceStoredFile(
            version: v2.full, role: .trainLabels, with: toy.first.folder.appendingPathComponent(SyntheticDataset.fileName(.trainLabels)))
        #expect {
            try toy.workspace.load("toyfashion", version: "v2")
        } throws: { error in
            guard case .wrongFile(let path, let expected, let found) = error as? DatasetError else { return false }
            return path.hasSuffix("\(v2.full)/train-labels-idx1-ubyte.gz")
                && expected == "Toy-Fashion's train-labels of version v2 (\(v2.short))"
                && found.contains("of version v1") && found.hasSuffix("not version v2 (\(v2.short))")
        }
        // Truncated bytes (the labels put back): damaged, never arrays.
        try toy.replaceStoredFile(
            version: v2.full, role: .trainLabels, with: toy.second.folder.appendingPathComponent(SyntheticDataset.fileName(.trainLabels)))
        let whole = try Data(contentsOf: toy.second.folder.appendingPathComponent(SyntheticDataset.fileName(.testImages)))
        let cut = toy.scratch.url.appendingPathComponent("cut.gz")
        try whole.prefix(whole.count / 2).write(to: cut)
        try toy.replaceStoredFile(version: v2.full, role: .testImages, with: cut)
        #expect {
            try toy.workspace.load("toyfashion", version: v2.short)
        } throws: { error in
            guard case .damaged(let path, let expected, _) = error as? DatasetError else { return false }
            return path.hasSuffix("\(v2.full)/t10k-images-idx3-ubyte.gz") && expected.hasSuffix("of version v2 (\(v2.short))")
        }
        // The live version is untouched and still loads.
        #expect(try toy.workspace.load("toyfashion").version.name == "v1")
    }

    @Test func anUnknownVersionListsTheStoredOnes() throws {
        let toy = try TwoVersionWorkspace("unknown")
        let v1 = try toy.workspace.load("toyfashion", version: "v1").version
        let v2 = try toy.workspace.load("toyfashion", version: "v2").version
        #expect {
            try toy.workspace.load("toyfashion", version: "2017-08-31")
        } throws: { error in
            guard case .unknownVersion(let dataset, let version, let known) = error as? DatasetError else { return false }
            return dataset == "toyfashion" && version == "2017-08-31" && known == ["v1 (\(v1.short))", "v2 (\(v2.short))"]
                && "\(error)".contains("v1 (\(v1.short)), v2 (\(v2.short))")
        }
        // A workspace without the dataset: no version stored, the advice is to fetch it.
        let scratch = try ScratchFolder("no-versions")
        let empty = try Workspace(root: scratch.url.appendingPathComponent("data"))
        #expect {
            try empty.load(.fashion, version: "2017-08-26")
        } throws: { error in
            guard case .unknownVersion(_, _, let known) = error as? DatasetError else { return false }
            return known.isEmpty && "\(error)".contains("workspace.fetch(.fashion)")
        }
    }

    @Test func theSupersededFashionLabelsLoadFromARealWorkspace() throws {
        let data = ProcessInfo.processInfo.environment["FMNIST_DATA_DIR"].map { URL(fileURLWithPath: $0) }
        let current = data?.appendingPathComponent("fashion-mnist"), old = data?.appendingPathComponent("fashion-mnist-2017-08-26")
        guard let current, let old, FileManager.default.fileExists(atPath: old.path) else {
            Issue.record("FMNIST_DATA_DIR must name the shared data (fashion-mnist and fashion-mnist-2017-08-26)")
            return
        }
        let scratch = try ScratchFolder("real-versions")
        // The superseded version: today's images with the 2017-08-26 labels.
        let folder = scratch.url.appendingPathComponent("fashion-2017-08-26")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz"] {
            try FileManager.default.copyItem(at: current.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        for name in ["train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try FileManager.default.copyItem(at: old.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let workspace = try Workspace(root: scratch.url.appendingPathComponent("data"))
        try workspace.importFolder(current, as: .fashion)
        // No manifest knows the first release any more: it is kept only when accepted as unknown.
        #expect {
            try workspace.importFolder(folder, as: .fashion)
        } throws: { error in
            "\(error)".contains("acceptUnknown: true") && !"\(error)".contains("--accept-unknown")
        }
        let superseded = try workspace.importFolder(folder, as: .fashion, acceptUnknown: true)
        let live = try workspace.load(.fashion)
        #expect(live.version.name == "2017-08-31" && live.version != superseded)
        for selector in [superseded.short, "unknown"] {
            let first = try workspace.load(.fashion, version: selector)
            #expect(first.version == superseded && first.train.count == 60000 && first.test.count == 10000)
            #expect(first.train.images == live.train.images && first.test.images == live.test.images)
            #expect(first.train.labels != live.train.labels)
        }
    }
}
