import Dispatch
import Foundation

/// A lock-protected box for results written from several threads.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

extension Array where Element: Sendable {
    /// Maps elements on up to `threads` threads, preserving order. `cost` orders the work
    /// (largest first) so that two big files land on different cores.
    func parallelMap<T: Sendable>(
        threads: Int = ProcessInfo.processInfo.activeProcessorCount,
        cost: (Element) -> Int64 = { _ in 0 },
        _ transform: @Sendable @escaping (Element) -> T
    ) -> [T] {
        if count <= 1 || threads <= 1 { return map(transform) }
        let order = indices.sorted { cost(self[$0]) > cost(self[$1]) }
        let results = LockedBox([T?](repeating: nil, count: count))
        let next = LockedBox(0)
        let items = self
        DispatchQueue.concurrentPerform(iterations: Swift.min(threads, count)) { _ in
            while true {
                let slot = next.withLock { (position: inout Int) -> Int? in
                    guard position < order.count else { return nil }
                    defer { position += 1 }
                    return order[position]
                }
                guard let index = slot else { return }
                let value = transform(items[index])
                results.withLock { $0[index] = value }
            }
        }
        return results.withLock { $0.map { $0! } }
    }
}
