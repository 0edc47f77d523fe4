import Foundation
import Testing

/// Every transfer is bounded in bytes and time, and Ctrl-C stops a fetch cleanly.
@Suite struct FetchBoundsAndInterruptTests {
    static let labels = "/fashion/t10k-labels-idx1-ubyte.gz"
    static let images = "/fashion/t10k-images-idx3-ubyte.gz"
    static let trainImages = "/fashion/train-images-idx3-ubyte.gz"
    static let fast = ["FMNIST_RETRY_BASE_MS": "10"]
    /// The documented container bound of t10k-labels: twice the largest known container, plus 1 MiB.
    static var labelsBound: Int64 { 2 * fileSize(RealData.fashion.appendingPathComponent("t10k-labels-idx1-ubyte.gz")) + (1 << 20) }

    /// A body without Content-Length that never ends (valid gzip, so only the byte bound stops it)
    /// is cut at the bound; the next mirror serves the file; nothing of the endless body stays.
    @Test(.enabled(if: RealData.available), .timeLimit(.minutes(3)))
    func anEndlessBodyIsCutAtTheBoundAndTheNextMirrorServes() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url, faults: [Self.labels: ["endless": true]])
        let workspace = try TemporaryDirectory("fetch-endless")
        let root = workspace.path("data").path
        let started = Date()
        let result = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", root, "--mirror", server.url("fashion/"), "--mirror", server.url("fashion2/")],
            environment: Self.fast, timeout: 120)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 90)
        #expect(result.stderr.contains("sent more than \(Self.labelsBound) bytes"), "\(result.stderr)")
        #expect(result.stderr.contains("cut off"))
        #expect(try server.requests("/fashion2/t10k-labels-idx1-ubyte.gz") == 1)
        #expect(try FMNISTProcess.run(["verify", "fashion", "--root", root]).status == 0)
    }

    /// The only mirror sends an endless body: exit 5, nothing placed, no partial past the bound.
    @Test(.enabled(if: RealData.available), .timeLimit(.minutes(3)))
    func anEndlessOnlyMirrorPlacesNothingAndKeepsNoOversizedPartial() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url, faults: [Self.labels: ["endless": true]])
        let workspace = try TemporaryDirectory("fetch-endless-only")
        let root = workspace.path("data").path
        let result = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", root, "--mirror", server.url("fashion/")], environment: Self.fast, timeout: 120)
        #expect(result.status == 5, "\(result.stderr)")
        #expect(result.stderr.contains("sent more than"))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("data/fashion").path))
        let partial = workspace.path("data/.fmnist/partial/fashion/t10k-labels-idx1-ubyte.gz.part")
        #expect(fileSize(partial) <= Self.labelsBound)
        #expect(try server.stats()[Self.labels]?.bytes ?? 0 > Self.labelsBound, "the server did send more than the bound")
    }

    /// A Content-Length far beyond the bound is refused at the headers; the next mirror serves.
    @Test(.enabled(if: RealData.available), .timeLimit(.minutes(3)))
    func aHugeContentLengthIsRefusedAtTheHeaders() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(
            root: tree.url, faults: [Self.labels: ["endless": true, "content_length": 1_000_000_000_000]])
        let workspace = try TemporaryDirectory("fetch-huge-length")
        let result = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", workspace.path("data").path, "--mirror", server.url("fashion/"),
             "--mirror", server.url("fashion2/")],
            environment: Self.fast, timeout: 120)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("announced 1000000000000 bytes"), "\(result.stderr)")
        #expect(try server.requests("/fashion2/t10k-labels-idx1-ubyte.gz") == 1)
    }

    /// A mirror trickling well above the low-speed limit is given up at the file's deadline
    /// (1 s + 4.4 MB at 1 MiB/s ≈ 5 s here), and the next mirror resumes from the bytes held.
    @Test(.enabled(if: RealData.available), .timeLimit(.minutes(3)))
    func aTricklingMirrorIsGivenUpAtTheDeadlineAndTheNextResumes() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url, faults: [Self.images: ["drip": 250_000]])
        let workspace = try TemporaryDirectory("fetch-deadline")
        let root = workspace.path("data").path
        let started = Date()
        let result = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", root, "--min-rate", "1024", "--mirror", server.url("fashion/"),
             "--mirror", server.url("fashion2/")],
            environment: Self.fast.merging(["FMNIST_DEADLINE_BASE": "1"]) { $1 }, timeout: 120)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("took longer than the 5 s allowed for t10k-images-idx3-ubyte.gz"), "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 60)
        let fallback = try #require(try server.stats()["/fashion2/t10k-images-idx3-ubyte.gz"])
        #expect((fallback.rangeStarts.first.flatMap { $0 } ?? 0) > 0, "the second mirror resumed")
        #expect(try FMNISTProcess.run(["verify", "fashion", "--root", root]).status == 0)
    }

    /// Bad --lock-timeout values are usage errors, before anything is touched.
    @Test(arguments: ["-1", "nan", "inf", "1e300"])
    func anUnusableLockTimeoutIsAUsageError(_ value: String) throws {
        let workspace = try TemporaryDirectory("fetch-lock-timeout")
        let result = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", workspace.path("data").path, "--offline", "--lock-timeout=\(value)"], timeout: 60)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--lock-timeout"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("data/.fmnist").path))
    }

    /// Bad --min-rate values are usage errors.
    @Test(arguments: ["0", "-1", "nan", "inf", "99999999999"])
    func anUnusableMinRateIsAUsageError(_ value: String) throws {
        let workspace = try TemporaryDirectory("fetch-min-rate")
        let result = try FMNISTProcess.run(["fetch", "fashion", "--root", workspace.path("data").path, "--min-rate", value], timeout: 60)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--min-rate"), "\(result.stderr)")
    }

    /// Ctrl-C mid-download: exit 130 at once, what was kept and the command that resumes; the lock
    /// is released, nothing is placed, and a rerun resumes with HTTP Range and completes.
    @Test(.enabled(if: RealData.available), .timeLimit(.minutes(4)))
    func ctrlCKeepsThePartialAndARerunResumes() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url, faults: [Self.trainImages: ["drip": 500_000, "times": 1]])
        let workspace = try TemporaryDirectory("fetch-sigint")
        let root = workspace.path("data").path
        let partial = workspace.path("data/.fmnist/partial/fashion/train-images-idx3-ubyte.gz.part")
        let arguments = ["fetch", "fashion", "--root", root, "--mirror", server.url("fashion/")]
        let fetch = try BackgroundFMNIST(arguments + ["--json"], logs: workspace.url)
        let deadline = Date().addingTimeInterval(60)
        while fileSize(partial) < 1_000_000 && Date() < deadline { usleep(20_000) }
        #expect(fileSize(partial) >= 1_000_000)
        let signalled = Date()
        kill(fetch.process.processIdentifier, SIGINT)
        let result = fetch.wait(timeout: 30)
        #expect(Date().timeIntervalSince(signalled) < 15)
        #expect(result.status == 130, "\(result.stderr)")
        #expect(result.stderr.contains("interrupted: nothing was placed or recorded; the partial downloads were kept"), "\(result.stderr)")
        #expect(result.stderr.contains("fashion/train-images-idx3-ubyte.gz: kept "), "\(result.stderr)")
        #expect(result.stderr.contains("of 26.4 MB") || result.stderr.contains(" of "), "\(result.stderr)")
        #expect(result.stderr.contains("hint: resume with: fmnist fetch fashion --root \(root) --mirror \(server.url("fashion/")) --json"))
        let json = try result.json()
        #expect(json["interrupted"] as? Bool == true)
        #expect(json["exit_code"] as? Int == 130)
        #expect((json["resume_command"] as? String)?.hasPrefix("fmnist fetch fashion") == true)
        #expect((json["kept"] as? [[String: Any]])?.contains { ($0["bytes"] as? Int ?? 0) > 0 } == true)
        let kept = fileSize(partial)
        #expect(kept > 0)
        #expect(!FileManager.default.fileExists(atPath: workspace.path("data/fashion").path))

        // The lock is free (a zero lock timeout does not wait) and the rerun resumes at the bytes kept.
        let rerun = try FMNISTProcess.run(arguments + ["--lock-timeout", "0"], timeout: 120)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("resumed at"), "\(rerun.stderr)")
        let stats = try #require(try server.stats()[Self.trainImages])
        #expect(stats.rangeStarts.last == kept)
        #expect(try FMNISTProcess.run(["verify", "fashion", "--root", root]).status == 0)
    }
}

