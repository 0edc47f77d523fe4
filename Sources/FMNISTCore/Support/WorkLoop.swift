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

extension WorkLoop {
    /// The worker threads a CPU-bound pass uses: `FMNIST_THREADS` when it is a number from 1 to
    /// 64 (benchmarks force one thread with it), else the machine's active cores, at most 64.
    static var defaultThreads: Int {
        threads(setting: ProcessInfo.processInfo.environment["FMNIST_THREADS"], cores: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The thread count `setting` (the `FMNIST_THREADS` text) asks for; `cores` when it is unset
    /// or not a number from 1 to 64.
    static func threads(setting: String?, cores: Int) -> Int {
        if let setting, let value = Int(setting.trimmingCharacters(in: .whitespaces)), (1...64).contains(value) { return value }
        return max(1, min(64, cores))
    }

    /// Makes `count` pieces on up to `width` worker threads, at most `window` pieces ahead of the
    /// consumer (bounded memory), and hands them to `consume` in index order on the calling thread:
    /// a file is written front to back while its next pieces are being made. With one thread it
    /// makes and consumes each piece in turn on the calling thread, so both runs see the same
    /// pieces in the same order. When `consume` throws, the workers stop after their current piece
    /// and the error is rethrown once they have.
    ///
    /// ```swift
    /// try WorkLoop.ordered(count: chunks, width: 2) { format(chunk: $0) } consume: { try file.write($0) }
    /// ```
    static func ordered<Piece: Sendable>(
        count: Int, width: Int, window: Int? = nil, make: @escaping @Sendable (Int) -> Piece, consume: (Piece) throws -> Void
    ) throws {
        guard count > 0 else { return }
        let threads = max(1, min(width, count))
        if threads == 1 {
            for index in 0..<count { try consume(make(index)) }
            return
        }
        let window = max(threads, window ?? 2 * threads)
        let handoff = OrderedHandoff<Piece>()
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                while let index = handoff.claim(count: count, window: window) {
                    handoff.deliver(index, make(index))
                }
            }
            thread.name = "fmnist-work"
            thread.start()
        }
        defer {
            handoff.stop()
            group.wait()
        }
        for index in 0..<count { try consume(handoff.take(index)) }
    }
}

/// The state ``WorkLoop/ordered(count:width:window:make:consume:)`` shares between its workers
/// and its consumer, behind one condition.
private final class OrderedHandoff<Piece>: @unchecked Sendable {
    private let condition = NSCondition()
    private var ready: [Int: Piece] = [:]
    private var next = 0
    private var consumed = 0
    private var stopped = false

    /// The next index to make, once it is within `window` of the consumer; nil when there is none or the pass stopped.
    func claim(count: Int, window: Int) -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while !stopped && next < count && next >= consumed + window { condition.wait() }
        guard !stopped && next < count else { return nil }
        defer { next += 1 }
        return next
    }

    func deliver(_ index: Int, _ piece: Piece) {
        condition.lock()
        ready[index] = piece
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for piece `index` and takes it (freeing its slot in the window).
    func take(_ index: Int) -> Piece {
        condition.lock()
        defer { condition.unlock() }
        while ready[index] == nil { condition.wait() }
        consumed = index + 1
        condition.broadcast()
        return ready.removeValue(forKey: index)!
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
