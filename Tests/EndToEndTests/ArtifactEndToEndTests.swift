import FMNISTCore
import Foundation
import Testing
import TestSupport

/// keras's `mnist.npz` as an optional artifact of the MNIST manifest, over the built binary: a
/// synthetic dataset named `mnist` (its manifest, given with `--manifests`, overrides the built-in
/// one) pins a synthetic npz of its own arrays, served by the loopback mirror and by file://.
@Suite(.serialized) struct ArtifactEndToEndTests {
    static let fast = ["FMNIST_RETRY_BASE_MS": "10"]

    /// The toy MNIST, its npz, and mirror folders that serve the four files plus an npz each.
    final class Fixture {
        let base: TemporaryDirectory
        let toy: SyntheticDataset
        let npz: [UInt8]
        let mirrors: URL
        var root: String { base.path("data").path }
        var manifests: String { toy.manifestDirectory.path }

        /// `pin`: the npz the manifest pins (default: the toy's own); `folders`: mirror folder → npz bytes served.
        init(pin: [UInt8]? = nil, folders: [String: [UInt8]] = [:]) throws {
            base = try TemporaryDirectory("artifact")
            toy = try SyntheticDataset(name: "mnist", title: "MNIST", seed: 3, in: base.url)
            npz = SyntheticNPZ.archive(SyntheticNPZ.arrays(of: toy))
            mirrors = base.path("mirrors")
            for (folder, bytes) in folders.merging(["good": npz], uniquingKeysWith: { a, _ in a }) {
                let directory = mirrors.appendingPathComponent(folder)
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                for role in FileRole.allCases {
                    let name = SyntheticDataset.fileName(role)
                    try FileManager.default.copyItem(at: toy.folder.appendingPathComponent(name), to: directory.appendingPathComponent(name))
                }
                try Data(bytes).write(to: directory.appendingPathComponent("mnist.npz"))
            }
            try Self.pin(pin ?? npz, manifest: toy.manifestDirectory.appendingPathComponent("mnist.json"))
        }

