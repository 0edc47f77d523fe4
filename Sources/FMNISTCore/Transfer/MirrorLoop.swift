import Foundation

/// One file's turn over its mirrors, for ``MirrorDownload`` (dataset files and artifacts alike):
/// each URL in order (only `file://` ones `offline`), within the per-mirror
/// deadline (``TransferSettings/deadline(forSize:)``), retrying with backoff and restarting a bad
/// partial as ``MirrorTurn`` rules, and every URL given up recorded (and emitted) with its reason.
/// What one request does and what counts as kept is the caller's `attempt`.
///
/// ```swift
/// let loop = MirrorLoop(target: target, settings: settings, offline: false, cancellation: nil,
///                       emit: emit, sleep: sleep, discardPartial: { partial.discard() })
/// switch try loop.run(urls: urls, expectedSize: size, attempt: { url, deadline in try attempt(url, deadline) }) { … }
/// ```
struct MirrorLoop {
    let target: FileTarget
    let settings: TransferSettings
    let offline: Bool
    let cancellation: Cancellation?
    let emit: @Sendable (FetchEvent) -> Void
    let sleep: (Double) -> Void
    let discardPartial: () -> Void

    /// What one request came to: the ruling, the bytes it received, and (with `.keep`) what it kept.
    struct Step<Kept> {
        let verdict: AttemptVerdict
        let bytes: Int64
        let kept: Kept?
    }

    enum Outcome<Kept> {
        /// A URL yielded a whole, accepted file; `busy` says how long that mirror was busy first, if it was.
        case kept(Kept, url: String, skips: [MirrorSkip], downloaded: Int64, busy: String?)
        /// Cancelled (Ctrl-C): the partial file is kept.
        case interrupted(downloaded: Int64)
        /// Every URL was given up; `message` says why in one line.
        case exhausted(skips: [MirrorSkip], downloaded: Int64, message: String, sawUnknown: Bool)
    }

    private var cancelled: Bool { cancellation?.isCancelled == true }

    /// Sleeps `seconds` in short slices, returning early when `cancellation` is set.
    static func pause(_ seconds: Double, cancellation: Cancellation?) {
        let end = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1e9)
        while DispatchTime.now().uptimeNanoseconds < end {
            if cancellation?.isCancelled == true { return }
            let left = Double(end - min(end, DispatchTime.now().uptimeNanoseconds)) / 1e9
            Thread.sleep(forTimeInterval: min(0.05, left))
        }
    }

    func run<Kept>(
        urls: [String], expectedSize: Int64, attempt: (_ url: String, _ deadline: UInt64) throws -> Step<Kept>
    ) throws -> Outcome<Kept> {
        var skips: [MirrorSkip] = []
        var downloaded: Int64 = 0
        var sawUnknown = false
        func skip(_ url: String, _ code: SkipCode, _ reason: String, attempts: Int, hostNotFound: Bool = false) {
            var reason = reason
            if code == .http(401) || code == .http(403), S3Location.isS3(url), settings.access.authorize(url).credentialsMissing {
                reason += "; the request was anonymous: no AWS credentials were found (set AWS_ACCESS_KEY_ID and "
                    + "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with ~/.aws/credentials or AWS_SHARED_CREDENTIALS_FILE)"
            } else if code == .http(401) || code == .http(403), settings.access.authorize(url).credentialsMissing {
                reason += "; its credentials were redacted (the URL comes from fmnist.lock or the catalog) and no mirror "
                    + "configured at the same place with credentials (a mirror given to fetch, FMNIST_MIRRORS, .fmnist/config.json) supplied them: "
                    + "give the mirror with its credentials, or add it to ~/.netrc"
            }
            let skip = MirrorSkip(url: url, code: code, reason: reason, attempts: attempts, hostNotFound: hostNotFound)
            skips.append(skip)
            emit(.skipped(target, skip))
        }
        for url in urls {
            if cancelled { return .interrupted(downloaded: downloaded) }
            if offline && MirrorScheme(of: url)?.isLocal != true {
                skip(url, .offline, "is not a local file:// source (offline)", attempts: 0)
                continue
            }
            let allowed = settings.deadline(forSize: expectedSize)
            let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(allowed * 1e9)
            let overTime = "took longer than the \(Int(allowed.rounded())) s allowed for \(target.name) on one mirror "
                + "(deadline: \(Int(settings.deadlineBase)) s + size ÷ the minimum rate); the next mirror resumes from the bytes held"
            var turn = MirrorTurn(retries: settings.retry.retries)
            var busy = BusySpell()
            mirror: while true {
                if cancelled { return .interrupted(downloaded: downloaded) }
                let step = try attempt(url, deadline)
                downloaded += step.bytes
                switch step.verdict.ruling {
                case .keep:
                    if let kept = step.kept { return .kept(kept, url: url, skips: skips, downloaded: downloaded, busy: busy.note()) }
                case .interrupted:
                    return .interrupted(downloaded: downloaded)
                case .reject(_, let unknown):
                    sawUnknown = sawUnknown || unknown
                default:
                    break
                }
                switch (turn.next(after: step.verdict), step.verdict.ruling) {
                case (.wait(let backoff), .retry(let reason)):
                    busy.record(reason)
                    var random = SystemRandomNumberGenerator()
                    let asked = step.verdict.retryAfter
                    let now = DispatchTime.now().uptimeNanoseconds
                    let left = Double(deadline - min(deadline, now)) / 1e9
                    // Retry-After is honoured, capped by the file's time on this mirror: a wait that
                    // leaves no time for a try gives the mirror up now, for the next one.
                    let delay = min(settings.retry.overloadDelay(forRetry: backoff, retryAfter: asked, using: &random), left)
                    let askedPast = asked.flatMap { $0 >= left ? (asked: $0, left: left) : nil }
                    if askedPast != nil || left - delay < BusySpell.shortestTry {
                        let reason = busy.summary(allowed: allowed, name: target.name, askedPast: askedPast)
                        skip(url, .overloaded, reason, attempts: turn.attempts)
                        break mirror
                    }
                    let after = asked.map { ", Retry-After \(Int($0.rounded())) s" } ?? ""
                    busy.retried()
                    emit(.retrying(target, url: url, reason: "busy: \(reason)\(after)", delay: delay, attempt: turn.attempts))
                    sleep(delay)
                    continue mirror
                case (.retry(let backoff), .retry(let reason)):
                    let delay = settings.retry.delay(forRetry: backoff)
                    if DispatchTime.now().uptimeNanoseconds + UInt64(delay * 1e9) >= deadline {
                        skip(url, .deadline, overTime, attempts: turn.attempts)
                        break mirror
                    }
                    emit(.retrying(target, url: url, reason: reason, delay: delay, attempt: turn.attempts))
                    sleep(delay)
                    continue mirror
                case (.restartFresh, .restartFresh(let reason)):
                    discardPartial()
                    emit(.restarted(target, url: url, reason: reason))
                    continue mirror
                case (_, .retry(let reason)):
                    let plural = turn.attempts == 1 ? "" : "s"
                    skip(url, step.verdict.code, "failed: \(reason) (gave up after \(turn.attempts) attempt\(plural))", attempts: turn.attempts)
                case (_, .restartFresh(let reason)):
                    discardPartial()
                    skip(url, step.verdict.code, reason, attempts: turn.attempts)
                case (_, .deadline):
                    // Cut by the deadline after the mirror was busy: that is the cause to name.
                    if busy.answers > 0 {
                        skip(url, .overloaded, busy.summary(allowed: allowed, name: target.name, askedPast: nil), attempts: turn.attempts)
                    } else {
                        skip(url, .deadline, overTime, attempts: turn.attempts)
                    }
                case (_, .reject(let reason, _)):
                    skip(url, step.verdict.code, reason, attempts: turn.attempts, hostNotFound: step.verdict.hostNotFound)
                case (_, .keep), (_, .interrupted):
                    break
                }
                break mirror
            }
        }
        if cancelled { return .interrupted(downloaded: downloaded) }
        let message: String
        if urls.isEmpty {
            message = "no mirror to fetch from"
        } else if offline && skips.allSatisfy({ $0.code == .offline }) {
            message = "no local (file://) source: offline, so all \(skips.count) mirror(s) were skipped"
        } else if sawUnknown {
            message = "no mirror served a known version; content that matches no known version was refused"
        } else {
            message = "every mirror failed (\(skips.count) tried)"
        }
        return .exhausted(skips: skips, downloaded: downloaded, message: message, sawUnknown: sawUnknown)
    }
}

