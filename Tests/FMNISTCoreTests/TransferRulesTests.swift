import Foundation
import Testing
import TestSupport

@testable import FMNISTCore

/// The rules of one request and one mirror's turn (response gate, judge, mirror turn), the body
/// sink's bound, and the deadline, each without a server.
@Suite struct TransferRulesTests {
    static let judge = AttemptJudge(title: "Fashion-MNIST", stem: "t10k-labels", acceptUnknown: false)

    // MARK: Response gate

    @Test func gateAcceptsAContinuationAndRestartsWhenRangeIsIgnored() {
        let fresh = ResponseGate(offset: 0, containerLimit: 1000, name: "f.gz")
        #expect(fresh.decide(TransferResponse(status: 200, totalSize: 900, effectiveURL: "u")) == .accept(total: 900))
        let resuming = ResponseGate(offset: 100, containerLimit: 1000, name: "f.gz")
        #expect(resuming.decide(TransferResponse(status: 206, rangeStart: 100, totalSize: 900, effectiveURL: "u")) == .accept(total: 900))
        #expect(resuming.decide(TransferResponse(status: 200, totalSize: 900, effectiveURL: "u")) == .restartWhole(total: 900))
        #expect(resuming.decide(TransferResponse(status: 0, effectiveURL: "file:///f.gz")) == .accept(total: nil))
    }

    @Test func gateRefusesAWrongRangeAndAnAnnouncedSizeOverTheBound() {
        let resuming = ResponseGate(offset: 100, containerLimit: 1000, name: "f.gz")
        guard case .refuse(let range) = resuming.decide(TransferResponse(status: 206, rangeStart: 50, effectiveURL: "u")) else {
            Issue.record("a 206 from the wrong offset was accepted")
            return
        }
        #expect(range.code.rawValue == "bad_range")
        #expect(range.reason.contains("Content-Range from 50"))
        let huge = ResponseGate(offset: 0, containerLimit: 1000, name: "f.gz")
            .decide(TransferResponse(status: 200, totalSize: 1_000_000_000_000, effectiveURL: "u"))
        #expect(huge == .refuse(Refusal(code: .wrongSize, reason: "announced 1000000000000 bytes; f.gz is at most 1000 bytes (wrong file)")))
    }

    @Test func gateRefusesALocalSourceThatIsNotARegularFile() throws {
        let directory = try TemporaryFolder()
        let fifo = directory.url.appendingPathComponent("f.gz")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        let refusal = try #require(ResponseGate.localSourceProblem(fifo.absoluteString))
        #expect(refusal.code.rawValue == "not_regular_file")
        #expect(refusal.reason.contains("is a named pipe (FIFO), not a regular file"))
        let plain = directory.url.appendingPathComponent("plain.gz")
        try Data([1, 2, 3]).write(to: plain)
        #expect(ResponseGate.localSourceProblem(plain.absoluteString) == nil)
        #expect(ResponseGate.localSourceProblem("http://127.0.0.1/f.gz") == nil)
    }

    // MARK: Judge

    @Test func judgeKeepsAVerifiedBodyAndRejectsWrongOrUnknownContent() {
        #expect(Self.judge.judge(AttemptFacts(bytes: 10, status: .ok)).ruling == .keep)
        #expect(Self.judge.judge(AttemptFacts(bytes: 10, status: .recompressed)).ruling == .keep)
        let unknown = Self.judge.judge(AttemptFacts(bytes: 10, status: .unknown, message: "labels 0…9"))
        #expect(unknown.ruling == .reject("served content that matches no known version of Fashion-MNIST: labels 0…9", unknown: true))
        #expect(unknown.discardPartial)
        let accepting = AttemptJudge(title: "Fashion-MNIST", stem: "t10k-labels", acceptUnknown: true)
        #expect(accepting.judge(AttemptFacts(bytes: 10, status: .unknown)).ruling == .keep)
        let swapped = Self.judge.judge(AttemptFacts(bytes: 10, status: .wrongFile, identifiedAs: "MNIST's t10k-labels"))
        #expect(swapped.ruling == .reject("served MNIST's t10k-labels for Fashion-MNIST", unknown: false))
        let role = Self.judge.judge(AttemptFacts(bytes: 10, status: .wrongFile, identifiedAs: "Fashion-MNIST's train-labels"))
        #expect(role.ruling == .reject("served Fashion-MNIST's train-labels instead of t10k-labels", unknown: false))
        #expect(role.code.rawValue == "wrong_file" && role.discardPartial)
    }

