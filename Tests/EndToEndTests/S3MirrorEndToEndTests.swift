import Foundation
import Testing

/// `s3://BUCKET/PREFIX/` mirrors against a real S3-compatible server on loopback (moto, with
/// signatures enforced after its set-up; see ``S3Server``): SigV4 with the environment's keys and
/// with a credentials-file profile, a wrong secret named (exit 5), anonymous requests to a
/// public-read bucket, a partial download resumed with a signed Range request, and after each
/// run a secret scan (no output, workspace file, catalog, lock or `log --json` holds the secret).
@Suite(.serialized) struct S3MirrorEndToEndTests {
    static let mirror = "s3://\(S3Server.privateBucket)/\(S3Server.prefix)"

    /// The environment of every run: a scratch HOME (no user ~/.aws), no inherited AWS settings.
    func environment(home: URL, _ extra: [String: String]) -> [String: String] {
        var env = [
            "HOME": home.path, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
            "AWS_SHARED_CREDENTIALS_FILE": "", "AWS_CONFIG_FILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
            "AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_S3": "",
        ]
        for (key, value) in extra { env[key] = value }
        return env
    }

    func expectNoSecret(_ secrets: [String], root: URL, texts: [String]) throws {
        try PrivateMirrorEndToEndTests().expectNoSecret(secrets, root: root, texts: texts)
    }

    /// The lock `fmnist lock` writes for `root`.
    func lockText(_ root: URL, in scratch: TemporaryDirectory) throws -> String {
        let file = scratch.path("check.lock")
        let written = try FMNISTProcess.run(["lock", "--file", file.path, "--root", root.path])
        #expect(written.status == 0, "\(written.stderr)")
        return String(decoding: try Data(contentsOf: file), as: UTF8.self)
    }

    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` and `AWS_ENDPOINT_URL`: the four files come
    /// from the private bucket (signed, path-style GETs), verified; the lock and catalog keep
    /// `s3://bucket/prefix/`; the secret is nowhere.
    @Test(.realData) func privateBucketWithEnvironmentCredentials() throws {
        let s3 = try S3Server()
        let workspace = try TemporaryDirectory("s3-env")
        let root = workspace.path("data")
        let fetch = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", root.path, "--mirror", Self.mirror],
            environment: environment(home: workspace.url, [
                "AWS_ACCESS_KEY_ID": s3.accessKeyID, "AWS_SECRET_ACCESS_KEY": s3.secretAccessKey, "AWS_ENDPOINT_URL": s3.endpoint,
            ]))
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(fetch.stderr.contains("fetched and verified (4 downloaded)"), "\(fetch.stderr)")
        #expect(fetch.stderr.contains("from \(Self.mirror)"), "\(fetch.stderr)")
        for name in RealData.names {
            #expect(s3.log().contains("\"GET /\(S3Server.privateBucket)/\(S3Server.prefix)\(name) HTTP/1.1\" 200"), "\(name)")
        }
        let verify = try FMNISTProcess.run(["verify", "fashion", "--root", root.path])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(try lockText(root, in: workspace).contains("\"\(Self.mirror)\""))
        try expectNoSecret([s3.secretAccessKey], root: root, texts: [fetch.stdout, fetch.stderr, verify.stdout, verify.stderr])

