import Foundation
import Testing

@testable import FMNISTCore
import TestSupport

/// A herd on one mirror: `Retry-After`, full-jitter backoff of busy mirrors until the file's
/// deadline, the per-host transfer cap, and the cause named when a busy mirror is given up.
@Suite struct TransferHerdTests {
    // MARK: Retry-After

    @Test func retryAfterInSeconds() {
        #expect(RetryAfter.seconds("7") == 7)
        #expect(RetryAfter.seconds(" 0 ") == 0)
        #expect(RetryAfter.seconds("120") == 120)
        // Capped at a day, however many digits.
        #expect(RetryAfter.seconds("99999999999999999999999999") == RetryAfter.maximum)
    }

    @Test func retryAfterAsAnHTTPDateIsReadAgainstTheAnswersDate() throws {
        let date = "Mon, 07 Dec 2026 04:20:00 GMT"
        #expect(RetryAfter.seconds("Mon, 07 Dec 2026 04:20:30 GMT", date: date) == 30)
        // The obsolete RFC 850 and asctime forms (asctime pads a one-digit day with a space).
        #expect(RetryAfter.seconds("Monday, 07-Dec-26 04:21:00 GMT", date: date) == 60)
        #expect(RetryAfter.seconds("Mon Dec  7 04:20:05 2026", date: date) == 5)
        // Without a Date header, the local clock is the reference; a date in the past means now.
        let now = try #require(RetryAfter.httpDate(date))
        #expect(RetryAfter.seconds("Mon, 07 Dec 2026 04:20:10 GMT", now: now) == 10)
        #expect(RetryAfter.seconds("Mon, 07 Dec 2026 04:19:00 GMT", date: date) == 0)
        // An unreadable Date header falls back to the clock.
        #expect(RetryAfter.seconds("Mon, 07 Dec 2026 04:20:10 GMT", date: "yesterday", now: now) == 10)
        // Far in the future: capped at a day.
        #expect(RetryAfter.seconds("Fri, 01 Jan 2100 00:00:00 GMT", date: date) == RetryAfter.maximum)
    }

    @Test(arguments: ["", "soon", "-5", "1.5", "5s", "0x10", "٣", "Mon, 32 Dec 2026 04:20:00 GMT", "2026-12-07T04:20:00Z"])
    func garbageRetryAfterIsIgnored(_ value: String) {
        #expect(RetryAfter.seconds(value) == nil)
    }

    // MARK: Backoff

    @Test func busyBackoffIsFullJitterOverRetryAfterAndReproducibleWithASeed() {
        let policy = RetryPolicy(retries: 3, baseDelay: 0.5, maxDelay: 8)
        func draws(_ seed: UInt64, retryAfter: Double?) -> [Double] {
            var random = SeededRandom(seed: seed)
            return (0..<40).map { policy.overloadDelay(forRetry: $0, retryAfter: retryAfter, using: &random) }
        }
        // Deterministic with a seeded generator; another seed draws other delays.
        #expect(draws(42, retryAfter: nil) == draws(42, retryAfter: nil))
        #expect(draws(42, retryAfter: nil) != draws(43, retryAfter: nil))
        for (retry, delay) in draws(7, retryAfter: nil).enumerated() {
            #expect(delay >= 0 && delay <= policy.ceiling(forRetry: retry))
        }
        // Retry-After is a floor: the jitter comes on top of it, never below.
        for (retry, delay) in draws(7, retryAfter: 3).enumerated() {
            #expect(delay >= 3 && delay <= 3 + policy.ceiling(forRetry: retry))
        }
        // Full jitter: a herd's retries at the cap spread over the whole window, down near zero too.
        var random = SeededRandom(seed: 1)
        let spread = (0..<400).map { _ in policy.overloadDelay(forRetry: 10, retryAfter: nil, using: &random) }
        #expect(spread.min()! < 0.5 && spread.max()! > 7.5)
        let mean = spread.reduce(0, +) / Double(spread.count)
        #expect(abs(mean - 4) < 0.5)
    }

    @Test func busyFailuresAreOverloadsAndRetriedByTheDeadline() {
        #expect(TransferFailure.httpStatus(503).isOverload && TransferFailure.httpStatus(429).isOverload)
        #expect(TransferFailure.s3(status: 503, code: "SlowDown", message: nil).isOverload)
        #expect(TransferFailure.refused(message: "Connection refused").isOverload)
        #expect(TransferFailure.refused(message: "Connection refused").isTransient)
        #expect(!TransferFailure.httpStatus(500).isOverload && !TransferFailure.httpStatus(502).isOverload)
        #expect(!TransferFailure.unreachable(message: "Connection refused").isOverload)
        #expect(!TransferFailure.connectionLost(message: "reset").isOverload)
        #expect(TransferFailure.refused(message: "x").skipCode == .refused)
    }

    // MARK: A busy mirror's turn

