import Foundation

/// A file fetched and verified, waiting in its `.part` file to be installed.
struct FetchedFile: Sendable {
    let target: FileTarget
    let partial: PartialDownload
    let measurement: FileMeasurement
    let judgement: FileReport
    let provenance: FileProvenance?
    let report: FileFetchReport
}

/// Why a file could not be fetched from any mirror.
struct FileFetchFailure: Sendable {
    let target: FileTarget
    /// True when at least one mirror served valid data that matches no known version.
    let sawUnknownContent: Bool
    let report: FileFetchReport
}

/// The outcome of fetching one file.
enum FileFetchOutcome: Sendable {
    case success(FetchedFile)
    case failure(FileFetchFailure)
    /// Cancelled (Ctrl-C): the partial file is kept for the next run.
    case interrupted(FileTarget, bytesDownloaded: Int64)
}

/// Fetches one file: mirrors in order, transient failures retried with backoff, the bytes verified
/// as they arrive (one pass), resumed from `.fmnist/partial` with HTTP Range, and every mirror that
/// is given up recorded with its reason. Runs on one worker thread.
///
/// Each request goes through three steps: the ``ResponseGate`` judges the status and headers, the
/// ``BodySink`` writes the body to the partial file and the verifier (bounded in container bytes),
/// and the ``AttemptJudge`` turns what was measured into a ruling; a ``MirrorTurn`` decides whether
/// the mirror gets another try. Each mirror's turn at a file has an overall deadline
/// (``TransferSettings/deadline(forSize:)``), retries and backoff included.
final class FileFetcher {
    let target: FileTarget
    let manifest: Manifest
    let mirrors: [String]
    let offline: Bool
    let acceptUnknown: Bool
    let settings: TransferSettings
    let judge: DatasetVerifier
    let destination: URL
    let partial: PartialDownload
    let emit: @Sendable (FetchEvent) -> Void
    let cancellation: Cancellation?
    private let transfer: CurlTransfer
    /// Decompression bound: the largest payload this role has in any known version.
    private let payloadLimit: Int64
    /// No container of this role is larger than this (see ``containerLimit(for:)``).
    let containerLimit: Int64
    private let sleep: (Double) -> Void
    private let rules: AttemptJudge

    init(
        target: FileTarget, manifest: Manifest, mirrors: [String], offline: Bool, acceptUnknown: Bool,
        settings: TransferSettings, judge: DatasetVerifier, layout: WorkspaceLayout, cancellation: Cancellation? = nil,
        emit: @escaping @Sendable (FetchEvent) -> Void, sleep: ((Double) -> Void)? = nil
    ) {
        self.target = target
        self.manifest = manifest
        self.mirrors = mirrors
        self.offline = offline
        self.acceptUnknown = acceptUnknown
        self.settings = settings
        self.judge = judge
        self.destination = layout.liveDirectory(dataset: manifest.name).appendingPathComponent(target.name)
        self.partial = PartialDownload(layout: layout, dataset: manifest.name, name: target.name)
        self.emit = emit
        self.cancellation = cancellation
        self.sleep = sleep ?? { seconds in Self.pause(seconds, cancellation: cancellation) }
        transfer = CurlTransfer(settings: settings)
        payloadLimit = manifest.versions.map { $0.file(target.role).payload.size }.max() ?? StreamingVerifier.defaultPayloadLimit
        containerLimit = Self.containerLimit(for: manifest, role: target.role)
        rules = AttemptJudge(title: manifest.title, stem: target.role.fileStem, acceptUnknown: acceptUnknown)
    }

    /// The container bound of a role: twice the largest container of that role in any known
    /// version, plus 1 MiB. A transfer is cut there whatever the server announces.
    static func containerLimit(for manifest: Manifest, role: FileRole) -> Int64 {
        2 * (manifest.versions.map { $0.file(role).container.size }.max() ?? 0) + (1 << 20)
    }

