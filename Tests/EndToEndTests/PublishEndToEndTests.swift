import Foundation
import Testing

/// `fmnist publish` and `fmnist lock --mirror` end to end: a workspace whose live Fashion-MNIST is
/// an imported, unknown version (today's images with the 2017-08-26 labels) and whose MNIST was
/// imported too — so neither has any mirror of its own — is published, served (a plain
/// `python3 -m http.server`, and a private moto bucket with signatures enforced), locked with
/// `--mirror`, and reproduced by `fetch --locked` in a fresh workspace, which `verify --locked`
/// then passes. Also: a symlink in DEST refused, a kill mid-publish leaving no partial file under a
/// final name, a rerun rewriting nothing, no credential in the lock.
@Suite(.serialized) struct PublishEndToEndTests {
    /// A workspace: real Fashion-MNIST, then the old-labels version made live, and real MNIST.
    /// Returns the old-labels version's id.
    static func sourceWorkspace(_ scratch: TemporaryDirectory, root: URL, mnist: Bool = true) throws -> String {
        try Lifecycle.run(["import", RealData.fashion.path, "--as", "fashion", "--root", root.path])
        let imported = try Lifecycle.run([
            "import", try Lifecycle.oldLabelsFolder(in: scratch).path, "--as", "fashion", "--accept-unknown", "--activate",
            "--root", root.path, "--json",
        ])
        if mnist { try Lifecycle.run(["import", RealData.mnist.path, "--as", "mnist", "--root", root.path]) }
        return try #require((try imported.json()["version"] as? [String: Any])?["id"] as? String)
    }

