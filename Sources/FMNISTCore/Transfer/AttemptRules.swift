import Foundation

/// The rules of one request and of one mirror's turn, as plain values, so that they can be tested
/// without a server: the ``ResponseGate`` (status and headers: accept, restart, refuse), the
/// ``AttemptJudge`` (what a request came to: keep, retry, restart fresh, reject, …) and the
/// ``MirrorTurn`` (retry budget, restarts and skips on one mirror). ``MirrorDownload`` applies them.

/// A response refused before its body is kept.
struct Refusal: Equatable, Sendable {
    let code: SkipCode
    let reason: String
}

/// What the gate makes of a response's status and headers.
enum GateDecision: Equatable {
    /// The body continues the bytes held (`total`: the whole file's size, when announced).
    case accept(total: Int64?)
    /// The server ignored Range (or If-Range saw a changed file): empty the partial, take the whole body.
    case restartWhole(total: Int64?)
    /// Stop before any body byte is kept.
    case refuse(Refusal)
}

/// Judges a response before its body: does it continue the bytes held, and can it be this file?
struct ResponseGate: Equatable {
    /// Bytes held when the request was made (the Range start).
    let offset: Int64
    /// No container of this role is larger (the judge's transfer bound, ``DownloadJudge/transferLimit``).
    let containerLimit: Int64
    /// The file's name, for messages.
    let name: String

    func decide(_ response: TransferResponse) -> GateDecision {
        var restart = false
        if offset > 0 && !response.continues(from: offset) {
            guard response.status == 200 else {
                return .refuse(
                    Refusal(
                        code: .badRange,
                        reason: "answered the Range request for bytes \(offset)- with status \(response.status) and Content-Range from "
                            + (response.rangeStart.map(String.init) ?? "none")))
            }
            restart = true
        }
        if let size = response.totalSize, size > containerLimit {
            return .refuse(
                Refusal(code: .wrongSize, reason: "announced \(size) bytes; \(name) is at most \(containerLimit) bytes (wrong file)"))
        }
        return restart ? .restartWhole(total: response.totalSize) : .accept(total: response.totalSize)
    }

    /// Why a `file://` source cannot be read (it is a FIFO, a directory, …), or nil. libcurl would
    /// block forever opening a FIFO, so this is checked before the transfer starts.
    static func localSourceProblem(_ url: String) -> Refusal? {
        guard MirrorScheme(of: url)?.isLocal == true, let path = URL(string: url)?.path, !path.isEmpty,
            let kind = RegularFile.kind(at: path), kind != .regular
        else { return nil }
        return Refusal(code: .notRegularFile, reason: "is \(kind.phrase), not a regular file; skipped")
    }
}

/// Why the body sink stopped a body.
enum SinkStop: Equatable {
    /// The bytes are not a valid file of this kind.
    case fault(IntegrityFault)
    /// More bytes than any container of this role can have (an endless or wrong body).
    case tooLarge(limit: Int64)
}

/// What one request to one mirror came to: the judge's ruling.
enum Ruling: Equatable {
    /// The whole file arrived and is acceptable: install it.
    case keep
    /// Worth retrying on the same mirror; the partial bytes are kept.
    case retry(String)
    /// The partial prefix and the mirror's bytes do not fit together: start over from byte 0.
    case restartFresh(String)
    /// Give up this mirror; `unknown` marks valid data of no known version.
    case reject(String, unknown: Bool)
    /// The file's time on this mirror is spent; the next mirror resumes from the bytes held.
    case deadline(String)
    /// Cancelled (Ctrl-C): stop everything, keep the partial file.
    case interrupted
}