    @Test func judgeRestartsFreshOnlyWhenResumedBytesDoNotFit() {
        let resumedFault = Self.judge.judge(AttemptFacts(offset: 100, bytes: 10, stop: .fault(.crcMismatch)))
        guard case .restartFresh = resumedFault.ruling else {
            Issue.record("a fault after resuming should restart fresh, got \(resumedFault.ruling)")
            return
        }
        #expect(!resumedFault.discardPartial && !resumedFault.madeProgress)
        let freshFault = Self.judge.judge(AttemptFacts(offset: 0, bytes: 10, stop: .fault(.empty)))
        #expect(freshFault.ruling == .reject("served bad data: \(IntegrityFault.empty.description)", unknown: false))
        #expect(freshFault.discardPartial)
        // The server ignored Range: the body started over, so a fault is the mirror's, not the prefix's.
        let restarted = Self.judge.judge(AttemptFacts(offset: 100, restarted: true, bytes: 10, stop: .fault(.empty)))
        #expect(restarted.discardPartial)
        let resumedCorrupt = Self.judge.judge(AttemptFacts(offset: 100, bytes: 10, status: .corrupt, message: "CRC mismatch"))
        guard case .restartFresh = resumedCorrupt.ruling else {
            Issue.record("a resumed file that fails verification should restart fresh")
            return
        }
        #expect(Self.judge.judge(AttemptFacts(offset: 100, failure: .httpStatus(416))).ruling == .restartFresh("refused the range 100- (HTTP 416)"))
    }

    @Test func judgeCutsAnOversizedBodyAndKeepsThePartialOnDeadlineAndInterrupt() {
        let large = Self.judge.judge(AttemptFacts(bytes: 2000, stop: .tooLarge(limit: 2000)))
        #expect(large.code.rawValue == "too_large" && large.discardPartial)
        guard case .reject(let reason, false) = large.ruling else {
            Issue.record("an oversized body should be rejected")
            return
        }
        #expect(reason.contains("sent more than 2000 bytes"))
        let late = Self.judge.judge(AttemptFacts(offset: 10, bytes: 500, failure: .deadline(seconds: 5)))
        #expect(late.code.rawValue == "deadline" && !late.discardPartial && late.madeProgress)
        let stopped = Self.judge.judge(AttemptFacts(offset: 10, bytes: 500, failure: .interrupted))
        #expect(stopped.ruling == .interrupted && !stopped.discardPartial)
        // Interrupt wins over anything else measured.
        #expect(Self.judge.judge(AttemptFacts(bytes: 5, stop: .fault(.empty), failure: .interrupted)).ruling == .interrupted)
    }

    @Test func judgeRetriesTransientFailuresAndRejectsPermanentOnes() {
        let reset = Self.judge.judge(AttemptFacts(bytes: 300, failure: .connectionLost(message: "reset")))
        #expect(reset.ruling == .retry("connection lost (reset)") && reset.madeProgress && reset.code.rawValue == "connection_lost")
        let busy = Self.judge.judge(AttemptFacts(failure: .httpStatus(503)))
        #expect(busy.ruling == .retry("HTTP 503 Service Unavailable") && !busy.madeProgress)
        #expect(Self.judge.judge(AttemptFacts(failure: .httpStatus(404))).ruling == .reject("answered HTTP 404 Not Found", unknown: false))
        let loop = Self.judge.judge(AttemptFacts(failure: .tooManyRedirects(limit: 5)))
        #expect(loop.ruling == .reject("was refused: more than 5 redirects (a redirect loop?)", unknown: false))
        let wrongSize = Self.judge.judge(AttemptFacts(refusal: Refusal(code: .wrongSize, reason: "announced 9 bytes")))
        #expect(wrongSize.discardPartial)
        let wrongSizeResumed = Self.judge.judge(AttemptFacts(offset: 5, refusal: Refusal(code: .wrongSize, reason: "announced 9 bytes")))
        #expect(!wrongSizeResumed.discardPartial)
    }

