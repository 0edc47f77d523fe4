import Foundation

/// The state of a running fetch's display and the text it writes, decided from the fetch's
/// events (model: SwiftPM's `ProgressTaskState` + `ProgressAnimationProtocol`): this type holds
/// each file's state and says what to print; the executable only writes the text on stderr.
///
/// On a terminal: one redrawn line per file (bytes, rate, ETA, mirror host) and a total line, with
/// mirror skips and retries printed above (a mirror that fails the same way for several files is
/// printed once). Otherwise plain lines for every event and a progress line per file every
/// `plainInterval` seconds. Nothing when quiet. Rates are measured over the last
/// ``window`` nanoseconds, so the ETA follows the mirror's current speed. Mirrors that `--offline`
/// passes over are not printed (the summary says so if nothing was found).
///
/// ```swift
/// var progress = FetchProgress(isTerminal: false, quiet: false)
/// for text in progress.handle(.started(target, url: "http://host/f.gz", offset: 0), now: 0, width: { 100 }) {
///     FileHandle.standardError.write(Data(text.utf8))   // "fashion/f.gz: fetching from http://host/f.gz\n"
/// }
/// ```
public struct FetchProgress: Sendable {
    /// What one file is doing.
    public enum State: String, Sendable {
        case waiting, fetching, resuming, retrying, done
        case failed = "FAILED"
    }

    /// One file's line.
    public struct Line: Sendable {
        public var target: FileTarget
        public var bytes: Int64 = 0
        public var total: Int64?
        /// The transfer's own average rate (bytes per second), as the fetch reports it.
        public var rate: Double = 0
        public var url: String = ""
        public var state: State = .waiting
        var lastPrinted: UInt64 = 0
        /// (uptime, bytes) samples of the last few seconds, for the recent rate.
        var samples: [(UInt64, Int64)] = []

        /// Bytes per second over the sample window (the transfer's own average until it is long enough).
        public var recentRate: Double {
            guard let first = samples.first, let last = samples.last, last.0 > first.0 + 500_000_000 else { return rate }
            return Double(last.1 - first.1) / (Double(last.0 - first.0) / 1e9)
        }

        mutating func sample(_ now: UInt64) {
            samples.append((now, bytes))
            samples.removeAll { now - $0.0 > FetchProgress.window }
        }

        /// Whether bytes are moving (the total's rate counts only these).
        var active: Bool { state == .fetching || state == .resuming }
    }

    /// The window of the recent rate, in nanoseconds.
    public static let window: UInt64 = 3_000_000_000

    /// Redrawn in place (a terminal, not quiet).
    public let interactive: Bool
    public let quiet: Bool
    let plainInterval: UInt64
    /// The files seen so far, in the order of their first event.
    public private(set) var lines: [Line] = []
    /// Rows of the progress block on screen (moved over by the next message or redraw).
    private var drawn = 0
    private var lastDraw: UInt64 = 0
    /// Mirror base + skip code already printed (a terminal shows each once).
    private var skipsShown: Set<String> = []

    /// - Parameter plainInterval: seconds between progress lines of one file when stderr is not a terminal.
    public init(isTerminal: Bool, quiet: Bool, plainInterval: Double = 2) {
        self.quiet = quiet
        self.interactive = isTerminal && !quiet
        self.plainInterval = UInt64(max(0.1, plainInterval) * 1e9)
    }

    /// The texts to write on stderr, in order, for `event` at `now` (uptime in nanoseconds);
    /// `width` gives the terminal's columns when the block is redrawn.
    public mutating func handle(_ event: FetchEvent, now: UInt64, width: () -> Int) -> [String] {
        guard !quiet else { return [] }
        var out: [String] = []
        switch event {
        case .waitingForLock(let message):
            out.append(say(message))
        case .present:
            break  // the summary says it
        case .started(let target, let url, let offset):
            update(target) {
                $0.url = url
                $0.bytes = offset
                $0.state = offset > 0 ? .resuming : .fetching
                $0.lastPrinted = now
                $0.samples = []
            }
            if !interactive {
                out.append(say("\(target.label): fetching from \(url)" + (offset > 0 ? " (resuming at \(Self.bytes(offset)))" : "")))
            } else if offset > 0 {
                out.append(say("\(target.label): resuming at \(Self.bytes(offset)) from \(Self.host(url))"))
            }
        case .progress(let target, let bytes, let total, let rate, let url):
            update(target) {
                $0.bytes = bytes
                $0.total = total
                $0.rate = rate
                $0.url = url
                $0.state = .fetching
                $0.sample(now)
            }
            if !interactive, let index = lines.firstIndex(where: { $0.target == target }),
                now - lines[index].lastPrinted >= plainInterval
            {
                lines[index].lastPrinted = now
                out.append(say("\(target.label): \(Self.describe(lines[index]))"))
            }
        case .retrying(let target, let url, let reason, let delay, let attempt):
            update(target) { $0.state = .retrying }
            out.append(say("\(target.label): mirror \(url) \(reason); retry \(attempt) in \(String(format: "%.1f", delay)) s"))
        case .restarted(let target, let url, let reason):
            update(target) { $0.bytes = 0 }
            out.append(say("\(target.label): restarting from byte 0 at \(url): \(reason)"))
        case .skipped(let target, let skip):
            if skip.code == .offline { break }
            if interactive {
                let key = FetchDiagnosis.mirrorBase(of: skip.url) + " " + skip.code.rawValue
                if skipsShown.contains(key) { break }
                skipsShown.insert(key)
            }
            out.append(say("\(target.label): skipped \(skip)"))
        case .finished(let target, let report):
            update(target) {
                $0.state = report.status == .failed ? .failed : .done
                if let size = report.measurement?.containerSize {
                    $0.bytes = size
                    $0.total = size
                }
            }
            if !interactive {
                out.append(say(
                    "\(target.label): " + (report.status == .failed
                        ? "FAILED: \(report.message)"
                        : "\(report.message) (\(Self.bytes(report.bytesDownloaded)) transferred in \(String(format: "%.1f", report.seconds)) s)")))
            }
        case .datasetDone:
            break
        }
        if interactive && (now - lastDraw > 80_000_000 || !Self.isProgress(event)) {
            lastDraw = now
            out.append(redraw(width: width()))
        }
        return out
    }