/// The facts measured by one request, for the judge.
struct AttemptFacts: Equatable {
    /// Bytes held when the request started.
    var offset: Int64 = 0
    /// The server ignored Range, so the body started over from byte 0.
    var restarted = false
    /// Body bytes received.
    var bytes: Int64 = 0
    var refusal: Refusal? = nil
    var stop: SinkStop? = nil
    var failure: TransferFailure? = nil
    /// The seconds a busy answer's `Retry-After` asked for.
    var retryAfter: Double? = nil
    /// The judgement of the whole body (only when it arrived completely).
    var status: FileStatus? = nil
    var message: String = ""
    var identifiedAs: String? = nil
    var faultCode: SkipCode? = nil

    /// Whether the body continued bytes held from before.
    var resumed: Bool { offset > 0 && !restarted }
}

/// The judge's verdict on one request.
struct AttemptVerdict: Equatable {
    let ruling: Ruling
    /// Machine-readable reason (for skips).
    let code: SkipCode
    /// Whether the partial file grew with bytes that may be kept.
    let madeProgress: Bool
    /// Whether the partial file must be removed (its bytes are known to be wrong).
    let discardPartial: Bool
    /// The mirror is busy (503, 429, refused under load): retried until the deadline, not counted.
    var overloaded = false
    /// With `overloaded`: the seconds the mirror asked to wait (`Retry-After`).
    var retryAfter: Double? = nil
    /// The mirror's host name could not be resolved (``TransferFailure/unresolved(message:)``).
    var hostNotFound = false

    /// The verdict on `url` before any request when it is a `file://` source that cannot be read
    /// (a FIFO, a directory, …: see ``ResponseGate/localSourceProblem(_:)``), or nil.
    static func unreadableLocalSource(_ url: String) -> AttemptVerdict? {
        ResponseGate.localSourceProblem(url).map {
            AttemptVerdict(ruling: .reject($0.reason, unknown: false), code: $0.code, madeProgress: false, discardPartial: false)
        }
    }
}

/// Turns what a request measured into a ruling. Pure: no I/O.
struct AttemptJudge {
    /// The dataset's title ("Fashion-MNIST"), for messages.
    let title: String
    /// The role's file stem ("t10k-labels"), for messages.
    let stem: String
    let acceptUnknown: Bool

    func judge(_ facts: AttemptFacts) -> AttemptVerdict {
        func verdict(_ ruling: Ruling, _ code: SkipCode, progress: Bool = false, discard: Bool = false) -> AttemptVerdict {
            AttemptVerdict(ruling: ruling, code: code, madeProgress: progress, discardPartial: discard)
        }
        if facts.failure == .interrupted { return verdict(.interrupted, .interrupted, progress: facts.bytes > 0) }
        switch facts.stop {
        case .fault(let fault)?:
            if facts.resumed {
                return verdict(
                    .restartFresh("the partial download and the bytes of this mirror do not fit together (\(fault.description))"),
                    SkipCode(fault.code))
            }
            return verdict(.reject("served bad data: \(fault.description)", unknown: false), SkipCode(fault.code), discard: true)
        case .tooLarge(let limit)?:
            return verdict(
                .reject("sent more than \(limit) bytes, more than any \(stem) file can be (an endless or wrong body); cut off", unknown: false),
                .tooLarge, discard: true)
        case nil:
            break
        }
        if let refusal = facts.refusal {
            return verdict(.reject(refusal.reason, unknown: false), refusal.code, discard: refusal.code == .wrongSize && !facts.resumed)
        }
        let progressed = facts.bytes > 0
        if let failure = facts.failure {
            let code = failure.skipCode
            if case .deadline = failure {
                return verdict(.deadline(failure.description), code, progress: progressed)
            }
            if failure.status == 416, facts.offset > 0 {
                return verdict(.restartFresh("refused the range \(facts.offset)- (HTTP 416)"), code)
            }
            if failure.isOverload {
                var busy = verdict(.retry(failure.description), code, progress: progressed)
                busy.overloaded = true
                busy.retryAfter = facts.retryAfter
                return busy
            }
            if failure.isTransient { return verdict(.retry(failure.description), code, progress: progressed) }
            let reason: String
            switch failure {
            case .httpStatus(401):
                reason = "answered \(failure.description): authentication required or failed (401); give credentials as "
                    + "user:password@ in the URL, in ~/.netrc (or the file in NETRC), or a header in .fmnist/config.json"
            case .httpStatus, .s3: reason = "answered \(failure.description)"
            case .redirectRefused, .tooManyRedirects: reason = "was refused: \(failure.description)"
            default: reason = "failed: \(failure.description)"
            }
            var rejected = verdict(.reject(reason, unknown: false), code, progress: progressed)
            if case .unresolved = failure { rejected.hostNotFound = true }
            return rejected
        }
        switch facts.status {
        case .ok?, .recompressed?, .acceptedUnknown?:
            return verdict(.keep, .ok, progress: true)
        case .unknown? where acceptUnknown:
            return verdict(.keep, .ok, progress: true)
        case .unknown?:
            return verdict(
                .reject("served content that matches no known version of \(title): \(facts.message)", unknown: true), .unknownContent,
                discard: true)
        case .wrongFile?:
            let what = facts.identifiedAs ?? "another file"
            let reason = what.hasPrefix(title + "'s") ? "served \(what) instead of \(stem)" : "served \(what) for \(title)"
            return verdict(.reject(reason, unknown: false), .wrongFile, discard: true)
        case .corrupt?, .missing?, nil:
            let code = facts.faultCode ?? .corrupt
            if facts.resumed {
                return verdict(
                    .restartFresh("the resumed file failed verification (\(facts.message)); the partial bytes were not a prefix of it"), code)
            }
            return verdict(.reject("served bad data: \(facts.message)", unknown: false), code, discard: true)
        }
    }
}

