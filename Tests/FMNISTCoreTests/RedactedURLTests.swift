import Foundation
import Testing

@testable import FMNISTCore

/// Credentials are taken out of every URL and text fmnist shows or stores (``RedactedURL``), kept
/// in memory (``MirrorAccess``) and handed back only to the transfer.
@Suite struct RedactedURLTests {
    @Test(arguments: [
        ("http://ann:s3cret@host/base/", "http://ann:***@host/base/"),
        ("https://ann:s3cret@host:8443/base/file.gz", "https://ann:***@host:8443/base/file.gz"),
        // A percent-encoded password, and an "@" left unencoded in the password.
        ("http://ann:p%40ss%3Aw0rd@host/base/", "http://ann:***@host/base/"),
        ("http://ann:p@ss@host/base/", "http://ann:***@host/base/"),
        ("http://ann:@host/", "http://ann:***@host/"),
        // A user name alone is kept; an "@" in the path is not user-info.
        ("http://ann@host/base/", "http://ann@host/base/"),
        ("http://host/base/@weird/file", "http://host/base/@weird/file"),
        ("http://host/p?mail=a@b", "http://host/p?mail=a@b"),
        // Query secrets, any case; harmless parameters kept.
        ("https://b.s3.amazonaws.com/f.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F2026&X-Amz-Signature=abc123&X-Amz-Security-Token=tok",
         "https://b.s3.amazonaws.com/f.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=***&X-Amz-Signature=***&X-Amz-Security-Token=***"),
        ("http://h/f?sig=s&sv=2021&token=t&access_token=a&key=k&api_key=z&page=2#frag",
         "http://h/f?sig=***&sv=2021&token=***&access_token=***&key=***&api_key=***&page=2#frag"),
        ("http://h/f?Signature=x;Expires=1", "http://h/f?Signature=***;Expires=1"),
        // Already redacted: unchanged (idempotent).
        ("http://ann:***@host/b/?sig=***", "http://ann:***@host/b/?sig=***"),
        // Not URLs, odd URLs.
        ("", ""), ("plain words", "plain words"), ("file:///srv/data/", "file:///srv/data/"), ("http://", "http://"),
        ("http://:pw@host/", "http://:***@host/"),
        // Prose is not a query: "; key=" after a space is left alone.
        ("retried; key=value stays", "retried; key=value stays"),
    ])
    func redactsURLs(_ pair: (String, String)) {
        #expect(RedactedURL.redact(pair.0) == pair.1)
        #expect(RedactedURL.redact(pair.1) == pair.1)
    }

