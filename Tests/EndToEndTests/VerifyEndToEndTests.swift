import Foundation
import Testing

/// `fmnist verify` run as a user would, on the real files.
@Suite(.serialized) struct VerifyEndToEndTests {
    /// A workspace whose `fashion/` folder holds copies of the real Fashion-MNIST files.
    func workspaceWithFashion() throws -> TemporaryDirectory {
        let workspace = try TemporaryDirectory("verify")
        let fashion = workspace.path("fashion")
        try FileManager.default.createDirectory(at: fashion, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: RealData.fashion.path) {
            try RealData.copyFile(at: RealData.fashion.appendingPathComponent(name), to: fashion.appendingPathComponent(name))
        }
        return workspace
    }

    @Test(.realData) func realFashionFilesVerifyAndNameTheDataset() throws {
        let workspace = try workspaceWithFashion()
        let result = try FMNISTProcess.run(["verify", "fashion", "--root", workspace.url.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Fashion-MNIST 2017-08-31"))
        #expect(result.stderr.contains("all 4 files verified"))
    }

    @Test(.realData) func mnistFileInTheFashionFolderIsNamedAndFails() throws {
        let workspace = try workspaceWithFashion()
        let target = workspace.path("fashion/t10k-images-idx3-ubyte.gz")
        try FileManager.default.removeItem(at: target)
        try RealData.copyFile(at: RealData.mnist.appendingPathComponent("t10k-images-idx3-ubyte.gz"), to: target)
        let result = try FMNISTProcess.run(["verify", "fashion", "--root", workspace.url.path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("this is MNIST's t10k-images"))
        let json = try FMNISTProcess.run(["verify", "fashion", "--root", workspace.url.path, "--json"]).json()
        #expect(json["exit_code"] as? Int == 3)
        let files = try #require((json["datasets"] as? [[String: Any]])?.first?["files"] as? [[String: Any]])
        let swapped = try #require(files.first { $0["role"] as? String == "test-images" })
        #expect(swapped["status"] as? String == "wrong_file")
        #expect(swapped["identified_as"] as? String == "MNIST's t10k-images")
    }

    @Test(.realData) func verifyAllChecksBothSharedFoldersByPath() throws {
        let mnist = try FMNISTProcess.run(["verify", RealData.mnist.path, "--json"])
        #expect(mnist.status == 0)
        let json = try mnist.json()
        let dataset = try #require((json["datasets"] as? [[String: Any]])?.first)
        #expect(dataset["dataset"] as? String == "mnist")
        #expect(dataset["version_name"] as? String == "lecun-1998")
        #expect((dataset["version_short_id"] as? String)?.count == 12)
    }

    @Test(.realData) func recompressedFileIsSameDataDifferentContainer() throws {
        let workspace = try workspaceWithFashion()
        let labels = workspace.path("fashion/t10k-labels-idx1-ubyte.gz")
        // Re-compress with gzip -9 and a different header, as Debian's package does.
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "zcat '\(labels.path)' | gzip -9 -n > '\(labels.path).new' && mv '\(labels.path).new' '\(labels.path)'"]
        try shell.run()
        shell.waitUntilExit()
        let result = try FMNISTProcess.run(["verify", "fashion", "--root", workspace.url.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("same data, different container"))
    }

    @Test(.realDataWithOldLabels) func oldReleaseLabelsAreUnknownContent() throws {
        let workspace = try workspaceWithFashion()
        let old = RealData.oldFashionLabels.appendingPathComponent("train-labels-idx1-ubyte.gz")
        let target = workspace.path("fashion/train-labels-idx1-ubyte.gz")
        try FileManager.default.removeItem(at: target)
        try RealData.copyFile(at: old, to: target)
        let result = try FMNISTProcess.run(["verify", "fashion", "--root", workspace.url.path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("matches no known version"))
    }

    @Test(.realData) func singleFileIsIdentified() throws {
        let result = try FMNISTProcess.run(["verify", RealData.fashion.appendingPathComponent("train-labels-idx1-ubyte.gz").path])
        #expect(result.status == 0)
        #expect(result.stderr.contains("this is Fashion-MNIST's train-labels"))
    }

    @Test func corruptAndMissingFilesHaveDistinctExitCodes() throws {
        let workspace = try TemporaryDirectory("verify-bad")
        let folder = workspace.path("mnist")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Nothing there: missing.
        let missing = try FMNISTProcess.run(["verify", "mnist", "--root", workspace.url.path])
        #expect(missing.status == 4)
        #expect(missing.stderr.contains("not present"))
        // An HTML page where a file should be: integrity.
        try Data("<!DOCTYPE html><html>Not Found</html>".utf8).write(to: folder.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        let corrupt = try FMNISTProcess.run(["verify", "mnist", "--root", workspace.url.path])
        #expect(corrupt.status == 3)
        #expect(corrupt.stderr.contains("HTML page"))
        // A directory where a file should be.
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz"), withIntermediateDirectories: true)
        let directory = try FMNISTProcess.run(["verify", "mnist", "--root", workspace.url.path])
        #expect(directory.status == 3)
        #expect(directory.stderr.contains("is a directory"))
    }

    @Test func usageErrorsExitWithTwo() throws {
        let unknown = try FMNISTProcess.run(["verify", "cifar10"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("cifar10"))
        let badFlag = try FMNISTProcess.run(["verify", "--no-such-flag"])
        #expect(badFlag.status == 2)
    }

    @Test func malformedManifestDirectoryIsAUsageError() throws {
        let directory = try TemporaryDirectory("bad-manifest")
        try Data(#"{"schema": 1, "name": "x"}"#.utf8).write(to: directory.path("x.json"))
        let result = try FMNISTProcess.run(["verify", "all", "--manifests", directory.url.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("x.json"))
        #expect(result.stderr.contains("is missing"))
    }
}
