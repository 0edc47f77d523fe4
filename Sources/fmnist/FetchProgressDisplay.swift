import FMNISTCore
import Foundation

/// Shows a running fetch on stderr: on a terminal, one redrawn line per file (bytes, rate, ETA,
/// mirror) with mirror skips and retries printed above; otherwise plain lines for every event
/// and a progress line per file every few seconds; nothing when quiet.
final class FetchProgressDisplay: @unchecked Sendable {
    private struct Line {
        var target: FileTarget
        var bytes: Int64 = 0
        var total: Int64?
        var rate: Double = 0
        var url: String = ""
        var state: String = "waiting"
        var lastPrinted: UInt64 = 0
    }

    private let console: Console
    private let interactive: Bool
    private let plainInterval: UInt64
    private let lock = NSLock()
    private var lines: [Line] = []
    private var drawn = 0
    private var lastDraw: UInt64 = 0

    /// - Parameter plainInterval: seconds between progress lines of one file when stderr is not a terminal.
    init(console: Console, plainInterval: Double = 2) {
        self.console = console
        self.interactive = console.isTerminal && !console.quiet
        self.plainInterval = UInt64(max(0.1, plainInterval) * 1e9)
    }

    /// Receives the fetch's events (from any thread).
    func handle(_ event: FetchEvent) {
        guard !console.quiet else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now().uptimeNanoseconds
        switch event {
        case .waitingForLock(let message):
            say(message)
        case .present:
            break  // the summary says it
        case .started(let target, let url, let offset):
            update(target) {
                $0.url = url
                $0.bytes = offset
                $0.state = offset > 0 ? "resuming" : "fetching"
                $0.lastPrinted = now
            }
            if !interactive {
                say("\(target.label): fetching from \(url)" + (offset > 0 ? " (resuming at \(Self.bytes(offset)))" : ""))
            }
        case .progress(let target, let bytes, let total, let rate, let url):
            update(target) {
                $0.bytes = bytes
                $0.total = total
                $0.rate = rate
                $0.url = url
                $0.state = "fetching"
            }
            if !interactive, let index = lines.firstIndex(where: { $0.target == target }),
                now - lines[index].lastPrinted >= plainInterval
            {
                lines[index].lastPrinted = now
                say("\(target.label): \(Self.describe(lines[index]))")
            }
        case .retrying(let target, let url, let reason, let delay, let attempt):
            update(target) { $0.state = "retrying" }
            say("\(target.label): mirror \(url) \(reason); retry \(attempt) in \(String(format: "%.1f", delay)) s")
        case .restarted(let target, let url, let reason):
            update(target) { $0.bytes = 0 }
            say("\(target.label): restarting from byte 0 at \(url): \(reason)")
        case .skipped(let target, let skip):
            say("\(target.label): skipped \(skip)")
        case .finished(let target, let report):
            update(target) {
                $0.state = report.status == .failed ? "FAILED" : "done"
                if let size = report.measurement?.containerSize {
                    $0.bytes = size
                    $0.total = size
                }
            }
            if !interactive {
                say(
                    "\(target.label): " + (report.status == .failed
                        ? "FAILED: \(report.message)"
                        : "\(report.message) (\(Self.bytes(report.bytesDownloaded)) transferred in \(String(format: "%.1f", report.seconds)) s)"))
            }
        case .datasetDone:
            break
        }
        if interactive && (now - lastDraw > 80_000_000 || !isProgress(event)) {
            lastDraw = now
            redraw()
        }
    }

    /// Leaves the last state of the progress block on screen.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if interactive && !lines.isEmpty { redraw() }
        drawn = 0
    }

    private func isProgress(_ event: FetchEvent) -> Bool {
        if case .progress = event { return true }
        return false
    }

    private func update(_ target: FileTarget, _ change: (inout Line) -> Void) {
        if let index = lines.firstIndex(where: { $0.target == target }) {
            change(&lines[index])
        } else {
            var line = Line(target: target)
            change(&line)
            lines.append(line)
        }
    }

    /// Prints a message line (above the progress block on a terminal).
    private func say(_ message: String) {
        if interactive {
            var text = drawn > 0 ? "\u{1B}[\(drawn)F\u{1B}[0J" : ""
            text += message + "\n"
            drawn = 0
            Console.writeStderr(text)
        } else {
            Console.writeStderr(message + "\n")
        }
    }

    private func redraw() {
        let width = Self.terminalWidth()
        var text = drawn > 0 ? "\u{1B}[\(drawn)F" : ""
        let labelWidth = lines.map { $0.target.label.count }.max() ?? 0
        for line in lines {
            var row = line.target.label.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + "  " + Self.describe(line)
            if row.count > width - 1 { row = String(row.prefix(max(10, width - 2))) + "…" }
            text += "\u{1B}[2K" + row + "\n"
        }
        drawn = lines.count
        Console.writeStderr(text)
    }

    /// e.g. "12.3 MB / 26.4 MB  47%  5.1 MB/s  ETA 3s  http://host/…".
    private static func describe(_ line: Line) -> String {
        var parts: [String] = []
        if let total = line.total, total > 0 {
            let percent = min(100, Int(Double(line.bytes) * 100 / Double(total)))
            parts.append("\(bytes(line.bytes)) / \(bytes(total))  \(String(format: "%3d", percent))%")
        } else {
            parts.append(bytes(line.bytes))
        }
        switch line.state {
        case "done", "FAILED", "waiting":
            parts.append(line.state)
        default:
            parts.append(String(format: "%.1f MB/s", line.rate / 1e6))
            if let total = line.total, line.rate > 0, total > line.bytes {
                parts.append("ETA \(duration(Double(total - line.bytes) / line.rate))")
            }
            if line.state != "fetching" { parts.append(line.state) }
        }
        if !line.url.isEmpty { parts.append(line.url) }
        return parts.joined(separator: "  ")
    }

    static func bytes(_ count: Int64) -> String {
        if count < 10_000 { return "\(count) B" }
        if count < 1_000_000 { return String(format: "%.1f kB", Double(count) / 1e3) }
        return String(format: "%.1f MB", Double(count) / 1e6)
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return "\(Int(seconds.rounded(.up)))s" }
        let total = Int(seconds.rounded(.up))
        return "\(total / 60)m\(String(format: "%02d", total % 60))s"
    }

    private static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return 100
    }
}
