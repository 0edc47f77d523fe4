import Foundation
import Testing

@testable import FMNISTCore

/// A manifest's `frameworks` names: what the built-ins say, the defaults derived from the name,
/// the validation rules, and what an override by name keeps.
@Suite struct ManifestFrameworksTests {
    /// The built-in manifests give exactly the names the code once derived from "fashion" and "mnist".
    @Test func builtinsGiveTheFrameworksOwnNames() throws {
        let registry = try ManifestRegistry.builtin()
        let fashion = try registry.manifest(named: "fashion").frameworkNames
        #expect(fashion.torchvision == "FashionMNIST")
        #expect(fashion.kaggle == "fashion-mnist")
        #expect(fashion.kaggleCSV("train") == "fashion-mnist_train.csv")
        #expect(fashion.tfds == "fashion_mnist")
        #expect(fashion.keras == "fashion-mnist")
        #expect(fashion.kerasReadsGzip)
        #expect(fashion.huggingFaceClasses.first == "T - shirt / top")
        #expect(fashion.huggingFaceClasses.dropFirst() == (try registry.manifest(named: "fashion")).classes.dropFirst())
        let mnist = try registry.manifest(named: "mnist")
        #expect(mnist.frameworkNames == FrameworkNames(mnist))
        #expect(mnist.frameworkNames.torchvision == "MNIST")
        #expect(mnist.frameworkNames.kaggleCSV("test") == "mnist_test.csv")
        #expect(mnist.frameworkNames.tfds == "mnist")
        #expect(!mnist.frameworkNames.kerasReadsGzip)
        #expect(LoaderLayout.kerasNPZ(mnist) == ["datasets", "mnist.npz"])
        #expect(mnist.frameworkNames.huggingFaceClasses == mnist.classes)
    }

    /// Without `frameworks`, every name comes from the manifest's `name` (and classes).
    @Test func absentNamesAreDerivedFromTheName() throws {
        var json = try fashionManifestJSON()
        json["name"] = "kmnist"
        json["aliases"] = []
        json.removeValue(forKey: "frameworks")
        let manifest = try ManifestLoader.parse(try JSONSerialization.data(withJSONObject: json), source: "kmnist.json")
        #expect(manifest.frameworks == nil)
        let names = manifest.frameworkNames
        #expect(names.torchvision == "KMNIST")
        #expect(names.kaggle == "kmnist")
        #expect(names.tfds == "kmnist")
        #expect(names.keras == "kmnist")
        #expect(names.kerasReadsGzip)
        #expect(names.huggingFaceClasses == manifest.classes)
        #expect(LoaderLayout.torchvisionRaw(manifest) == ["KMNIST", "raw"])
        #expect(LoaderLayout.kerasFolder(manifest) == ["datasets", "kmnist"])
        #expect(!LoaderLayout.tfdsNameIsOwn(manifest))
        // One field given, the others still derived (keras follows kaggle).
        json["frameworks"] = ["kaggle": "kuzushiji-mnist"]
        let partial = try ManifestLoader.parse(try JSONSerialization.data(withJSONObject: json), source: "kmnist.json").frameworkNames
        #expect(partial.kaggle == "kuzushiji-mnist")
        #expect(partial.keras == "kuzushiji-mnist")
        #expect(partial.torchvision == "KMNIST")
    }

    @Test func frameworkNamesAreValidated() throws {
        func frameworks(_ value: [String: Any]) throws -> ManifestError? {
            try rejection { $0["frameworks"] = value }
        }
        let path = try frameworks(["torchvision": "../FashionMNIST"])
        #expect(path?.field == "frameworks.torchvision")
        #expect(path?.problem.contains("letters, digits") == true)
        #expect(try frameworks(["tfds": ""])?.field == "frameworks.tfds")
        #expect(try frameworks(["kaggle": "a/b"])?.field == "frameworks.kaggle")
        #expect(try frameworks(["keras": String(repeating: "k", count: 65)])?.field == "frameworks.keras")
        let form = try frameworks(["keras_reads": "zip"])
        #expect(form?.field == "frameworks.keras_reads")
        #expect(form?.problem == "\"zip\" is not a form keras reads (gzip, npz)")
        let count = try frameworks(["hf_classes": ["a", "b"]])
        #expect(count?.field == "frameworks.hf_classes")
        #expect(count?.problem == "has 2 labels but there are 10 classes")
        #expect(try frameworks(["hf_classes": ["a", "b", "c", "d", "e", "f", "g", "h", "i", ""]])?.field == "frameworks.hf_classes[9]")
        #expect(try frameworks(["torchvision": 7])?.field == "frameworks.torchvision")
        #expect(try rejection { $0["frameworks"] = "FashionMNIST" }?.field == "frameworks")
        #expect(try frameworks(["torchvision": "Fashion_MNIST-2", "keras_reads": "npz"]) == nil)
    }

    /// A manifest replacing a built-in by name keeps the framework names it leaves out; one it
    /// gives wins. Class labels are kept only for the same classes.
    @Test func anOverrideKeepsTheFrameworkNamesItLeavesOut() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("frameworks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let builtin = try ManifestRegistry.builtin()
        var json = try fashionManifestJSON()
        json.removeValue(forKey: "frameworks")
        json["mirrors"] = ["https://mirror.example.org/fashion/"]
        try JSONSerialization.data(withJSONObject: json).write(to: directory.appendingPathComponent("fashion.json"))
        let same = try ManifestRegistry.load(extraDirectories: [directory.path], environment: [:]).manifest(named: "fashion")
        #expect(same.mirrors == ["https://mirror.example.org/fashion/"])
        #expect(same.frameworkNames == (try builtin.manifest(named: "fashion")).frameworkNames)

        json["frameworks"] = ["torchvision": "PrivateFashion"]
        json["classes"] = (0..<10).map { "c\($0)" }
        try JSONSerialization.data(withJSONObject: json).write(to: directory.appendingPathComponent("fashion.json"))
        let renamed = try ManifestRegistry.load(extraDirectories: [directory.path], environment: [:]).manifest(named: "fashion")
        #expect(renamed.frameworkNames.torchvision == "PrivateFashion")
        #expect(renamed.frameworkNames.tfds == "fashion_mnist")
        #expect(renamed.frameworkNames.huggingFaceClasses == renamed.classes)
    }

    /// A renamed copy of a built-in keeps its names; the links keep one symlink per path.
    @Test func twoManifestsWithOneFrameworkNameGiveOneLinkPlacement() throws {
        var json = try fashionManifestJSON()
        json["name"] = "fashion-copy"
        json["aliases"] = []
        let copy = try ManifestLoader.parse(try JSONSerialization.data(withJSONObject: json), source: "copy.json")
        let registry = ManifestRegistry(manifests: try ManifestRegistry.builtin().manifests + [copy])
        let torchvision = LinkLayout.torchvision.placements(root: "/tv", registry: registry).map(\.path)
        #expect(torchvision == ["/tv/FashionMNIST/raw", "/tv/MNIST/raw"])
        #expect(LinkLayout.keras.placements(root: "/k", registry: registry).map(\.path) == ["/k/datasets/fashion-mnist"])
    }
}
