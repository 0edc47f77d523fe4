import Foundation
import Testing

/// A killed fetch resumes; concurrent fetches serialize on the workspace lock.
@Suite struct FetchResumeAndLockTests {
    static let path = "/fashion/train-images-idx3-ubyte.gz"

    /// SIGKILL mid-download (slow drip), rerun: it continues from the partial file and ends verified.
    @Test(.realData) func killedFetchResumesWhereItStopped() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url, faults: [Self.path: ["drip": 4_000_000, "times": 1]])
        let workspace = try TemporaryDirectory("fetch-kill")
        let root = workspace.path("data").path
        let partial = workspace.path("data/.fmnist/partial/fashion/train-images-idx3-ubyte.gz.part")
        let first = try BackgroundFMNIST(
            ["fetch", "fashion", "--root", root, "--mirror", server.url("fashion/")], logs: workspace.url)
        let deadline = Date().addingTimeInterval(30)
        while fileSize(partial) < 5_000_000 && Date() < deadline { usleep(20_000) }
        first.sigkill()
        let held = fileSize(partial)
        #expect(held >= 5_000_000)
        #expect(!FileManager.default.fileExists(atPath: workspace.path("data/fashion/train-images-idx3-ubyte.gz").path))

        // The lock of the killed process does not block; the rerun resumes at the bytes held.
        let second = try FMNISTProcess.run(["fetch", "fashion", "--root", root, "--mirror", server.url("fashion/")])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("resumed at"))
        let stats = try #require(try server.stats()[Self.path])
        let size = fileSize(RealData.fashion.appendingPathComponent("train-images-idx3-ubyte.gz"))
        #expect(stats.requests == 2)
        #expect(stats.rangeStarts.last == held)
        #expect(stats.requestBytes.last == size - held)
        let verify = try FMNISTProcess.run(["verify", "fashion", "--root", root])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    /// Eight `fmnist fetch all` at once on one fresh workspace: all succeed, each of the eight files
    /// is downloaded once (server counters), the others wait, say who holds the lock, then find
    /// both datasets present; the catalog passes `integrity_check` and holds one version per dataset.
    @Test(.realData) func eightConcurrentFetchesDownloadEachFileOnce() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url, faults: [Self.path: ["drip": 30_000_000]])
        let workspace = try TemporaryDirectory("fetch-eight")
        let root = workspace.path("data").path
        let mirrors = ["--mirror", "fashion=" + server.url("fashion/"), "--mirror", "mnist=" + server.url("mnist/")]
        let processes = try (0..<8).map { _ in
            try BackgroundFMNIST(["fetch", "all", "--root", root] + mirrors, logs: workspace.url)
        }
        let results = processes.map { $0.wait(timeout: 180) }
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        for dataset in ["fashion", "mnist"] {
            for name in MirrorTree.names { #expect(try server.requests("/\(dataset)/\(name)") == 1, "\(dataset)/\(name)") }
        }
        #expect(results.filter { $0.stderr.contains("fetched and verified (4 downloaded)") }.count == 1)
        #expect(results.filter { $0.stderr.components(separatedBy: "already present and verified, nothing downloaded").count == 3 }.count == 7)
        #expect(results.contains { $0.stderr.contains("waiting for fmnist fetch (pid") })
        let catalog = workspace.path("data/.fmnist/catalog.sqlite3")
        #expect(try DropIn.integrityCheck(catalog) == "ok")
        let versions = try DropIn.python(
            "import sqlite3, sys; print(sorted(sqlite3.connect(sys.argv[1]).execute('select dataset, count(*) from versions group by dataset').fetchall()))",
            [catalog.path])
        #expect(versions.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[('fashion', 1), ('mnist', 1)]", "\(versions.stderr)")
        let verify = try FMNISTProcess.run(["verify", "all", "--root", root])
        #expect(verify.status == 0, "\(verify.stderr)")
        print("concurrency: 8 simultaneous fmnist fetch all on one fresh workspace: \(results.filter { $0.status == 0 }.count) succeeded; "
            + "each of the 8 files downloaded once; integrity_check ok; one version per dataset")
    }
}
