import Foundation

/// Runs blocking jobs (transfers) on a bounded number of dedicated threads.
///
/// libcurl's easy interface blocks its thread for the whole transfer, so transfers must not run
/// on Swift's cooperative pool (two threads on a two-core machine).
enum WorkerPool {
    /// Calls `body(index)` for every index in `0..<count`, in order of `order` (default
    /// ascending), on at most `width` threads. Returns when all calls have returned.
    static func run(count: Int, width: Int, order: [Int]? = nil, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        let order = order ?? Array(0..<count)
        let next = LockedBox(0)
        let group = DispatchGroup()
        for _ in 0..<max(1, min(width, count)) {
            group.enter()
            let thread = Thread {
                while true {
                    let slot = next.withLock { (position: inout Int) -> Int? in
                        guard position < order.count else { return nil }
                        defer { position += 1 }
                        return order[position]
                    }
                    guard let index = slot else { break }
                    body(index)
                }
                group.leave()
            }
            thread.name = "fmnist-transfer"
            thread.start()
        }
        group.wait()
    }
}
