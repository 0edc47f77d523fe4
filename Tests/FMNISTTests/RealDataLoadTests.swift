import FMNIST
import FMNISTCore
import Foundation
import TestSupport
import Testing

/// The front door on the real files (`FMNIST_DATA_DIR`, the shared data folder).
@Suite struct RealDataLoadTests {
    static let data: URL? = {
        guard let path = ProcessInfo.processInfo.environment["FMNIST_DATA_DIR"], !path.isEmpty,
            FileManager.default.fileExists(atPath: path + "/fashion-mnist/train-images-idx3-ubyte.gz")
        else {
            print("SKIPPED: real-data front-door tests need FMNIST_DATA_DIR pointing at the shared data folder")
            return nil
        }
        return URL(fileURLWithPath: path)
    }()

    @Test(.enabled(if: data != nil, "needs FMNIST_DATA_DIR"))
    func fashionLoadsWithItsPublishedNumbersAndMNISTLabelsInItsFolderThrow() throws {
        let scratch = try ScratchFolder("real")
        let workspace = try Workspace(root: scratch.url.appendingPathComponent("data"))
        let version = try workspace.importFolder(Self.data!.appendingPathComponent("fashion-mnist"), as: .fashion)
        let manifest = try ManifestRegistry.builtin().manifest(named: "fashion")

        let fashion = try workspace.load(.fashion)
        #expect(fashion.version == version && fashion.version.name == manifest.defaultVersion.name)
        #expect(fashion.train.count == 60_000 && fashion.test.count == 10_000)
        #expect(fashion.train.histogram() == manifest.histogram.train)
        #expect(fashion.test.histogram() == manifest.histogram.test)
        #expect(fashion.classes == manifest.classes)
        // The manifest's statistics are those of the real training pixels.
        let measured = TrainingStatistics(pixels: fashion.train.images)
        #expect(abs(fashion.statistics.mean - measured.mean) < 1e-12)
        #expect(abs(fashion.statistics.std - measured.std) < 1e-12)

        let folder = WorkspaceLayout(root: workspace.root).liveDirectory(dataset: "fashion")
        chmod(folder.path, 0o755)
        let target = folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz")
        try FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(
            at: Self.data!.appendingPathComponent("mnist/t10k-labels-idx1-ubyte.gz"), to: target)
        #expect(throws: DatasetError.wrongFile(
            path: target.path, expected: "Fashion-MNIST's t10k-labels", found: "MNIST's t10k-labels")) {
            try workspace.load(.fashion)
        }
    }
}
