import Foundation
import TestSupport
import Testing

/// The tests themselves: what they start never reads the runner's `./data`, and what they make is
/// removed, read-only version folders included, by whoever runs them (`scripts/test.sh` runs this
/// suite again as an unprivileged user when it runs as root).
@Suite struct TestIsolationTests {
    /// `fmnist` started without a working directory runs in a fresh, empty folder that is gone
    /// afterwards, never in the runner's (the repository, where `bash scripts/run.sh` fills ./data).
    @Test func fmnistRunsInAFreshEmptyFolderNotTheRunnersDirectory() throws {
        // `status` names the root it looked at: a relative --root is resolved in fmnist's working
        // directory, which holds no workspace (exit 4, "no workspace at …/data").
        let result = try FMNISTProcess.run(["status", "--root", "data"])
        #expect(result.status == 4, "\(result.stderr)")
        let marker = try #require(result.stderr.range(of: "no workspace at "), "\(result.stderr)")
        let named = String(result.stderr[marker.upperBound...].prefix { $0 != " " && $0 != "\n" })
        let runner = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("data").path
        #expect(named != runner, "fmnist ran in the test runner's directory")
        #expect(named.hasSuffix("/data") && URL(fileURLWithPath: named).deletingLastPathComponent().lastPathComponent.hasPrefix("fmnist-cwd-"), "\(named)")
        #expect(result.stderr.contains("(the folder does not exist)"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: URL(fileURLWithPath: named).deletingLastPathComponent().path), "the scratch folder was left")
    }

    /// A tree like a workspace's (folders 0555, files 0444, one folder 0000) goes; a symbolic link
    /// inside it to a read-only file and a read-only folder outside is removed as a link, and the
    /// modes of what it pointed to are unchanged (a chmod through it would have changed them).
    @Test func scratchRemovalTakesReadOnlyVersionFoldersAndNeverFollowsALink() throws {
        let outside = try ScratchFolder("isolation-outside")
        let file = outside.url.appendingPathComponent("keep.gz")
        try Data("keep".utf8).write(to: file)
        let folder = outside.url.appendingPathComponent("keep-folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        chmod(file.path, 0o444)
        chmod(folder.path, 0o555)
        defer { chmod(folder.path, 0o755) }

        let tree = FileManager.default.temporaryDirectory.appendingPathComponent("fmnist-isolation-\(UUID().uuidString.prefix(8))")
        let version = tree.appendingPathComponent("data/.fmnist/versions/fashion/abc")
        try FileManager.default.createDirectory(at: version, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: version.appendingPathComponent("train-images-idx3-ubyte.gz"))
        try FileManager.default.createSymbolicLink(at: version.appendingPathComponent("to-file"), withDestinationURL: file)
        try FileManager.default.createSymbolicLink(at: version.appendingPathComponent("to-folder"), withDestinationURL: folder)
        let closed = tree.appendingPathComponent("data/.fmnist/closed")
        try FileManager.default.createDirectory(at: closed.appendingPathComponent("inner"), withIntermediateDirectories: true)
        chmod(version.appendingPathComponent("train-images-idx3-ubyte.gz").path, 0o444)
        chmod(version.path, 0o555)
        chmod(version.deletingLastPathComponent().path, 0o555)
        chmod(closed.path, 0o000)

        #expect(ScratchFolder.remove(tree))
        #expect(!FileManager.default.fileExists(atPath: tree.path))
        #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int == 0o444)
        #expect(try FileManager.default.attributesOfItem(atPath: folder.path)[.posixPermissions] as? Int == 0o555)
        #expect(try Data(contentsOf: file) == Data("keep".utf8))
    }
}
