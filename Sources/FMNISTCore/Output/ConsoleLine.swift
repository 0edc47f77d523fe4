import Foundation

/// One line of human output that the library composes and the executable writes: the case says
/// which rule applies (`info` is dropped by `--quiet`; errors, hints and `always` lines never are).
///
/// ```swift
/// let lines: [ConsoleLine] = [.info("fetched"), .hint("rerun to resume")]
/// Console(quiet: false).emit(lines)   // "fetched\nhint: rerun to resume\n" on stderr
/// ```
public enum ConsoleLine: Equatable, Sendable {
    /// A line of human output, unless quiet (``Console/info(_:)``).
    case info(String)
    /// An error line, always (``Console/error(_:)``: "error: " before it).
    case error(String)
    /// "hint: …", always.
    case hint(String)
    /// A line as it is, always.
    case always(String)

    /// The line's text as written without colour (`error: ` and `hint: ` prefixed).
    public var plainText: String {
        switch self {
        case .info(let text), .always(let text): return text
        case .error(let text): return "error: " + text
        case .hint(let text): return "hint: " + text
        }
    }
}

extension Console {
    /// Writes the lines on stderr, each by its rule.
    public func emit(_ lines: [ConsoleLine]) {
        for line in lines {
            switch line {
            case .info(let text): info(text)
            case .error(let text): error(text)
            case .hint(let text): Console.writeStderr("hint: \(text)\n")
            case .always(let text): Console.writeStderr(text + "\n")
            }
        }
    }

    /// The mark before a checked item: "ok  " in green, else "FAIL" in red.
    public func checkMark(_ ok: Bool) -> String { ok ? style("ok  ", "32") : style("FAIL", "31") }

    /// A verdict line's text in bold green when `good`, else bold red.
    public func verdict(_ text: String, good: Bool) -> String { style(text, good ? "1;32" : "1;31") }
}