/// One mirror's turn at one file: how many more tries it gets.
struct MirrorTurn: Equatable {
    /// Retries granted to a mirror whose failed tries still moved the file forward.
    static let maxProgressRetries = 200

    /// Retries of a transient failure that did not move the file forward.
    let retries: Int
    private(set) var attempts = 0
    private(set) var retriesUsed = 0
    private(set) var progressRetries = 0
    private(set) var restartedFresh = false
    /// Retries of a busy mirror (503, 429): not counted against `retries`; the deadline bounds them.
    private(set) var overloadRetries = 0

    init(retries: Int) { self.retries = retries }

    /// What to do after a request.
    enum Step: Equatable {
        /// Try again after the backoff delay of retry `backoff` (0-based).
        case retry(backoff: Int)
        /// The mirror is busy: try again after the full-jitter delay of retry `backoff` (0-based)
        /// and its `Retry-After`, if that still falls within the file's deadline on the mirror.
        case wait(backoff: Int)
        /// Discard the partial file and try again from byte 0 (once per turn).
        case restartFresh
        /// Give up this mirror.
        case skip
    }

    /// Counts a request and decides the next step. `.keep` and `.interrupted` end the file, not
    /// the turn, and are not passed here.
    mutating func next(after verdict: AttemptVerdict) -> Step {
        attempts += 1
        switch verdict.ruling {
        case .retry where verdict.overloaded:
            overloadRetries += 1
            return .wait(backoff: overloadRetries - 1)
        case .retry:
            // A try that moved the file forward does not use up the retry budget (bounded by
            // `maxProgressRetries`), unless it timed out for being too slow: a slow-drip mirror
            // gets the documented retries, then the next mirror resumes from the bytes held.
            // A mirror that cuts every connection keeps its turn while each try gains bytes
            // (a TCP reset can discard most of what was sent, so a try may gain little).
            if verdict.madeProgress && verdict.code != .timeout && progressRetries < Self.maxProgressRetries {
                progressRetries += 1
                return .retry(backoff: 0)
            }
            if retriesUsed < retries {
                retriesUsed += 1
                return .retry(backoff: retriesUsed - 1)
            }
            return .skip
        case .restartFresh:
            if restartedFresh { return .skip }
            restartedFresh = true
            return .restartFresh
        case .reject, .deadline, .keep, .interrupted:
            return .skip
        }
    }
}