    static let target = FileTarget(
        dataset: "fashion", datasetTitle: "Fashion-MNIST", role: .testLabels, name: "t10k-labels-idx1-ubyte.gz", expectedSize: 5148)

    /// Runs a mirror loop over one URL whose every answer is `failure` (with `retryAfter`), with a
    /// deadline of `deadline` seconds; returns the outcome and the number of requests.
    static func busyLoop(deadline: Double, retryAfter: Double?, failure: TransferFailure = .httpStatus(503))
        -> (MirrorLoop.Outcome<Int>, Int, [FetchEvent])
    {
        var settings = TransferSettings()
        settings.deadlineBase = deadline
        settings.minimumRate = 1e12
        settings.retry = RetryPolicy(retries: 0, baseDelay: 0.02, maxDelay: 0.1)
        let events = LockedBox([FetchEvent]())
        let loop = MirrorLoop(
            target: target, settings: settings, offline: false, cancellation: nil, emit: { event in events.withLock { $0.append(event) } },
            sleep: { Thread.sleep(forTimeInterval: $0) }, discardPartial: {})
        let judge = AttemptJudge(title: "Fashion-MNIST", stem: "t10k-labels", acceptUnknown: false)
        var requests = 0
        let outcome = try! loop.run(urls: ["http://127.0.0.1:9/fashion/t10k-labels-idx1-ubyte.gz"], expectedSize: 5148) { _, _ -> MirrorLoop.Step<Int> in
            requests += 1
            return MirrorLoop.Step(verdict: judge.judge(AttemptFacts(failure: failure, retryAfter: retryAfter)), bytes: 0, kept: nil)
        }
        return (outcome, requests, events.withLock { $0 })
    }

    @Test func aBusyMirrorIsRetriedUntilTheDeadlineAndTheCauseIsNamed() throws {
        let started = Date()
        let (outcome, requests, events) = Self.busyLoop(deadline: 1.5, retryAfter: nil)
        let elapsed = Date().timeIntervalSince(started)
        guard case .exhausted(let skips, _, _, _) = outcome else {
            Issue.record("expected the mirror to be given up, got \(outcome)")
            return
        }
        // Far more than the fixed count of old (4 tries), within the deadline (less the last second
        // a try needs).
        #expect(requests > 4, "\(requests) requests")
        #expect(elapsed >= 0.4 && elapsed < 2, "\(elapsed) s")
        let skip = try #require(skips.first)
        #expect(skip.code.rawValue == "overloaded")
        #expect(skip.reason.hasPrefix("mirror overloaded (HTTP 503 Service Unavailable): retried \(requests - 1) times over "), "\(skip.reason)")
        #expect(skip.reason.contains("allowed for t10k-labels-idx1-ubyte.gz on one mirror"), "\(skip.reason)")
        // Each retry was announced as a busy mirror.
        let retries = events.filter { if case .retrying(_, _, let reason, _, _) = $0 { reason.hasPrefix("busy: HTTP 503") } else { false } }
        #expect(retries.count == requests - 1)
        // The dataset's failure is diagnosed as an overloaded mirror, not a network problem.
        let report = FileFetchReport(
            dataset: "fashion", role: .testLabels, name: Self.target.name, status: .failed, mirror: nil, skipped: skips,
            bytesDownloaded: 0, resumedFrom: 0, seconds: elapsed, verdict: nil, message: "every mirror failed", notes: [],
            httpStatus: nil, etag: nil, lastModified: nil, measurement: nil)
        #expect(FetchDiagnosis.cause([report]) == .overloaded)
    }

    @Test func retryAfterPastTheDeadlineGivesTheMirrorUpAtOnce() throws {
        let started = Date()
        let (outcome, requests, _) = Self.busyLoop(deadline: 30, retryAfter: 3600, failure: .httpStatus(429))
        #expect(Date().timeIntervalSince(started) < 5)
        guard case .exhausted(let skips, _, _, _) = outcome else {
            Issue.record("expected the mirror to be given up, got \(outcome)")
            return
        }
        #expect(requests == 1)
        let reason = try #require(skips.first?.reason)
        #expect(reason.contains("HTTP 429 Too Many Requests"), "\(reason)")
        #expect(reason.contains("asked to retry after 3600 s (Retry-After), past the 30 s left"), "\(reason)")
    }