    /// Every regular file under `folder`, by relative path (dot files included, so temporaries show).
    static func tree(_ folder: URL) -> [String: URL] {
        var files: [String: URL] = [:]
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            files[String(url.path.dropFirst(folder.path.count + 1))] = url
        }
        return files
    }

    /// The lock's mirrors of `dataset`.
    static func mirrors(_ lock: URL, _ dataset: String) throws -> [String] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: lock)) as? [String: Any]
        let entry = (json?["datasets"] as? [[String: Any]])?.first { $0["dataset"] as? String == dataset }
        return entry?["mirrors"] as? [String] ?? []
    }

    /// `publish --all` writes the three versions; the tree is served by `python3 -m http.server`;
    /// `lock --mirror http://tester:SECRET@…/` pins each at its folder there (the password stored as
    /// ***); `fetch --locked` in a fresh workspace gets exactly them from that server, the imported,
    /// unknown Fashion-MNIST included, and `verify --locked` passes. The secret is nowhere.
    @Test(.realDataWithOldLabels) func httpServerRoundTripReproducesTheLockedVersions() throws {
        let scratch = try TemporaryDirectory("publish-http")
        let root = scratch.path("data")
        let oldID = try Self.sourceWorkspace(scratch, root: root)
        let dest = scratch.path("mirror")
        let published = try Lifecycle.run(["publish", dest.path, "--all", "--root", root.path, "--json"])
        let json = try published.json()
        #expect((json["versions"] as? [Any])?.count == 3 && json["written"] as? Int == 12 && json["index_action"] as? String == "write",
                "\(published.stdout)")
        // The old-labels folder holds today's images and the old labels, byte for byte.
        let folder = dest.appendingPathComponent("fashion/\(oldID)")
        #expect(try Data(contentsOf: folder.appendingPathComponent("train-images-idx3-ubyte.gz"))
                == Data(contentsOf: RealData.fashion.appendingPathComponent("train-images-idx3-ubyte.gz")))
        #expect(try Data(contentsOf: folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
                == Data(contentsOf: RealData.oldFashionLabels.appendingPathComponent("t10k-labels-idx1-ubyte.gz")))
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: dest.appendingPathComponent("fmnist-mirror.json"))) as? [String: Any]
        let versions = (index?["datasets"] as? [[String: Any]])?.flatMap { $0["versions"] as? [[String: Any]] ?? [] } ?? []
        #expect(versions.count == 3 && versions.contains { $0["path"] as? String == "fashion/\(oldID)/" && $0["known"] as? Bool == false })

        let server = try StaticHTTPServer(root: dest)
        let secret = "Pa55-publish-SECRET"
        let base = "http://tester:\(secret)@127.0.0.1:\(server.port)/"
        let lock = scratch.path("fmnist.lock")
        let locked = try Lifecycle.run(["lock", "--mirror", base, "--file", lock.path, "--root", root.path])
        #expect(locked.stderr.contains("password in --mirror is not stored"), "\(locked.stderr)")
        #expect(try Self.mirrors(lock, "fashion") == ["http://tester:***@127.0.0.1:\(server.port)/fashion/\(oldID)/"])
        #expect(try Self.mirrors(lock, "mnist").first?.hasPrefix("http://tester:***@127.0.0.1:\(server.port)/mnist/") == true)

        // A base that is not a folder URL is a usage error; the lock is not rewritten.
        let before = try Data(contentsOf: lock)
        let bad = try Lifecycle.run(["lock", "--mirror", "ftp://127.0.0.1/m/", "--file", lock.path, "--root", root.path], expect: 2)
        #expect(bad.stderr.contains("is not an http://, https://, s3:// or file:// URL"), "\(bad.stderr)")
        #expect(try Data(contentsOf: lock) == before)

        let fresh = scratch.path("fresh")
        let home = scratch.path("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let fetch = try FMNISTProcess.run(["fetch", "--locked", "--file", lock.path, "--root", fresh.path], environment: ["HOME": home.path])
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(fetch.stderr.contains("kept because the lock pins it"), "\(fetch.stderr)")
        for name in RealData.names {
            #expect(server.log().contains("\"GET /fashion/\(oldID)/\(name) HTTP/1.1\" 200"), "\(name): \(server.log())")
        }
        let verify = try FMNISTProcess.run(["verify", "--locked", "--file", lock.path, "--root", fresh.path])
        #expect(verify.status == 0, "\(verify.stderr)")
        try PrivateMirrorEndToEndTests().expectNoSecret(
            [secret], root: fresh, texts: [locked.stdout, locked.stderr, fetch.stdout, fetch.stderr, verify.stdout, verify.stderr])
        #expect(!(try String(contentsOf: lock, encoding: .utf8)).contains(secret))
    }

    /// The same tree uploaded into a private moto bucket (signatures enforced), locked with
    /// `--mirror s3://bucket/team/`: `fetch --locked` with the keys in the environment reproduces the
    /// pinned versions from the bucket alone, `verify --locked` passes, the secret is nowhere.
    @Test(.realDataWithOldLabels) func privateBucketRoundTripReproducesTheLockedVersions() throws {
        let s3 = try S3Server()
        let scratch = try TemporaryDirectory("publish-s3")
        let root = scratch.path("data")
        let oldID = try Self.sourceWorkspace(scratch, root: root)
        let dest = scratch.path("mirror")
        try Lifecycle.run(["publish", dest.path, "--root", root.path])
        let keys = try s3.upload(tree: dest, prefix: "team/")
        #expect(keys.contains("team/fmnist-mirror.json") && keys.contains("team/fashion/\(oldID)/train-labels-idx1-ubyte.gz"), "\(keys)")

        let lock = scratch.path("fmnist.lock")
        let base = "s3://\(S3Server.privateBucket)/team/"
        try Lifecycle.run(["lock", "--mirror", base, "--file", lock.path, "--root", root.path])
        #expect(try Self.mirrors(lock, "fashion") == ["\(base)fashion/\(oldID)/"])

        let fresh = scratch.path("fresh")
        let environment = S3MirrorEndToEndTests().environment(home: scratch.url, [
            "AWS_ACCESS_KEY_ID": s3.accessKeyID, "AWS_SECRET_ACCESS_KEY": s3.secretAccessKey, "AWS_ENDPOINT_URL": s3.endpoint,
        ])
        let fetch = try FMNISTProcess.run(["fetch", "--locked", "--file", lock.path, "--root", fresh.path, "--json"], environment: environment)
        #expect(fetch.status == 0, "\(fetch.stderr)")
        for name in RealData.names {
            #expect(s3.log().contains("\"GET /\(S3Server.privateBucket)/team/fashion/\(oldID)/\(name) HTTP/1.1\" 200"), "\(name)")
        }
        let verify = try FMNISTProcess.run(["verify", "--locked", "--file", lock.path, "--root", fresh.path])
        #expect(verify.status == 0, "\(verify.stderr)")
        try PrivateMirrorEndToEndTests().expectNoSecret(
            [s3.secretAccessKey], root: fresh, texts: [fetch.stdout, fetch.stderr, verify.stdout, verify.stderr])
        #expect(!(try String(contentsOf: lock, encoding: .utf8)).contains(s3.secretAccessKey))

        // Without the keys the private bucket refuses: the lock holds no credential of its own.
        let anonymous = try FMNISTProcess.run(
            ["fetch", "--locked", "--file", lock.path, "--root", scratch.path("anonymous").path],
            environment: S3MirrorEndToEndTests().environment(home: scratch.url, ["AWS_ENDPOINT_URL": s3.endpoint]))
        #expect(anonymous.status == 5, "\(anonymous.stderr)")
    }

    /// DEST a symlink, a folder inside it a symlink, a file where publish writes a symlink: each
    /// refused (exit 7, naming the path), nothing written, the link's target untouched.
    @Test(.realData) func aSymlinkInDestIsRefused() throws {
        let scratch = try TemporaryDirectory("publish-symlink")
        let root = scratch.path("data")
        try Lifecycle.run(["import", RealData.fashion.path, "--as", "fashion", "--root", root.path])
        let elsewhere = scratch.path("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let victim = elsewhere.appendingPathComponent("victim.gz")
        try Data("not yours".utf8).write(to: victim)

        // DEST inside the workspace's own folders: exit 2, before anything is written.
        let inside = try Lifecycle.run(["publish", root.appendingPathComponent(".fmnist/mirror").path, "--root", root.path], expect: 2)
        #expect(inside.stderr.contains("private area"), "\(inside.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent(".fmnist/mirror").path))

        let linked = scratch.path("linked")
        try FileManager.default.createSymbolicLink(at: linked, withDestinationURL: elsewhere)
        let refused = try Lifecycle.run(["publish", linked.path, "--root", root.path], expect: 7)
        #expect(refused.stderr.contains("\(linked.path) is a symlink"), "\(refused.stderr)")

        let dest = scratch.path("mirror")
        try FileManager.default.createDirectory(at: dest, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: dest.appendingPathComponent("fashion"), withDestinationURL: elsewhere)
        let folder = try Lifecycle.run(["publish", dest.path, "--root", root.path, "--json"], expect: 7)
        #expect(folder.stderr.contains("\(dest.path)/fashion is a symlink"), "\(folder.stderr)")
        #expect(try folder.json()["exit_code"] as? Int == 7)

        try FileManager.default.removeItem(at: dest.appendingPathComponent("fashion"))
        let versionFolder = dest.appendingPathComponent("fashion/\(Lifecycle.fashionID)")
        try FileManager.default.createDirectory(at: versionFolder, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: versionFolder.appendingPathComponent("t10k-labels-idx1-ubyte.gz"), withDestinationURL: victim)
        let file = try Lifecycle.run(["publish", dest.path, "--root", root.path], expect: 7)
        #expect(file.stderr.contains("t10k-labels-idx1-ubyte.gz is a symlink"), "\(file.stderr)")
        #expect(try String(contentsOf: victim, encoding: .utf8) == "not yours")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path) == ["victim.gz"])
        #expect(Self.tree(dest).isEmpty, "nothing was written: \(Self.tree(dest).keys)")
    }

    /// Killed (SIGKILL) at several moments of a `publish --all`: every file under a final name is
    /// whole (the bytes of a complete publish), the index only ever complete; a rerun removes the
    /// killed run's temporaries and completes the tree.
    @Test(.realDataWithOldLabels) func aKillMidPublishLeavesNoPartialFileUnderAFinalName() throws {
        let scratch = try TemporaryDirectory("publish-kill")
        let root = scratch.path("data")
        _ = try Self.sourceWorkspace(scratch, root: root)
        let reference = scratch.path("reference")
        try Lifecycle.run(["publish", reference.path, "--all", "--root", root.path])
        let expected = Self.tree(reference).mapValues { try? Data(contentsOf: $0) }
        #expect(expected.count == 13)

        var midRun = 0
        var lastDest: URL?
        for (attempt, delay) in [20_000, 60_000, 120_000, 200_000, 300_000, 450_000, 700_000].enumerated() {
            let dest = scratch.path("killed-\(attempt)")
            let process = Process()
            process.executableURL = FMNISTProcess.executable
            process.arguments = ["publish", dest.path, "--all", "--root", root.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(useconds_t(delay))
            let wasRunning = process.isRunning
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let found = Self.tree(dest)
            let finals = found.filter { !$0.key.split(separator: "/").contains { $0.hasPrefix(".") } }
            for (path, url) in finals {
                #expect(expected[path] != nil, "\(path) is no file publish writes")
                #expect(try Data(contentsOf: url) == expected[path] ?? nil, "\(path) is not whole after a kill \(delay / 1000) ms in")
            }
            if finals["fmnist-mirror.json"] != nil { #expect(finals.count == expected.count, "the index came before the files") }
            if wasRunning && finals.count < expected.count {
                midRun += 1
                lastDest = dest
            }
        }
        #expect(midRun > 0, "no kill landed while publish was writing")
        if let dest = lastDest {
            let hadTemporaries = Self.tree(dest).keys.contains { $0.contains(".fmnist-tmp-") }
            let rerun = try Lifecycle.run(["publish", dest.path, "--all", "--root", root.path, "--json"])
            let notes = try rerun.json()["notes"] as? [String] ?? []
            if hadTemporaries { #expect(notes.contains { $0.contains("left by an interrupted publish") }, "\(notes)") }
            let after = Self.tree(dest)
            #expect(Set(after.keys) == Set(expected.keys), "\(after.keys.sorted())")
            for (path, url) in after { #expect(try Data(contentsOf: url) == expected[path] ?? nil, "\(path)") }
        }
    }

    /// A second publish rewrites nothing (same inode and modification time for every file and the
    /// index); `--all` then adds the other versions without touching the first's files, and a later
    /// live-only publish keeps them in the index.
    @Test(.realDataWithOldLabels) func anIncrementalRerunRewritesNothing() throws {
        let scratch = try TemporaryDirectory("publish-incremental")
        let root = scratch.path("data")
        let oldID = try Self.sourceWorkspace(scratch, root: root, mnist: false)
        let dest = scratch.path("mirror")
        func stamps() -> [String: [Int]] {
            Self.tree(dest).mapValues { url in
                var info = stat()
                _ = lstat(url.path, &info)
                return [Int(info.st_ino), info.st_mtim.tv_sec, info.st_mtim.tv_nsec]
            }
        }
        try Lifecycle.run(["publish", dest.path, "--root", root.path])
        let first = stamps()
        #expect(first.keys.sorted() == (["fmnist-mirror.json"] + RealData.names.map { "fashion/\(oldID)/\($0)" }).sorted())
        usleep(20_000)
        let again = try Lifecycle.run(["publish", dest.path, "--root", root.path, "--json"])
        let json = try again.json()
        #expect(json["written"] as? Int == 0 && json["replaced"] as? Int == 0 && json["kept"] as? Int == 4, "\(again.stdout)")
        #expect(json["index_action"] as? String == "keep" && json["bytes_written"] as? Int == 0)
        #expect(stamps() == first, "a rerun rewrote something")

        let all = try Lifecycle.run(["publish", dest.path, "--all", "--root", root.path, "--json"]).json()
        #expect(all["written"] as? Int == 4 && all["kept"] as? Int == 4 && all["index_action"] as? String == "replace")
        let afterAll = stamps()
        for (path, stamp) in first where path != "fmnist-mirror.json" { #expect(afterAll[path] == stamp, "\(path) was rewritten") }
        let live = try Lifecycle.run(["publish", dest.path, "--root", root.path, "--json"]).json()
        #expect(live["also_indexed"] as? Int == 1 && live["index_action"] as? String == "keep", "\(live)")
        #expect(stamps() == afterAll)
    }
}
