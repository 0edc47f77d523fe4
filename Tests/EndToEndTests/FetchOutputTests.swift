import Foundation
import Testing

/// What `fmnist fetch` says: failures grouped per mirror with the hint that fits the cause, quiet
/// `--offline` success, and (on a terminal) host-only progress with a total line.
@Suite struct FetchOutputTests {
    /// Summary lines that name a mirror ("  mirror URL: reason (N files)").
    static func mirrorLines(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("  mirror ") }
    }

    /// No host resolves (as offline): one summary line per mirror, and the offline hint.
    @Test(.timeLimit(.minutes(2))) func offlineFailuresAreGroupedPerMirrorWithTheOfflineHint() throws {
        let workspace = try TemporaryDirectory("fetch-no-dns")
        let result = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", workspace.path("data").path, "--mirror", "http://fmnist-a.invalid/fm/",
             "--mirror", "http://fmnist-b.invalid/"],
            environment: ["FMNIST_RETRY_BASE_MS": "10"], timeout: 90)
        #expect(result.status == 5, "\(result.stderr)")
        let lines = Self.mirrorLines(result.stderr)
        #expect(lines.count == 2, "\(result.stderr)")
        #expect(lines.first?.hasPrefix("  mirror http://fmnist-a.invalid/fm/: ") == true, "\(lines)")
        #expect(lines.allSatisfy { $0.hasSuffix("(4 files)") }, "\(lines)")
        #expect(result.stderr.contains("no mirror host could be resolved: you seem to be offline"), "\(result.stderr)")
        #expect(result.stderr.contains("fmnist import DIR --as fashion"))
        #expect(result.stderr.contains("dataset-fashion-mnist"))
    }

    /// Every mirror answers 404 (a wrong base URL): the hint says to check the base URL.
    @Test(.timeLimit(.minutes(2))) func notFoundEverywhereSaysToCheckTheBaseURL() throws {
        let empty = try TemporaryDirectory("mirror-empty")
        let server = try MirrorServer(root: empty.url)
        let workspace = try TemporaryDirectory("fetch-404")
        let result = try FMNISTProcess.run(
            ["fetch", "mnist", "--root", workspace.path("data").path, "--mirror", server.url("wrong/")], timeout: 90)
        #expect(result.status == 5, "\(result.stderr)")
        #expect(Self.mirrorLines(result.stderr) == ["  mirror \(server.url("wrong/")): answered HTTP 404 Not Found (4 files)"])
        #expect(result.stderr.contains("every mirror answered 404: check the mirror base URL"), "\(result.stderr)")
        #expect(!result.stderr.contains("you seem to be offline"))
    }

    /// Files that fail at one mirror for different reasons each get their own reason in the
    /// summary (not the first file's reason for all four); a mirror where all failed alike keeps
    /// its one line.
    @Test(.enabled(if: RealData.available), .timeLimit(.minutes(2))) func eachFileKeepsItsOwnReasonInTheMirrorSummary() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url, faults: [
            "/fashion/train-images-idx3-ubyte.gz": ["status": 404],
            "/fashion/train-labels-idx1-ubyte.gz": ["html": true],
            "/fashion/t10k-images-idx3-ubyte.gz": ["serve": "mnist/t10k-images-idx3-ubyte.gz"],
            "/fashion/t10k-labels-idx1-ubyte.gz": ["status": 403],
        ])
        let workspace = try TemporaryDirectory("fetch-reasons")
        let result = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", workspace.path("data").path, "--mirror", server.url("fashion/"), "--mirror", server.url("nothing/")],
            environment: ["FMNIST_RETRY_BASE_MS": "10"], timeout: 90)
        #expect(result.status != 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains("  mirror \(server.url("fashion/")): 4 files, 4 different reasons:"), "\(result.stderr)")
        func reason(_ file: String) -> String? {
            lines.first { $0.hasPrefix("    \(file): ") }
        }
        #expect(reason("train-images-idx3-ubyte.gz")?.contains("404") == true, "\(result.stderr)")
        #expect(reason("train-labels-idx1-ubyte.gz")?.lowercased().contains("html") == true, "\(result.stderr)")
        #expect(reason("t10k-images-idx3-ubyte.gz")?.contains("MNIST's t10k-images") == true, "\(result.stderr)")
        #expect(reason("t10k-labels-idx1-ubyte.gz")?.contains("403") == true, "\(result.stderr)")
        // The second mirror failed alike for all four: one line.
        #expect(lines.contains("  mirror \(server.url("nothing/")): answered HTTP 404 Not Found (4 files)"), "\(result.stderr)")
    }

    /// `--offline` that succeeds says nothing about the network mirrors it passed over.
    @Test(.enabled(if: RealData.available), .timeLimit(.minutes(2))) func offlineSuccessIsQuietAboutSkippedMirrors() throws {
        let tree = try MirrorTree()
        let workspace = try TemporaryDirectory("fetch-offline-quiet")
        let result = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", workspace.path("data").path, "--offline", "--mirror", "http://127.0.0.1:9/fashion/",
             "--mirror", tree.url.appendingPathComponent("fashion/").absoluteString], timeout: 90)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("is not a local file:// source"), "\(result.stderr)")
        #expect(!result.stderr.contains("skipped"), "\(result.stderr)")
        #expect(result.stderr.contains("fetched and verified"))
    }

    /// On a terminal (a pty through script(1)): progress rows show the host only, and a total line.
    @Test(.enabled(if: RealData.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/script")), .timeLimit(.minutes(2)))
    func terminalProgressShowsTheHostAndATotalLine() throws {
        let tree = try MirrorTree()
        let server = try MirrorServer(root: tree.url, faults: ["/fashion/train-images-idx3-ubyte.gz": ["drip": 8_000_000]])
        let workspace = try TemporaryDirectory("fetch-tty")
        let command = [FMNISTProcess.executable.path, "fetch", "fashion", "--root", workspace.path("data").path, "--mirror", server.url("fashion/")]
            .map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-q", "-e", "-c", command, "/dev/null"]
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment["COLUMNS"] = "120"
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // A pty turns "\n" into "\r\n"; rows end at a newline or the next escape sequence.
        let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r", with: "")
        #expect(process.terminationStatus == 0, "\(text.suffix(2000))")
        let rows = text.components(separatedBy: "\u{1B}[2K").dropFirst().map {
            String($0.prefix { $0 != "\n" && $0 != "\u{1B}" }).trimmingCharacters(in: .whitespaces)
        }
        #expect(rows.contains { $0.hasPrefix("total") && $0.contains("MB") }, "\(rows.suffix(10))")
        let progress = rows.filter { $0.hasPrefix("fashion/train-images") }
        #expect(!progress.isEmpty)
        let moving = progress.filter { $0.contains("MB/s") }
        #expect(!moving.isEmpty)
        #expect(moving.allSatisfy { $0.hasSuffix("  127.0.0.1:\(server.port)") }, "\(moving.filter { !$0.hasSuffix("\(server.port)") })")
        #expect(!progress.contains { $0.contains("http://") })
    }
}

/// A first fetch creates `data/current` when there is none, so that `smoke-train` and
/// `preview current` work right after it; an existing `data/current` (even a dangling one) is
/// never changed by a fetch.
@Suite struct FetchCreatesCurrentTests {
    static func readLink(_ url: URL) -> String? { try? FileManager.default.destinationOfSymbolicLink(atPath: url.path) }

    @Test(.realData, .timeLimit(.minutes(3))) func aFirstFetchCreatesCurrentAndALaterOneLeavesIt() throws {
        let tree = try MirrorTree()
        let workspace = try TemporaryDirectory("fetch-current")
        let root = workspace.path("data")
        let current = root.appendingPathComponent("current")
        let mnist = try FMNISTProcess.run(
            ["fetch", "mnist", "--root", root.path, "--offline", "--mirror", tree.url.appendingPathComponent("mnist/").absoluteString, "--json"])
        #expect(mnist.status == 0, "\(mnist.stderr)")
        #expect(Self.readLink(current) == "mnist")
        #expect(mnist.stderr.contains("created \(current.path) -> mnist (there was no drop-in link yet)"), "\(mnist.stderr)")
        #expect(try mnist.json()["current_created"] as? String == "mnist")
        // What reads data/current works now (no switch was run).
        let preview = try FMNISTProcess.run(["preview", "current", "--root", root.path, "--out", workspace.path("p.png").path, "--json"])
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(try preview.json()["dataset"] as? String == "mnist")
        // The catalog says how current came to be (a switch event, shown by log).
        let log = try FMNISTProcess.run(["log", "--root", root.path])
        #expect(log.status == 0 && (log.stdout + log.stderr).contains("switch"), "\(log.stdout)\(log.stderr)")
        // A later fetch of the other dataset leaves current as it is.
        let fashion = try FMNISTProcess.run(
            ["fetch", "fashion", "--root", root.path, "--offline", "--mirror", tree.url.appendingPathComponent("fashion/").absoluteString, "--json"])
        #expect(fashion.status == 0, "\(fashion.stderr)")
        #expect(Self.readLink(current) == "mnist")
        #expect(!fashion.stderr.contains("created"), "\(fashion.stderr)")
        #expect(try fashion.json()["current_created"] == nil)
    }

    @Test(.realData, .timeLimit(.minutes(3))) func fetchAllPointsCurrentAtFashionAndAnExistingLinkIsLeftAlone() throws {
        let tree = try MirrorTree()
        let workspace = try TemporaryDirectory("fetch-current-all")
        let root = workspace.path("data")
        let mirrors = ["--mirror", "fashion=" + tree.url.appendingPathComponent("fashion/").absoluteString,
                       "--mirror", "mnist=" + tree.url.appendingPathComponent("mnist/").absoluteString]
        let all = try FMNISTProcess.run(["fetch", "all", "--root", root.path, "--offline"] + mirrors)
        #expect(all.status == 0, "\(all.stderr)")
        #expect(Self.readLink(root.appendingPathComponent("current")) == "fashion")
        #expect(all.stderr.contains("-> fashion (there was no drop-in link yet); `fmnist switch mnist` points it at mnist"), "\(all.stderr)")
        // A dangling data/current the user left: a fetch does not touch it.
        let other = workspace.path("other")
        let dangling = other.appendingPathComponent("current")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dangling.path, withDestinationPath: "nowhere")
        let again = try FMNISTProcess.run(["fetch", "all", "--root", other.path, "--offline"] + mirrors)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(Self.readLink(dangling) == "nowhere")
        #expect(!again.stderr.contains("created"), "\(again.stderr)")
    }
}

