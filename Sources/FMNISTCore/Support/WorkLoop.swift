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

/// The one work loop behind every parallel pass (file hashing, transfers): a bounded number of
/// dedicated threads take indices from a shared queue, in a given order, until none is left.
///
/// Dedicated threads, not Swift's cooperative pool or `concurrentPerform`: libcurl's easy
/// interface and file hashing block their thread for the whole job, and the cooperative pool has
/// only as many threads as cores (two here).
///
/// ```swift
/// WorkLoop.run(count: jobs.count, width: 4, order: biggestFirst) { index in fetch(jobs[index]) }
/// let digests = files.parallelMap(threads: 2, cost: { $0.size }) { hash($0) }
/// ```
enum WorkLoop {
    /// Calls `body(index)` for every index in `0..<count`, in the order of `order` (default
    /// ascending), on at most `width` threads. Returns when all calls have returned. With one
    /// thread (or one index) it runs on the calling thread.
    static func run(count: Int, width: Int, order: [Int]? = nil, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        let order = order ?? Array(0..<count)
        let next = LockedBox(0)
        let loop: @Sendable () -> Void = {
            while true {
                let slot = next.withLock { (position: inout Int) -> Int? in
                    guard position < order.count else { return nil }
                    defer { position += 1 }
                    return order[position]
                }
                guard let index = slot else { return }
                body(index)
            }
        }
        let threads = max(1, min(width, count))
        if threads == 1 {
            loop()
            return
        }
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            let thread = Thread {
                loop()
                group.leave()
            }
            thread.name = "fmnist-work"
            thread.start()
        }
        group.wait()
    }
}

extension Array where Element: Sendable {
    /// Maps elements on up to `threads` threads of the ``WorkLoop``, preserving order. `cost`
    /// orders the work (largest first) so that two big files land on different cores.
    func parallelMap<T: Sendable>(
        threads: Int = ProcessInfo.processInfo.activeProcessorCount,
        cost: (Element) -> Int64 = { _ in 0 },
        _ transform: @Sendable @escaping (Element) -> T
    ) -> [T] {
        let order = indices.sorted { cost(self[$0]) > cost(self[$1]) }
        let results = LockedBox([T?](repeating: nil, count: count))
        let items = self
        WorkLoop.run(count: count, width: threads, order: order) { index in
            let value = transform(items[index])
            results.withLock { $0[index] = value }
        }
        return results.withLock { $0.map { $0! } }
    }
}
