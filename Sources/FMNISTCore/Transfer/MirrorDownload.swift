import Foundation

/// How a ``MirrorDownload`` checks one kind of file: the ``StreamingCheck`` its bytes stream
/// through as they arrive, its bounds, and what a whole file that passes carries. A gzip'd IDX
/// dataset file is judged against its manifest (``DatasetFileJudge``); an artifact by its pinned
/// size and SHA-256 (``ArtifactJudge``).
///
/// ```swift
/// let judge = ArtifactJudge(dataset: manifest, artifact: artifact)
/// let download = MirrorDownload(target: target, urls: urls, judge: judge, partial: partial, context: context)
/// ```
protocol DownloadJudge {
    associatedtype Check: StreamingCheck
    /// What a whole file that passed carries (its measurement and judgement; nothing for an artifact).
    associatedtype Passed
    /// The rules that turn one request's facts into a ruling (title and stem for messages).
    var rules: AttemptJudge { get }
    /// The most bytes a partial file may hold to be resumed; a larger one is dropped.
    var resumeLimit: Int64 { get }
    /// The transfer bound: a body is cut there whatever the server announces.
    var transferLimit: Int64 { get }
    /// Whether a body that arrives whole is reported by one last progress event (held of held bytes).
    var reportsWholeBody: Bool { get }
    /// A check fed no bytes yet.
    func freshCheck() -> Check
    /// The bytes `check` took in.
    func consumed(_ check: Check) -> Int64
    /// A whole file held from an earlier run: what it passes as, or nil (it is dropped and fetched again).
    func passes(held check: Check) -> Passed?
    /// A whole body just received: its judgement written into `facts` (for ``rules``), and what it carries if kept.
    func judge(body check: Check, into facts: inout AttemptFacts) -> Passed
}

/// What every download of one fetch shares: whether only local (`file://`) sources may be used,
/// the transfer settings (with the run's mirror secrets), the cancellation every transfer and wait
/// polls, and where progress events go.
///
/// ```swift
/// let context = DownloadContext(offline: false, settings: TransferSettings(), cancellation: nil, emit: { print($0) })
/// ```
struct DownloadContext {
    let offline: Bool
    let settings: TransferSettings
    let cancellation: Cancellation?
    let emit: @Sendable (FetchEvent) -> Void
}

/// One file downloaded over its mirrors, for dataset files and artifacts alike: the ``MirrorLoop``
/// takes the URLs in order (offline, deadline, retries, backoff, skips); each request appends to
/// the file's `.part` (resumed with Range and `If-Range` from the sidecar), the ``ResponseGate``
/// judges status and headers, the ``BodySink`` writes and checks the body in one pass within the
/// transfer bound, progress is emitted at most every 0.1 s, and the ``AttemptJudge`` rules on what
/// the request came to. A whole file already held from an earlier run is judged without a transfer.
/// What the bytes are checked with, and what a pass carries, is the `Judge`'s. Runs on one thread.
///
/// ```swift
/// let download = MirrorDownload(target: target, urls: urls, judge: judge, partial: partial, context: context)
/// if case .success(let done) = try download.run() { print(done.url, done.kept.resumedFrom) }
/// ```
struct MirrorDownload<Judge: DownloadJudge> {
    let target: FileTarget
    let urls: [String]
    let judge: Judge
    let partial: PartialDownload
    let context: DownloadContext
    private let sleep: (Double) -> Void
    private let transfer: CurlTransfer
    private var cancellation: Cancellation? { context.cancellation }
    private var emit: @Sendable (FetchEvent) -> Void { context.emit }

    init(
        target: FileTarget, urls: [String], judge: Judge, partial: PartialDownload, context: DownloadContext,
        sleep: ((Double) -> Void)? = nil
    ) {
        self.target = target
        self.urls = urls
        self.judge = judge
        self.partial = partial
        self.context = context
        self.sleep = sleep ?? { [cancellation = context.cancellation] seconds in MirrorLoop.pause(seconds, cancellation: cancellation) }
        transfer = CurlTransfer(settings: context.settings)
    }