    /// The text that leaves the last state of the progress block on screen (none when there is no block).
    public mutating func finish(width: () -> Int) -> [String] {
        let out = interactive && !lines.isEmpty ? [redraw(width: width())] : []
        drawn = 0
        return out
    }

    private static func isProgress(_ event: FetchEvent) -> Bool {
        if case .progress = event { return true }
        return false
    }

    private mutating func update(_ target: FileTarget, _ change: (inout Line) -> Void) {
        if let index = lines.firstIndex(where: { $0.target == target }) {
            change(&lines[index])
        } else {
            var line = Line(target: target)
            change(&line)
            lines.append(line)
        }
    }

    /// A message line (above the progress block on a terminal: the block is erased and redrawn after it).
    private mutating func say(_ message: String) -> String {
        guard interactive else { return message + "\n" }
        let text = (drawn > 0 ? "\u{1B}[\(drawn)F\u{1B}[0J" : "") + message + "\n"
        drawn = 0
        return text
    }

    /// The progress block: one row per file and a total row, each cut to the terminal's width.
    private mutating func redraw(width: Int) -> String {
        var text = drawn > 0 ? "\u{1B}[\(drawn)F" : ""
        let labelWidth = max(5, lines.map { $0.target.label.count }.max() ?? 0)
        var rows = lines.map { line in
            line.target.label.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + "  " + Self.describe(line)
        }
        if lines.count > 1 { rows.append("total".padding(toLength: labelWidth, withPad: " ", startingAt: 0) + "  " + Self.total(lines)) }
        for var row in rows {
            if row.count > width - 1 { row = String(row.prefix(max(10, width - 2))) + "…" }
            text += "\u{1B}[2K" + row + "\n"
        }
        drawn = rows.count
        return text
    }

    /// e.g. "40.1 MB / 52.9 MB  75%  6.2 MB/s  ETA 3s": all files together, at the recent rates.
    static func total(_ lines: [Line]) -> String {
        let held = lines.reduce(Int64(0)) { $0 + $1.bytes }
        let whole = lines.reduce(Int64(0)) { $0 + ($1.total ?? $1.target.expectedSize) }
        let active = lines.filter(\.active)
        let rate = active.reduce(0) { $0 + $1.recentRate }
        var parts = ["\(bytes(held)) / \(bytes(whole))  \(String(format: "%3d", whole > 0 ? min(100, Int(Double(held) * 100 / Double(whole))) : 0))%"]
        if !active.isEmpty {
            parts.append(String(format: "%.1f MB/s", rate / 1e6))
            if rate > 0, whole > held { parts.append("ETA \(duration(Double(whole - held) / rate))") }
        }
        return parts.joined(separator: "  ")
    }

    /// e.g. "12.3 MB / 26.4 MB  47%  5.1 MB/s  ETA 3s  storage.googleapis.com".
    static func describe(_ line: Line) -> String {
        var parts: [String] = []
        if let total = line.total, total > 0 {
            let percent = min(100, Int(Double(line.bytes) * 100 / Double(total)))
            parts.append("\(bytes(line.bytes)) / \(bytes(total))  \(String(format: "%3d", percent))%")
        } else {
            parts.append(bytes(line.bytes))
        }
        switch line.state {
        case .done, .failed, .waiting:
            parts.append(line.state.rawValue)
        default:
            let rate = line.recentRate
            parts.append(String(format: "%.1f MB/s", rate / 1e6))
            if let total = line.total, rate > 0, total > line.bytes {
                parts.append("ETA \(duration(Double(total - line.bytes) / rate))")
            }
            if line.state != .fetching { parts.append(line.state.rawValue) }
        }
        if !line.url.isEmpty { parts.append(host(line.url)) }
        return parts.joined(separator: "  ")
    }

    /// The mirror's host ("storage.googleapis.com", with a port when it has one), or "local file" for file:// sources.
    public static func host(_ url: String) -> String {
        if url.lowercased().hasPrefix("file:") { return "local file" }
        guard let components = URLComponents(string: url), let host = components.host else { return url }
        return components.port.map { "\(host):\($0)" } ?? host
    }

    /// "9999 B", "12.3 kB", "26.4 MB".
    public static func bytes(_ count: Int64) -> String {
        if count < 10_000 { return "\(count) B" }
        if count < 1_000_000 { return String(format: "%.1f kB", Double(count) / 1e3) }
        return String(format: "%.1f MB", Double(count) / 1e6)
    }

    /// "7s", "2m05s" (rounded up).
    public static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return "\(Int(seconds.rounded(.up)))s" }
        let total = Int(seconds.rounded(.up))
        return "\(total / 60)m\(String(format: "%02d", total % 60))s"
    }
}