        /// Adds the keras artifact pinning `bytes` to the manifest's only version.
        static func pin(_ bytes: [UInt8], manifest: URL) throws {
            var json = try JSONSerialization.jsonObject(with: Data(contentsOf: manifest)) as! [String: Any]
            var versions = json["versions"] as! [[String: Any]]
            versions[0]["artifacts"] = [[
                "name": "mnist.npz", "loader": "keras", "url": "file:///nonexistent/mnist.npz", "size": bytes.count,
                "sha256": NPZDigest.sha256(bytes),
                "arrays": ["x_train": "train-images", "y_train": "train-labels", "x_test": "test-images", "y_test": "test-labels"],
            ]]
            json["versions"] = versions
            try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]).write(to: manifest)
        }

        func run(_ arguments: [String]) throws -> FMNISTProcess.Result {
            try FMNISTProcess.run(arguments + ["--root", root, "--manifests", manifests], environment: ArtifactEndToEndTests.fast)
        }

        var storedNPZ: URL { base.path("data/.fmnist/store/sha256/\(NPZDigest.sha256(npz))") }
    }

    static func artifact(_ result: FMNISTProcess.Result) throws -> [String: Any] {
        let dataset = try #require((try result.json()["datasets"] as? [[String: Any]])?.first)
        return try #require((dataset["artifacts"] as? [[String: Any]])?.first)
    }

    @Test func fetchesTheArtifactOverACutConnectionStoresItReadOnlyAndARerunDoesNoNetworkIO() throws {
        let fixture = try Fixture()
        let server = try MirrorServer(root: fixture.mirrors, faults: ["/good/mnist.npz": ["reset_after": fixture.npz.count / 2, "reset_times": 1]])
        let result = try fixture.run(["fetch", "mnist", "--artifact", "keras", "--mirror", server.url("good/"), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("MNIST's mnist.npz (keras): fetched and verified, every array matches MNIST v1's payload"))
        let artifact = try Self.artifact(result)
        #expect(artifact["status"] as? String == "downloaded")
        #expect(artifact["mirror"] as? String == server.url("good/mnist.npz"))
        #expect(try server.requests("/good/mnist.npz") == 2, "the cut transfer was tried again")
        let arrays = try #require(artifact["arrays"] as? [[String: Any]])
        #expect(arrays.map { $0["array"] as? String } == ["x_train", "y_train", "x_test", "y_test"])
        #expect(arrays.allSatisfy { $0["matched"] as? Bool == true })
        #expect(try Data(contentsOf: fixture.storedNPZ) == Data(fixture.npz))
        let mode = try FileManager.default.attributesOfItem(atPath: fixture.storedNPZ.path)[.posixPermissions] as? Int
        #expect(mode == 0o444)
        // Nothing of it is left in .fmnist/partial.
        let partials = try FileManager.default.contentsOfDirectory(atPath: fixture.base.path("data/.fmnist/partial/mnist").path)
        #expect(partials.isEmpty, "\(partials)")

        let before = try server.stats()
        let again = try fixture.run(["fetch", "mnist", "--artifact", "keras", "--mirror", server.url("good/")])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("already present and verified (SHA-256 pinned), nothing downloaded"))
        #expect(try server.stats().mapValues(\.requests) == before.mapValues(\.requests))
        // gc keeps the artifact; verify of the stored file names it.
        #expect(try fixture.run(["gc"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: fixture.storedNPZ.path))
    }

    @Test func hostileMirrorsAreSkippedWithAReasonEachAndTheNextIsTried() throws {
        let fixture = try Fixture(folders: ["html": [], "wrong": [], "cut": [], "big": []])
        // Wrong bytes of the pinned size (one byte flipped), and the pinned bytes with more after them.
        var other = fixture.npz
        other[other.count / 2] ^= 0x55
        try Data(other).write(to: fixture.mirrors.appendingPathComponent("wrong/mnist.npz"))
        let good = fixture.npz
        try Data(good + [UInt8](repeating: 7, count: 5000)).write(to: fixture.mirrors.appendingPathComponent("big/mnist.npz"))
        let server = try MirrorServer(root: fixture.mirrors, faults: [
            "/html/mnist.npz": ["html": true],
            "/cut/mnist.npz": ["serve": "good/mnist.npz", "truncate": 3000],
        ])
        let result = try fixture.run(
            ["fetch", "mnist", "--artifact", "keras", "--json", "--mirror", server.url("html/"), "--mirror", server.url("wrong/"),
             "--mirror", server.url("cut/"), "--mirror", server.url("big/"), "--mirror", server.url("good/")])
        #expect(result.status == 0, "\(result.stderr)")
        let artifact = try Self.artifact(result)
        let skipped = try #require(artifact["skipped"] as? [[String: Any]])
        #expect(skipped.map { $0["code"] as? String } == ["html_page", "wrong_sha256", "truncated", "too_large"])
        #expect((skipped[1]["reason"] as? String)?.contains("wrong bytes: SHA-256") == true)
        #expect((skipped[2]["reason"] as? String)?.contains("truncated: 3000 of the pinned") == true)
        #expect(artifact["mirror"] as? String == server.url("good/mnist.npz"))
        #expect(try Data(contentsOf: fixture.storedNPZ) == Data(good))
    }

    @Test func everyMirrorFailingIsExit5WithTheFourFilesInPlace() throws {
        let fixture = try Fixture(folders: ["html": []])
        let server = try MirrorServer(root: fixture.mirrors, faults: ["/html/mnist.npz": ["html": true], "/good/mnist.npz": ["status": 404]])
        let result = try fixture.run(["fetch", "mnist", "--artifact", "keras", "--mirror", server.url("html/"), "--mirror", server.url("good/")])
        #expect(result.status == 5, "\(result.stderr)")
        #expect(result.stderr.contains("MNIST's mnist.npz (keras) not fetched: every mirror failed (2 tried)"))
        #expect(result.stderr.contains("hint: give a mirror that holds mnist.npz"))
        #expect(!FileManager.default.fileExists(atPath: fixture.storedNPZ.path))
        #expect(try fixture.run(["verify", "mnist"]).status == 0, "the four files were placed")
        // export keras refuses MNIST without its artifact, naming the command that fetches it.
        let export = try fixture.run(["export", "keras", fixture.base.path("keras").path, "--dataset", "mnist"])
        #expect(export.status == 4, "\(export.stderr)")
        #expect(export.stderr.contains("fmnist fetch mnist --artifact keras"))
        #expect(!FileManager.default.fileExists(atPath: fixture.base.path("keras/datasets/mnist.npz").path))
    }

    @Test func offlineWorksWithFileMirrorsAndRefusesHTTP() throws {
        let fixture = try Fixture()
        let local = fixture.mirrors.appendingPathComponent("good").absoluteString
        let http = try fixture.run(["fetch", "mnist", "--artifact", "keras", "--offline", "--mirror", "http://127.0.0.1:9/"])
        #expect(http.status == 5, "\(http.stderr)")
        let result = try fixture.run(["fetch", "mnist", "--artifact", "keras", "--offline", "--mirror", local])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Data(contentsOf: fixture.storedNPZ) == Data(fixture.npz))
        // Fashion-MNIST has no keras artifact: a usage error, before anything is fetched.
        let fashion = try FMNISTProcess.run(["fetch", "fashion", "--artifact", "keras", "--root", fixture.root, "--offline"])
        #expect(fashion.status == 2, "\(fashion.stderr)")
        #expect(fashion.stderr.contains("has no keras artifact"))
    }

    @Test func pinnedBytesWhoseArraysAreNotThePayloadsAreRefusedExit3() throws {
        // The manifest pins an npz of another dataset's arrays: its SHA-256 matches, its arrays do not.
        let stranger = try Fixture()
        let other = try SyntheticDataset(name: "mnist", title: "MNIST", seed: 9, in: stranger.base.path("other"))
        let wrong = SyntheticNPZ.archive(SyntheticNPZ.arrays(of: other))
        let fixture = try Fixture(pin: wrong, folders: ["wrong": wrong])
        let result = try fixture.run(["fetch", "mnist", "--artifact", "keras", "--offline",
                                      "--mirror", fixture.mirrors.appendingPathComponent("wrong").absoluteString])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("is the pinned file, but array x_train is not MNIST v1's train-images"))
        #expect(!FileManager.default.fileExists(atPath: fixture.base.path("data/.fmnist/store/sha256/\(NPZDigest.sha256(wrong))").path))
    }

    @Test func exportKerasWritesTheExactArtifactAndVerifyIdentifiesNPZFiles() throws {
        let fixture = try Fixture()
        let local = fixture.mirrors.appendingPathComponent("good").absoluteString
        #expect(try fixture.run(["fetch", "mnist", "--artifact", "keras", "--offline", "--mirror", local]).status == 0)
        let dest = fixture.base.path("keras")
        let export = try fixture.run(["export", "keras", dest.path, "--dataset", "mnist", "--json"])
        #expect(export.status == 0, "\(export.stderr)")
        let written = dest.appendingPathComponent("datasets/mnist.npz")
        #expect(try Data(contentsOf: written) == Data(fixture.npz))
        #expect(export.stderr.contains("KERAS_HOME=\(dest.path) python -c 'import keras; keras.datasets.mnist.load_data()'"))
        let dataset = try #require((try export.json()["datasets"] as? [[String: Any]])?.first)
        #expect(dataset["path"] as? String == written.path)
        // Every dataset: MNIST's keras cache is written as the artifact.
        let again = try fixture.run(["export", "keras", dest.path, "--force"])
        #expect(again.status == 0, "\(again.stderr)")

        // verify: the pinned file, fmnist's own export npz, a damaged copy.
        let pinned = try fixture.run(["verify", written.path, "--json"])
        #expect(pinned.status == 0, "\(pinned.stderr)")
        #expect(pinned.stderr.contains("this is keras's published mnist.npz (byte-identical; MNIST v1"))
        let json = try pinned.json()
        #expect(json["kind"] as? String == "npz")
        #expect((json["published_artifact"] as? [String: Any])?["loader"] as? String == "keras")
        #expect((json["arrays"] as? [[String: Any]])?.map { $0["role"] as? String } == ["train-images", "train-labels", "test-images", "test-labels"])

        let own = fixture.base.path("own")
        #expect(try fixture.run(["export", "npz", own.path, "--dataset", "mnist"]).status == 0)
        let ours = try fixture.run(["verify", own.appendingPathComponent("mnist.npz").path])
        #expect(ours.status == 0, "\(ours.stderr)")
        #expect(ours.stderr.contains("an npz holding all four files of MNIST v1"))
        #expect(ours.stderr.contains("not keras's published mnist.npz"))

        var damaged = fixture.npz
        damaged[damaged.count / 3] ^= 0xFF
        let bad = fixture.base.path("bad.npz")
        try Data(damaged).write(to: bad)
        let broken = try fixture.run(["verify", bad.path, "--json"])
        #expect(broken.status == 3, "\(broken.stderr)")
        #expect(try broken.json()["status"] as? String == "corrupt")
        #expect(broken.stderr.contains("not a readable npz"))
        // Unknown arrays: exit 3, naming the array.
        let unknown = try FMNISTProcess.run(["verify", own.appendingPathComponent("mnist.npz").path, "--root", fixture.root])
        #expect(unknown.status == 3, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("array x_train matches no known file"))
    }

    /// A keras cache holding keras's mnist.npz: `verify KERAS_HOME` passes only for the pinned file
    /// (a self-made npz with the right arrays is what keras deletes); `import` of the cache, or of
    /// the npz itself, gives the very version its arrays are.
    @Test func aKerasCacheIsJudgedByThePinAndItsMnistNpzImportsAsTheVersion() throws {
        let fixture = try Fixture()
        let versionID = VersionIdentity(payloadDigests: Dictionary(uniqueKeysWithValues: FileRole.allCases.map {
            ($0, NPZDigest.sha256(fixture.toy.payloads[$0]!))
        })).full
        let cache = fixture.base.path("keras-home")
        try FileManager.default.createDirectory(at: cache.appendingPathComponent("datasets"), withIntermediateDirectories: true)
        let npz = cache.appendingPathComponent("datasets/mnist.npz")
        try Data(fixture.npz).write(to: npz)
        let pinned = try fixture.run(["verify", cache.path])
        #expect(pinned.status == 0, "\(pinned.stderr)")
        #expect(pinned.stderr.contains("this is keras's published mnist.npz"), "\(pinned.stderr)")

        // fmnist's own npz export holds the same arrays, but it is not the published file.
        let own = fixture.base.path("own")
        #expect(try fixture.run(["import", cache.path, "--as", "mnist", "--json"]).status == 0)
        #expect(try fixture.run(["export", "npz", own.path, "--dataset", "mnist"]).status == 0)
        try FileManager.default.removeItem(at: npz)
        try FileManager.default.copyItem(at: own.appendingPathComponent("mnist.npz"), to: npz)
        let selfMade = try fixture.run(["verify", cache.path])
        #expect(selfMade.status == 3, "\(selfMade.stderr)")
        #expect(selfMade.stderr.contains("keras would refuse and delete it"), "\(selfMade.stderr)")

        // Import: the cache (its mnist.npz) and the npz file itself, each into a fresh workspace.
        for (label, source) in [("cache", cache), ("file", own.appendingPathComponent("mnist.npz"))] {
            let fresh = fixture.base.path("fresh-\(label)").path
            let imported = try FMNISTProcess.run(["import", source.path, "--as", "mnist", "--root", fresh, "--manifests", fixture.manifests, "--json"])
            #expect(imported.status == 0, "\(label): \(imported.stderr)")
            let json = try imported.json()
            #expect(json["layout"] as? String == "npz", "\(label)")
            #expect((json["version"] as? [String: Any])?["id"] as? String == versionID, "\(label): the same version")
            #expect(try FMNISTProcess.run(["verify", "mnist", "--root", fresh, "--manifests", fixture.manifests]).status == 0)
        }
        // An npz whose x_train was changed: refused, nothing installed.
        var entries = SyntheticNPZ.arrays(of: fixture.toy)
        entries[0].bytes[entries[0].bytes.count - 1] ^= 0x01
        let tampered = fixture.base.path("tampered.npz")
        try Data(SyntheticNPZ.archive(entries)).write(to: tampered)
        let fresh = fixture.base.path("fresh-tampered").path
        let refused = try FMNISTProcess.run(["import", tampered.path, "--as", "mnist", "--root", fresh, "--manifests", fixture.manifests])
        #expect(refused.status == 8, "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fresh + "/mnist"))
    }

    /// `fmnist doctor` judges keras's `mnist.npz` by the pin: a self-made npz with MNIST's arrays is
    /// `damaged` (keras would delete it); `--fix` asks for `fetch --artifact keras` while the
    /// workspace lacks the published file, then replaces it with the stored artifact.
    @Test func doctorJudgesKerasMnistNpzByThePinAndFixesItFromTheStoredArtifact() throws {
        let fixture = try Fixture()
        let keras = fixture.base.path("keras-home")
        let environment = ["HOME": fixture.base.path("home").path, "KERAS_HOME": keras.path, "TFDS_DATA_DIR": fixture.base.path("tfds").path]
        func doctor(_ arguments: [String]) throws -> (status: Int32, finding: [String: Any]?, stderr: String) {
            let result = try FMNISTProcess.run(
                ["doctor", keras.path] + arguments + ["--root", fixture.root, "--manifests", fixture.manifests, "--json"], environment: environment)
            let findings = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [[String: Any]]
            return (result.status, findings?.first { ($0["path"] as? String)?.hasSuffix("mnist.npz") == true }, result.stderr)
        }
        #expect(try fixture.run(["import", fixture.toy.folder.path, "--as", "mnist"]).status == 0)
        let own = fixture.base.path("own")
        #expect(try fixture.run(["export", "npz", own.path, "--dataset", "mnist"]).status == 0)
        let npz = keras.appendingPathComponent("datasets/mnist.npz")
        try FileManager.default.createDirectory(at: npz.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: own.appendingPathComponent("mnist.npz"), to: npz)

        let found = try doctor([])
        #expect(found.status == 3, "\(found.stderr)")
        #expect(found.finding?["status"] as? String == "damaged", "\(found.finding ?? [:])")
        #expect(found.finding?["artifact"] as? String == "mnist.npz")
        #expect((found.finding?["message"] as? String)?.contains("keras would refuse and delete it") == true, "\(found.finding ?? [:])")
        // Without the published file in the workspace: nothing written, the fetch command given.
        let needs = try doctor(["--fix"])
        #expect(needs.status == 3)
        let needsFix = needs.finding?["fix"] as? [String: Any]
        #expect(needsFix?["action"] as? String == "needs_fetch", "\(needs.finding ?? [:])")
        #expect((needsFix?["fetch_command"] as? String)?.contains("--artifact keras") == true)
        #expect(try Data(contentsOf: npz) == Data(contentsOf: own.appendingPathComponent("mnist.npz")))
        // With it: replaced by the published bytes, and doctor is clean.
        let local = fixture.mirrors.appendingPathComponent("good").absoluteString
        #expect(try fixture.run(["fetch", "mnist", "--artifact", "keras", "--offline", "--mirror", local]).status == 0)
        let fixed = try doctor(["--fix"])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect((fixed.finding?["fix"] as? [String: Any])?["action"] as? String == "replaced")
        #expect(try Data(contentsOf: npz) == Data(fixture.npz))
        let clean = try doctor([])
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.finding?["status"] as? String == "ok")
    }
}

/// SHA-256 hex of bytes, by `sha256sum` (independent of fmnist's own digest code).
enum NPZDigest {
    static func sha256(_ bytes: [UInt8]) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try! process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try! input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix(64))
    }
}
