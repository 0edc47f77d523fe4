import FMNISTCore
import Foundation
import Testing
import TestSupport

/// No bounded parser can crash (issue 19, principle 6): an `.npz` whose zip64 end record says the
/// central directory lies at 2⁶⁴−1 (and one whose zip64 locator says so of the end record itself)
/// used to overflow and kill `verify`, `import` and `doctor` with SIGILL (exit 132). Over the
/// built binary: `verify FILE.npz` exits 3 naming the offset, `import` refuses it with exit 3 and
/// writes nothing, and `doctor DIR` on a keras cache holding it reports it and scans on.
@Suite struct HostileArchiveEndToEndTests {
    static let toy: [SyntheticNPZ.Entry] = [
        SyntheticNPZ.Entry(name: "x_train.npy", bytes: SyntheticNPZ.npy([UInt8](repeating: 7, count: 784), shape: [1, 28, 28]), zip64: true),
        SyntheticNPZ.Entry(name: "y_train.npy", bytes: SyntheticNPZ.npy([3], shape: [1]), zip64: true),
    ]

    /// The two hostile archives: directory offset 2⁶⁴−1, and zip64 end record offset 2⁶⁴−1.
    static let hostile: [(name: String, bytes: [UInt8], detail: String)] = {
        let valid = SyntheticNPZ.archive(toy, zip64End: true)
        return [
            ("directory", SyntheticNPZ.withZip64Fields(valid, directoryOffset: .max),
             "the zip64 central directory offset 18446744073709551615 lies beyond the file's \(valid.count) bytes"),
            ("record", SyntheticNPZ.withZip64Fields(valid, recordOffset: .max), "the zip64 end record offset 18446744073709551615"),
        ]
    }()

    @Test func verifyAndImportOfAZip64OffsetOf2To64Minus1AreExit3WithTheReason() throws {
        let base = try TemporaryDirectory("hostile-npz")
        let root = base.path("data").path
        for archive in Self.hostile {
            let file = base.path("\(archive.name).npz")
            try Data(archive.bytes).write(to: file)
            let verify = try FMNISTProcess.run(["verify", file.path, "--root", root], currentDirectory: base.url)
            #expect(verify.status == 3, "verify \(archive.name): \(verify.status) \(verify.stdout) \(verify.stderr)")
            #expect((verify.stdout + verify.stderr).contains(archive.detail), "\(verify.stdout) \(verify.stderr)")
            let json = try FMNISTProcess.run(["verify", file.path, "--root", root, "--json"], currentDirectory: base.url)
            #expect(json.status == 3 && json.stdout.contains("18446744073709551615"), "\(json.stdout) \(json.stderr)")

            let imported = try FMNISTProcess.run(["import", file.path, "--as", "mnist", "--root", root], currentDirectory: base.url)
            #expect(imported.status == 3, "import \(archive.name): \(imported.status) \(imported.stderr)")
            #expect(imported.stderr.contains("refusing to import") && imported.stderr.contains(archive.detail), "\(imported.stderr)")
            let versions = (try? FileManager.default.contentsOfDirectory(atPath: base.path("data/.fmnist/versions/mnist").path)) ?? []
            #expect(versions.isEmpty, "import left a version: \(versions)")
            #expect(!FileManager.default.fileExists(atPath: base.path("data/mnist").path))
        }
    }

    @Test func doctorReportsTheHostileNPZInAKerasCacheAndScansTheRest() throws {
        let base = try TemporaryDirectory("hostile-npz-doctor")
        let root = base.path("data")
        let keras = base.path("keras")
        let datasets = keras.appendingPathComponent("datasets")
        try FileManager.default.createDirectory(at: datasets.appendingPathComponent("fashion-mnist"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: base.path("home"), withIntermediateDirectories: true)
        try Data(Self.hostile[0].bytes).write(to: datasets.appendingPathComponent("mnist.npz"))
        // Beside it, in the same scan: an HTML page where keras reads Fashion-MNIST's labels.
        let page = datasets.appendingPathComponent("fashion-mnist/train-labels-idx1-ubyte.gz")
        try Data("<!DOCTYPE html><html><body>Service unavailable</body></html>".utf8).write(to: page)
        let environment = ["HOME": base.path("home").path, "KERAS_HOME": base.path("elsewhere").path, "TFDS_DATA_DIR": base.path("tfds").path]
        for (name, archive) in [("mnist.npz", Self.hostile[0]), ("mnist.npz", Self.hostile[1])] {
            try Data(archive.bytes).write(to: datasets.appendingPathComponent(name))
            let result = try FMNISTProcess.run(
                ["doctor", keras.path, "--root", root.path, "--json"], environment: environment, currentDirectory: base.url)
            #expect(result.status == 3, "doctor: \(result.status) \(result.stderr)")
            let findings = try #require((try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [[String: Any]],
                                        "doctor --json: \(result.stdout.prefix(300)) \(result.stderr)")
            let npz = try #require(findings.first { ($0["path"] as? String)?.hasSuffix("datasets/mnist.npz") == true }, "\(findings)")
            #expect(["damaged", "not-data"].contains(npz["status"] as? String ?? ""), "\(npz)")
            #expect((npz["message"] as? String)?.contains(archive.detail) == true, "\(npz)")
            let html = try #require(findings.first { ($0["path"] as? String)?.hasSuffix("train-labels-idx1-ubyte.gz") == true },
                                    "the scan stopped at the hostile npz: \(findings)")
            #expect(html["status"] as? String == "not-data", "\(html)")
            // The plain (text) scan too.
            let text = try FMNISTProcess.run(["doctor", keras.path, "--root", root.path], environment: environment, currentDirectory: base.url)
            #expect(text.status == 3, "\(text.stderr)")
            let output = text.stdout + text.stderr
            #expect(output.contains("datasets/mnist.npz") && output.contains(archive.detail) && output.contains("NOT-DATA"), "\(output)")
        }
    }
}
