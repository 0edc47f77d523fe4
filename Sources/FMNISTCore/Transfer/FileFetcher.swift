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

/// How a dataset file is judged while it downloads: its bytes stream through a
/// ``StreamingVerifier`` (gzip, IDX header, labels, bounded in payload bytes) and the whole file is
/// judged against the manifest by the ``DatasetVerifier``; valid content of no known version passes
/// only with `acceptUnknown`.
///
/// ```swift
/// let judge = DatasetFileJudge(target: target, manifest: manifest, verifier: verifier, acceptUnknown: false, layout: layout)
/// ```
struct DatasetFileJudge: DownloadJudge {
    /// A passing file: what install needs.
    struct Passed {
        let measurement: FileMeasurement
        let judgement: FileReport
    }

    let target: FileTarget
    let manifest: Manifest
    let verifier: DatasetVerifier
    let acceptUnknown: Bool
    /// Where the file goes live (named in judgements).
    let destination: URL
    /// Decompression bound: the largest payload this role has in any known version.
    let payloadLimit: Int64
    /// No container of this role is larger than this (see ``containerLimit(for:role:)``).
    let resumeLimit: Int64
    let rules: AttemptJudge
    var transferLimit: Int64 { resumeLimit }
    var reportsWholeBody: Bool { true }

    init(target: FileTarget, manifest: Manifest, verifier: DatasetVerifier, acceptUnknown: Bool, layout: WorkspaceLayout) {
        self.target = target
        self.manifest = manifest
        self.verifier = verifier
        self.acceptUnknown = acceptUnknown
        destination = layout.liveDirectory(dataset: manifest.name).appendingPathComponent(target.name)
        payloadLimit = manifest.versions.map { $0.file(target.role).payload.size }.max() ?? StreamingVerifier.defaultPayloadLimit
        resumeLimit = Self.containerLimit(for: manifest, role: target.role)
        rules = AttemptJudge(title: manifest.title, stem: target.role.fileStem, acceptUnknown: acceptUnknown)
    }

    /// The container bound of a role: twice the largest container of that role in any known
    /// version, plus 1 MiB. A transfer is cut there whatever the server announces.
    static func containerLimit(for manifest: Manifest, role: FileRole) -> Int64 {
        2 * (manifest.versions.map { $0.file(role).container.size }.max() ?? 0) + (1 << 20)
    }

    func freshCheck() -> StreamingVerifier { StreamingVerifier(payloadLimit: payloadLimit, classCount: manifest.classes.count) }

    func consumed(_ check: StreamingVerifier) -> Int64 { check.bytesConsumed }

    func passes(held check: StreamingVerifier) -> Passed? {
        let passed = judgeWhole(check)
        let status = passed.judgement.status
        return status.isValid || (status == .unknown && acceptUnknown) ? passed : nil
    }

    func judge(body check: StreamingVerifier, into facts: inout AttemptFacts) -> Passed {
        let passed = judgeWhole(check)
        facts.status = passed.judgement.status
        facts.message = passed.judgement.message
        facts.identifiedAs = passed.judgement.identifiedAs
        facts.faultCode = passed.measurement.fault.map { SkipCode($0.code) }
        return passed
    }

    /// Finishes the one-pass verification and judges the whole file against the manifest.
    private func judgeWhole(_ check: StreamingVerifier) -> Passed {
        let measurement = check.finish()
        return Passed(
            measurement: measurement, judgement: verifier.judge(measurement: measurement, role: target.role, url: destination, manifest: manifest))
    }
}

/// Fetches one dataset file: a ``MirrorDownload`` over the dataset's mirrors (the file's name
/// appended to each), judged by a ``DatasetFileJudge``, its outcome told as a ``FileFetchReport``.
/// Each mirror's turn at a file has an overall deadline (``TransferSettings/deadline(forSize:)``),
/// retries and backoff included. Runs on one worker thread.
struct FileFetcher {
    let target: FileTarget
    let manifest: Manifest
    private let download: MirrorDownload<DatasetFileJudge>

    init(
        target: FileTarget, manifest: Manifest, mirrors: [String], acceptUnknown: Bool, judge: DatasetVerifier,
        layout: WorkspaceLayout, context: DownloadContext, sleep: ((Double) -> Void)? = nil
    ) {
        self.target = target
        self.manifest = manifest
        download = MirrorDownload(
            target: target, urls: mirrors.map { MirrorURL.join($0, target.name) },
            judge: DatasetFileJudge(target: target, manifest: manifest, verifier: judge, acceptUnknown: acceptUnknown, layout: layout),
            partial: PartialDownload(layout: layout, dataset: manifest.name, name: target.name), context: context, sleep: sleep)
    }

    /// Tries every mirror in order until one yields verified bytes.
    func run() throws -> FileFetchOutcome {
        switch try download.run() {
        case .success(let done):
            return .success(verified(done))
        case .interrupted(let downloaded):
            return .interrupted(target, bytesDownloaded: downloaded)
        case .failure(let skips, let downloaded, let message, let sawUnknown, let seconds):
            let report = FileFetchReport(
                dataset: target.dataset, role: target.role, name: target.name, status: .failed, mirror: nil, skipped: skips,
                bytesDownloaded: downloaded, resumedFrom: 0, seconds: seconds, verdict: nil, message: message, notes: [],
                httpStatus: nil, etag: nil, lastModified: nil, measurement: nil)
            return .failure(FileFetchFailure(target: target, sawUnknownContent: sawUnknown, report: report))
        }
    }

    private func verified(_ done: MirrorDownload<DatasetFileJudge>.Success) -> FetchedFile {
        let kept = done.kept
        let (measurement, judgement) = (kept.passed.measurement, kept.passed.judgement)
        var notes = judgement.notes
        if let busy = done.busy { notes.append(busy) }
        if judgement.status == .unknown { notes.append("matches no known version; kept on request") }
        let message: String
        switch judgement.status {
        case .recompressed: message = "verified: same data as \(judgement.identifiedAs ?? "the published file"), different gzip container"
        case .unknown, .acceptedUnknown: message = "valid, but matches no known version of \(manifest.title) (accepted)"
        default: message = "verified"
        }
        let provenance = FileProvenance(
            role: target.role, containerSHA256: measurement.containerSHA256, mirrorURL: kept.source, httpStatus: kept.httpStatus,
            etag: kept.etag, lastModified: kept.lastModified, bytesTransferred: kept.bytesTransferred, resumedFrom: kept.resumedFrom,
            duration: kept.duration)
        let report = FileFetchReport(
            dataset: target.dataset, role: target.role, name: target.name,
            status: kept.bytesTransferred == 0 && kept.resumedFrom > 0 ? .reused : .downloaded,
            mirror: provenance.mirrorURL, skipped: done.skipped, bytesDownloaded: done.bytesDownloaded, resumedFrom: kept.resumedFrom,
            seconds: done.seconds, verdict: judgement.status == .unknown ? .acceptedUnknown : judgement.status,
            message: message, notes: notes, httpStatus: provenance.httpStatus, etag: provenance.etag,
            lastModified: provenance.lastModified, measurement: measurement)
        return FetchedFile(
            target: target, partial: done.partial, measurement: measurement, judgement: judgement, provenance: provenance, report: report)
    }
}
