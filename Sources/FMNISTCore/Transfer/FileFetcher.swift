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
}

/// Fetches one file: mirrors in order, transient failures retried with backoff, the bytes verified
/// as they arrive (one pass), resumed from `.fmnist/partial` with HTTP Range, and every mirror that
/// is given up recorded with its reason. Runs on one worker thread.
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
    private let transfer: CurlTransfer
    /// Decompression bound: the largest payload this role has in any known version.
    private let payloadLimit: Int64
    /// No container of this role is larger than this (a generous bound over every known version).
    private let containerLimit: Int64
    private let sleep: (Double) -> Void

    init(
        target: FileTarget, manifest: Manifest, mirrors: [String], offline: Bool, acceptUnknown: Bool,
        settings: TransferSettings, judge: DatasetVerifier, layout: WorkspaceLayout,
        emit: @escaping @Sendable (FetchEvent) -> Void, sleep: @escaping (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }
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
        self.sleep = sleep
        transfer = CurlTransfer(settings: settings)
        let files = manifest.versions.map { $0.file(target.role) }
        payloadLimit = files.map(\.payload.size).max() ?? StreamingVerifier.defaultPayloadLimit
        containerLimit = 2 * (files.map(\.container.size).max() ?? 0) + (1 << 20)
    }

    // MARK: - Per file

    /// Tries every mirror in order until one yields verified bytes.
    /// Retries granted to a mirror whose failed tries still moved the file forward.
    static let maxProgressRetries = 200

    func run() throws -> FileFetchOutcome {
        let started = DispatchTime.now().uptimeNanoseconds
        func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }
        var skips: [MirrorSkip] = []
        var downloaded: Int64 = 0
        var sawUnknown = false

        for base in mirrors {
            let url = MirrorURL.join(base, target.name)
            if offline && !url.lowercased().hasPrefix("file:") {
                let skip = MirrorSkip(url: url, code: "offline", reason: "is not a local file:// source (--offline)", attempts: 0)
                skips.append(skip)
                emit(.skipped(target, skip))
                continue
            }
            var attempts = 0
            var retriesUsed = 0
            var progressRetries = 0
            var restartedFresh = false
            mirror: while true {
                attempts += 1
                let outcome = try attempt(url)
                downloaded += outcome.bytes
                switch outcome.kind {
                case .verified(let measurement, let judgement, let provenance, let resumedFrom):
                    var notes = judgement.notes
                    if judgement.status == .unknown { notes.append("matches no known version; kept because of --accept-unknown") }
                    let message: String
                    switch judgement.status {
                    case .recompressed: message = "verified: same data as \(judgement.identifiedAs ?? "the published file"), different gzip container"
                    case .unknown, .acceptedUnknown: message = "valid, but matches no known version of \(manifest.title) (accepted)"
                    default: message = "verified"
                    }
                    let report = FileFetchReport(
                        dataset: target.dataset, role: target.role, name: target.name,
                        status: outcome.bytes == 0 && provenance?.bytesTransferred == 0 && resumedFrom > 0 ? .reused : .downloaded,
                        mirror: provenance?.mirrorURL ?? url, skipped: skips, bytesDownloaded: downloaded, resumedFrom: resumedFrom, seconds: seconds(),
                        verdict: judgement.status == .unknown ? .acceptedUnknown : judgement.status,
                        message: message, notes: notes, httpStatus: provenance?.httpStatus, etag: provenance?.etag,
                        lastModified: provenance?.lastModified, measurement: measurement)
                    return .success(
                        FetchedFile(
                            target: target, partial: partial, measurement: measurement, judgement: judgement,
                            provenance: provenance, report: report))

                case .transient(let reason):
                    // A try that moved the file forward does not use up the retry budget (bounded by
                    // `maxProgressRetries`), unless it timed out for being too slow: a slow-drip mirror
                    // gets the documented retries, then the next mirror resumes from the bytes held.
                    // A mirror that cuts every connection keeps its turn while each try gains bytes
                    // (a TCP reset can discard most of what was sent, so a try may gain little).
                    if outcome.madeProgress && outcome.code != "timeout" && progressRetries < Self.maxProgressRetries {
                        progressRetries += 1
                        let delay = settings.retry.delay(forRetry: 0)
                        emit(.retrying(target, url: url, reason: reason, delay: delay, attempt: attempts))
                        sleep(delay)
                        continue mirror
                    }
                    if retriesUsed < settings.retry.retries {
                        let delay = settings.retry.delay(forRetry: retriesUsed)
                        retriesUsed += 1
                        emit(.retrying(target, url: url, reason: reason, delay: delay, attempt: attempts))
                        sleep(delay)
                        continue mirror
                    }
                    let plural = attempts == 1 ? "" : "s"
                    let skip = MirrorSkip(
                        url: url, code: outcome.code, reason: "failed: \(reason) (gave up after \(attempts) attempt\(plural))",
                        attempts: attempts)
                    skips.append(skip)
                    emit(.skipped(target, skip))
                    break mirror

                case .restartFresh(let reason):
                    partial.discard()
                    if !restartedFresh {
                        restartedFresh = true
                        emit(.restarted(target, url: url, reason: reason))
                        continue mirror
                    }
                    let skip = MirrorSkip(url: url, code: outcome.code, reason: reason, attempts: attempts)
                    skips.append(skip)
                    emit(.skipped(target, skip))
                    break mirror

                case .rejected(let reason, let unknown):
                    sawUnknown = sawUnknown || unknown
                    let skip = MirrorSkip(url: url, code: outcome.code, reason: reason, attempts: attempts)
                    skips.append(skip)
                    emit(.skipped(target, skip))
                    break mirror
                }
            }
        }
        let message: String
        if mirrors.isEmpty {
            message = "no mirror to fetch from"
        } else if offline && skips.allSatisfy({ $0.code == "offline" }) {
            message = "no local (file://) source: --offline skipped all \(skips.count) mirror(s)"
        } else if sawUnknown {
            message = "no mirror served a known version; content that matches no known version was refused"
        } else {
            message = "every mirror failed (\(skips.count) tried)"
        }
        let report = FileFetchReport(
            dataset: target.dataset, role: target.role, name: target.name, status: .failed, mirror: nil, skipped: skips,
            bytesDownloaded: downloaded, resumedFrom: 0, seconds: seconds(), verdict: nil, message: message, notes: [],
            httpStatus: nil, etag: nil, lastModified: nil, measurement: nil)
        return .failure(FileFetchFailure(target: target, sawUnknownContent: sawUnknown, report: report))
    }

    // MARK: - One attempt

    /// What one request to one mirror came to.
    struct Attempt {
        enum Kind {
            case verified(FileMeasurement, FileReport, FileProvenance?, resumedFrom: Int64)
            /// Worth retrying on the same mirror; the partial bytes are kept.
            case transient(String)
            /// The partial prefix and the mirror's bytes do not fit together: start over from byte 0.
            case restartFresh(String)
            /// Give up this mirror; `unknown` marks valid data of no known version.
            case rejected(String, unknown: Bool)
        }
        let kind: Kind
        /// Machine-readable reason (for skips).
        let code: String
        /// Bytes received in this request.
        let bytes: Int64
        /// Whether the partial file grew.
        let madeProgress: Bool
    }

    /// The verifier primed with the bytes already held, and their count. A partial file that is
    /// too large or already faulty is dropped.
    private func primedVerifier() -> (StreamingVerifier, Int64) {
        let held = partial.size
        let fresh = { StreamingVerifier(payloadLimit: self.payloadLimit, classCount: self.manifest.classes.count) }
        guard held > 0 else { return (fresh(), 0) }
        if held > containerLimit {
            partial.discard()
            return (fresh(), 0)
        }
        let verifier = fresh()
        var faulty = false
        do {
            try FileVerifier.stream(url: partial.url) { chunk in
                do {
                    try verifier.feed(chunk)
                    return true
                } catch {
                    faulty = true
                    return false
                }
            }
        } catch {
            faulty = true
        }
        if faulty || verifier.bytesConsumed != held {
            partial.discard()
            return (fresh(), 0)
        }
        return (verifier, held)
    }

    private func attempt(_ url: String) throws -> Attempt {
        var (verifier, offset) = primedVerifier()
        let sidecar = partial.sidecar()

        // A complete file left by an earlier run (killed after the last byte): verify it, no transfer.
        if offset > 0 && offset == target.expectedSize {
            let measurement = verifier.finish()
            let judgement = judge.judge(measurement: measurement, role: target.role, url: destination, manifest: manifest)
            if judgement.status.isValid || (judgement.status == .unknown && acceptUnknown) {
                let provenance = FileProvenance(
                    role: target.role, containerSHA256: measurement.containerSHA256, mirrorURL: sidecar?.source ?? url,
                    httpStatus: nil, etag: sidecar?.etag, lastModified: sidecar?.lastModified, bytesTransferred: 0,
                    resumedFrom: offset, duration: 0)
                return Attempt(
                    kind: .verified(measurement, judgement, provenance, resumedFrom: offset), code: "ok", bytes: 0,
                    madeProgress: false)
            }
            partial.discard()
            (verifier, offset) = (StreamingVerifier(payloadLimit: payloadLimit, classCount: manifest.classes.count), 0)
        }

        let writer = try partial.openForAppend()
        defer { writer.close() }
        let request = TransferRequest(url: url, offset: offset, ifRange: offset > 0 ? sidecar?.ifRange(resuming: url) : nil)
        emit(.started(target, url: url, offset: offset))

        var restarted = false
        var fault: IntegrityFault? = nil
        var refusal: (code: String, reason: String)? = nil
        var writeError: Error? = nil
        var held = offset
        var total: Int64? = target.expectedSize
        var lastEmit: UInt64 = 0
        let startTime = DispatchTime.now().uptimeNanoseconds
        var receivedThisRequest: Int64 = 0

        let result = transfer.perform(
            request,
            onResponse: { response in
                if offset > 0 && !response.continues(from: offset) {
                    if response.status == 200 {
                        // The server ignored Range (or If-Range saw a changed file): take the whole body.
                        do { try writer.truncate() } catch {
                            writeError = error
                            return false
                        }
                        restarted = true
                        held = 0
                        verifier = StreamingVerifier(payloadLimit: payloadLimit, classCount: manifest.classes.count)
                        emit(.restarted(target, url: url, reason: "the server ignored the Range request; downloading the whole file"))
                    } else {
                        refusal = ("bad_range", "answered the Range request for bytes \(offset)- with status \(response.status) and Content-Range from \(response.rangeStart.map(String.init) ?? "none")")
                        return false
                    }
                }
                if let size = response.totalSize {
                    if size > containerLimit {
                        refusal = ("wrong_size", "announced \(size) bytes; \(target.name) is at most \(containerLimit) bytes (wrong file)")
                        return false
                    }
                    total = size
                }
                do {
                    try partial.writeSidecar(
                        PartialDownload.Sidecar(source: url, etag: response.etag, lastModified: response.lastModified))
                } catch {
                    writeError = error
                    return false
                }
                return true
            },
            onData: { chunk in
                do { try writer.write(chunk) } catch {
                    writeError = error
                    return false
                }
                held += Int64(chunk.count)
                receivedThisRequest += Int64(chunk.count)
                do throws(IntegrityFault) { try verifier.feed(chunk) } catch {
                    fault = error
                    return false
                }
                let now = DispatchTime.now().uptimeNanoseconds
                if now - lastEmit > 100_000_000 {
                    lastEmit = now
                    let elapsed = Double(now - startTime) / 1e9
                    emit(.progress(target, bytes: held, total: total, bytesPerSecond: elapsed > 0 ? Double(receivedThisRequest) / elapsed : 0, url: url))
                }
                return true
            })
        writer.close()
        if let writeError { throw writeError }
        if partial.size == 0 { partial.discard() }
        let resumed = offset > 0 && !restarted
        let progressed = result.bytes > 0 && fault == nil && refusal == nil

        if let fault {
            if resumed {
                return Attempt(
                    kind: .restartFresh("the partial download and the bytes of this mirror do not fit together (\(fault.description))"),
                    code: fault.code, bytes: result.bytes, madeProgress: false)
            }
            partial.discard()
            return Attempt(kind: .rejected("served bad data: \(fault.description)", unknown: false), code: fault.code,
                           bytes: result.bytes, madeProgress: false)
        }
        if let refusal {
            if refusal.code == "wrong_size" && !resumed { partial.discard() }
            return Attempt(kind: .rejected(refusal.reason, unknown: false), code: refusal.code, bytes: result.bytes, madeProgress: false)
        }
        if let failure = result.failure {
            let code = Self.code(for: failure)
            if case .httpStatus(416) = failure, offset > 0 {
                return Attempt(kind: .restartFresh("refused the range \(offset)- (HTTP 416)"), code: code, bytes: 0, madeProgress: false)
            }
            if failure.isTransient {
                return Attempt(kind: .transient(failure.description), code: code, bytes: result.bytes, madeProgress: progressed)
            }
            let reason: String
            switch failure {
            case .httpStatus: reason = "answered \(failure.description)"
            case .redirectRefused, .tooManyRedirects: reason = "was refused: \(failure.description)"
            default: reason = "failed: \(failure.description)"
            }
            return Attempt(kind: .rejected(reason, unknown: false), code: code, bytes: result.bytes, madeProgress: progressed)
        }

        // The whole body arrived: finish the one-pass verification and judge the bytes.
        let measurement = verifier.finish()
        let judgement = judge.judge(measurement: measurement, role: target.role, url: destination, manifest: manifest)
        let elapsed = result.duration
        emit(.progress(target, bytes: held, total: held, bytesPerSecond: elapsed > 0 ? Double(result.bytes) / elapsed : 0, url: url))
        func provenance() -> FileProvenance {
            let response = result.response
            return FileProvenance(
                role: target.role, containerSHA256: measurement.containerSHA256, mirrorURL: url,
                httpStatus: (response?.status ?? 0) == 0 ? nil : response?.status, etag: response?.etag,
                lastModified: response?.lastModified, bytesTransferred: result.bytes, resumedFrom: restarted ? 0 : offset,
                duration: result.duration)
        }
        switch judgement.status {
        case .ok, .recompressed, .acceptedUnknown:
            return Attempt(
                kind: .verified(measurement, judgement, provenance(), resumedFrom: restarted ? 0 : offset), code: "ok",
                bytes: result.bytes, madeProgress: true)
        case .unknown where acceptUnknown:
            return Attempt(
                kind: .verified(measurement, judgement, provenance(), resumedFrom: restarted ? 0 : offset), code: "ok",
                bytes: result.bytes, madeProgress: true)
        case .unknown:
            partial.discard()
            return Attempt(
                kind: .rejected("served content that matches no known version of \(manifest.title): \(judgement.message)", unknown: true),
                code: "unknown_content", bytes: result.bytes, madeProgress: false)
        case .wrongFile:
            partial.discard()
            let what = judgement.identifiedAs ?? "another file"
            let reason = what.hasPrefix(manifest.title + "'s")
                ? "served \(what) instead of \(target.role.fileStem)"
                : "served \(what) for \(manifest.title)"
            return Attempt(kind: .rejected(reason, unknown: false), code: "wrong_file", bytes: result.bytes, madeProgress: false)
        case .corrupt, .missing:
            if resumed {
                return Attempt(
                    kind: .restartFresh("the resumed file failed verification (\(judgement.message)); the partial bytes were not a prefix of it"),
                    code: measurement.fault?.code ?? "corrupt", bytes: result.bytes, madeProgress: false)
            }
            partial.discard()
            return Attempt(
                kind: .rejected("served bad data: \(judgement.message)", unknown: false),
                code: measurement.fault?.code ?? "corrupt", bytes: result.bytes, madeProgress: false)
        }
    }

    /// A machine-readable code for a transfer failure.
    static func code(for failure: TransferFailure) -> String {
        switch failure {
        case .httpStatus(let status): return "http_\(status)"
        case .redirectRefused: return "redirect_refused"
        case .tooManyRedirects: return "too_many_redirects"
        case .certificate: return "certificate"
        case .timeout: return "timeout"
        case .connectionLost: return "connection_lost"
        case .unreachable: return "unreachable"
        case .localFile: return "local_file"
        case .abortedByReceiver: return "aborted"
        case .other: return "transfer_error"
        }
    }
}