        // The lock's s3:// mirror, with no --mirror, fetches into a fresh workspace: the keys come
        // from the environment at fetch time.
        let lockFile = workspace.path("fmnist.lock")
        let locked = try FMNISTProcess.run(["lock", "--file", lockFile.path, "--root", root.path])
        #expect(locked.status == 0, "\(locked.stderr)")
        let fresh = workspace.path("fresh")
        let again = try FMNISTProcess.run(
            ["fetch", "--locked", "--file", lockFile.path, "--root", fresh.path],
            environment: environment(home: workspace.url, [
                "AWS_ACCESS_KEY_ID": s3.accessKeyID, "AWS_SECRET_ACCESS_KEY": s3.secretAccessKey, "AWS_ENDPOINT_URL": s3.endpoint,
            ]))
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("from \(Self.mirror)"), "\(again.stderr)")
        try expectNoSecret([s3.secretAccessKey], root: fresh, texts: [again.stdout, again.stderr])
    }

    /// No key in the environment: `AWS_PROFILE=team` in `AWS_SHARED_CREDENTIALS_FILE` (whose
    /// `[default]` holds a wrong pair, so the profile is what signs), region from `AWS_CONFIG_FILE`'s
    /// `[profile team]`, endpoint from `AWS_ENDPOINT_URL_S3`. `--json` output scanned too.
    @Test(.realData) func privateBucketWithACredentialsFileProfile() throws {
        let s3 = try S3Server()
        let workspace = try TemporaryDirectory("s3-profile")
        let root = workspace.path("data")
        let credentials = workspace.path("credentials")
        try """
            [default]
            aws_access_key_id = AKIADEFAULTDEFAULT00
            aws_secret_access_key = not-the-secret-of-any-user

            # the team's key
            [team]
            aws_access_key_id = \(s3.accessKeyID)
            aws_secret_access_key = \(s3.secretAccessKey)
            """.write(to: credentials, atomically: true, encoding: .utf8)
        let config = workspace.path("config")
        try "[profile team]\nregion = us-east-1\n".write(to: config, atomically: true, encoding: .utf8)
        let fetch = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", root.path, "--mirror", Self.mirror, "--json"],
            environment: environment(home: workspace.url, [
                "AWS_SHARED_CREDENTIALS_FILE": credentials.path, "AWS_CONFIG_FILE": config.path, "AWS_PROFILE": "team",
                "AWS_ENDPOINT_URL_S3": s3.endpoint,
            ]))
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(fetch.stdout.contains(Self.mirror), "\(fetch.stdout)")
        try expectNoSecret([s3.secretAccessKey], root: root, texts: [fetch.stdout, fetch.stderr])

        // A profile that is not in the file: a usage error naming it, before any request.
        let missing = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", workspace.path("other").path, "--mirror", Self.mirror],
            environment: environment(home: workspace.url, [
                "AWS_SHARED_CREDENTIALS_FILE": credentials.path, "AWS_PROFILE": "nosuch", "AWS_ENDPOINT_URL_S3": s3.endpoint,
            ]))
        #expect(missing.status == 2, "\(missing.stderr)")
        #expect(missing.stderr.contains("AWS_PROFILE=\"nosuch\" names no profile"), "\(missing.stderr)")
    }

    /// A wrong secret: every file is refused with 403 and the S3 error code SignatureDoesNotMatch
    /// is named, exit 5; neither the wrong nor the right secret appears anywhere.
    @Test(.realData) func wrongSecretIsExit5NamingSignatureDoesNotMatch() throws {
        let s3 = try S3Server()
        let workspace = try TemporaryDirectory("s3-wrong")
        let root = workspace.path("data")
        let wrong = "Wr0ngSecretKey/For+TheS3Tests0000000000"
        let fetch = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", root.path, "--mirror", Self.mirror],
            environment: environment(home: workspace.url, [
                "AWS_ACCESS_KEY_ID": s3.accessKeyID, "AWS_SECRET_ACCESS_KEY": wrong, "AWS_ENDPOINT_URL": s3.endpoint,
            ]))
        #expect(fetch.status == 5, "\(fetch.stderr)")
        #expect(fetch.stderr.contains("403"), "\(fetch.stderr)")
        #expect(fetch.stderr.contains("SignatureDoesNotMatch"), "\(fetch.stderr)")
        #expect(fetch.stderr.contains("AWS_SECRET_ACCESS_KEY"), "the hint says what to check: \(fetch.stderr)")
        #expect(fetch.stderr.contains("hint: an s3:// mirror refused the request"), "\(fetch.stderr)")
        for text in [fetch.stdout, fetch.stderr] {
            #expect(!text.contains(wrong) && !text.contains(s3.secretAccessKey))
        }
        if FileManager.default.fileExists(atPath: root.path) {
            let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
            while let url = enumerator?.nextObject() as? URL {
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
                let bytes = try Data(contentsOf: url)
                #expect(bytes.range(of: Data(wrong.utf8)) == nil, "the wrong secret in \(url.path)")
            }
        }

        // No credentials at all against the same private bucket: anonymous, refused, and said so.
        let anonymous = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", workspace.path("anon").path, "--mirror", Self.mirror],
            environment: environment(home: workspace.url, ["AWS_ENDPOINT_URL": s3.endpoint]))
        #expect(anonymous.status == 5, "\(anonymous.stderr)")
        #expect(anonymous.stderr.contains("403") && anonymous.stderr.contains("no AWS credentials were found"), "\(anonymous.stderr)")
    }

    /// No credentials: unsigned requests, which a public-read bucket serves. (moto answers unsigned
    /// requests only while it does not enforce signatures: see ``S3Server``.)
    @Test(.realData) func anonymousFetchOfAPublicBucket() throws {
        let s3 = try S3Server(enforcingSignatures: false)
        let workspace = try TemporaryDirectory("s3-public")
        let root = workspace.path("data")
        let fetch = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", root.path, "--mirror", "s3://\(S3Server.publicBucket)/\(S3Server.prefix)"],
            environment: environment(home: workspace.url, ["AWS_ENDPOINT_URL": s3.endpoint]))
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(fetch.stderr.contains("fetched and verified (4 downloaded)"), "\(fetch.stderr)")
        try expectNoSecret([s3.secretAccessKey], root: root, texts: [fetch.stdout, fetch.stderr])
    }

    /// A partial download (5 MB of the training images, from this s3 URL) resumes with a signed
    /// Range request: only the rest is transferred, and the file verifies.
    @Test(.realData) func partialDownloadResumesWithASignedRange() throws {
        let s3 = try S3Server()
        let workspace = try TemporaryDirectory("s3-resume")
        let root = workspace.path("data")
        let name = "train-images-idx3-ubyte.gz"
        let partialFolder = root.appendingPathComponent(".fmnist/partial/fashion")
        try FileManager.default.createDirectory(at: partialFolder, withIntermediateDirectories: true)
        let whole = try Data(contentsOf: RealData.fashion.appendingPathComponent(name).resolvingSymlinksInPath())
        try whole.prefix(5_000_000).write(to: partialFolder.appendingPathComponent(name + ".part"))
        try Data("{\"source\":\"\(Self.mirror)\(name)\"}".utf8).write(to: partialFolder.appendingPathComponent(name + ".part.json"))
        let fetch = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", root.path, "--mirror", Self.mirror, "--json"],
            environment: environment(home: workspace.url, [
                "AWS_ACCESS_KEY_ID": s3.accessKeyID, "AWS_SECRET_ACCESS_KEY": s3.secretAccessKey, "AWS_ENDPOINT_URL": s3.endpoint,
            ]))
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(fetch.stderr.contains("\(name): fetching from \(Self.mirror)\(name) (resuming at 5.0 MB)"), "\(fetch.stderr)")
        let report = try fetch.json()
        let datasets = try #require(report["datasets"] as? [[String: Any]])
        let files = try #require(datasets.first?["files"] as? [[String: Any]])
        let file = try #require(files.first { ($0["name"] as? String) == name })
        #expect((file["bytes_downloaded"] as? Int).map(Int64.init) == Int64(whole.count) - 5_000_000, "\(file)")
        #expect((file["resumed_from"] as? Int) == 5_000_000, "\(file)")
        #expect((file["http_status"] as? Int) == 206, "\(file)")
        #expect(s3.log().contains("\"GET /\(S3Server.privateBucket)/\(S3Server.prefix)\(name) HTTP/1.1\" 206"), "a Range answer")
        try expectNoSecret([s3.secretAccessKey], root: root, texts: [fetch.stdout, fetch.stderr])
    }
}
