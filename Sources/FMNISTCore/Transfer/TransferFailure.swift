/// Why a transfer did not deliver a complete body.
public enum TransferFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with an HTTP error status (≥ 400).
    case httpStatus(Int)
    /// An S3 endpoint answered an error status with an XML error body naming its cause
    /// (`SignatureDoesNotMatch`, `AccessDenied`, `NoSuchBucket`, `NoSuchKey`, `ExpiredToken`, …).
    case s3(status: Int, code: String, message: String?)
    /// A redirect pointed at a scheme other than http/https (e.g. file://): refused.
    case redirectRefused(target: String?)
    /// More redirects than allowed (a redirect loop).
    case tooManyRedirects(limit: Int)
    /// The server's certificate could not be verified against the trusted CAs.
    case certificate(message: String)
    /// The connection or transfer timed out (connect timeout or too slow for too long).
    case timeout(message: String)
    /// The connection broke mid-transfer (reset, closed early, nothing received).
    case connectionLost(message: String)
    /// The host could not be reached (no route, nothing listening).
    case unreachable(message: String)
    /// The host's (or proxy's) name could not be resolved: with every mirror so, probably no
    /// network at all. Recorded as an `unreachable` skip whose ``MirrorSkip/hostNotFound`` is set.
    case unresolved(message: String)
    /// The host refused the connection after it had answered this process before: a server whose
    /// accept queue is full (a herd), not one that is down. Retried like a 503 (``isOverload``).
    case refused(message: String)
    /// A file:// source could not be read.
    case localFile(message: String)
    /// The receiver stopped the transfer (it found a fault in the bytes).
    case abortedByReceiver
    /// The transfer ran past its overall deadline (`seconds` allowed).
    case deadline(seconds: Double)
    /// The transfer was cancelled (Ctrl-C, SIGTERM or ``Cancellation/cancel()``).
    case interrupted
    /// Any other libcurl failure.
    case other(code: Int, message: String)

    /// The HTTP status of an error answer (``httpStatus(_:)`` or ``s3(status:code:message:)``).
    public var status: Int? {
        switch self {
        case .httpStatus(let status), .s3(let status, _, _): return status
        default: return nil
        }
    }

    /// Whether trying the same mirror again soon may succeed: timeouts, 5xx, 429, 408, resets,
    /// refusals under load.
    public var isTransient: Bool {
        switch self {
        case .httpStatus(let status), .s3(let status, _, _): return status >= 500 || status == 429 || status == 408
        case .timeout, .connectionLost, .refused: return true
        default: return false
        }
    }

    /// Whether the mirror says it is busy rather than broken: 503 Service Unavailable, 429 Too
    /// Many Requests, or a refused connection from a host that answered before. Such a failure is
    /// retried with full-jitter backoff (and `Retry-After`) until the file's deadline on the
    /// mirror, not a fixed number of times.
    public var isOverload: Bool {
        switch self {
        case .httpStatus(let status), .s3(let status, _, _): return status == 503 || status == 429
        case .refused: return true
        default: return false
        }
    }

    /// A machine-readable code for the failure, as mirror skips record it (`http_404`, `timeout`, …).
    var skipCode: SkipCode {
        switch self {
        case .httpStatus(let status), .s3(let status, _, _): return .http(status)
        case .redirectRefused: return .redirectRefused
        case .tooManyRedirects: return .tooManyRedirects
        case .certificate: return .certificate
        case .timeout: return .timeout
        case .connectionLost: return .connectionLost
        case .unreachable, .unresolved: return .unreachable
        case .refused: return .refused
        case .localFile: return .localFile
        case .abortedByReceiver: return .aborted
        case .deadline: return .deadline
        case .interrupted: return .interrupted
        case .other: return .transferError
        }
    }

    public var description: String {
        switch self {
        case .httpStatus(let status): return "HTTP \(status) \(HTTPStatusText.reason(status))"
        case .s3(let status, let code, let message):
            return "HTTP \(status) \(HTTPStatusText.reason(status)), S3 error \(code)\(message.map { " (\($0))" } ?? ""): \(S3Access.hint(for: code))"
        case .redirectRefused(let target):
            return "redirected to \(target.map { "\"\($0)\"" } ?? "a URL"); redirects may only lead to http or https"
        case .tooManyRedirects(let limit): return "more than \(limit) redirects (a redirect loop?)"
        case .certificate(let message): return "TLS certificate not trusted (\(message))"
        case .timeout(let message): return "timed out (\(message))"
        case .connectionLost(let message): return "connection lost (\(message))"
        case .unreachable(let message), .unresolved(let message): return "unreachable (\(message))"
        case .refused(let message): return "connection refused by a host that answered before (\(message)): busy"
        case .localFile(let message): return "cannot read local file (\(message))"
        case .abortedByReceiver: return "stopped: the bytes received are not the expected file"
        case .deadline(let seconds):
            return "did not deliver the file within its deadline of \(Int(seconds.rounded())) s"
        case .interrupted: return "interrupted"
        case .other(let code, let message): return "transfer failed (libcurl error \(code): \(message))"
        }
    }
}

/// Reason phrases of the HTTP statuses mirrors answer with.
enum HTTPStatusText {
    static func reason(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 408: return "Request Timeout"
        case 410: return "Gone"
        case 416: return "Range Not Satisfiable"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return status >= 500 ? "Server Error" : "Client Error"
        }
    }
}
