import Foundation
import Testing

/// Workspaces for the life-cycle tests: the current Fashion-MNIST, and an "old labels" version
/// made of today's images and the 2017-08-26 labels (recorded as unknown).
enum Lifecycle {
    static let fashionID = "915659908dce152f9bdf195f7c40174e77376b90f44a95e9a2b9e47f73533c46"

    /// A folder holding today's Fashion-MNIST images and the 2017-08-26 labels (made once per `base`).
    static func oldLabelsFolder(in base: TemporaryDirectory) throws -> URL {
        let folder = base.path("old-labels")
        if FileManager.default.fileExists(atPath: folder.path) { return folder }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in [DatasetFiles.trainImages, DatasetFiles.testImages] {
            try RealData.copyFile(at: RealData.fashion.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        for name in [DatasetFiles.trainLabels, DatasetFiles.testLabels] {
            try RealData.copyFile(at: RealData.oldFashionLabels.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        return folder
    }

    /// Runs fmnist and expects the exit status.
    @discardableResult
    static func run(_ arguments: [String], expect status: Int32 = 0, currentDirectory: URL? = nil,
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> FMNISTProcess.Result {
        let result = try FMNISTProcess.run(arguments, currentDirectory: currentDirectory)
        #expect(result.status == status, "fmnist \(arguments.joined(separator: " ")): exit \(result.status)\n\(result.stderr)",
                sourceLocation: sourceLocation)
        return result
    }

    /// Imports today's Fashion-MNIST and the old-labels version; returns the unknown version's id.
    static func workspaceWithOldLabels(_ base: TemporaryDirectory, root: URL) throws -> String {
        try run(["import", RealData.fashion.path, "--as", "fashion", "--root", root.path])
        let imported = try run(["import", try oldLabelsFolder(in: base).path, "--as", "fashion", "--accept-unknown", "--root", root.path, "--json"])
        let version = try imported.json()["version"] as? [String: Any]
        return try #require(version?["id"] as? String)
    }

    /// Labels of a gzip'd IDX1 file (decoded by Python, independently of fmnist).
    static func labels(_ url: URL) throws -> [UInt8] {
        let result = try DropIn.python(
            "import gzip, sys; sys.stdout.write(gzip.open(sys.argv[1]).read()[8:].hex())", [url.path])
        let hex = Array(result.stdout.utf8)
        return stride(from: 0, to: hex.count - 1, by: 2).map { UInt8(String(decoding: hex[$0...$0 + 1], as: UTF8.self), radix: 16)! }
    }

    /// Store file names (container digests).
    static func storeFiles(_ root: URL) -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(".fmnist/store/sha256").path)) ?? [])
    }
}
