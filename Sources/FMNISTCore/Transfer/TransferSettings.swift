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
/// | `FMNIST_RETRIES` | retries of a transient failure per mirror | 3 |
/// | `FMNIST_RETRY_BASE_MS` | first backoff delay in milliseconds (doubles each retry) | 500 |
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

    public init() {}

    /// Defaults overridden by the environment variables above and by an explicit `--cacert`.
    /// Throws a usage error naming the variable when a value is malformed or the CA file is unreadable.
    public static func resolve(
        caBundle explicitCA: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
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
        if let value = try integer("FMNIST_RETRY_BASE_MS", 0...60_000) {
            settings.retry.baseDelay = Double(value) / 1000
        }
        let ca = explicitCA ?? environment["FMNIST_CA_BUNDLE"].flatMap { $0.isEmpty ? nil : $0 }
        if let ca {
            let source = explicitCA != nil ? "--cacert" : "FMNIST_CA_BUNDLE"
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: ca, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isReadableFile(atPath: ca)
            else {
                throw UsageError(
                    "\(source) \"\(ca)\" is not a readable file", hint: "give the path of a PEM file of CA certificates")
            }
            settings.caBundle = URL(fileURLWithPath: ca).standardizedFileURL.path
        }
        return settings
    }
}