    @Test func redactsEveryURLInFreeText() {
        let text = "mirror http://ann:s3cret@a/x.gz answered 401; try 'fashion=https://bob:hunter2@b/' or https://c/f?token=zz next"
        let redacted = RedactedURL.redact(text)
        #expect(redacted == "mirror http://ann:***@a/x.gz answered 401; try 'fashion=https://bob:***@b/' or https://c/f?token=*** next")
        for secret in ["s3cret", "hunter2", "zz "] { #expect(!redacted.contains(secret)) }
    }

    @Test func splitsUserInfoPercentDecoded() {
        let parts = RedactedURL.splitUserInfo("http://ann%20lee:p%40ss@host/base/")
        #expect(parts.bare == "http://host/base/")
        #expect(parts.user == "ann lee")
        #expect(parts.password == "p@ss")
        #expect(RedactedURL.splitUserInfo("http://host/").user == nil)
    }

    @Test func accessMapsTheRedactedURLBackForTheTransferOnly() {
        var access = MirrorAccess()
        let display = access.register("http://ann:p%40ss@127.0.0.1:8080/base/")
        #expect(display == "http://ann:***@127.0.0.1:8080/base/")
        let request = access.authorize(MirrorURL.join(display, "train-images-idx3-ubyte.gz"))
        #expect(request.url == "http://127.0.0.1:8080/base/train-images-idx3-ubyte.gz")
        #expect(request.user == "ann")
        #expect(request.password == "p@ss")
        #expect(!request.credentialsMissing)
        // A query token comes back in the real URL.
        let signed = access.register("https://host/f.gz?sig=REALSIG&x=1")
        #expect(signed == "https://host/f.gz?sig=***&x=1")
        #expect(access.authorize(signed).url == "https://host/f.gz?sig=REALSIG&x=1")
        // Text a library hands back is scrubbed of every secret held.
        #expect(access.scrub("failed for https://host/f.gz?sig=REALSIG&x=1 with p@ss") == "failed for https://host/f.gz?sig=***&x=1 with ***")
    }

    @Test func aRedactedURLFromALockFindsTheConfiguredCredentialsAtTheSamePlace() {
        var access = MirrorAccess()
        access.register("http://ann:right@host/base/")
        let fromLock = access.authorize("http://ann:***@host/base/t10k-labels-idx1-ubyte.gz")
        #expect(fromLock.password == "right")
        #expect(!fromLock.credentialsMissing)
        // Elsewhere (another path): nothing configured, netrc is the last chance; said so.
        let elsewhere = access.authorize("http://ann:***@host/other/t10k-labels-idx1-ubyte.gz")
        #expect(elsewhere.url == "http://ann@host/other/t10k-labels-idx1-ubyte.gz")  // for netrc's lookup of that login
        #expect(elsewhere.user == nil)
        #expect(elsewhere.password == nil)
        #expect(elsewhere.credentialsMissing)
    }

    @Test func theResumeCommandIsRedacted() throws {
        var options = FetchOptions()
        options.commandLine = ["fetch", "mnist", "--mirror", "mnist=http://ann:hunter2@host/m/", "--mirror", "http://h/f?token=abc"]
        let service = FetchService(
            layout: WorkspaceLayout(root: URL(fileURLWithPath: "/nonexistent-fmnist-root")), registry: try ManifestRegistry.builtin(),
            options: options)
        let command = service.resumeCommand()
        #expect(command.contains("mnist=http://ann:***@host/m/"), "\(command)")
        #expect(!command.contains("hunter2") && !command.contains("abc"), "\(command)")
    }

    @Test func theNetrcFileMustBeARegularFile() throws {
        let registry = try ManifestRegistry.builtin()
        let mnist = try registry.manifest(named: "mnist")
        let folder = FileManager.default.temporaryDirectory.path
        #expect(throws: UsageError.self) {
            try MirrorResolver.access(for: [mnist], commandLine: [], environment: ["NETRC": folder], registry: registry)
        }
        let access = try MirrorResolver.access(
            for: [mnist], commandLine: ["http://ann:pw@h/m/"], environment: ["HOME": folder + "/no-such-home-\(UUID())"], registry: registry)
        #expect(access.netrcFile == nil)
        #expect(access.authorize("http://ann:***@h/m/a.gz").password == "pw")
    }

    @Test func headersApplyByPrefixAndAreScrubbed() {
        var access = MirrorAccess()
        access.addHeaders([MirrorHeader(name: "Authorization", value: "Bearer tok-12345")], for: "https://host/team/")
        #expect(access.authorize("https://host/team/mnist/a.gz").headers.map(\.name) == ["Authorization"])
        #expect(access.authorize("https://host/other/a.gz").headers.isEmpty)
        #expect(access.scrub("echo tok-12345 and Bearer tok-12345") == "echo *** and ***")
    }
}

/// `.fmnist/config.json` headers: checked field by field, `${NAME}` expanded from the environment.
@Suite struct MirrorHeaderConfigTests {
    let registry = try! ManifestRegistry.builtin()

    func parse(_ text: String, _ environment: [String: String] = [:]) throws -> WorkspaceConfig {
        try WorkspaceConfig.parse(Data(text.utf8), file: "config.json", registry: registry, environment: environment)
    }

