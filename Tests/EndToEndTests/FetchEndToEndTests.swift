import Foundation
import Testing

/// `fmnist fetch` from the loopback mirror, as a user runs it: the happy paths.
@Suite struct FetchEndToEndTests {
    static let fastRetries = ["FMNIST_RETRY_BASE_MS": "10"]

    @Test(.realData) func fetchesVerifiesPlacesAndRecords() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url)
        let workspace = try TemporaryDirectory("fetch")
        let root = workspace.path("data").path
        let result = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", root, "--mirror", server.url("fashion/")], environment: Self.fastRetries)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Fashion-MNIST 2017-08-31"))
        #expect(result.stderr.contains("fetched and verified (4 downloaded)"))
        for name in MirrorTree.names {
            #expect(fileSize(workspace.path("data/fashion/\(name)")) == fileSize(RealData.fashion.appendingPathComponent(name)))
            #expect(try server.requests("/fashion/\(name)") == 1)
        }
        // Nothing is left in the partial area; verify agrees; the catalog knows the version and its source.
        let partials = try FileManager.default.contentsOfDirectory(atPath: workspace.path("data/.fmnist/partial/fashion").path)
        #expect(partials.isEmpty, "\(partials)")
        let verify = try FMNISTProcess.run(["verify", "fashion", "--root", root])
        #expect(verify.status == 0, "\(verify.stderr)")
        let log = try FMNISTProcess.run(["log", "--root", root])
        #expect(log.stdout.contains("fetch") || log.stderr.contains("fetch"))

        // A second run finds the data present and verified, and does no network I/O.
        let before = try server.stats()
        let again = try FMNISTProcess.run(["fetch", "fashion", "--root", root, "--mirror", server.url("fashion/")])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("already present and verified, nothing downloaded"))
        let after = try server.stats()
        #expect(before.mapValues(\.requests) == after.mapValues(\.requests))
    }

    @Test(.realData) func jsonReportNamesMirrorSkipsBytesAndDigests() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url, faults: ["/mnist/t10k-labels-idx1-ubyte.gz": ["status": 404]])
        let workspace = try TemporaryDirectory("fetch-json")
        // t10k-labels: the first mirror answers 404, the second serves Fashion-MNIST's bytes, the third is good.
        let result = try FMNISTProcess.run(
            ["fetch", "mnist", "--root", workspace.path("data").path, "--json", "--quiet",
             "--mirror", server.url("mnist/"), "--mirror", server.url("fashion/"), "--mirror", server.url("mnist2/")],
            environment: Self.fastRetries)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "quiet prints nothing: \(result.stderr)")
        let json = try result.json()
        #expect(json["exit_code"] as? Int == 0)
        let dataset = try #require((json["datasets"] as? [[String: Any]])?.first)
        #expect(dataset["version_name"] as? String != nil)
        let files = try #require(dataset["files"] as? [[String: Any]])
        #expect(files.count == 4)
        let labels = try #require(files.first { $0["role"] as? String == "test-labels" })
        let skipped = try #require(labels["skipped"] as? [[String: Any]])
        #expect(skipped.count == 2)
        #expect(skipped.first?["code"] as? String == "http_404")
        #expect(skipped.dropFirst().first?["code"] as? String == "wrong_file")
        #expect((skipped.dropFirst().first?["reason"] as? String)?.contains("served Fashion-MNIST's t10k-labels for MNIST") == true)
        #expect(labels["mirror"] as? String == server.url("mnist2/t10k-labels-idx1-ubyte.gz"))
        #expect(labels["http_status"] as? Int == 200)
        let measurement = try #require(labels["measurement"] as? [String: Any])
        #expect((measurement["container_sha256"] as? String)?.count == 64)
        #expect((measurement["payload_sha256"] as? String)?.count == 64)
        #expect((labels["bytes_downloaded"] as? Int ?? 0) > 0)
    }

    @Test(.realData) func fileMirrorWorksOfflineAndHTTPIsRefusedOffline() throws {
        let tree = try MirrorTree()
        let workspace = try TemporaryDirectory("fetch-offline")
        let root = workspace.path("data").path
        let http = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", root, "--offline", "--mirror", "http://127.0.0.1:9/fashion/"])
        #expect(http.status == 5, "\(http.stderr)")
        #expect(http.stderr.contains("--offline"))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("data/fashion").path))

        let local = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", root, "--offline", "--mirror", tree.url.appendingPathComponent("fashion").absoluteString])
        #expect(local.status == 0, "\(local.stderr)")
        #expect(local.stderr.contains("fetched and verified"))
    }

    @Test(.realData) func recompressedDebianCopyIsTheSameVersionWithANote() throws {
        let tree = try MirrorTree()
        let debian = try tree.addRecompressed()
        let workspace = try TemporaryDirectory("fetch-debian")
        let result = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", workspace.path("data").path, "--offline", "--mirror", debian.absoluteString + "/"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Fashion-MNIST 2017-08-31"))
        #expect(result.stderr.contains("re-compressed"))
        #expect(result.stderr.contains("same data, different"))
    }

    @Test(.realDataWithOldLabels) func unknownContentIsRefusedUnlessAccepted() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url)
        let workspace = try TemporaryDirectory("fetch-unknown")
        let root = workspace.path("data").path
        let refused = try FMNISTProcess.run(["fetch", "fashion", "--root", root, "--mirror", server.url("old/")])
        #expect(refused.status == 8, "\(refused.stderr)")
        #expect(refused.stderr.contains("matches no known version"))
        #expect(refused.stderr.contains("--accept-unknown"))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("data/fashion").path))

        let accepted = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", root, "--mirror", server.url("old/"), "--accept-unknown"])
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(accepted.stderr.contains("UNKNOWN"))
        // The two image files verified in the refused run were kept in .fmnist/partial: not downloaded twice.
        #expect(try server.requests("/old/train-images-idx3-ubyte.gz") == 1)
        let versions = try FMNISTProcess.run(["versions", "fashion", "--root", root])
        #expect((versions.stdout + versions.stderr).contains("UNKNOWN"))
    }
}

/// https with a private CA: refused by default, accepted with --cacert or FMNIST_CA_BUNDLE.
@Suite struct FetchTLSTests {
    @Test(.realData) func privateCAIsRefusedUnlessSupplied() throws {
        let workspace = try TemporaryDirectory("fetch-tls")
        let cert = workspace.path("cert.pem").path
        let key = workspace.path("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ]
        openssl.standardError = FileHandle.nullDevice
        openssl.standardOutput = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else {
            Issue.record("openssl could not make a test certificate: install openssl (bash scripts/setup.sh does)")
            return
        }
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url, extraArguments: ["--cert", cert, "--key", key])
        let mirror = "https://127.0.0.1:\(server.port)/mnist/"
        let root = workspace.path("data").path
        let refused = try FMNISTProcess.run(["fetch", "mnist", "--root", root, "--mirror", mirror])
        #expect(refused.status == 5, "\(refused.stderr)")
        #expect(refused.stderr.contains("TLS certificate not trusted"))
        #expect(refused.stderr.contains("--cacert"))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("data/mnist").path))
        let trusted = try FMNISTProcess.run(["fetch", "mnist", "--root", root, "--mirror", mirror, "--cacert", cert])
        #expect(trusted.status == 0, "\(trusted.stderr)")
        let viaEnvironment = try FMNISTProcess.run(
            ["fetch", "mnist", "--root", workspace.path("data2").path, "--mirror", mirror], environment: ["FMNIST_CA_BUNDLE": cert])
        #expect(viaEnvironment.status == 0, "\(viaEnvironment.stderr)")
    }
}
