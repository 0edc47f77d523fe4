import Foundation
import Testing

@testable import FMNISTCore

/// The optional `artifacts` of a manifest version (keras's `mnist.npz`): what the loader accepts
/// and how it names what it refuses.
@Suite struct ManifestArtifactTests {
    static var goodArtifact: [String: Any] { [
        "name": "fashion.npz", "loader": "keras", "url": "https://example.org/fashion.npz", "size": 1000,
        "sha256": String(repeating: "a", count: 64),
        "arrays": ["x_train": "train-images", "y_train": "train-labels", "x_test": "test-images", "y_test": "test-labels"],
    ] }

    /// The fashion manifest with `artifact` (edited) as its first version's only artifact.
    static func rejection(_ edit: (inout [String: Any]) -> Void) throws -> ManifestError? {
        try FMNISTCoreTests.rejection { json in
            var artifact = goodArtifact
            edit(&artifact)
            var versions = json["versions"] as! [[String: Any]]
            versions[0]["artifacts"] = [artifact]
            json["versions"] = versions
        }
    }

    @Test func builtinMNISTPinsKerasNPZ() throws {
        let mnist = try ManifestRegistry.builtin().manifest(named: "mnist")
        let artifact = try #require(mnist.defaultVersion.artifact(loader: "keras"))
        #expect(artifact.name == "mnist.npz")
        #expect(artifact.size == 11_490_434)
        #expect(artifact.sha256 == "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1")
        #expect(artifact.url == "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz")
        #expect(artifact.orderedArrays.map(\.name) == ["x_train", "y_train", "x_test", "y_test"])
        // Fashion-MNIST has none: keras reads its four .gz files.
        #expect(try ManifestRegistry.builtin().manifest(named: "fashion").defaultVersion.artifacts == nil)
    }

    @Test func aManifestWithoutArtifactsStillLoadsAndAGoodOneLoads() throws {
        #expect(try FMNISTCoreTests.rejection { _ in } == nil)
        #expect(try Self.rejection { _ in } == nil)
    }

    @Test func eachRuleNamesTheField() throws {
        let field = "versions[0].artifacts[0]"
        #expect(try Self.rejection { $0["name"] = "../mnist.npz" }?.field == "\(field).name")
        #expect(try Self.rejection { $0["name"] = "train-images-idx3-ubyte.gz" }?.problem.contains("duplicate file name") == true)
        let loader = try Self.rejection { $0["loader"] = "pytorch" }
        #expect(loader?.field == "\(field).loader")
        #expect(loader?.problem.contains("unknown loader \"pytorch\"") == true)
        #expect(try Self.rejection { $0["url"] = "ftp://example.org/x.npz" }?.field == "\(field).url")
        #expect(try Self.rejection { $0["size"] = 0 }?.field == "\(field).size")
        #expect(try Self.rejection { $0["size"] = -5 }?.field == "\(field).size")
        #expect(try Self.rejection { $0["sha256"] = "ABC" }?.field == "\(field).sha256")
        #expect(try Self.rejection { $0["arrays"] = [String: String]() }?.field == "\(field).arrays")
        let twice = try Self.rejection { $0["arrays"] = ["x_train": "train-images", "x_other": "train-images"] }
        #expect(twice?.problem.contains("mapped to two arrays") == true)
        let badName = try Self.rejection { $0["arrays"] = ["x/../train": "train-images"] }
        #expect(badName?.field == "\(field).arrays.x/../train")
        let badRole = try Self.rejection { $0["arrays"] = ["x_train": "validation-images"] }
        #expect(badRole?.field.hasPrefix("\(field).arrays") == true)
        let missing = try Self.rejection { $0.removeValue(forKey: "sha256") }
        #expect(missing?.field == "\(field).sha256")
        #expect(missing?.problem == "is missing")
    }

    @Test func oneArtifactPerLoader() throws {
        let error = try FMNISTCoreTests.rejection { json in
            var second = Self.goodArtifact
            second["name"] = "other.npz"
            var versions = json["versions"] as! [[String: Any]]
            versions[0]["artifacts"] = [Self.goodArtifact, second]
            json["versions"] = versions
        }
        #expect(error?.field == "versions[0].artifacts[1].loader")
    }
}