    // MARK: Mirror turn

    @Test func aTurnGrantsTheRetryBudgetThenSkips() {
        var turn = MirrorTurn(retries: 2)
        let broken = Self.judge.judge(AttemptFacts(failure: .httpStatus(500)))
        #expect(turn.next(after: broken) == .retry(backoff: 0))
        #expect(turn.next(after: broken) == .retry(backoff: 1))
        #expect(turn.next(after: broken) == .skip)
        #expect(turn.attempts == 3)
    }

    /// A busy mirror (503, 429) is not given a count: it waits, with a growing backoff, until the
    /// file's deadline on the mirror (which ``MirrorLoop`` enforces), and uses none of the retry budget.
    @Test func aBusyMirrorWaitsWithoutUsingTheRetryBudget() {
        var turn = MirrorTurn(retries: 1)
        var busy = Self.judge.judge(AttemptFacts(failure: .httpStatus(503), retryAfter: 2))
        #expect(busy.overloaded && busy.retryAfter == 2 && busy.code.rawValue == "http_503")
        for retry in 0..<50 { #expect(turn.next(after: busy) == .wait(backoff: retry)) }
        #expect(turn.retriesUsed == 0 && turn.overloadRetries == 50)
        busy = Self.judge.judge(AttemptFacts(failure: .httpStatus(429)))
        #expect(busy.overloaded && busy.retryAfter == nil)
        #expect(turn.next(after: busy) == .wait(backoff: 50))
        // A 500 still draws on the budget, and skips once it is spent.
        let broken = Self.judge.judge(AttemptFacts(failure: .httpStatus(500), retryAfter: 9))
        #expect(!broken.overloaded && broken.retryAfter == nil)
        #expect(turn.next(after: broken) == .retry(backoff: 0))
        #expect(turn.next(after: broken) == .skip)
    }

    @Test func progressKeepsTheTurnButASlowTimeoutDoesNot() {
        var turn = MirrorTurn(retries: 0)
        let cut = Self.judge.judge(AttemptFacts(bytes: 1000, failure: .connectionLost(message: "reset")))
        for _ in 0..<10 { #expect(turn.next(after: cut) == .retry(backoff: 0)) }
        #expect(turn.retriesUsed == 0 && turn.progressRetries == 10)
        let slow = Self.judge.judge(AttemptFacts(bytes: 1000, failure: .timeout(message: "too slow")))
        #expect(turn.next(after: slow) == .skip)
        var capped = MirrorTurn(retries: 0)
        for _ in 0..<MirrorTurn.maxProgressRetries { _ = capped.next(after: cut) }
        #expect(capped.next(after: cut) == .skip)
    }

    @Test func aTurnRestartsFreshOnceAndSkipsRejectionsAndDeadlines() {
        var turn = MirrorTurn(retries: 3)
        let misfit = Self.judge.judge(AttemptFacts(offset: 100, bytes: 10, stop: .fault(.crcMismatch)))
        #expect(turn.next(after: misfit) == .restartFresh)
        #expect(turn.next(after: misfit) == .skip)
        var other = MirrorTurn(retries: 3)
        #expect(other.next(after: Self.judge.judge(AttemptFacts(failure: .httpStatus(403)))) == .skip)
        var late = MirrorTurn(retries: 3)
        #expect(late.next(after: Self.judge.judge(AttemptFacts(failure: .deadline(seconds: 1)))) == .skip)
    }

    // MARK: Body sink

    @Test func theSinkNeverHoldsMoreThanItsBound() throws {
        let folder = try TemporaryFolder()
        let partial = PartialDownload(url: folder.url.appendingPathComponent("f.gz.part"))
        let writer = try partial.openForAppend()
        let gzip = SyntheticIDX.gzip(SyntheticIDX.images(count: 4))
        try #require(gzip.count >= 120)
        let sink = BodySink(writer: writer, verifier: StreamingVerifier(), held: 0, limit: 100, makeVerifier: { StreamingVerifier() })
        let chunk = Array(gzip.prefix(60))
        #expect(chunk.withUnsafeBytes { sink.accept($0) })
        #expect(!chunk.withUnsafeBytes { sink.accept($0) })
        #expect(sink.stop == .tooLarge(limit: 100))
        writer.close()
        #expect(partial.size == 60)
        #expect(sink.held == 60)
    }

    @Test func theSinkStopsAtAFaultAndRestartsFromZero() throws {
        let folder = try TemporaryFolder()
        let partial = PartialDownload(url: folder.url.appendingPathComponent("f.gz.part"))
        let writer = try partial.openForAppend()
        let sink = BodySink(writer: writer, verifier: StreamingVerifier(), held: 0, limit: 1 << 20, makeVerifier: { StreamingVerifier() })
        let html = Array("<!DOCTYPE html><html><body>moved</body></html>".utf8)
        #expect(!html.withUnsafeBytes { sink.accept($0) })
        guard case .fault? = sink.stop else {
            Issue.record("an HTML page should stop the sink")
            return
        }
        #expect(sink.restart())
        #expect(sink.held == 0)
        writer.close()
        #expect(partial.size == 0)
    }

    // MARK: Deadline and settings

    @Test func theDeadlineIsABasePlusSizeOverTheMinimumRate() throws {
        var settings = TransferSettings()
        #expect(settings.deadline(forSize: 0) == 60)
        #expect(settings.deadline(forSize: 26_421_880) == 60 + 26_421_880.0 / 65536)
        settings = try TransferSettings.resolve(
            minimumRateKiB: 1024, environment: ["FMNIST_DEADLINE_BASE": "2"])
        #expect(settings.deadline(forSize: 1 << 20) == 3)
        let fromEnvironment = try TransferSettings.resolve(environment: ["FMNIST_MIN_RATE": "128"])
        #expect(fromEnvironment.minimumRate == 128 * 1024)
    }

    @Test(arguments: [0, -1, Double.nan, Double.infinity, 1e12])
    func anUnusableMinimumRateIsAUsageError(_ value: Double) {
        #expect(throws: UsageError.self) { try TransferSettings.resolve(minimumRateKiB: value, environment: [:]) }
    }

    @Test(arguments: ["0", "-5", "nan", "inf", "1e9", "soon"])
    func anUnusableDeadlineBaseIsAUsageError(_ value: String) {
        #expect(throws: UsageError.self) { try TransferSettings.resolve(environment: ["FMNIST_DEADLINE_BASE": value]) }
        #expect(throws: UsageError.self) { try TransferSettings.resolve(environment: ["FMNIST_MIN_RATE": value]) }
    }

    @Test func aTransferStopsAtItsDeadlineAndWhenCancelled() throws {
        let folder = try TemporaryFolder()
        let file = folder.url.appendingPathComponent("f.gz")
        try Data(repeating: 7, count: 1 << 20).write(to: file)
        let transfer = CurlTransfer(settings: TransferSettings())
        let past = DispatchTime.now().uptimeNanoseconds
        let late = transfer.perform(TransferRequest(url: file.absoluteString), deadline: past, onResponse: { _ in true }, onData: { _ in true })
        guard case .deadline? = late.failure else {
            Issue.record("expected a deadline failure, got \(String(describing: late.failure))")
            return
        }
        let cancellation = Cancellation()
        cancellation.cancel()
        let stopped = transfer.perform(
            TransferRequest(url: file.absoluteString), cancellation: cancellation, onResponse: { _ in true }, onData: { _ in true })
        #expect(stopped.failure == .interrupted)
    }

    // MARK: Work loop

    @Test func theWorkLoopRunsEveryIndexOnceOnAtMostWidthThreads() {
        let seen = LockedBox([Int](repeating: 0, count: 40))
        let running = LockedBox((now: 0, peak: 0))
        WorkLoop.run(count: 40, width: 3) { index in
            running.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
            usleep(2000)
            seen.withLock { $0[index] += 1 }
            running.withLock { $0.now -= 1 }
        }
        #expect(seen.withLock { $0 } == [Int](repeating: 1, count: 40))
        #expect(running.withLock { $0.peak } <= 3)
        let order = LockedBox([Int]())
        WorkLoop.run(count: 4, width: 1, order: [3, 1, 0, 2]) { index in order.withLock { $0.append(index) } }
        #expect(order.withLock { $0 } == [3, 1, 0, 2])
        #expect([5, 1, 9].parallelMap(threads: 2, cost: { Int64($0) }) { $0 * 2 } == [10, 2, 18])
    }
}

/// Reads only regular files, never blocking.
@Suite struct RegularFileTests {
    @Test func aFIFOIsRefusedAtOnceWithWhatItIs() throws {
        let folder = try TemporaryFolder()
        let fifo = folder.url.appendingPathComponent("pipe.gz").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let started = Date()
        #expect {
            _ = try RegularFile.openForReading(fifo)
        } throws: { error in
            (error as? FileAccessError)?.problem == "is a named pipe (FIFO), not a regular file"
        }
        #expect(throws: FileAccessError.self) { _ = try RegularFile.read(fifo, limit: 100) }
        #expect(throws: FileAccessError.self) { _ = try RegularFile.openForAppending(fifo) }
        #expect(throws: FileAccessError.self) { try FileVerifier.stream(url: URL(fileURLWithPath: fifo)) { _ in true } }
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func symlinksDirectoriesAndMissingFilesAreNamed() throws {
        let folder = try TemporaryFolder()
        let target = folder.url.appendingPathComponent("real")
        try Data("{}".utf8).write(to: target)
        let link = folder.url.appendingPathComponent("link").path
        #expect(symlink(target.path, link) == 0)
        #expect(try RegularFile.read(link, limit: 10) == Data("{}".utf8))
        #expect {
            _ = try RegularFile.openForReading(link, followSymlinks: false)
        } throws: { error in
            (error as? FileAccessError)?.problem.contains("symbolic link") == true
        }
        #expect {
            _ = try RegularFile.openForReading(folder.url.path)
        } throws: { error in
            (error as? FileAccessError)?.problem == "is a directory, not a regular file"
        }
        #expect {
            _ = try RegularFile.openForReading(folder.url.appendingPathComponent("nope").path)
        } throws: { error in
            (error as? FileAccessError)?.exitStatus == .missing
        }
        #expect(throws: FileAccessError.self) { _ = try RegularFile.read(target.path, limit: 1) }
    }

    /// libcurl reads the CA bundle itself, so a FIFO there must be refused before it gets it.
    @Test func aFIFOAsTheCABundleIsAUsageError() throws {
        let folder = try TemporaryFolder()
        let fifo = folder.url.appendingPathComponent("ca.pem").path
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect {
            _ = try TransferSettings.resolve(caBundle: fifo, environment: [:])
        } throws: { error in
            (error as? UsageError)?.message.contains("is a named pipe (FIFO), not a regular file") == true
        }
    }
}

