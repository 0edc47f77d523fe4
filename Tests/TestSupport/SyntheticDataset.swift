import FMNISTCore
import Foundation

/// A tiny MNIST-format dataset that no built-in manifest knows: four `.gz` files in a folder,
/// plus a manifest (in a folder of its own) that pins exactly those files.
///
/// ```swift
/// let toy = try SyntheticDataset(name: "toyfashion", title: "Toy-Fashion", seed: 3, in: base)
/// let workspace = try Workspace(root: root, manifests: [toy.manifestDirectory])
/// ```
public struct SyntheticDataset {
    public let name: String
    public let title: String
    /// The folder holding the four `.gz` files under their usual names.
    public let folder: URL
    /// A folder holding only this dataset's manifest.
    public let manifestDirectory: URL
    /// The payloads by role (IDX header included).
    public let payloads: [FileRole: [UInt8]]
    public let trainLabels: [UInt8]
    public let testLabels: [UInt8]

    /// The usual file name of a role, e.g. `t10k-labels-idx1-ubyte.gz`.
    public static func fileName(_ role: FileRole) -> String {
        "\(role.fileStem)-idx\(role.isImages ? 3 : 1)-ubyte.gz"
    }

    public init(name: String, title: String, seed: Int, train: Int = 30, test: Int = 10, in base: URL) throws {
        try self.init(
            name: name, title: title,
            payloads: [
                .trainImages: SyntheticIDX.images(count: train, seed: seed),
                .trainLabels: SyntheticIDX.labels((0..<train).map { UInt8(($0 &* 7 &+ seed) % 10) }),
                .testImages: SyntheticIDX.images(count: test, seed: seed + 1),
                .testLabels: SyntheticIDX.labels((0..<test).map { UInt8(($0 &* 3 &+ seed) % 10) }),
            ], in: base)
    }

    /// A dataset of the given 28 × 28 images (784 bytes each, back to back) and labels.
    public init(name: String, title: String, trainPixels: [UInt8], trainLabels: [UInt8], testPixels: [UInt8], testLabels: [UInt8],
                in base: URL) throws {
        func images(_ pixels: [UInt8]) -> [UInt8] {
            [0, 0, 0x08, 0x03] + SyntheticIDX.bigEndian(UInt32(pixels.count / 784)) + SyntheticIDX.bigEndian(28)
                + SyntheticIDX.bigEndian(28) + pixels
        }
        try self.init(
            name: name, title: title,
            payloads: [
                .trainImages: images(trainPixels), .trainLabels: SyntheticIDX.labels(trainLabels),
                .testImages: images(testPixels), .testLabels: SyntheticIDX.labels(testLabels),
            ], in: base)
    }

    init(name: String, title: String, payloads: [FileRole: [UInt8]], in base: URL) throws {
        self.name = name
        self.title = title
        folder = base.appendingPathComponent("\(name)-files", isDirectory: true)
        manifestDirectory = base.appendingPathComponent("\(name)-manifest", isDirectory: true)
        trainLabels = Array(payloads[.trainLabels]!.dropFirst(8))
        testLabels = Array(payloads[.testLabels]!.dropFirst(8))
        self.payloads = payloads
        for directory in [folder, manifestDirectory] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        var files: [[String: Any]] = []
        for role in FileRole.allCases {
            let url = folder.appendingPathComponent(Self.fileName(role))
            try Data(SyntheticIDX.gzip(payloads[role]!)).write(to: url)
            let m = try FileVerifier.measure(url: url)
            files.append([
                "role": role.rawValue, "name": Self.fileName(role),
                "container": ["size": m.containerSize, "md5": m.containerMD5, "sha256": m.containerSHA256],
                "payload": ["size": m.payloadSize, "sha256": m.payloadSHA256],
                "idx": ["type": "u8", "dims": m.idxDims],
            ])
        }
        func histogram(_ labels: [UInt8]) -> [Int] { (0..<10).map { k in labels.filter { Int($0) == k }.count } }
        let manifest: [String: Any] = [
            "schema": 1, "name": name, "title": title, "aliases": [], "license": "test data",
            "classes": (0..<10).map { "\(name)-class-\($0)" }, "mirrors": ["file:///nonexistent/\(name)/"],
            "histogram": ["train": histogram(trainLabels), "test": histogram(testLabels)],
            "sanity": ["min_accuracy": 0.0, "max_accuracy": 1.0],
            "versions": [["name": "v1", "description": "synthetic", "files": files]],
        ]
        try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys])
            .write(to: manifestDirectory.appendingPathComponent("\(name).json"))
    }

    /// The pixels of the payload of `role` (header removed).
    public func pixels(_ role: FileRole) -> [UInt8] { Array(payloads[role]!.dropFirst(16)) }
}
