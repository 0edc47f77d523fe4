import Foundation

/// Process-wide bookkeeping per mirror host (scheme, host and port): how many transfers run against
/// it now — at most ``TransferSettings/hostConnections`` (`FMNIST_HOST_CONNECTIONS`, default 4);
/// a transfer past that waits for a slot, within its deadline — and whether the host has answered
/// this process, so that a connection it refuses later reads as "busy"
/// (``TransferFailure/refused(message:)``) rather than "down". `file://` sources are not capped.
///
/// ```swift
/// let key = HostSlots.key("http://127.0.0.1:8080/fashion/t10k-labels-idx1-ubyte.gz")  // "http://127.0.0.1:8080"
/// if HostSlots.shared.acquire(key!, limit: 4, deadline: nil, cancellation: nil) == .acquired {
///     defer { HostSlots.shared.release(key!) }
///     // … one transfer …
/// }
/// ```
final class HostSlots: @unchecked Sendable {
    /// The one instance every ``CurlTransfer`` of the process shares.
    static let shared = HostSlots()

    /// Guards `running` and `answered` (the `@unchecked Sendable` above rests on it).
    private let condition = NSCondition()
    private var running: [String: Int] = [:]
    private var answered: Set<String> = []

    /// The host key of a URL, e.g. `http://127.0.0.1:8080`; nil for `file://` and unparseable URLs.
    static func key(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme.flatMap({ MirrorScheme(rawValue: $0.lowercased()) }),
            scheme.isHTTP, let port = components.port ?? scheme.defaultPort, let host = components.host?.lowercased(), !host.isEmpty
        else { return nil }
        return "\(scheme.rawValue)://\(host):\(port)"
    }

    /// How a wait for a slot ended.
    enum Wait: Equatable {
        case acquired
        case pastDeadline
        case cancelled
    }

    /// Takes one of `limit` slots of `key`, waiting while all are taken — until `deadline` (an
    /// uptime in nanoseconds) or until `cancellation` is set (checked every 0.1 s).
    func acquire(_ key: String, limit: Int, deadline: UInt64?, cancellation: Cancellation?) -> Wait {
        condition.lock()
        defer { condition.unlock() }
        while running[key, default: 0] >= max(1, limit) {
            if cancellation?.isCancelled == true { return .cancelled }
            let now = DispatchTime.now().uptimeNanoseconds
            if let deadline, now >= deadline { return .pastDeadline }
            let slice = min(0.1, deadline.map { Double($0 - now) / 1e9 } ?? 0.1)
            _ = condition.wait(until: Date().addingTimeInterval(slice))
        }
        running[key, default: 0] += 1
        return .acquired
    }

    /// Gives back a slot taken with ``acquire(_:limit:deadline:cancellation:)``.
    func release(_ key: String) {
        condition.lock()
        running[key] = max(0, running[key, default: 1] - 1)
        condition.broadcast()
        condition.unlock()
    }

    /// Transfers running against `key` now.
    func inUse(_ key: String) -> Int {
        condition.lock()
        defer { condition.unlock() }
        return running[key, default: 0]
    }

    /// Records that `key` answered (any HTTP status).
    func markAnswered(_ key: String) {
        condition.lock()
        answered.insert(key)
        condition.unlock()
    }

    /// Whether `key` has answered this process before.
    func hasAnswered(_ key: String) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return answered.contains(key)
    }
}
