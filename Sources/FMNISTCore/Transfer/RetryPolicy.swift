import Foundation

/// Bounded exponential backoff with jitter for transient failures (timeouts, 5xx, resets).
///
/// Retry `n` (0-based) of a broken transfer waits a random time in `[½, 1] × min(maxDelay,
/// baseDelay × 2ⁿ)`: the upper half of "full jitter", so that retries of several processes spread
/// out but never collapse to zero; there are at most ``retries`` of them.
///
/// A busy mirror (503, 429: ``TransferFailure/isOverload``) is retried with "full jitter" instead —
/// a uniform time in `[0, min(maxDelay, baseDelay × 2ⁿ)]` — added to whatever its `Retry-After`
/// asks, and without a count: the file's deadline on the mirror bounds it. A herd of clients told
/// "busy" at the same moment then spreads over the whole window instead of coming back together.
///
/// ```swift
/// let policy = RetryPolicy(retries: 3, baseDelay: 0.5)
/// policy.delay(forRetry: 0)   // 0.25…0.5 s
/// policy.delay(forRetry: 2)   // 1…2 s
/// var random = SystemRandomNumberGenerator()
/// policy.overloadDelay(forRetry: 2, retryAfter: 3, using: &random)   // 3…5 s
/// ```
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt, per mirror.
    public var retries: Int
    /// The first delay, in seconds.
    public var baseDelay: Double
    /// The longest delay, in seconds.
    public var maxDelay: Double

    public init(retries: Int = 3, baseDelay: Double = 0.5, maxDelay: Double = 8) {
        self.retries = max(0, retries)
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
    }

    /// The upper bound of the delay before retry `retry` (0-based), without jitter.
    public func ceiling(forRetry retry: Int) -> Double {
        let exponent = Double(min(max(0, retry), 30))
        return min(maxDelay, baseDelay * pow(2, exponent))
    }

    /// The delay before retry `retry` (0-based) of a busy mirror: `retryAfter` (what the server
    /// asked, 0 when it did not) plus a uniform random time in `[0, ceiling(forRetry:)]` drawn from `generator`.
    public func overloadDelay<G: RandomNumberGenerator>(forRetry retry: Int, retryAfter: Double?, using generator: inout G) -> Double {
        max(0, retryAfter ?? 0) + ceiling(forRetry: retry) * Double.random(in: 0...1, using: &generator)
    }

    /// The delay before retry `retry` (0-based), jittered with `random` (a value in 0…1).
    public func delay(forRetry retry: Int, random: Double = Double.random(in: 0...1)) -> Double {
        let ceiling = ceiling(forRetry: retry)
        return ceiling * (0.5 + 0.5 * min(1, max(0, random)))
    }
}