    @Test func expandsVariablesInMemory() throws {
        let config = try parse(
            #"{"headers": {"https://m.example/base/": {"Authorization": "Bearer ${TEAM_TOKEN}", "X-Cost": "$$5"}}}"#,
            ["TEAM_TOKEN": "t0k3n"])
        #expect(config.headers["https://m.example/base/"] == [
            MirrorHeader(name: "Authorization", value: "Bearer t0k3n"), MirrorHeader(name: "X-Cost", value: "$5"),
        ])
    }

    @Test(arguments: [
        (#"{"headers": []}"#, "headers", "must be an object"),
        (#"{"headers": {"ftp://h/": {"A": "b"}}}"#, "headers.ftp://h/", "unsupported URL scheme"),
        (#"{"headers": {"file:///srv/": {"A": "b"}}}"#, "headers.file:///srv/", "http:// or https://"),
        (#"{"headers": {"http://u:pw@h/": {"A": "b"}}}"#, "headers.http://u:***@h/", "must not carry credentials"),
        (#"{"headers": {"http://h/": []}}"#, "headers.http://h/", "header names to string values"),
        (#"{"headers": {"http://h/": {}}}"#, "headers.http://h/", "at least one header"),
        (#"{"headers": {"http://h/": {"Bad Name": "x"}}}"#, "headers.http://h/.Bad Name", "not a valid HTTP header name"),
        (#"{"headers": {"http://h/": {"Range": "bytes=0-"}}}"#, "headers.http://h/.Range", "set by fmnist itself"),
        (#"{"headers": {"http://h/": {"A": 3}}}"#, "headers.http://h/.A", "must be a string"),
        (#"{"headers": {"http://h/": {"A": "Bearer ${UNSET_VAR_X}"}}}"#, "headers.http://h/.A", "UNSET_VAR_X is not set"),
        (#"{"headers": {"http://h/": {"A": "Bearer ${1BAD}"}}}"#, "headers.http://h/.A", "not a valid environment variable name"),
        (#"{"headers": {"http://h/": {"A": "cost $5"}}}"#, "headers.http://h/.A", "write $$ for a dollar sign"),
        (#"{"headers": {"http://h/": {"A": "x\r\nInjected: 1"}}}"#, "headers.http://h/.A", "control character"),
    ])
    func refusesWithTheField(_ item: (String, String, String)) {
        do {
            _ = try parse(item.0)
            Issue.record("accepted \(item.0)")
        } catch let error as ConfigError {
            #expect(error.field == item.1)
            #expect(error.problem.contains(item.2), "\(error.problem)")
            #expect(error.exitStatus == .usage)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func anErrorNeverShowsAHeaderValue() {
        do {
            _ = try parse(#"{"headers": {"http://h/": {"A": "SECRETVALUE\u0001"}}}"#)
            Issue.record("accepted a control character")
        } catch {
            #expect(!"\(error)".contains("SECRETVALUE"))
        }
    }
}

/// The catalog stores no credential, and redacts one a catalog from before redaction still holds.
@Suite struct CatalogRedactionTests {
    @Test func eventDetailsAndProvenanceAreRedacted() throws {
        let catalog = try Catalog.inMemory()
        _ = try catalog.recordEvent(
            .fetch, dataset: "mnist", versionID: nil, result: .ok,
            detailsJSON: #"{"mirror":"http://ann:hunter2@host/m/a.gz","signed":"https://h/f?X-Amz-Signature=abc&x=1"}"#)
        let text = "\(try catalog.events())"
        #expect(!text.contains("hunter2") && !text.contains("abc"), "\(text)")
        #expect(text.contains("ann:***@host"), "\(text)")
        let provenance = FileProvenance(
            role: .trainImages, containerSHA256: "00", mirrorURL: "http://ann:hunter2@host/m/a.gz", httpStatus: 200, etag: nil,
            lastModified: nil, bytesTransferred: 1, resumedFrom: 0, duration: 0)
        #expect(provenance.mirrorURL == "http://ann:***@host/m/a.gz")
    }
}