    @Test func retryAfterWithinTheDeadlineIsWaitedFor() {
        var settings = TransferSettings()
        settings.deadlineBase = 30
        settings.retry = RetryPolicy(retries: 0, baseDelay: 0.01, maxDelay: 0.01)
        let slept = LockedBox([Double]())
        let loop = MirrorLoop(
            target: Self.target, settings: settings, offline: false, cancellation: nil, emit: { _ in },
            sleep: { seconds in slept.withLock { $0.append(seconds) } }, discardPartial: {})
        let judge = AttemptJudge(title: "Fashion-MNIST", stem: "t10k-labels", acceptUnknown: false)
        var requests = 0
        let outcome = try! loop.run(urls: ["http://127.0.0.1:9/x.gz"], expectedSize: 5148) { _, _ -> MirrorLoop.Step<Int> in
            requests += 1
            if requests < 3 {
                return MirrorLoop.Step(verdict: judge.judge(AttemptFacts(failure: .httpStatus(503), retryAfter: 2)), bytes: 0, kept: nil)
            }
            return MirrorLoop.Step(verdict: AttemptVerdict(ruling: .keep, code: .ok, madeProgress: true, discardPartial: false), bytes: 10, kept: 1)
        }
        guard case .kept(_, _, _, _, let busy) = outcome else {
            Issue.record("expected the file, got \(outcome)")
            return
        }
        #expect(busy == "the mirror was busy (HTTP 503 Service Unavailable): retried 2 times over 0 s")
        let delays = slept.withLock { $0 }
        #expect(delays.count == 2 && delays.allSatisfy { $0 >= 2 && $0 <= 2.01 }, "\(delays)")
    }

    // MARK: Per-host cap

    @Test func hostKeysNameSchemeHostAndPort() {
        #expect(HostSlots.key("http://127.0.0.1:8080/fashion/a.gz") == "http://127.0.0.1:8080")
        #expect(HostSlots.key("HTTPS://Mirror.Example.org/x/") == "https://mirror.example.org:443")
        #expect(HostSlots.key("http://example.org/x") == "http://example.org:80")
        #expect(HostSlots.key("file:///tmp/x.gz") == nil)
        #expect(HostSlots.key("not a url") == nil)
    }

    @Test func aHostHasAtMostItsSlotsAndAWaiterGetsTheNextOne() {
        let slots = HostSlots()
        let key = "http://slots.test:1"
        #expect(slots.acquire(key, limit: 2, deadline: nil, cancellation: nil) == .acquired)
        #expect(slots.acquire(key, limit: 2, deadline: nil, cancellation: nil) == .acquired)
        // A third waits until its deadline…
        let soon = DispatchTime.now().uptimeNanoseconds + 200_000_000
        #expect(slots.acquire(key, limit: 2, deadline: soon, cancellation: nil) == .pastDeadline)
        #expect(DispatchTime.now().uptimeNanoseconds >= soon)
        // … or until it is cancelled …
        let cancellation = Cancellation()
        cancellation.cancel()
        #expect(slots.acquire(key, limit: 2, deadline: nil, cancellation: cancellation) == .cancelled)
        // … or until a slot is given back; another host is not held up.
        #expect(slots.acquire("http://other.test:1", limit: 2, deadline: soon, cancellation: nil) == .acquired)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { slots.release(key) }
        #expect(slots.acquire(key, limit: 2, deadline: DispatchTime.now().uptimeNanoseconds + 5_000_000_000, cancellation: nil) == .acquired)
        #expect(slots.inUse(key) == 2)
        #expect(!slots.hasAnswered(key))
        slots.markAnswered(key)
        #expect(slots.hasAnswered(key))
    }

    /// A refused connection reads as "busy" only from a host that has answered this process before
    /// (a full accept queue); from one that never answered, it is "unreachable" (down), as before.
    @Test func aHostThatAnsweredAndThenRefusesIsBusyNotDown() throws {
        let folder = try TemporaryFolder()
        try Data("hello".utf8).write(to: folder.url.appendingPathComponent("a.txt"))
        let server = try MirrorServer(root: folder.url)
        let transfer = CurlTransfer(settings: TransferSettings())
        func get(_ url: String) -> TransferResult {
            transfer.perform(TransferRequest(url: url), onResponse: { _ in true }, onData: { _ in true })
        }
        #expect(get(server.url("a.txt")).failure == nil)
        server.stop()
        let refused = get(server.url("a.txt")).failure
        guard case .refused? = refused else {
            Issue.record("expected a refusal read as busy, got \(String(describing: refused))")
            return
        }
        #expect(refused?.isOverload == true)
        // Port 9 (discard) on loopback: nothing listens there and nothing answered from it.
        let never = get("http://127.0.0.1:9/a.txt").failure
        guard case .unreachable? = never else {
            Issue.record("expected unreachable, got \(String(describing: never))")
            return
        }
    }

    @Test func hostConnectionsFromTheEnvironment() throws {
        #expect(try TransferSettings.resolve(environment: [:]).hostConnections == 4)
        #expect(try TransferSettings.resolve(environment: ["FMNIST_HOST_CONNECTIONS": "12"]).hostConnections == 12)
        for bad in ["0", "33", "many"] {
            #expect(throws: UsageError.self) { try TransferSettings.resolve(environment: ["FMNIST_HOST_CONNECTIONS": bad]) }
        }
    }
}