    /// A whole file that passed, waiting in its `.part` file, and where its bytes came from.
    struct Kept {
        let passed: Judge.Passed
        /// The URL of the request that completed it (for a file held from before: the sidecar's source, if any).
        let source: String
        let httpStatus: Int?
        let etag: String?
        let lastModified: String?
        /// Bytes the completing request received (0 for a file held from before).
        let bytesTransferred: Int64
        let resumedFrom: Int64
        let duration: Double
    }

    /// A download that yielded a file that passed.
    struct Success {
        let kept: Kept
        let partial: PartialDownload
        /// The URL whose turn kept the file.
        let url: String
        /// URLs given up first, and why.
        let skipped: [MirrorSkip]
        /// Bytes received over all requests.
        let bytesDownloaded: Int64
        let seconds: Double
        /// How long the mirror was busy first, when it was.
        let busy: String?
    }

    enum Outcome {
        case success(Success)
        /// Every URL was given up; `message` says why in one line, `sawUnknown` when valid data of
        /// no known version was refused.
        case failure(skipped: [MirrorSkip], bytesDownloaded: Int64, message: String, sawUnknown: Bool, seconds: Double)
        /// Cancelled (Ctrl-C): the partial file is kept for the next run.
        case interrupted(bytesDownloaded: Int64)
    }

