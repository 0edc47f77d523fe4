import Foundation

/// A verified artifact waiting in its `.part` file (size and SHA-256 are the pinned ones).
struct FetchedArtifact: Sendable {
    let partial: PartialDownload
    let url: String
    let httpStatus: Int?
    let etag: String?
    let lastModified: String?
    let resumedFrom: Int64
    let skipped: [MirrorSkip]
    let bytesDownloaded: Int64
    let seconds: Double
}

/// The outcome of fetching one artifact.
enum ArtifactFetchOutcome: Sendable {
    case success(FetchedArtifact)
    /// Every URL failed; each skip says why.
    case failure(skipped: [MirrorSkip], bytesDownloaded: Int64, message: String)
    /// Cancelled (Ctrl-C): the partial file is kept for the next run.
    case interrupted(bytesDownloaded: Int64)
}

/// Fetches one artifact (keras's `mnist.npz`) over its URLs in order, with the same per-request
/// rules as the dataset files (``ResponseGate``, ``BodySink``, ``AttemptJudge``, ``MirrorTurn``:
/// retries with backoff, Range resume from `.fmnist/partial/<dataset>/<name>.part`, the body cut at
/// twice the pinned size + 1 MiB, a deadline per URL), but judged by size and SHA-256 alone
/// (``DigestVerifier``): an artifact is no gzip'd IDX file. The array cross-check comes after.
final class ArtifactFetcher {
    let dataset: Manifest
    let artifact: ManifestArtifact
    let urls: [String]
    let offline: Bool
    let settings: TransferSettings
    let partial: PartialDownload
    let cancellation: Cancellation?
    let emit: @Sendable (FetchEvent) -> Void
    /// What progress events name (displays show only its label, `mnist/mnist.npz`; FileTarget
    /// needs a role, so it carries the role of the artifact's first array).
    let target: FileTarget
    private let transfer: CurlTransfer
    private let rules: AttemptJudge
    private let sleep: (Double) -> Void

    init(
        dataset: Manifest, artifact: ManifestArtifact, urls: [String], offline: Bool, settings: TransferSettings,
        layout: WorkspaceLayout, cancellation: Cancellation?, emit: @escaping @Sendable (FetchEvent) -> Void,
        sleep: ((Double) -> Void)? = nil
    ) {
        self.dataset = dataset
        self.artifact = artifact
        self.urls = urls
        self.offline = offline
        self.settings = settings
        self.cancellation = cancellation
        self.emit = emit
        partial = PartialDownload(layout: layout, dataset: dataset.name, name: artifact.name)
        target = FileTarget(
            dataset: dataset.name, datasetTitle: dataset.title, role: artifact.orderedArrays.first?.role ?? .trainImages,
            name: artifact.name, expectedSize: artifact.size)
        transfer = CurlTransfer(settings: settings)
        rules = AttemptJudge(title: dataset.title, stem: artifact.name, acceptUnknown: false)
        self.sleep = sleep ?? { seconds in FileFetcher.pause(seconds, cancellation: cancellation) }
    }

    /// The transfer bound: twice the pinned size plus 1 MiB (the verifier stops earlier, at the pinned size).
    var containerLimit: Int64 { 2 * artifact.size + (1 << 20) }

    func run() throws -> ArtifactFetchOutcome {
        let started = DispatchTime.now().uptimeNanoseconds
        let loop = MirrorLoop(
            target: target, settings: settings, offline: offline, cancellation: cancellation, emit: emit, sleep: sleep,
            discardPartial: { [partial] in partial.discard() })
        let outcome = try loop.run(urls: urls, expectedSize: artifact.size) { url, deadline in
            let attempt = try self.attempt(url, deadline: deadline)
            return MirrorLoop.Step(verdict: attempt.verdict, bytes: attempt.bytes, kept: attempt.kept)
        }
        switch outcome {
        case .kept(let kept, let url, let skips, let downloaded, _):
            return .success(FetchedArtifact(
                partial: partial, url: url, httpStatus: kept.httpStatus, etag: kept.etag, lastModified: kept.lastModified,
                resumedFrom: kept.resumedFrom, skipped: skips, bytesDownloaded: downloaded,
                seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9))
        case .interrupted(let downloaded):
            return .interrupted(bytesDownloaded: downloaded)
        case .exhausted(let skips, let downloaded, let message, _):
            return .failure(skipped: skips, bytesDownloaded: downloaded, message: message)
        }
    }

    // MARK: - One attempt

    struct Attempt {
        struct Kept {
            let httpStatus: Int?
            let etag: String?
            let lastModified: String?
            let resumedFrom: Int64
        }
        let verdict: AttemptVerdict
        let bytes: Int64
        var kept: Kept? = nil
    }

    private func freshVerifier() -> DigestVerifier { DigestVerifier(size: artifact.size, sha256: artifact.sha256) }

    /// The verifier primed with the bytes already held, and their count; a partial file that is
    /// larger than the pinned size or not readable is dropped.
    private func primedVerifier() -> (DigestVerifier, Int64) {
        partial.primed(freshVerifier, limit: artifact.size, consumed: \.size)
    }

    /// The facts of a whole body: the pinned file, or why not.
    private func judgeWhole(_ verifier: DigestVerifier, into facts: inout AttemptFacts) {
        if let problem = verifier.finish() {
            facts.status = .corrupt
            facts.message = problem
            facts.faultCode = verifier.size < artifact.size ? "truncated" : "wrong_sha256"
        } else {
            facts.status = .ok
        }
    }

    private func attempt(_ url: String, deadline: UInt64) throws -> Attempt {
        var (verifier, offset) = primedVerifier()
        let sidecar = partial.sidecar()
        // A complete file left by an earlier run: check it, no transfer.
        if offset > 0 && offset == artifact.size {
            if verifier.finish() == nil {
                return Attempt(
                    verdict: AttemptVerdict(ruling: .keep, code: "ok", madeProgress: false, discardPartial: false), bytes: 0,
                    kept: Attempt.Kept(httpStatus: nil, etag: sidecar?.etag, lastModified: sidecar?.lastModified, resumedFrom: offset))
            }
            partial.discard()
            (verifier, offset) = (freshVerifier(), 0)
        }
        if let refused = AttemptVerdict.unreadableLocalSource(url) { return Attempt(verdict: refused, bytes: 0) }
        let done = try PartialRequest(partial: partial, target: target, transfer: transfer, emit: emit).perform(
            url, offset: offset, sidecar: sidecar, verifier: verifier, limit: containerLimit, expectedTotal: artifact.size,
            deadline: deadline, cancellation: cancellation, makeVerifier: freshVerifier)
        let result = done.result
        var facts = done.facts
        if done.complete { judgeWhole(done.sink.verifier, into: &facts) }
        let verdict = rules.judge(facts)
        if verdict.discardPartial { partial.discard() }
        var attempt = Attempt(verdict: verdict, bytes: result.bytes)
        if verdict.ruling == .keep {
            let response = result.response
            attempt.kept = Attempt.Kept(
                httpStatus: (response?.status ?? 0) == 0 ? nil : response?.status, etag: response?.etag,
                lastModified: response?.lastModified, resumedFrom: facts.resumed ? offset : 0)
        }
        return attempt
    }
}
