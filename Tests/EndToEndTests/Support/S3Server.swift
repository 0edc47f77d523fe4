import Foundation

/// A real S3-compatible server on loopback for one test: moto's standalone server
/// (`python -m moto.server`), set up by `Tests/Support/s3_setup.py` with an IAM user, its access
/// key and a policy, a private bucket and a public-read bucket, each holding the four real
/// Fashion-MNIST files under `fashion/`.
///
/// With `enforcingSignatures` the server runs with `INITIAL_NO_AUTH_ACTION_COUNT=4`: after the
/// four IAM set-up calls every request must carry a valid SigV4 signature. moto 5 answers an
/// unsigned request with 500 once signatures are enforced, even for a public-read bucket, so the
/// anonymous case runs against a server started without enforcement.
///
/// moto comes from the project's test venv (`.venv-test`, made by `scripts/test-venv.sh`), else
/// from the `python3` on PATH; when neither has it, starting the server throws (the test fails,
/// saying how to install it).
///
/// ```swift
/// let s3 = try S3Server()
/// s3.endpoint                 // "http://127.0.0.1:PORT"
/// s3.accessKeyID, s3.secretAccessKey
/// ```
final class S3Server {
    static let privateBucket = "fmnist-private"
    static let publicBucket = "fmnist-public"
    static let prefix = "fashion/"

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let setupScript = repository.appendingPathComponent("Tests/Support/s3_setup.py")

    let process = Process()
    let logFolder: TemporaryDirectory
    let port: Int
    let accessKeyID: String
    let secretAccessKey: String
    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// The python that has moto and boto3: `.venv-test/bin/python3` (or `FMNIST_TEST_VENV`), else `python3` on PATH.
    static func python() throws -> String {
        try python(importing: "moto.server, boto3", for: "the s3:// mirror tests")
    }

    /// The test venv's python (or `python3` on PATH) that imports `modules`; else an error naming
    /// `scripts/test-venv.sh`, which installs everything the tests import (moto, boto3, pyarrow).
    static func python(importing modules: String, for purpose: String) throws -> String {
        let venv = ProcessInfo.processInfo.environment["FMNIST_TEST_VENV"].flatMap { $0.isEmpty ? nil : $0 }
            ?? repository.appendingPathComponent(".venv-test").path
        var candidates = ["\(venv)/bin/python3"]
        if let path = which("python3") { candidates.append(path) }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            let check = Process()
            check.executableURL = URL(fileURLWithPath: candidate)
            check.arguments = ["-c", "import \(modules)"]
            check.standardOutput = FileHandle.nullDevice
            check.standardError = FileHandle.nullDevice
            try check.run()
            check.waitUntilExit()
            if check.terminationStatus == 0 { return candidate }
        }
        throw MirrorServer.ServerError(
            message: "\(purpose): no python that imports \(modules) (looked in \(candidates.joined(separator: ", "))): "
                + "run scripts/test-venv.sh, which makes .venv-test with them (or set FMNIST_TEST_VENV to a venv that has them)")
    }

    static func which(_ name: String) -> String? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    init(enforcingSignatures: Bool = true) throws {
        guard RealData.available else { throw MirrorServer.ServerError(message: RealData.problem ?? "FMNIST_DATA_DIR is not set") }
        let python = try Self.python()
        logFolder = try TemporaryDirectory("fmnist-moto")
        let log = logFolder.path("moto.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-m", "moto.server", "-H", "127.0.0.1", "-p", "0"]
        var environment = ProcessInfo.processInfo.environment
        if enforcingSignatures { environment["INITIAL_NO_AUTH_ACTION_COUNT"] = "4" } else {
            environment.removeValue(forKey: "INITIAL_NO_AUTH_ACTION_COUNT")
        }
        process.environment = environment
        process.standardOutput = FileHandle(forWritingAtPath: log.path)
        process.standardError = FileHandle(forWritingAtPath: log.path)
        try process.run()
        // moto (werkzeug) says " * Running on http://127.0.0.1:PORT" once it listens.
        var found: Int? = nil
        let deadline = Date().addingTimeInterval(30)
        while found == nil, Date() < deadline, process.isRunning {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "Running on http://127.0.0.1:") {
                found = Int(text[range.upperBound...].prefix(while: \.isNumber))
            } else {
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        guard let found else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw MirrorServer.ServerError(message: "moto did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        port = found

        let setup = Process()
        setup.executableURL = URL(fileURLWithPath: python)
        setup.arguments = [
            Self.setupScript.path, "--endpoint", "http://127.0.0.1:\(found)", "--data-dir", RealData.fashion.path,
            "--private-bucket", Self.privateBucket, "--public-bucket", Self.publicBucket, "--prefix", Self.prefix, "--files",
        ] + RealData.names
        let out = Pipe()
        let err = Pipe()
        setup.standardOutput = out
        setup.standardError = err
        var environment2 = ProcessInfo.processInfo.environment
        for name in ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"] {
            environment2.removeValue(forKey: name)
        }
        setup.environment = environment2
        try setup.run()
        let errText = LockedErrText()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errText.value = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            group.leave()
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        setup.waitUntilExit()
        group.wait()
        guard setup.terminationStatus == 0,
            let keys = try? JSONSerialization.jsonObject(with: output) as? [String: String],
            let id = keys["access_key_id"], let secret = keys["secret_access_key"]
        else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw MirrorServer.ServerError(message: "s3_setup.py failed: \(errText.value)")
        }
        accessKeyID = id
        secretAccessKey = secret
    }

    deinit { stop() }

    /// Stops the server with SIGKILL.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Uploads every file of `tree` (dot files skipped) into `bucket` under `prefix`, signed with
    /// the test user's key (`Tests/Support/s3_sync.py`, as `aws s3 sync` would); returns the keys written.
    @discardableResult
    func upload(tree: URL, bucket: String = S3Server.privateBucket, prefix: String) throws -> [String] {
        let sync = Process()
        sync.executableURL = URL(fileURLWithPath: try Self.python())
        sync.arguments = [Self.repository.appendingPathComponent("Tests/Support/s3_sync.py").path, "--tree", tree.path, "--bucket", bucket, "--prefix", prefix]
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "AWS_PROFILE")
        environment.removeValue(forKey: "AWS_SESSION_TOKEN")
        environment["AWS_ACCESS_KEY_ID"] = accessKeyID
        environment["AWS_SECRET_ACCESS_KEY"] = secretAccessKey
        environment["AWS_ENDPOINT_URL"] = endpoint
        sync.environment = environment
        let folder = try TemporaryDirectory("fmnist-s3-sync")
        let out = folder.path("out")
        let err = folder.path("err")
        for file in [out, err] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        sync.standardOutput = FileHandle(forWritingAtPath: out.path)
        sync.standardError = FileHandle(forWritingAtPath: err.path)
        try sync.run()
        sync.waitUntilExit()
        guard sync.terminationStatus == 0 else {
            throw MirrorServer.ServerError(message: "s3_sync.py failed: \((try? String(contentsOf: err, encoding: .utf8)) ?? "")")
        }
        return ((try? String(contentsOf: out, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The server's request log (werkzeug's access lines, without the colour codes some versions add).
    func log() -> String {
        let text = (try? String(contentsOf: logFolder.path("moto.log"), encoding: .utf8)) ?? ""
        return text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
    }
}

private final class LockedErrText: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    var value: String {
        get { lock.withLock { text } }
        set { lock.withLock { text = newValue } }
    }
}
