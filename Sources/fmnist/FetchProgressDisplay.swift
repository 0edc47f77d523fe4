import FMNISTCore
import Foundation

/// Writes a running fetch's progress on stderr: ``FetchProgress`` decides every line from the
/// fetch's events; this class serialises the events (they come from any thread), reads the clock
/// and the terminal's width, and writes the text.
final class FetchProgressDisplay: @unchecked Sendable {
    private let lock = NSLock()
    private var progress: FetchProgress

    init(console: Console) {
        progress = FetchProgress(isTerminal: console.isTerminal, quiet: console.quiet)
    }

    /// Receives the fetch's events (from any thread).
    func handle(_ event: FetchEvent) {
        lock.lock()
        defer { lock.unlock() }
        for text in progress.handle(event, now: DispatchTime.now().uptimeNanoseconds, width: Self.terminalWidth) { Console.writeStderr(text) }
    }

    /// Leaves the last state of the progress block on screen.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        for text in progress.finish(width: Self.terminalWidth) { Console.writeStderr(text) }
    }

    private static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return 100
    }
}
