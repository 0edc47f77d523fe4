/// The documented process exit codes of `fmnist`. Scripts may rely on these values;
/// the README lists them and they never change meaning.
public enum ExitStatus: Int32, Sendable, CaseIterable, Codable {
    /// Everything asked for was done and verified.
    case success = 0
    /// An unexpected internal error (a bug): please report it.
    case internalError = 1
    /// Bad command line, unknown dataset, malformed manifest or config file.
    case usage = 2
    /// A file is present but fails verification (corrupt, tampered, swapped, truncated).
    case integrity = 3
    /// Files or a version that the command needs are not present (run `fmnist fetch`).
    case missing = 4
    /// Fetch failed: every mirror failed for at least one file.
    case fetchFailed = 5
    /// smoke-train finished but its accuracy is outside the dataset's sanity band, or the training diverged.
    case sanityFailed = 6
    /// The workspace or catalog cannot be used: lock held, read-only, disk full, corrupt catalog.
    case workspace = 7
    /// Data is valid but matches no known version; refused without `--accept-unknown`.
    case unknownContent = 8
    /// Stopped by Ctrl-C (SIGINT) or SIGTERM: partial downloads kept, nothing placed (128 + SIGINT).
    case interrupted = 130

    /// One-line meaning, as printed in `--help` and the README.
    public var meaning: String {
        switch self {
        case .success: return "success"
        case .internalError: return "internal error (a bug; please report it)"
        case .usage: return "usage error: bad flag, unknown dataset, malformed manifest or config"
        case .integrity: return "integrity failure: a file is corrupt, tampered, truncated or the wrong dataset"
        case .missing: return "missing: the files or version needed are not present"
        case .fetchFailed: return "fetch failed: every mirror failed for at least one file"
        case .sanityFailed: return "smoke-train accuracy outside the dataset's sanity band, or the training diverged"
        case .workspace: return "workspace unusable: lock, permissions, disk full or corrupt catalog"
        case .unknownContent: return "unknown content refused (pass --accept-unknown to keep it)"
        case .interrupted: return "interrupted (Ctrl-C or SIGTERM): partial downloads kept; rerun the command to resume"
        }
    }
}

/// Every error fmnist throws conforms to this: it says what happened, what to do next,
/// and which exit status it maps to.
public protocol FMNISTError: Error, CustomStringConvertible, Sendable {
    /// The exit status the CLI returns for this error.
    var exitStatus: ExitStatus { get }
    /// What the user can do next (a command to run, a flag to pass), if anything: the CLI's words.
    var hint: String? { get }
    /// What can be done next, as data, for front ends that word it their own way (the `FMNIST`
    /// library says it as an API call); nil when nothing but the message helps.
    var remedy: Remedy? { get }
}

extension FMNISTError {
    /// The remedy said as a command line (``Remedy/commandLine``), when there is one.
    public var hint: String? { remedy?.commandLine }
    public var remedy: Remedy? { nil }
}

/// A usage problem found by the library (unknown dataset name, bad flag value).
public struct UsageError: FMNISTError {
    public let message: String
    /// Advice given in the command line's words when the remedy (if any) does not say it.
    private let givenHint: String?
    public let remedy: Remedy?
    public init(_ message: String, hint: String? = nil, remedy: Remedy? = nil) {
        self.message = message
        self.givenHint = hint
        self.remedy = remedy
    }
    public var hint: String? { givenHint ?? remedy?.commandLine }
    public var exitStatus: ExitStatus { .usage }
    public var description: String { message }
}

extension ExitStatus {
    /// The overall status of several checks: integrity failures outrank missing files, which
    /// outrank any other failure; `.success` only when every check succeeded.
    ///
    /// ```swift
    /// ExitStatus.combine([.success, .missing, .integrity])   // .integrity
    /// ```
    static func combine(_ statuses: [ExitStatus]) -> ExitStatus {
        if statuses.contains(.integrity) { return .integrity }
        if statuses.contains(.missing) { return .missing }
        return statuses.first { $0 != .success } ?? .success
    }
}