/// The cancellation flag and its signal handlers.
@Suite(.serialized) struct CancellationTests {
    @Test func aSignalSetsTheFlagUntilStopped() {
        let cancellation = Cancellation()
        let signals = cancellation.cancelOnSignals([SIGUSR1])
        #expect(!cancellation.isCancelled)
        kill(getpid(), SIGUSR1)
        let deadline = Date().addingTimeInterval(5)
        while !cancellation.isCancelled && Date() < deadline { usleep(1000) }
        #expect(cancellation.isCancelled)
        #expect(cancellation.signal == SIGUSR1)
        signals.stop()
        let other = Cancellation()
        #expect(!other.isCancelled)
        other.cancel()
        #expect(other.isCancelled && other.signal == nil)
    }
}

/// The fetch engine's interruption and read-safety over file:// mirrors of a synthetic dataset.
@Suite struct TransferInterruptionTests {
    @Test func aCancelledFetchPlacesNothingAndSaysHowToResume() throws {
        let fixture = try TransferResumeTests.Fixture()
        let container = fixture.containers[.trainImages]!
        try FileManager.default.createDirectory(
            at: fixture.partialURL(.trainImages).deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(container.prefix(container.count / 2)).write(to: fixture.partialURL(.trainImages))
        var options = FetchOptions()
        options.selection = "synthetic"
        options.mirrors = [fixture.directory.appendingPathComponent("mirror/good/").absoluteString]
        options.cancellation = Cancellation()
        options.cancellation?.cancel()
        options.commandLine = ["fetch", "synthetic", "--root", "/tmp/a b"]
        let report = try FetchService(layout: fixture.layout, registry: fixture.registry, options: options, environment: [:]).run()
        #expect(report.exitStatus == .interrupted && report.exitCode == 130 && report.interrupted)
        #expect(report.datasets.first?.status == .interrupted)
        #expect(report.resumeCommand == "fmnist fetch synthetic --root '/tmp/a b'")
        let kept = try #require(report.kept.first { $0.name == fixture.name(.trainImages) })
        #expect(kept.bytes == Int64(container.count / 2))
        #expect(kept.expectedBytes == Int64(container.count))
        #expect(!FileManager.default.fileExists(atPath: fixture.layout.liveDirectory(dataset: "synthetic").path))
        // The next run resumes from the kept bytes and completes.
        options.cancellation = nil
        let again = try FetchService(layout: fixture.layout, registry: fixture.registry, options: options, environment: [:]).run()
        #expect(again.exitStatus == .success)
        #expect(try #require(again.datasets.first?.files.first { $0.role == .trainImages }).resumedFrom == Int64(container.count / 2))
    }

    @Test func aFIFOAsPartialFileIsRefusedWithoutBlocking() throws {
        let fixture = try TransferResumeTests.Fixture()
        let part = fixture.partialURL(.testLabels)
        try FileManager.default.createDirectory(at: part.deletingLastPathComponent(), withIntermediateDirectories: true)
        #expect(mkfifo(part.path, 0o644) == 0)
        #expect {
            _ = try fixture.run([fixture.directory.appendingPathComponent("mirror/good/").absoluteString])
        } throws: { error in
            let access = error as? FileAccessError
            return access?.exitStatus == .workspace && access?.problem == "is a named pipe (FIFO), not a regular file"
                && access?.path == part.path
        }
    }