/// Every file fmnist reads must be a regular file: a named pipe anywhere ends promptly with a
/// clear error and a documented exit code (it used to hang, holding the workspace lock).
@Suite struct FIFOReadSafetyTests {
    static func mkfifoOrFail(_ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        #expect(mkfifo(url.path, 0o644) == 0)
    }

    @Test(.timeLimit(.minutes(2))) func verifyAFIFOPath() throws {
        let workspace = try TemporaryDirectory("fifo-verify")
        let fifo = workspace.path("t10k-labels-idx1-ubyte.gz")
        try Self.mkfifoOrFail(fifo)
        let result = try FMNISTProcess.run(["verify", fifo.path, "--root", workspace.path("data").path], timeout: 60)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("is a named pipe (FIFO), not a regular file"), "\(result.stderr)")
    }

    @Test(.enabled(if: RealData.available), .timeLimit(.minutes(2))) func verifyAFolderHoldingAFIFO() throws {
        let workspace = try TemporaryDirectory("fifo-verify-dir")
        let folder = workspace.path("fashion")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in MirrorTree.names where name != "t10k-labels-idx1-ubyte.gz" {
            try RealData.copyFile(at: RealData.fashion.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        try Self.mkfifoOrFail(folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        let result = try FMNISTProcess.run(["verify", folder.path, "--root", workspace.path("data").path], timeout: 60)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("is a named pipe (FIFO), not a regular file"), "\(result.stderr)")
    }

    @Test(.enabled(if: RealData.available), .timeLimit(.minutes(2))) func importAFolderHoldingAFIFO() throws {
        let workspace = try TemporaryDirectory("fifo-import")
        let folder = workspace.path("source")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in MirrorTree.names where name != "train-labels-idx1-ubyte.gz" {
            try RealData.copyFile(at: RealData.fashion.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        try Self.mkfifoOrFail(folder.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        let root = workspace.path("data").path
        let result = try FMNISTProcess.run(["import", folder.path, "--as", "fashion", "--root", root], timeout: 60)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("is a named pipe (FIFO), not a regular file"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("data/fashion").path))
    }

    @Test(.timeLimit(.minutes(2))) func aFIFOAmongTheManifests() throws {
        let workspace = try TemporaryDirectory("fifo-manifests")
        let manifests = workspace.path("manifests")
        try Self.mkfifoOrFail(manifests.appendingPathComponent("extra.json"))
        let result = try FMNISTProcess.run(
            ["versions", "--root", workspace.path("data").path, "--manifests", manifests.path], timeout: 60)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("extra.json"), "\(result.stderr)")
        #expect(result.stderr.contains("is a named pipe (FIFO), not a regular file"), "\(result.stderr)")
    }

    @Test(.timeLimit(.minutes(2))) func aFIFOAsTheWorkspaceConfig() throws {
        let workspace = try TemporaryDirectory("fifo-config")
        let root = workspace.path("data")
        try Self.mkfifoOrFail(root.appendingPathComponent(".fmnist/config.json"))
        let result = try FMNISTProcess.run(["fetch", "fashion", "--root", root.path, "--offline"], timeout: 60)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("config.json cannot be read: is a named pipe (FIFO), not a regular file"), "\(result.stderr)")
    }

    /// A FIFO where a partial download goes: exit 7 naming it, and the lock is released (a
    /// second run with a zero lock timeout reaches the same error, not "locked").
    @Test(.timeLimit(.minutes(2))) func aFIFOAsAPartialDownload() throws {
        let workspace = try TemporaryDirectory("fifo-partial")
        let root = workspace.path("data")
        let source = workspace.path("source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        for name in MirrorTree.names { try Data("not a gzip".utf8).write(to: source.appendingPathComponent(name)) }
        let part = root.appendingPathComponent(".fmnist/partial/fashion/t10k-labels-idx1-ubyte.gz.part")
        try Self.mkfifoOrFail(part)
        let arguments = ["fetch", "fashion", "--root", root.path, "--offline", "--mirror", source.absoluteString, "--jobs", "1"]
        let first = try FMNISTProcess.run(arguments, timeout: 60)
        #expect(first.status == 7, "\(first.stderr)")
        #expect(first.stderr.contains("\(part.path): is a named pipe (FIFO), not a regular file"), "\(first.stderr)")
        #expect(first.stderr.contains("hint: fmnist keeps only its own regular files in .fmnist/partial"), "\(first.stderr)")
        let second = try FMNISTProcess.run(arguments + ["--lock-timeout", "0"], timeout: 60)
        #expect(second.status == 7, "\(second.stderr)")
        #expect(second.stderr.contains("is a named pipe (FIFO)"), "\(second.stderr)")
    }
}