/// Hints that print a command name the program as the user can run it: after `scripts/run.sh`
/// (the binary run by its path, not on PATH) they say `<path> import …`, not `fmnist import …`,
/// which the shell would not find; with the binary on PATH they say `fmnist`.
@Suite struct HintsNameTheProgramAsInvokedTests {
    @Test func anOfflineHintNamesTheInvokedPathWhenFmnistIsNotOnPath() throws {
        let workspace = try TemporaryDirectory("hint-name")
        let real = URL(fileURLWithPath: FMNISTProcess.executable.resolvingSymlinksInPath().path)
        let cwd = real.deletingLastPathComponent().deletingLastPathComponent()
        let relative = real.deletingLastPathComponent().lastPathComponent + "/fmnist"
        let arguments = ["fetch", "fashion", "--offline", "--mirror", "http://127.0.0.1:9/x/", "--root", workspace.path("data").path]
        let off = try FMNISTProcess.run(arguments, environment: ["PATH": "/usr/bin:/bin"], currentDirectory: cwd, timeout: 60)
        #expect(off.status == 5, "\(off.stderr)")
        #expect(off.stderr.contains("\(relative) import DIR --as fashion"), "\(off.stderr)")
        #expect(!off.stderr.contains("`fmnist ") && !off.stderr.contains(" fmnist import"), "\(off.stderr)")
        // With the binary on PATH (as FMNISTProcess runs it): `fmnist`.
        let on = try FMNISTProcess.run(arguments, currentDirectory: cwd, timeout: 60)
        #expect(on.status == 5, "\(on.stderr)")
        #expect(on.stderr.contains("fmnist import DIR --as fashion") && !on.stderr.contains(relative), "\(on.stderr)")
    }
}