/// The busy answers (503, 429, refused under load) of one file's turn on one mirror, for the line
/// that says why the mirror was given up: "mirror overloaded (HTTP 503 Service Unavailable):
/// retried 14 times over 63 s, …".
struct BusySpell {
    /// A retry is only worth making with at least this many seconds left on the mirror.
    static let shortestTry: Double = 1

    /// Busy answers received.
    private(set) var answers = 0
    /// Retries made after them.
    private(set) var retries = 0
    private var started: UInt64 = 0
    private var reasons: [String] = []

    /// Counts a busy answer (`reason`: "HTTP 503 Service Unavailable", …).
    mutating func record(_ reason: String) {
        if answers == 0 { started = DispatchTime.now().uptimeNanoseconds }
        answers += 1
        if !reasons.contains(reason) { reasons.append(reason) }
    }

    /// Counts a retry after a busy answer.
    mutating func retried() { retries += 1 }

    /// What a file fetched in the end says about the wait, or nil when the mirror was never busy:
    /// "the mirror was busy (HTTP 503 Service Unavailable): retried 3 times over 4 s".
    func note() -> String? {
        answers == 0 ? nil : "the mirror was busy (\(reasons.joined(separator: "; "))): retried \(spell())"
    }

    /// "3 times over 4 s", since the first busy answer.
    private func spell() -> String {
        let now = DispatchTime.now().uptimeNanoseconds
        let seconds = Double(now - min(started, now)) / 1e9
        return "\(retries) time\(retries == 1 ? "" : "s") over \(Int(seconds.rounded())) s"
    }

    /// Why the mirror was given up. `askedPast`: the `Retry-After` seconds and the seconds left,
    /// when the server asked for a wait past the file's deadline.
    func summary(allowed: Double, name: String, askedPast: (asked: Double, left: Double)?) -> String {
        var text = "mirror overloaded (\(reasons.joined(separator: "; "))): retried \(spell())"
        if let askedPast {
            text += "; it asked to retry after \(Int(askedPast.asked.rounded())) s (Retry-After), past the \(Int(askedPast.left.rounded())) s left"
                + " for \(name) on this mirror"
        } else {
            text += " until the \(Int(allowed.rounded())) s allowed for \(name) on one mirror were spent"
        }
        return text + "; the next mirror resumes from the bytes held (a rerun later resumes too)"
    }
}
