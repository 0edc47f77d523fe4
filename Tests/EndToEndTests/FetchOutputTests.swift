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
