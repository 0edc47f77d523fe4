import Foundation
import Testing

@testable import FMNISTCore

/// The fetch progress state machine (``FetchProgress``): which lines it prints for which events,
/// plain and on a terminal, and what it never prints.
@Suite struct FetchProgressTests {
    static let images = FileTarget(dataset: "fashion", datasetTitle: "Fashion-MNIST", role: .trainImages, name: "train-images-idx3-ubyte.gz", expectedSize: 26_421_880)
    static let labels = FileTarget(dataset: "fashion", datasetTitle: "Fashion-MNIST", role: .trainLabels, name: "train-labels-idx1-ubyte.gz", expectedSize: 29_515)
    static let second: UInt64 = 1_000_000_000

    static func finished(_ target: FileTarget, failed: Bool = false) -> FileFetchReport {
        FileFetchReport(
            dataset: target.dataset, role: target.role, name: target.name, status: failed ? .failed : .downloaded,
            mirror: failed ? nil : "http://m.example/fm/" + target.name, skipped: [], bytesDownloaded: failed ? 0 : 2_000_000,
            resumedFrom: 0, seconds: 1.25, verdict: nil, message: failed ? "every mirror failed" : "ok: verified", notes: [],
            httpStatus: nil, etag: nil, lastModified: nil, measurement: nil)
    }

