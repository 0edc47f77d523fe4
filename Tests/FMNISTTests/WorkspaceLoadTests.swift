import FMNIST
import FMNISTCore
import Foundation
import TestSupport
import Testing

/// Two tiny synthetic datasets imported into a fresh workspace through the front door.
final class ToyWorkspace {
    let scratch: ScratchFolder
    let fashion: SyntheticDataset
    let mnist: SyntheticDataset
    let workspace: Workspace
    var root: URL { workspace.root }

    init(_ label: String) throws {
        scratch = try ScratchFolder(label)
        fashion = try SyntheticDataset(name: "toyfashion", title: "Toy-Fashion", seed: 3, in: scratch.url)
        mnist = try SyntheticDataset(name: "toymnist", title: "Toy-MNIST", seed: 5, in: scratch.url)
        workspace = try Workspace(
            root: scratch.url.appendingPathComponent("data"), manifests: [fashion.manifestDirectory, mnist.manifestDirectory])
        try workspace.importFolder(fashion.folder, as: "toyfashion")
        try workspace.importFolder(mnist.folder, as: "toymnist")
    }

    /// Replaces one live file of `dataset` with `source` (a plain copy, as a careless user would).
    func replaceLiveFile(of dataset: String, role: FileRole, with source: URL) throws {
        try Self.replaceFile(role, in: WorkspaceLayout(root: root).liveDirectory(dataset: dataset), with: source)
    }

    /// Replaces the file of `role` in a (possibly read-only) workspace folder with a copy of `source`.
    static func replaceFile(_ role: FileRole, in folder: URL, with source: URL) throws {
        chmod(folder.path, 0o755)
        let target = folder.appendingPathComponent(SyntheticDataset.fileName(role))
        try FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(at: source, to: target)
    }
}

@Suite struct WorkspaceLoadTests {
    @Test func loadReturnsTheRecordedVersionVerified() throws {
        let toy = try ToyWorkspace("load")
        let data = try toy.workspace.load("toyfashion")
        #expect(data.name == "toyfashion")
        #expect(data.title == "Toy-Fashion")
        #expect(data.train.count == 30 && data.test.count == 10)
        #expect(data.train.images == toy.fashion.pixels(.trainImages))
        #expect(data.test.images == toy.fashion.pixels(.testImages))
        #expect(data.train.labels == toy.fashion.trainLabels)
        #expect(data.test.labels == toy.fashion.testLabels)
        #expect(data.train.image(2) == toy.fashion.pixels(.trainImages)[2 * 784..<3 * 784])
        #expect(data.classes.first == "toyfashion-class-0" && data.classes.count == 10)
        #expect(data.version.name == "v1")
        #expect(data.version.full.count == 64 && data.version.full.hasPrefix(data.version.short))
        let status = try toy.workspace.status()
        #expect(status.datasets.first { $0.dataset == "toyfashion" }?.version?.full == data.version.full)
        let expectedHistogram = (0..<10).map { k in toy.fashion.trainLabels.filter { Int($0) == k }.count }
        #expect(data.train.histogram() == expectedHistogram)
    }

    @Test func loadIsAlsoAsync() async throws {
        let toy = try ToyWorkspace("async")
        let data = try await toy.workspace.load("toymnist")
        #expect(data.train.count == 30 && data.test.count == 10)
        #expect(data.test.labels == toy.mnist.testLabels)
    }

    @Test func theOtherDatasetsLabelsInTheFolderThrowNamingTheFileAndWhatItIs() throws {
        let toy = try ToyWorkspace("wrong")
        try toy.replaceLiveFile(
            of: "toyfashion", role: .testLabels,
            with: toy.mnist.folder.appendingPathComponent(SyntheticDataset.fileName(.testLabels)))
        #expect {
            try toy.workspace.load("toyfashion")
        } throws: { error in
            guard case .wrongFile(let path, let expected, let found) = error as? DatasetError else { return false }
            return path.hasSuffix("toyfashion/t10k-labels-idx1-ubyte.gz") && expected == "Toy-Fashion's t10k-labels"
                && found == "Toy-MNIST's t10k-labels"
                && "\(error)".contains("workspace.verify(")
        }
        // The front door's verify says the same.
        let check = try toy.workspace.verify("toyfashion")
        #expect(!check.ok)
        #expect(check.files.first { $0.name == "t10k-labels-idx1-ubyte.gz" }?.identifiedAs == "Toy-MNIST's t10k-labels")
    }

    @Test func aTruncatedFileThrowsDamagedNeverReturnsArrays() throws {
        let toy = try ToyWorkspace("trunc")
        let whole = try Data(contentsOf: toy.fashion.folder.appendingPathComponent(SyntheticDataset.fileName(.trainImages)))
        let cut = toy.scratch.url.appendingPathComponent("cut.gz")
        try whole.prefix(whole.count / 2).write(to: cut)
        try toy.replaceLiveFile(of: "toyfashion", role: .trainImages, with: cut)
        #expect {
            try toy.workspace.load("toyfashion")
        } throws: { error in
            guard case .damaged(let path, let expected, _) = error as? DatasetError else { return false }
            return path.hasSuffix("toyfashion/train-images-idx3-ubyte.gz") && expected == "Toy-Fashion's train-images"
        }
    }

    @Test func aMissingFileThrowsMissing() throws {
        let toy = try ToyWorkspace("missing")
        let folder = WorkspaceLayout(root: toy.root).liveDirectory(dataset: "toymnist")
        chmod(folder.path, 0o755)
        try FileManager.default.removeItem(at: folder.appendingPathComponent(SyntheticDataset.fileName(.trainLabels)))
        #expect {
            try toy.workspace.load("toymnist")
        } throws: { error in
            guard case .missingFile(let path, _, _) = error as? DatasetError else { return false }
            return path.hasSuffix("toymnist/train-labels-idx1-ubyte.gz")
        }
    }

    @Test func anEmptyWorkspaceAndAnUnknownNameSayWhatToDo() throws {
        let scratch = try ScratchFolder("empty")
        let workspace = try Workspace(root: scratch.url.appendingPathComponent("data"))
        #expect(workspace.datasets == [.fashion, .mnist])
        #expect(try workspace.classes(of: .mnist) == (0..<10).map(String.init))
        #expect {
            try workspace.load(.fashion)
        } throws: { error in
            guard case .notFetched(let dataset, _) = error as? DatasetError else { return false }
            return dataset == "fashion" && "\(error)".contains("workspace.fetch(.fashion)")
        }
        #expect(throws: DatasetError.unknownDataset("cifar", known: ["fashion", "mnist"])) {
            try workspace.load("cifar")
        }
        // Aliases resolve to their dataset.
        #expect(try workspace.classes(of: "fashion-mnist").first == "T-shirt/top")
    }

    @Test func switchAndStatusThroughTheFrontDoor() throws {
        let toy = try ToyWorkspace("switch")
        #expect(try toy.workspace.status().active == nil)
        let switched = try toy.workspace.switchTo("toymnist")
        #expect(switched.dataset == "toymnist" && switched.classes.first == "toymnist-class-0")
        #expect(try toy.workspace.status().active == "toymnist")
        try toy.workspace.switchTo("toyfashion")
        let status = try toy.workspace.status()
        #expect(status.active == "toyfashion")
        let toys = status.datasets.filter { $0.dataset.rawValue.hasPrefix("toy") }
        #expect(toys.count == 2 && toys.allSatisfy { $0.present })
        #expect(try toy.workspace.verify("toymnist").ok)
    }
}
