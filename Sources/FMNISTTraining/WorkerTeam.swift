import CKernels

/// A fixed team of `threads − 1` persistent worker threads plus the calling thread (C's
/// `fmnist_team`), for the trainer's many short parallel phases.
///
/// `run` hands part 0 to the caller and part `i` to worker `i`; a part that no worker has picked up
/// by the time the caller finishes its own runs on the caller, so a worker descheduled by other load
/// never delays a phase it has not started. Idle workers spin about 0.2 ms before they sleep (a batch
/// of 64 images takes about a millisecond, and waking a sleeping thread on an idle virtual CPU costs
/// a large part of that; with `DispatchQueue.concurrentPerform` it happened twice per batch).
final class WorkerTeam: @unchecked Sendable {
    // The C team is used by one caller at a time (the owning TrainingSession), and freed on deinit.
    private let team: OpaquePointer?
    /// Parts per `run` (the thread count asked for).
    let threads: Int

    init(threads: Int) {
        self.threads = threads
        team = threads > 1 ? fmnist_team_create(Int32(threads)) : nil
    }

    deinit { fmnist_team_destroy(team) }

    /// Calls `body(part)` for every part in `0..<threads`, concurrently, and returns when all
    /// have returned. `body` must make its concurrent calls safe (disjoint outputs).
    func run(_ body: (Int) -> Void) {
        guard let team, threads > 1 else {
            for part in 0..<threads { body(part) }
            return
        }
        withoutActuallyEscaping(body) { body in
            var closure = body
            withUnsafeMutablePointer(to: &closure) { pointer in
                fmnist_team_run(team, { context, part in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(part))
                }, pointer)
            }
        }
    }
}