    @Test func plainLinesForEveryEventAndProgressEveryInterval() {
        var progress = FetchProgress(isTerminal: false, quiet: false, plainInterval: 2)
        let url = "http://m.example:8080/fm/train-images-idx3-ubyte.gz"
        #expect(progress.handle(.started(Self.images, url: url, offset: 0), now: 0, width: { 100 }) == [
            "fashion/train-images-idx3-ubyte.gz: fetching from \(url)\n"
        ])
        // Within the interval: nothing; after it: one line with bytes, percent, rate and host.
        #expect(progress.handle(.progress(Self.images, bytes: 5_000_000, total: 26_421_880, bytesPerSecond: 1e6, url: url), now: Self.second, width: { 100 }).isEmpty)
        #expect(progress.handle(.progress(Self.images, bytes: 13_000_000, total: 26_421_880, bytesPerSecond: 1e6, url: url), now: 3 * Self.second, width: { 100 }) == [
            "fashion/train-images-idx3-ubyte.gz: 13.0 MB / 26.4 MB   49%  4.0 MB/s  ETA 4s  m.example:8080\n"
        ])
        #expect(progress.handle(.finished(Self.images, Self.finished(Self.images)), now: 4 * Self.second, width: { 100 }) == [
            "fashion/train-images-idx3-ubyte.gz: ok: verified (2.0 MB transferred in 1.2 s)\n"
        ])
        #expect(progress.lines.map(\.state) == [.done])
        #expect(progress.handle(.finished(Self.labels, Self.finished(Self.labels, failed: true)), now: 5 * Self.second, width: { 100 }) == [
            "fashion/train-labels-idx1-ubyte.gz: FAILED: every mirror failed\n"
        ])
        #expect(progress.lines.map(\.state) == [.done, .failed])
        #expect(progress.finish(width: { 100 }).isEmpty)  // no block to leave on screen
    }

    @Test func resumingRetryingAndRestartingChangeTheState() {
        var progress = FetchProgress(isTerminal: false, quiet: false)
        let url = "http://m.example/fm/train-images-idx3-ubyte.gz"
        #expect(progress.handle(.started(Self.images, url: url, offset: 20_000), now: 0, width: { 100 }) == [
            "fashion/train-images-idx3-ubyte.gz: fetching from \(url) (resuming at 20.0 kB)\n"
        ])
        #expect(progress.lines.first?.state == .resuming)
        #expect(progress.lines.first?.bytes == 20_000)
        #expect(progress.handle(.retrying(Self.images, url: url, reason: "timed out", delay: 1.5, attempt: 2), now: 1, width: { 100 }) == [
            "fashion/train-images-idx3-ubyte.gz: mirror \(url) timed out; retry 2 in 1.5 s\n"
        ])
        #expect(progress.lines.first?.state == .retrying)
        _ = progress.handle(.restarted(Self.images, url: url, reason: "the server ignored the range"), now: 2, width: { 100 })
        #expect(progress.lines.first?.bytes == 0)
    }

    @Test func quietPrintsNothingAndOfflineSkipsAreNotNews() {
        var quiet = FetchProgress(isTerminal: true, quiet: true)
        #expect(!quiet.interactive)
        #expect(quiet.handle(.waitingForLock(message: "waiting for pid 7"), now: 0, width: { 100 }).isEmpty)
        #expect(quiet.handle(.started(Self.images, url: "http://x/a.gz", offset: 0), now: 0, width: { 100 }).isEmpty)
        var plain = FetchProgress(isTerminal: false, quiet: false)
        let offline = MirrorSkip(url: "http://x/a.gz", code: SkipCode(rawValue: "offline")!, reason: "not a local source", attempts: 0)
        #expect(plain.handle(.skipped(Self.images, offline), now: 0, width: { 100 }).isEmpty)
        let missing = MirrorSkip(url: "http://x/a.gz", code: SkipCode(rawValue: "http_404")!, reason: "answered HTTP 404", attempts: 1)
        #expect(plain.handle(.skipped(Self.images, missing), now: 0, width: { 100 }) == [
            "fashion/train-images-idx3-ubyte.gz: skipped mirror http://x/a.gz answered HTTP 404\n"
        ])
        // Not a terminal: the same mirror's skip for another file is printed again.
        #expect(plain.handle(.skipped(Self.labels, missing), now: 0, width: { 100 }).count == 1)
    }

    @Test func aTerminalRedrawsOneRowPerFileAndATotalAndPrintsMessagesAbove() {
        var progress = FetchProgress(isTerminal: true, quiet: false)
        #expect(progress.interactive)
        let url = "http://m.example/fm/train-images-idx3-ubyte.gz"
        // A fresh start prints no message, only the block.
        let first = progress.handle(.started(Self.images, url: url, offset: 0), now: Self.second, width: { 100 })
        #expect(first == ["\u{1B}[2Kfashion/train-images-idx3-ubyte.gz  0 B  0.0 MB/s  m.example\n"])
        let second = progress.handle(.started(Self.labels, url: url, offset: 0), now: 2 * Self.second, width: { 100 })
        #expect(second.count == 1)
        #expect(second[0].hasPrefix("\u{1B}[1F\u{1B}[2Kfashion/train-images"))  // back over the one row drawn
        #expect(second[0].contains("\u{1B}[2Ktotal"))
        // A skip: the block (3 rows) is erased, the message printed, the block drawn again.
        let skip = MirrorSkip(url: "http://bad.example/a/x.gz", code: SkipCode(rawValue: "http_404")!, reason: "answered HTTP 404", attempts: 1)
        let lines = progress.handle(.skipped(Self.images, skip), now: 3 * Self.second, width: { 100 })
        #expect(lines.count == 2)
        #expect(lines[0] == "\u{1B}[3F\u{1B}[0Jfashion/train-images-idx3-ubyte.gz: skipped mirror http://bad.example/a/x.gz answered HTTP 404\n")
        // The same mirror failing the same way for another file: printed once on a terminal.
        let again = progress.handle(.skipped(Self.labels, skip), now: 4 * Self.second, width: { 100 })
        #expect(again.count == 1 && !again[0].contains("skipped"))
        // Progress redraws at most every 80 ms; a narrow terminal cuts rows with "…".
        #expect(progress.handle(.progress(Self.images, bytes: 1, total: 10, bytesPerSecond: 1, url: url), now: 4 * Self.second + 1, width: { 30 }).isEmpty)
        let narrow = progress.handle(.progress(Self.images, bytes: 2, total: 10, bytesPerSecond: 1, url: url), now: 5 * Self.second, width: { 30 })
        #expect(narrow.count == 1)
        #expect(narrow[0].split(separator: "\n").allSatisfy { $0.hasSuffix("…") })
        #expect(progress.finish(width: { 100 }).count == 1)
    }

    @Test func figuresAndHosts() {
        #expect(FetchProgress.bytes(9_999) == "9999 B")
        #expect(FetchProgress.bytes(12_345) == "12.3 kB")
        #expect(FetchProgress.bytes(26_421_880) == "26.4 MB")
        #expect(FetchProgress.duration(6.2) == "7s")
        #expect(FetchProgress.duration(125) == "2m05s")
        #expect(FetchProgress.host("file:///usr/share/datasets/x.gz") == "local file")
        #expect(FetchProgress.host("https://storage.googleapis.com/a/b.gz") == "storage.googleapis.com")
        #expect(FetchProgress.host("http://127.0.0.1:8123/a.gz") == "127.0.0.1:8123")
    }

    @Test func theRecentRateFollowsTheLastSeconds() {
        var line = FetchProgress.Line(target: Self.images)
        line.rate = 123
        #expect(line.recentRate == 123)  // too few samples: the transfer's own average
        line.bytes = 0
        line.sample(0)
        line.bytes = 4_000_000
        line.sample(2 * Self.second)
        #expect(line.recentRate == 2_000_000)
        line.bytes = 5_000_000
        line.sample(6 * Self.second)  // the first samples fall out of the 3 s window
        #expect(line.samples.count == 1)
        #expect(line.recentRate == 123)
    }
}