    @Test func aFIFOAsFileSourceIsSkippedForTheNextMirror() throws {
        let fixture = try TransferResumeTests.Fixture()
        let bad = fixture.directory.appendingPathComponent("mirror/fifo", isDirectory: true)
        try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        for role in FileRole.allCases { #expect(mkfifo(bad.appendingPathComponent(fixture.name(role)).path, 0o644) == 0) }
        let report = try fixture.run([bad.absoluteString, fixture.directory.appendingPathComponent("mirror/good/").absoluteString])
        #expect(report.exitStatus == .success)
        let file = try fixture.file(report, .testLabels)
        #expect(file.skipped.first?.code.rawValue == "not_regular_file")
        #expect(file.skipped.first?.reason.contains("named pipe (FIFO)") == true)
    }
}

/// A temporary folder removed when the value goes away.
final class TemporaryFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("fmnist-rules-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { ScratchFolder.remove(url) }  // read-only version folders included
}

/// Failures grouped per mirror, and the cause a hint is chosen by.
@Suite struct FetchDiagnosisTests {
    static func failed(_ name: String, _ skips: [(String, String, String)]) -> FileFetchReport {
        FileFetchReport(
            dataset: "fashion", role: .trainImages, name: name, status: .failed, mirror: nil,
            skipped: skips.map { MirrorSkip(url: $0.0 + name, code: SkipCode(rawValue: $0.1)!, reason: $0.2, attempts: 1, hostNotFound: $0.2.contains("resolve host")) }, bytesDownloaded: 0,
            resumedFrom: 0, seconds: 0, verdict: nil, message: "every mirror failed", notes: [], httpStatus: nil, etag: nil,
            lastModified: nil, measurement: nil)
    }