    /// Tries every URL in order until one yields a file that passes.
    func run() throws -> Outcome {
        let started = DispatchTime.now().uptimeNanoseconds
        func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }
        let loop = MirrorLoop(
            target: target, settings: context.settings, offline: context.offline, cancellation: cancellation, emit: emit, sleep: sleep,
            discardPartial: { [partial] in partial.discard() })
        switch try loop.run(urls: urls, expectedSize: target.expectedSize, attempt: attempt) {
        case .kept(let kept, let url, let skips, let downloaded, let busy):
            return .success(
                Success(kept: kept, partial: partial, url: url, skipped: skips, bytesDownloaded: downloaded, seconds: seconds(), busy: busy))
        case .interrupted(let downloaded):
            return .interrupted(bytesDownloaded: downloaded)
        case .exhausted(let skips, let downloaded, let message, let sawUnknown):
            return .failure(skipped: skips, bytesDownloaded: downloaded, message: message, sawUnknown: sawUnknown, seconds: seconds())
        }
    }

    // MARK: - One attempt

    private func attempt(_ url: String, deadline: UInt64) throws -> MirrorLoop.Step<Kept> {
        // The check primed with the bytes already held; a partial file too large or already faulty is dropped.
        var (check, offset) = partial.primed(judge.freshCheck, limit: judge.resumeLimit, consumed: judge.consumed)
        let sidecar = partial.sidecar()

        // A complete file left by an earlier run (killed after the last byte): judge it, no transfer.
        if offset > 0 && offset == target.expectedSize {
            if let passed = judge.passes(held: check) {
                let kept = Kept(
                    passed: passed, source: sidecar?.source ?? url, httpStatus: nil, etag: sidecar?.etag,
                    lastModified: sidecar?.lastModified, bytesTransferred: 0, resumedFrom: offset, duration: 0)
                return MirrorLoop.Step(
                    verdict: AttemptVerdict(ruling: .keep, code: .ok, madeProgress: false, discardPartial: false), bytes: 0, kept: kept)
            }
            partial.discard()
            (check, offset) = (judge.freshCheck(), 0)
        }
        if let refused = AttemptVerdict.unreadableLocalSource(url) { return MirrorLoop.Step(verdict: refused, bytes: 0, kept: nil) }

        let (result, sink, facts) = try request(url, offset: offset, sidecar: sidecar, check: check, deadline: deadline)
        var judged = facts
        var kept: Kept? = nil
        if facts.stop == nil && facts.refusal == nil && facts.failure == nil {
            // The whole body arrived: finish the one-pass check and judge the bytes.
            let passed = judge.judge(body: sink.verifier, into: &judged)
            if judge.reportsWholeBody {
                let elapsed = result.duration
                emit(.progress(
                    target, bytes: sink.held, total: sink.held, bytesPerSecond: elapsed > 0 ? Double(result.bytes) / elapsed : 0, url: url))
            }
            let response = result.response
            kept = Kept(
                passed: passed, source: url, httpStatus: (response?.status ?? 0) == 0 ? nil : response?.status, etag: response?.etag,
                lastModified: response?.lastModified, bytesTransferred: result.bytes, resumedFrom: facts.resumed ? offset : 0,
                duration: result.duration)
        }
        let verdict = judge.rules.judge(judged)
        if verdict.discardPartial { partial.discard() }
        return MirrorLoop.Step(verdict: verdict, bytes: result.bytes, kept: verdict.ruling == .keep ? kept : nil)
    }

    /// One request that appends to the `.part` file: the gate judges the status and headers (a
    /// refused answer, or a server that ignored Range and restarts the whole file), the sidecar
    /// records where the bytes came from (for `If-Range` on the next resume), the sink writes and
    /// checks the body. Returns curl's result, the sink, and the facts so far for the judge.
    private func request(
        _ url: String, offset: Int64, sidecar: PartialDownload.Sidecar?, check: Judge.Check, deadline: UInt64
    ) throws -> (TransferResult, BodySink<Judge.Check>, AttemptFacts) {
        let writer = try partial.openForAppend()
        defer { writer.close() }
        let request = TransferRequest(url: url, offset: offset, ifRange: offset > 0 ? sidecar?.ifRange(resuming: url) : nil)
        let (target, emit, partial, limit) = (target, emit, partial, judge.transferLimit)
        emit(.started(target, url: url, offset: offset))
        let gate = ResponseGate(offset: offset, containerLimit: limit, name: target.name)
        let sink = BodySink(writer: writer, verifier: check, held: offset, limit: limit, makeVerifier: judge.freshCheck)
        var facts = AttemptFacts(offset: offset)
        var total: Int64? = target.expectedSize
        var lastEmit: UInt64 = 0
        let startTime = DispatchTime.now().uptimeNanoseconds
        let result = transfer.perform(
            request, deadline: deadline, cancellation: cancellation,
            onResponse: { response in
                switch gate.decide(response) {
                case .refuse(let refusal):
                    facts.refusal = refusal
                    return false
                case .restartWhole(let size):
                    guard sink.restart() else { return false }
                    facts.restarted = true
                    total = size ?? total
                    emit(.restarted(target, url: url, reason: "the server ignored the Range request; downloading the whole file"))
                case .accept(let size):
                    total = size ?? total
                }
                do {
                    try partial.writeSidecar(PartialDownload.Sidecar(source: url, etag: response.etag, lastModified: response.lastModified))
                } catch {
                    sink.fail(error)
                    return false
                }
                return true
            },
            onData: { chunk in
                guard sink.accept(chunk) else { return false }
                let now = DispatchTime.now().uptimeNanoseconds
                if now - lastEmit > 100_000_000 {
                    lastEmit = now
                    let elapsed = Double(now - startTime) / 1e9
                    emit(.progress(target, bytes: sink.held, total: total, bytesPerSecond: elapsed > 0 ? Double(sink.received) / elapsed : 0, url: url))
                }
                return true
            })
        writer.close()
        if let writeError = sink.writeError { throw writeError }
        if partial.size == 0 { partial.discard() }
        facts.bytes = result.bytes
        facts.stop = sink.stop
        facts.failure = result.failure
        facts.retryAfter = result.retryAfter
        return (result, sink, facts)
    }
}
