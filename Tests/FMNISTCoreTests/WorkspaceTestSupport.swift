import Foundation
import TestSupport

@testable import FMNISTCore

/// A temporary workspace root for catalog and workspace unit tests, removed on deinit.
final class ScratchWorkspace {
    let base: URL
    let layout: WorkspaceLayout

    init(_ label: String = "ws") throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("fmnist-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        layout = WorkspaceLayout(root: base.appendingPathComponent("data"))
        try FileManager.default.createDirectory(at: layout.root, withIntermediateDirectories: true)
    }

    // Version folders are read-only (0555): ScratchFolder.remove makes them writable first.
    deinit { ScratchFolder.remove(base) }

    /// Writes `bytes` to a fresh file under `.fmnist/tmp/` and returns its URL.
    func temporaryFile(_ bytes: [UInt8], name: String = "file") throws -> URL {
        try layout.createPrivateDirectories()
        let url = layout.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(6))")
        try Data(bytes).write(to: url)
        return url
    }

    /// Four synthetic, valid files (a tiny dataset no manifest knows), measured, under `.fmnist/tmp/`.
    func syntheticVersion(seed: UInt8 = 7, count: Int = 20) throws -> [VerifiedFile] {
        let labels = (0..<count).map { UInt8($0 % 10) }
        let payloads: [(FileRole, [UInt8])] = [
            (.trainImages, SyntheticIDX.images(count: count, seed: Int(seed))),
            (.trainLabels, SyntheticIDX.labels(labels)),
            (.testImages, SyntheticIDX.images(count: count / 2, seed: Int(seed &+ 1))),
            (.testLabels, SyntheticIDX.labels(Array(labels.prefix(count / 2)))),
        ]
        return try payloads.map { role, payload in
            let name = BuiltinNames.name(role)
            let url = try temporaryFile(SyntheticIDX.gzip(payload), name: name)
            return VerifiedFile(role: role, name: name, temporaryURL: url, measurement: try FileVerifier.measure(url: url))
        }
    }
}

enum BuiltinNames {
    static func name(_ role: FileRole) -> String {
        switch role {
        case .trainImages: return "train-images-idx3-ubyte.gz"
        case .trainLabels: return "train-labels-idx1-ubyte.gz"
        case .testImages: return "t10k-images-idx3-ubyte.gz"
        case .testLabels: return "t10k-labels-idx1-ubyte.gz"
        }
    }
}