    static let dns = "failed: unreachable (Could not resolve host: a.invalid) (gave up after 1 attempt)"

    @Test func failuresAreGroupedPerMirrorAndTheCauseNamed() {
        let files = ["a.gz", "b.gz", "c.gz"].map {
            Self.failed($0, [("http://a.invalid/fm/", "unreachable", Self.dns), ("http://b.invalid/", "unreachable", Self.dns)])
        }
        let groups = FetchDiagnosis.failures(files)
        #expect(groups.map(\.mirror) == ["http://a.invalid/fm/", "http://b.invalid/"])
        #expect(groups.first?.files == ["a.gz", "b.gz", "c.gz"])
        #expect(FetchDiagnosis.cause(files) == .noNetwork)
        // The manifest's file:// source (Debian's folder, absent) does not hide that nothing resolved.
        let withLocal = [Self.failed("a.gz", [("http://a.invalid/", "unreachable", Self.dns), ("file:///usr/share/x/", "local_file", "cannot read")])]
        #expect(FetchDiagnosis.cause(withLocal) == .noNetwork)
    }

    @Test func theCauseFitsWhatTheMirrorsDid() {
        let refused = "failed: unreachable (Failed to connect to 127.0.0.1 port 9: Connection refused)"
        #expect(FetchDiagnosis.cause([Self.failed("a", [("http://x/", "unreachable", refused)])]) == .unreachable)
        #expect(FetchDiagnosis.cause([Self.failed("a", [("http://x/", "http_404", "answered HTTP 404"), ("http://y/", "http_404", "")])]) == .notFound)
        #expect(FetchDiagnosis.cause([Self.failed("a", [("http://x/", "wrong_file", "served MNIST's t10k-images")])]) == .wrongContent)
        #expect(FetchDiagnosis.cause([Self.failed("a", [("http://x/", "offline", "is not a local file:// source")])]) == .offlineOnly)
        #expect(FetchDiagnosis.cause([Self.failed("a", [("s3://bkt/p/a", "http_403", "answered HTTP 403 Forbidden, S3 error AccessDenied")])]) == .s3Access)
        #expect(FetchDiagnosis.cause([Self.failed("a", [("https://x/a", "http_403", "answered HTTP 403 Forbidden")])]) == .other)
        #expect(FetchDiagnosis.cause([Self.failed("a", [("https://x/", "certificate", "not trusted"), ("http://y/", "http_404", "")])]) == .certificate)
        #expect(FetchDiagnosis.cause([Self.failed("a", [("http://x/", "http_404", ""), ("http://y/", "wrong_file", "")])]) == .other)
        // With --offline, the skipped network mirrors do not hide what the local source did.
        let mixed = [Self.failed("a", [("http://x/", "offline", "not local"), ("file:///srv/", "local_file", "cannot read")])]
        #expect(FetchDiagnosis.failures(mixed).map(\.mirror) == ["file:///srv/"])
    }
}
