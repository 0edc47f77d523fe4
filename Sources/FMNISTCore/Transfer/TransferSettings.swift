import Foundation

/// How every transfer behaves: timeouts, redirects, TLS trust, identification and retries.
///
/// Defaults suit real mirrors; tests and slow links override them through the environment:
///
/// | variable | meaning | default |
/// |---|---|---|
/// | `FMNIST_CA_BUNDLE` | PEM file of CA certificates trusted for https (as `--cacert`) | system store |
/// | `FMNIST_CONNECT_TIMEOUT` | seconds to establish a connection | 15 |
/// | `FMNIST_LOW_SPEED_TIME` | seconds below 1 KiB/s before a transfer is abandoned | 30 |
/// | `FMNIST_RETRIES` | retries of a transient failure per mirror (not of a busy mirror: see below) | 3 |
/// | `FMNIST_RETRY_BASE_MS` | first backoff delay in milliseconds (doubles each retry) | 500 |
/// | `FMNIST_DEADLINE_BASE` | seconds every file gets on a mirror before its size counts | 60 |
/// | `FMNIST_MIN_RATE` | minimum average rate in KiB/s that sets each file's deadline (as `--min-rate`) | 64 |
/// | `FMNIST_HOST_CONNECTIONS` | transfers this process runs against one host at once (1–32) | 4 |
///
/// A busy mirror (503, 429, or a refused connection from a host that answered before) is not
/// given a fixed number of retries: it is retried with full-jitter backoff, at least as long as its
/// `Retry-After` asks, until the file's deadline on that mirror (below).
///
/// Each file has an overall deadline on each mirror, retries and backoff included:
/// `deadlineBase + container size ÷ minimumRate` (for Fashion-MNIST's 26 MB training images,
/// 60 s + 403 s at the defaults). A mirror that trickles just above the low-speed limit is given up
/// when its time is spent, and the next mirror resumes from the bytes held.
///
/// Proxies come from libcurl's standard variables (`http_proxy`, `https_proxy`, `HTTPS_PROXY`,
/// `all_proxy`, `no_proxy`), which libcurl reads itself.
public struct TransferSettings: Sendable, Equatable {
    /// Seconds allowed to connect (TCP and TLS).
    public var connectTimeout: Int = 15
    /// A transfer slower than `lowSpeedLimit` bytes/s for `lowSpeedTime` seconds is abandoned (a timeout).
    public var lowSpeedLimit: Int = 1024
    public var lowSpeedTime: Int = 30
    /// Redirects followed at most, and only to http/https.
    public var maxRedirects: Int = 5
    /// A PEM bundle of CA certificates that https servers are verified against instead of the system store.
    public var caBundle: String?
    /// Sent as `User-Agent`.
    public var userAgent: String = "fmnist/\(FMNISTCoreVersion.string)"
    /// libcurl receive buffer size in bytes.
    public var bufferSize: Int = 256 * 1024
    /// Backoff of transient failures.
    public var retry: RetryPolicy = RetryPolicy()
    /// Transfers this process runs against one host (scheme, host, port) at once; more wait for a slot.
    public var hostConnections: Int = 4
    /// Seconds each file gets on each mirror before its size counts (see ``deadline(forSize:)``).
    public var deadlineBase: Double = 60
    /// The slowest average rate, in bytes per second, a mirror may deliver a file at.
    public var minimumRate: Double = 64 * 1024

    /// The secrets of the run's mirrors (user-info, query tokens, configured headers, netrc file):
    /// only ``CurlTransfer`` reads them.
    public var access = MirrorAccess()

    /// The valid `--min-rate` values, in KiB/s.
    public static let minimumRateRange: ClosedRange<Double> = 1...1_048_576
    /// The valid `FMNIST_DEADLINE_BASE` values, in seconds.
    public static let deadlineBaseRange: ClosedRange<Double> = 1...3600

    public init() {}

    /// Seconds one mirror may spend on a file of `size` bytes, retries and backoff included.
    public func deadline(forSize size: Int64) -> Double {
        deadlineBase + Double(max(0, size)) / minimumRate
    }

    /// Checks a `--min-rate` value (KiB/s): a finite number in ``minimumRateRange``.
    public static func validatedMinimumRate(_ kib: Double, source: String = "--min-rate") throws -> Double {
        guard kib.isFinite, minimumRateRange.contains(kib) else {
            throw UsageError(
                "\(source) \(kib) KiB/s is out of range",
                hint: "give the slowest acceptable average rate in KiB/s, from 1 to 1048576 (default 64)")
        }
        return kib * 1024
    }

    /// Defaults overridden by the environment variables above and by an explicit `--cacert`.
    /// Throws a usage error naming the variable when a value is malformed or the CA file is unreadable.
    public static func resolve(
        caBundle explicitCA: String? = nil, minimumRateKiB: Double? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> TransferSettings {
        var settings = TransferSettings()
        func integer(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
                throw UsageError(
                    "\(name)=\"\(text)\" is not a whole number in \(range.lowerBound)…\(range.upperBound)",
                    hint: "unset \(name) or give it a number")
            }
            return value
        }
        if let value = try integer("FMNIST_CONNECT_TIMEOUT", 1...600) { settings.connectTimeout = value }
        if let value = try integer("FMNIST_LOW_SPEED_TIME", 1...3600) { settings.lowSpeedTime = value }
        if let value = try integer("FMNIST_RETRIES", 0...20) { settings.retry.retries = value }
        if let value = try integer("FMNIST_HOST_CONNECTIONS", 1...32) { settings.hostConnections = value }
        if let value = try integer("FMNIST_RETRY_BASE_MS", 0...60_000) {
            settings.retry.baseDelay = Double(value) / 1000
        }
        func number(_ name: String) throws -> Double? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                throw UsageError("\(name)=\"\(text)\" is not a number", hint: "unset \(name) or give it a number")
            }
            return value
        }
        if let value = try number("FMNIST_DEADLINE_BASE") {
            guard deadlineBaseRange.contains(value) else {
                throw UsageError(
                    "FMNIST_DEADLINE_BASE=\(value) is out of range",
                    hint: "give the seconds each file gets before its size counts, from 1 to 3600 (default 60)")
            }
            settings.deadlineBase = value
        }
        if let kib = minimumRateKiB {
            settings.minimumRate = try validatedMinimumRate(kib)
        } else if let kib = try number("FMNIST_MIN_RATE") {
            settings.minimumRate = try validatedMinimumRate(kib, source: "FMNIST_MIN_RATE")
        }
        let ca = explicitCA ?? environment["FMNIST_CA_BUNDLE"].flatMap { $0.isEmpty ? nil : $0 }
        if let ca {
            let source = explicitCA != nil ? "--cacert" : "FMNIST_CA_BUNDLE"
            // libcurl opens the bundle itself (and would block on a FIFO): check it is a regular file first.
            if let kind = RegularFile.kind(at: ca), kind != .regular {
                throw UsageError("\(source) \"\(ca)\" \(kind.refusal)", hint: "give the path of a PEM file of CA certificates")
            }
            guard FileManager.default.isReadableFile(atPath: ca) else {
                throw UsageError(
                    "\(source) \"\(ca)\" is not a readable file", hint: "give the path of a PEM file of CA certificates")
            }
            settings.caBundle = URL(fileURLWithPath: ca).standardizedFileURL.path
        }
        return settings
    }
}
