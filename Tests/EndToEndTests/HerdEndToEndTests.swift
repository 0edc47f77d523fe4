import Foundation
import Testing

/// Many workspaces on one mirror: the mirror server turns away (503 + `Retry-After`) what comes
/// past 8 concurrent bodies, and every fetch at default settings still succeeds, without
/// downloading anything twice; a mirror that stays busy is named as the cause.
@Suite(.serialized) struct HerdEndToEndTests {
    /// The bytes one `fetch all` needs: the eight files of the two datasets.
    static func bytesOfOneFetch() -> Int64 {
        MirrorTree.names.reduce(0) { total, name in
            total + fileSize(RealData.fashion.appendingPathComponent(name)) + fileSize(RealData.mnist.appendingPathComponent(name))
        }
    }

    @Test(.realData) func twentyFourWorkspacesOnACappedMirrorAllSucceedAndNothingIsSentTwice() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url, extraArguments: ["--max-bodies", "8", "--retry-after", "1"])
        let base = try TemporaryDirectory("herd")
        let workspaces = 24
        let herd = try (0..<workspaces).map { index in
            try BackgroundFMNIST(
                ["fetch", "all", "--root", base.url.appendingPathComponent("ws\(index)/data").path,
                 "--mirror", "fashion=" + server.url("fashion/"), "--mirror", "mnist=" + server.url("mnist/")],
                logs: base.url, currentDirectory: base.url)
        }
        let results = herd.map { $0.wait(timeout: 400) }
        for (index, result) in results.enumerated() {
            #expect(result.status == 0, "workspace \(index) exited \(result.status): \(result.stderr)")
        }
        // A file that waited says so in the summary.
        #expect(results.contains { ($0.stdout + $0.stderr).contains("note: the mirror was busy (HTTP 503 Service Unavailable): retried ") })
        let load = try server.load()
        let needed = Self.bytesOfOneFetch() * Int64(workspaces)
        // The herd really was turned away (else this test proves nothing), and never past the cap.
        #expect(load.busyAnswers > 0, "the mirror never answered busy")
        #expect(load.peakBodies <= 8)
        // Busy answers carry no file bytes, and resumed transfers add none: at most 5 % over.
        #expect(Double(load.bytes) <= 1.05 * Double(needed), "the mirror sent \(load.bytes) bytes for \(needed) needed")
        // The workspaces hold the right bytes (a spot check of two; each fetch verified its own).
        for index in [0, workspaces - 1] {
            let verify = try FMNISTProcess.run(["verify", "all", "--root", base.url.appendingPathComponent("ws\(index)/data").path])
            #expect(verify.status == 0, "\(verify.stderr)")
        }
    }

    /// `Retry-After` is waited for before the next try (here 2 s, far above the backoff's 10 ms).
    @Test(.realData) func retryAfterIsHonoured() throws {
        let tree = try MirrorTree()
        let labels = "/fashion/t10k-labels-idx1-ubyte.gz"
        let server = try MirrorServer(root: tree.url, faults: [labels: ["status": 503, "times": 1, "retry_after": "2"]])
        let workspace = try TemporaryDirectory("herd-retry-after")
        let started = Date()
        let result = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", workspace.path("data").path, "--mirror", server.url("fashion/")],
            environment: ["FMNIST_RETRY_BASE_MS": "10"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) >= 2)
        #expect(result.stderr.contains("/fashion/t10k-labels-idx1-ubyte.gz busy: HTTP 503 Service Unavailable, Retry-After 2 s; retry 1 in 2."), "\(result.stderr)")
        #expect(try server.stats()[labels]?.statuses == [503, 200])
        #expect(
            (result.stdout + result.stderr).contains("note: the mirror was busy (HTTP 503 Service Unavailable): retried 1 time over 2 s"),
            "\(result.stdout)")
    }

    /// A mirror busy for the whole of a file's time on it: exit 5, the cause and the count named,
    /// and a hint about load instead of "check the network"; the next run resumes.
    @Test(.realData) func aMirrorBusyUntilTheDeadlineIsNamedAsOverloaded() throws {
        let tree = try MirrorTree()
        let labels = "/fashion/t10k-labels-idx1-ubyte.gz"
        let server = try MirrorServer(root: tree.url, faults: [labels: ["status": 503]])
        let workspace = try TemporaryDirectory("herd-busy")
        let result = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", workspace.path("data").path, "--mirror", server.url("fashion/"), "--min-rate", "1048576"],
            environment: ["FMNIST_RETRY_BASE_MS": "10", "FMNIST_DEADLINE_BASE": "3"])
        #expect(result.status == 5, "\(result.stderr)")
        let requests = try server.requests(labels)
        #expect(requests > 4, "a busy mirror is retried more than the fixed count of other failures (\(requests) requests)")
        #expect(
            result.stderr.contains("mirror overloaded (HTTP 503 Service Unavailable): retried \(requests - 1) times over "),
            "\(result.stderr)")
        #expect(result.stderr.contains("hint: the mirror is overloaded (503/429"), "\(result.stderr)")
        #expect(!result.stderr.contains("check the network"), "\(result.stderr)")
    }
}
