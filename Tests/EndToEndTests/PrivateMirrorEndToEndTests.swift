import Foundation
import Testing

/// A password- or token-protected mirror (the tests' own server with `--basic-auth` / `--bearer`)
/// reached through `user:password@` in the URL, a netrc file and a configured header; after every
/// run a secret scan: the secret appears in no output, no file under the workspace (catalog, WAL,
/// partial sidecars), no lock file and no `log --json`.
@Suite struct PrivateMirrorEndToEndTests {
    static let user = "ann"
    static let secret = "Pr1v%te-S3cret-7f3e"  // a "%" and a "-": percent-encoded in the URL
    static var encodedSecret: String { secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
    static let wrong = "Wr0ng-Passw0rd-91c2"
    static let token = "team-token-5b1d7a0c"

    /// Every form in which `secrets` could leak: as given, percent-encoded, and in a Basic header.
    static func forms(_ secrets: [String]) -> [String] {
        secrets.flatMap { secret in
            [secret, secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
             Data("\(user):\(secret)".utf8).base64EncodedString()]
        }
    }

    /// Fails when any secret occurs in `texts` or in the bytes of any file under `root` (the
    /// catalog's sqlite file and WAL included), or in `log --json` and the lock `fmnist lock` writes.
    func expectNoSecret(_ secrets: [String], root: URL, texts: [String], lock: Bool = true, minimumFiles: Int = 5) throws {
        let forms = Self.forms(secrets)
        for text in texts {
            for form in forms { #expect(!text.contains(form), "a secret in the output:\n\(text)") }
        }
        let log = try FMNISTProcess.run(["log", "--json", "--root", root.path])
        #expect(log.status == 0, "\(log.stderr)")
        var scanned = [log.stdout, log.stderr]
        let scratch = try TemporaryDirectory("secret-lock")
        if lock {
            let lockFile = scratch.path("fmnist.lock")
            let written = try FMNISTProcess.run(["lock", "--file", lockFile.path, "--root", root.path])
            #expect(written.status == 0, "\(written.stderr)")
            scanned.append(String(decoding: try Data(contentsOf: lockFile), as: UTF8.self))
        }
        for text in scanned {
            for form in forms { #expect(!text.contains(form), "a secret in log/lock:\n\(text)") }
        }
        var files = 0
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey])
        while let url = enumerator?.nextObject() as? URL {
            let values = try url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey])
            guard values.isRegularFile == true, values.isSymbolicLink != true else { continue }
            files += 1
            let bytes = try Data(contentsOf: url)
            for form in forms {
                #expect(bytes.range(of: Data(form.utf8)) == nil, "a secret in \(url.path)")
            }
        }
        #expect(files >= minimumFiles, "the scan saw the workspace's files (\(files))")
    }

    func mirrorURL(_ server: MirrorServer, password: String? = nil, path: String = "mnist/") -> String {
        let userInfo = password.map { "\(Self.user):\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)@" } ?? ""
        return "http://\(userInfo)127.0.0.1:\(server.port)/\(path)"
    }

    /// `user:password@` in `--mirror`: a first mirror with the wrong password is skipped (401
    /// named, redacted), the second one serves; nothing anywhere holds either password. The lock
    /// keeps the redacted URL, and `fetch --locked` with it works in a fresh workspace when netrc
    /// has the password, and says the credentials are missing when it does not.
    @Test(.realData) func passwordInTheMirrorURLIsUsedAndNeverShownOrStored() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url, extraArguments: ["--basic-auth", "\(Self.user):\(Self.secret)"])
        let workspace = try TemporaryDirectory("private-userinfo")
        let root = workspace.path("data")
        let fetch = try FMNISTProcess.run([
            // Two mirrors that differ only in their password look the same once redacted: another path.
            "fetch", "mnist", "--root", root.path, "--mirror", mirrorURL(server, password: Self.wrong, path: "mnist2/"),
            "--mirror", mirrorURL(server, password: Self.secret),
        ])
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(fetch.stderr.contains("http://ann:***@127.0.0.1:\(server.port)/mnist2/"), "\(fetch.stderr)")
        #expect(fetch.stderr.contains("401"), "the wrong password's mirror is named with its 401: \(fetch.stderr)")
        try expectNoSecret([Self.secret, Self.wrong], root: root, texts: [fetch.stdout, fetch.stderr])

        // The lock holds the redacted URL.
        let lockFile = workspace.path("fmnist.lock")
        let lock = try FMNISTProcess.run(["lock", "--file", lockFile.path, "--root", root.path])
        #expect(lock.status == 0, "\(lock.stderr)")
        let lockText = try String(contentsOf: lockFile, encoding: .utf8)
        #expect(lockText.contains("http://ann:***@127.0.0.1:\(server.port)/mnist/"), "\(lockText)")

        // A fresh workspace, the lock's redacted URL, the password from netrc.
        let netrc = workspace.path("netrc")
        try "machine 127.0.0.1 login \(Self.user) password \(Self.secret)\n".write(to: netrc, atomically: true, encoding: .utf8)
        let fresh = workspace.path("fresh")
        let locked = try FMNISTProcess.run(
            ["fetch", "--locked", "--file", lockFile.path, "--root", fresh.path, "--json"], environment: ["NETRC": netrc.path])
        #expect(locked.status == 0, "\(locked.stderr)\n\(locked.stdout)")
        try expectNoSecret([Self.secret], root: fresh, texts: [locked.stdout, locked.stderr])

        // No credentials anywhere: exit 5, and the message says why.
        let empty = workspace.path("empty-netrc")
        try "".write(to: empty, atomically: true, encoding: .utf8)
        let missing = try FMNISTProcess.run(
            ["fetch", "--locked", "--file", lockFile.path, "--root", workspace.path("bare").path], environment: ["NETRC": empty.path])
        #expect(missing.status == 5, "\(missing.stderr)")
        #expect(missing.stderr.contains("401"), "\(missing.stderr)")
        #expect(missing.stderr.contains("credentials were redacted"), "\(missing.stderr)")
    }

    /// A netrc file (`NETRC`) gives the password for a mirror URL without user-info.
    @Test(.realData) func netrcGivesThePassword() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url, extraArguments: ["--basic-auth", "\(Self.user):\(Self.secret)"])
        let workspace = try TemporaryDirectory("private-netrc")
        let netrc = workspace.path("netrc")
        try "machine 127.0.0.1\n  login \(Self.user)\n  password \(Self.secret)\n".write(to: netrc, atomically: true, encoding: .utf8)
        let root = workspace.path("data")
        let fetch = try FMNISTProcess.run(
            ["fetch", "mnist", "--root", root.path, "--mirror", mirrorURL(server)], environment: ["NETRC": netrc.path])
        #expect(fetch.status == 0, "\(fetch.stderr)")
        try expectNoSecret([Self.secret], root: root, texts: [fetch.stdout, fetch.stderr])
    }

    /// A configured header with `${TEAM_TOKEN}`: expanded in memory, sent, never stored; unset, a
    /// usage error naming the variable (nothing sent).
    @Test(.realData) func configHeaderWithAnEnvironmentVariable() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url, extraArguments: ["--bearer", Self.token])
        let workspace = try TemporaryDirectory("private-header")
        let root = workspace.path("data")
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".fmnist"), withIntermediateDirectories: true)
        let config = #"{"headers": {"http://127.0.0.1:\#(server.port)/": {"Authorization": "Bearer ${TEAM_TOKEN}"}}}"#
        try config.write(to: root.appendingPathComponent(".fmnist/config.json"), atomically: true, encoding: .utf8)

        let unset = try FMNISTProcess.run(["fetch", "mnist", "--root", root.path, "--mirror", mirrorURL(server)])
        #expect(unset.status == 2, "\(unset.stderr)")
        #expect(unset.stderr.contains("TEAM_TOKEN"), "\(unset.stderr)")
        #expect(try server.stats().isEmpty, "nothing was sent without the token")

        let fetch = try FMNISTProcess.run(
            ["fetch", "mnist", "--root", root.path, "--mirror", mirrorURL(server), "--json"], environment: ["TEAM_TOKEN": Self.token])
        #expect(fetch.status == 0, "\(fetch.stderr)\n\(fetch.stdout)")
        try expectNoSecret([Self.token], root: root, texts: [fetch.stdout, fetch.stderr])
    }

    /// A mirror that redirects to another host (here: another port) keeps its credentials: the
    /// password and an `Authorization` header go to the mirror only (libcurl drops them on the
    /// way, CURLOPT_UNRESTRICTED_AUTH off); a mirror with another configured header is not
    /// followed through a redirect at all.
    @Test(.realData) func credentialsDoNotFollowARedirectToAnotherHost() throws {
        let tree = try MirrorTree()
        let elsewhere = try MirrorServer(root: tree.url)
        var faults: [String: [String: Any]] = [:]
        for name in MirrorTree.names { faults["/mnist/\(name)"] = ["redirect": elsewhere.url("mnist/\(name)")] }
        let server = try MirrorServer(root: tree.url, faults: faults, extraArguments: ["--basic-auth", "\(Self.user):\(Self.secret)"])
        let workspace = try TemporaryDirectory("private-redirect")
        let root = workspace.path("data")
        let fetch = try FMNISTProcess.run(["fetch", "mnist", "--root", root.path, "--mirror", mirrorURL(server, password: Self.secret)])
        #expect(fetch.status == 0, "\(fetch.stderr)")
        let seen = try elsewhere.authorizations()
        #expect(seen.count == 4, "the other host served the four files: \(seen)")
        #expect(seen.allSatisfy { $0["authorization"] == "" }, "credentials reached the other host: \(seen)")
        #expect(try server.authorizations().allSatisfy { $0["authorization"]!.hasPrefix("Basic ") })

        // A configured header other than Authorization: no redirect is followed for that mirror.
        let second = workspace.path("second")
        try FileManager.default.createDirectory(at: second.appendingPathComponent(".fmnist"), withIntermediateDirectories: true)
        let config = #"{"headers": {"http://127.0.0.1:\#(server.port)/": {"X-Api-Key": "${TEAM_TOKEN}"}}}"#
        try config.write(to: second.appendingPathComponent(".fmnist/config.json"), atomically: true, encoding: .utf8)
        let keyed = try FMNISTProcess.run(
            ["fetch", "mnist", "--root", second.path, "--mirror", mirrorURL(server, password: Self.secret)],
            environment: ["TEAM_TOKEN": Self.token])
        #expect(keyed.status == 5, "\(keyed.stderr)")
        #expect(try elsewhere.authorizations().count == 4, "nothing more reached the other host")
        #expect(try server.authorizations().contains { $0["x_api_key"] == Self.token }, "the mirror itself got the header")
        try expectNoSecret([Self.secret, Self.token], root: second, texts: [keyed.stdout, keyed.stderr], lock: false, minimumFiles: 1)
    }

    /// The wrong password alone: exit 5, the 401 named in the skip reason and the hint, no secret shown.
    @Test(.realData) func wrongPasswordIsExit5Naming401() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url, extraArguments: ["--basic-auth", "\(Self.user):\(Self.secret)"])
        let workspace = try TemporaryDirectory("private-wrong")
        let root = workspace.path("data")
        let fetch = try FMNISTProcess.run(["fetch", "mnist", "--root", root.path, "--mirror", mirrorURL(server, password: Self.wrong)])
        #expect(fetch.status == 5, "\(fetch.stderr)")
        #expect(fetch.stderr.contains("401"), "\(fetch.stderr)")
        #expect(fetch.stderr.contains("authentication required or failed"), "\(fetch.stderr)")
        #expect(fetch.stderr.contains("~/.netrc"), "\(fetch.stderr)")
        try expectNoSecret([Self.wrong, Self.secret], root: root, texts: [fetch.stdout, fetch.stderr], lock: false, minimumFiles: 1)
    }
}
