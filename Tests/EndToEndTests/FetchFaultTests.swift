import Foundation
import Testing

/// One way a mirror fails, and what `fmnist fetch` must say about it.
struct MirrorFault: Sendable, CustomTestStringConvertible {
    let name: String
    let path: String
    /// The fault spec as JSON (see Tests/Support/mirror_server.py).
    let spec: String
    let message: String
    var environment: [String: String] = [:]

    var testDescription: String { name }

    static let labels = "/fashion/t10k-labels-idx1-ubyte.gz"
    static let images = "/fashion/t10k-images-idx3-ubyte.gz"

    static let all: [MirrorFault] = [
        MirrorFault(name: "403", path: labels, spec: #"{"status": 403}"#, message: "answered HTTP 403 Forbidden"),
        MirrorFault(name: "404", path: labels, spec: #"{"status": 404}"#, message: "answered HTTP 404 Not Found"),
        MirrorFault(
            name: "500 (retried, then skipped)", path: labels, spec: #"{"status": 500}"#,
            message: "HTTP 500 Internal Server Error (gave up after 4 attempts)"),
        MirrorFault(name: "HTML with 200", path: labels, spec: #"{"html": true}"#, message: "the file is an HTML page"),
        MirrorFault(
            name: "the other dataset's bytes", path: images, spec: #"{"serve": "mnist/t10k-images-idx3-ubyte.gz"}"#,
            message: "served MNIST's t10k-images for Fashion-MNIST"),
        MirrorFault(name: "redirect loop", path: labels, spec: #"{"redirect": "/fashion/t10k-labels-idx1-ubyte.gz"}"#, message: "more than 5 redirects"),
        MirrorFault(
            name: "redirect to file://", path: labels, spec: #"{"redirect": "file:///etc/passwd"}"#,
            message: #"redirected to "file:///etc/passwd"; redirects may only lead to http or https"#),
        MirrorFault(name: "truncated body", path: labels, spec: #"{"truncate": 3000}"#, message: "truncated gzip stream"),
        MirrorFault(name: "flipped byte", path: images, spec: #"{"corrupt_at": 3000000}"#, message: "served bad data"),
        MirrorFault(
            name: "slow drip (low-speed timeout)", path: labels, spec: #"{"drip": 200}"#, message: "timed out",
            environment: ["FMNIST_LOW_SPEED_TIME": "1", "FMNIST_RETRIES": "0"]),
    ]

    func faults() throws -> [String: [String: Any]] {
        [path: try #require(JSONSerialization.jsonObject(with: Data(spec.utf8)) as? [String: Any])]
    }
}

/// `fmnist fetch` through every fault of the hostile mirror.
@Suite struct FetchFaultTests {
    static let fastRetries = ["FMNIST_RETRY_BASE_MS": "10"]

    /// A faulty first mirror: the file comes from the second, and the report says why the first was skipped.
    @Test(.realData, arguments: MirrorFault.all)
    func faultyMirrorIsSkippedWithItsReason(_ fault: MirrorFault) throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url, faults: try fault.faults())
        let workspace = try TemporaryDirectory("fetch-fault")
        let result = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", workspace.path("data").path, "--mirror", server.url("fashion/"),
             "--mirror", server.url("fashion2/")],
            environment: Self.fastRetries.merging(fault.environment) { $1 })
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains(fault.message), "\(result.stderr)")
        #expect(result.stderr.contains("skipped: mirror \(server.url(String(fault.path.dropFirst())))"), "\(result.stderr)")
        let fallback = "/fashion2/" + fault.path.split(separator: "/").last!
        #expect(try server.requests(fallback) == 1)
        let verify = try FMNISTProcess.run(["verify", "fashion", "--root", workspace.path("data").path])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    /// The only mirror fails for one file: exit 5, one clear message, nothing placed or recorded.
    @Test(.realData) func allMirrorsBadLeavesTheWorkspaceAsItWas() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url, faults: [MirrorFault.images: ["serve": "mnist/t10k-images-idx3-ubyte.gz"]])
        let workspace = try TemporaryDirectory("fetch-allbad")
        let root = workspace.path("data").path
        let result = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", root, "--mirror", server.url("fashion/")], environment: Self.fastRetries)
        #expect(result.status == 5, "\(result.stderr)")
        #expect(result.stderr.contains("error: Fashion-MNIST not fetched: every mirror failed for t10k-images-idx3-ubyte.gz"))
        #expect(result.stderr.contains("served MNIST's t10k-images for Fashion-MNIST"))
        #expect(result.stderr.contains("hint:"))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("data/fashion").path))
        let versions = try FMNISTProcess.run(["versions", "--root", root, "--json"])
        #expect(!versions.stdout.contains("fashion\""), "\(versions.stdout)")

        // The three good files were kept as verified partial downloads: the next run fetches only the fourth.
        let healed = try MirrorServer(root: tree.url)
        let again = try FMNISTProcess.run(["fetch", "fashion", "--root", root, "--mirror", healed.url("fashion/")])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try healed.stats().keys.sorted() == [MirrorFault.images])
    }

    @Test(.realData) func serviceUnavailableTwiceThenOK() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url, faults: [MirrorFault.labels: ["status": 503, "times": 2]])
        let workspace = try TemporaryDirectory("fetch-503")
        let result = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", workspace.path("data").path, "--mirror", server.url("fashion/")],
            environment: Self.fastRetries)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("HTTP 503 Service Unavailable; retry 1"))
        #expect(try server.stats()[MirrorFault.labels]?.statuses == [503, 503, 200])
    }

    /// A connection reset mid-body: the retry continues with Range; the file is not downloaded twice.
    @Test(.realData) func connectionResetResumesWithRange() throws {
        let tree = try MirrorTree()
        let path = "/fashion/train-images-idx3-ubyte.gz"
        let server = try MirrorServer(root: tree.url, faults: [path: ["reset_after": 12_000_000, "times": 1]])
        let workspace = try TemporaryDirectory("fetch-reset")
        let result = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", workspace.path("data").path, "--mirror", server.url("fashion/")],
            environment: Self.fastRetries)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("connection lost"))
        #expect(result.stderr.contains("resuming at"))
        let stats = try #require(try server.stats()[path])
        let size = fileSize(RealData.fashion.appendingPathComponent("train-images-idx3-ubyte.gz"))
        #expect(stats.requests == 2)
        let resumedAt = try #require(stats.rangeStarts.last ?? nil)
        #expect(resumedAt > 0)
        #expect(stats.requestBytes.last == size - resumedAt)
        #expect(stats.bytes <= size + 12_000_000)
    }

    /// A server that ignores Range: the whole body replaces the partial file cleanly.
    @Test(.realData) func ignoredRangeRestartsCleanly() throws {
        let tree = try MirrorTree()
        let path = "/fashion/train-images-idx3-ubyte.gz"
        let server = try MirrorServer(root: tree.url, faults: [path: ["reset_after": 8_000_000, "reset_times": 1, "ignore_range": true]])
        let workspace = try TemporaryDirectory("fetch-norange")
        let result = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", workspace.path("data").path, "--mirror", server.url("fashion/")],
            environment: Self.fastRetries)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("ignored the Range request"))
        #expect(try server.stats()[path]?.statuses == [200, 200])
        let verify = try FMNISTProcess.run(["verify", "fashion", "--root", workspace.path("data").path])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    /// A partial file that is not a prefix of the right file (here: the start of MNIST's) is dropped
    /// once the bytes stop fitting together, and the download starts over.
    @Test(.realData) func partialThatIsNotAPrefixRestartsCleanly() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url)
        let workspace = try TemporaryDirectory("fetch-notprefix")
        let partialDirectory = workspace.path("data/.fmnist/partial/fashion")
        try FileManager.default.createDirectory(at: partialDirectory, withIntermediateDirectories: true)
        let mnist = try Data(contentsOf: RealData.mnist.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        try mnist.prefix(200_000).write(to: partialDirectory.appendingPathComponent("t10k-images-idx3-ubyte.gz.part"))
        let result = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", workspace.path("data").path, "--mirror", server.url("fashion/")],
            environment: Self.fastRetries)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("restarting from byte 0"))
        let stats = try #require(try server.stats()[MirrorFault.images])
        #expect(stats.rangeStarts == [200_000, nil])
    }
}
