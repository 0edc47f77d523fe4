import Foundation
import Synchronization

/// The signal that arrived while a ``SignalCancellation`` was active (0: none). A plain atomic,
/// so that the signal handler does nothing but one store.
private let receivedSignal = Atomic<Int32>(0)

/// A cancellation flag that long-running library work (transfers, backoff waits) polls.
///
/// Set it from any thread with ``cancel()``, or let SIGINT/SIGTERM set it with
/// ``cancelOnSignals(_:)``. Work that sees it stops at the next check (a transfer within about a
/// second: libcurl's progress callback polls it), keeps what it has, and reports "interrupted".
///
/// ```swift
/// let cancellation = Cancellation()
/// let signals = cancellation.cancelOnSignals()   // SIGINT, SIGTERM
/// defer { signals.stop() }
/// // ... run work that checks `cancellation.isCancelled` ...
/// ```
public final class Cancellation: Sendable {
    private let flag = Atomic<Int32>(0)
    private let watchesSignals = Atomic<Bool>(false)

    public init() {}

    /// Cancels (from any thread).
    public func cancel() { _ = flag.compareExchange(expected: 0, desired: -1, ordering: .releasing) }

    /// Whether ``cancel()`` was called or a watched signal arrived.
    public var isCancelled: Bool { signal != nil || flag.load(ordering: .acquiring) != 0 }

    /// The signal that cancelled, when one did (SIGINT = 2, SIGTERM = 15).
    public var signal: Int32? {
        let own = flag.load(ordering: .acquiring)
        if own > 0 { return own }
        if watchesSignals.load(ordering: .acquiring) {
            let number = receivedSignal.load(ordering: .acquiring)
            if number != 0 {
                _ = flag.compareExchange(expected: 0, desired: number, ordering: .releasing)
                return number
            }
        }
        return nil
    }

    /// Makes `signals` cancel this flag until ``SignalCancellation/stop()``: the first one sets
    /// the flag; a second one while the work is still stopping ends the process the default way.
    /// One at a time per process.
    public func cancelOnSignals(_ signals: [Int32] = [SIGINT, SIGTERM]) -> SignalCancellation {
        SignalCancellation(signals: signals, cancellation: self)
    }

    fileprivate func watch(_ on: Bool) { watchesSignals.store(on, ordering: .releasing) }
}

/// SIGINT/SIGTERM handlers installed for a ``Cancellation``; ``stop()`` puts the previous ones back.
public final class SignalCancellation: Sendable {
    private let signals: [Int32]
    private let cancellation: Cancellation
    private let previous: Mutex<[Int32: sigaction]>

    fileprivate init(signals: [Int32], cancellation: Cancellation) {
        self.signals = signals
        self.cancellation = cancellation
        receivedSignal.store(0, ordering: .releasing)
        cancellation.watch(true)
        var saved: [Int32: sigaction] = [:]
        for number in signals {
            var action = sigaction()
            #if os(Linux)
                action.__sigaction_handler.sa_handler = { number in
                    // Async-signal-safe: one atomic exchange; a second signal restores the default
                    // action and re-raises it (delivered once this handler returns).
                    if receivedSignal.exchange(number, ordering: .acquiringAndReleasing) != 0 {
                        Foundation.signal(number, SIG_DFL)
                        raise(number)
                    }
                }
            #else
                action.__sigaction_u.__sa_handler = { number in
                    if receivedSignal.exchange(number, ordering: .acquiringAndReleasing) != 0 {
                        Foundation.signal(number, SIG_DFL)
                        raise(number)
                    }
                }
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            var old = sigaction()
            if sigaction(number, &action, &old) == 0 { saved[number] = old }
        }
        previous = Mutex(saved)
        // A signal blocked by the parent (some test runners block SIGINT) must still arrive.
        var set = sigset_t()
        sigemptyset(&set)
        for number in signals { sigaddset(&set, number) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Restores the handlers that were in place before. Safe to call twice.
    public func stop() {
        previous.withLock { saved in
            for (number, action) in saved {
                var old = action
                sigaction(number, &old, nil)
            }
            saved = [:]
        }
        // Remember what arrived, then stop watching the process-wide slot.
        _ = cancellation.signal
        cancellation.watch(false)
    }
}