    /// Sleeps `seconds` in short slices, returning early when `cancellation` is set.
    static func pause(_ seconds: Double, cancellation: Cancellation?) {
        let end = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1e9)
        while DispatchTime.now().uptimeNanoseconds < end {
            if cancellation?.isCancelled == true { return }
            let left = Double(end - min(end, DispatchTime.now().uptimeNanoseconds)) / 1e9
            Thread.sleep(forTimeInterval: min(0.05, left))
        }
    }

    // MARK: - Per file

    /// Tries every mirror in order until one yields verified bytes.
    func run() throws -> FileFetchOutcome {
        let started = DispatchTime.now().uptimeNanoseconds
        func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }
        let loop = MirrorLoop(
            target: target, settings: settings, offline: offline, cancellation: cancellation, emit: emit, sleep: sleep,
            discardPartial: { [partial] in partial.discard() })
        let urls = mirrors.map { MirrorURL.join($0, target.name) }
        let outcome = try loop.run(urls: urls, expectedSize: target.expectedSize) { url, deadline in
            let attempt = try self.attempt(url, deadline: deadline)
            return MirrorLoop.Step(verdict: attempt.verdict, bytes: attempt.bytes, kept: attempt.kept.map { (attempt, $0) })
        }
        switch outcome {
        case .kept(let (attempt, kept), let url, let skips, let downloaded, let busy):
            return .success(
                verified(kept, attempt: attempt, url: url, skips: skips, downloaded: downloaded, seconds: seconds(), busy: busy))
        case .interrupted(let downloaded):
            return .interrupted(target, bytesDownloaded: downloaded)
        case .exhausted(let skips, let downloaded, let message, let sawUnknown):
            let report = FileFetchReport(
                dataset: target.dataset, role: target.role, name: target.name, status: .failed, mirror: nil, skipped: skips,
                bytesDownloaded: downloaded, resumedFrom: 0, seconds: seconds(), verdict: nil, message: message, notes: [],
                httpStatus: nil, etag: nil, lastModified: nil, measurement: nil)
            return .failure(FileFetchFailure(target: target, sawUnknownContent: sawUnknown, report: report))
        }
    }

    private func verified(
        _ kept: Attempt.Kept, attempt: Attempt, url: String, skips: [MirrorSkip], downloaded: Int64, seconds: Double, busy: String?
    ) -> FetchedFile {
        let judgement = kept.judgement
        var notes = judgement.notes
        if let busy { notes.append(busy) }
        if judgement.status == .unknown { notes.append("matches no known version; kept because of --accept-unknown") }
        let message: String
        switch judgement.status {
        case .recompressed: message = "verified: same data as \(judgement.identifiedAs ?? "the published file"), different gzip container"
        case .unknown, .acceptedUnknown: message = "valid, but matches no known version of \(manifest.title) (accepted)"
        default: message = "verified"
        }
        let provenance = kept.provenance
        let report = FileFetchReport(
            dataset: target.dataset, role: target.role, name: target.name,
            status: attempt.bytes == 0 && provenance.bytesTransferred == 0 && kept.resumedFrom > 0 ? .reused : .downloaded,
            mirror: provenance.mirrorURL, skipped: skips, bytesDownloaded: downloaded, resumedFrom: kept.resumedFrom, seconds: seconds,
            verdict: judgement.status == .unknown ? .acceptedUnknown : judgement.status,
            message: message, notes: notes, httpStatus: provenance.httpStatus, etag: provenance.etag,
            lastModified: provenance.lastModified, measurement: kept.measurement)
        return FetchedFile(
            target: target, partial: partial, measurement: kept.measurement, judgement: judgement, provenance: provenance, report: report)
    }

    // MARK: - One attempt

    /// What one request to one mirror came to.
    struct Attempt {
        /// A whole file that passed: what install needs.
        struct Kept {
            let measurement: FileMeasurement
            let judgement: FileReport
            let provenance: FileProvenance
            let resumedFrom: Int64
        }
        let verdict: AttemptVerdict
        /// Bytes received in this request.
        let bytes: Int64
        /// Set when the ruling is `.keep`.
        var kept: Kept? = nil
    }

    private func freshVerifier() -> StreamingVerifier {
        StreamingVerifier(payloadLimit: payloadLimit, classCount: manifest.classes.count)
    }

    /// The verifier primed with the bytes already held, and their count. A partial file that is
    /// too large or already faulty is dropped.
    private func primedVerifier() -> (StreamingVerifier, Int64) {
        partial.primed(freshVerifier, limit: containerLimit, consumed: \.bytesConsumed)
    }

    /// Judges a complete file against the manifest (no transfer).
    private func judgeWhole(_ measurement: FileMeasurement) -> FileReport {
        judge.judge(measurement: measurement, role: target.role, url: destination, manifest: manifest)
    }

    private func attempt(_ url: String, deadline: UInt64) throws -> Attempt {
        var (verifier, offset) = primedVerifier()
        let sidecar = partial.sidecar()

        // A complete file left by an earlier run (killed after the last byte): verify it, no transfer.
        if offset > 0 && offset == target.expectedSize {
            let measurement = verifier.finish()
            let judgement = judgeWhole(measurement)
            if judgement.status.isValid || (judgement.status == .unknown && acceptUnknown) {
                let provenance = FileProvenance(
                    role: target.role, containerSHA256: measurement.containerSHA256, mirrorURL: sidecar?.source ?? url,
                    httpStatus: nil, etag: sidecar?.etag, lastModified: sidecar?.lastModified, bytesTransferred: 0,
                    resumedFrom: offset, duration: 0)
                return Attempt(
                    verdict: AttemptVerdict(ruling: .keep, code: "ok", madeProgress: false, discardPartial: false), bytes: 0,
                    kept: Attempt.Kept(measurement: measurement, judgement: judgement, provenance: provenance, resumedFrom: offset))
            }
            partial.discard()
            (verifier, offset) = (freshVerifier(), 0)
        }
        if let refused = AttemptVerdict.unreadableLocalSource(url) { return Attempt(verdict: refused, bytes: 0) }

        let done = try PartialRequest(partial: partial, target: target, transfer: transfer, emit: emit).perform(
            url, offset: offset, sidecar: sidecar, verifier: verifier, limit: containerLimit, expectedTotal: target.expectedSize,
            deadline: deadline, cancellation: cancellation, makeVerifier: freshVerifier)
        let (result, sink) = (done.result, done.sink)
        var facts = done.facts

        var kept: Attempt.Kept? = nil
        if done.complete {
            // The whole body arrived: finish the one-pass verification and judge the bytes.
            let measurement = sink.verifier.finish()
            let judgement = judgeWhole(measurement)
            let elapsed = result.duration
            emit(.progress(target, bytes: sink.held, total: sink.held, bytesPerSecond: elapsed > 0 ? Double(result.bytes) / elapsed : 0, url: url))
            facts.status = judgement.status
            facts.message = judgement.message
            facts.identifiedAs = judgement.identifiedAs
            facts.faultCode = measurement.fault?.code
            let response = result.response
            let provenance = FileProvenance(
                role: target.role, containerSHA256: measurement.containerSHA256, mirrorURL: url,
                httpStatus: (response?.status ?? 0) == 0 ? nil : response?.status, etag: response?.etag,
                lastModified: response?.lastModified, bytesTransferred: result.bytes, resumedFrom: facts.resumed ? offset : 0,
                duration: result.duration)
            kept = Attempt.Kept(measurement: measurement, judgement: judgement, provenance: provenance, resumedFrom: facts.resumed ? offset : 0)
        }
        let verdict = rules.judge(facts)
        if verdict.discardPartial { partial.discard() }
        return Attempt(verdict: verdict, bytes: result.bytes, kept: verdict.ruling == .keep ? kept : nil)
    }

    /// A machine-readable code for a transfer failure.
    static func code(for failure: TransferFailure) -> String {
        switch failure {
        case .httpStatus(let status), .s3(let status, _, _): return "http_\(status)"
        case .redirectRefused: return "redirect_refused"
        case .tooManyRedirects: return "too_many_redirects"
        case .certificate: return "certificate"
        case .timeout: return "timeout"
        case .connectionLost: return "connection_lost"
        case .unreachable: return "unreachable"
        case .refused: return "refused"
        case .localFile: return "local_file"
        case .abortedByReceiver: return "aborted"
        case .deadline: return "deadline"
        case .interrupted: return "interrupted"
        case .other: return "transfer_error"
        }
    }
}
