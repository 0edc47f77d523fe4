import Foundation

/// The `--json` shape of a failed command (`{"error", "hint", "exit_code"}` on stdout) and the
/// lines a failure prints on stderr, for an ``FMNISTError`` and for an argument-parser usage error.
///
/// ```swift
/// let report = ErrorReport(UsageError("unknown optimizer \"x\"", hint: "use --optimizer sgd"))
/// report.lines   // [.error("unknown optimizer \"x\""), .hint("use --optimizer sgd")]
/// report.json    // {"error": …, "exit_code": 2, "hint": …}
/// ErrorReport.wantsJSON(["fetch", "--json"])   // true
/// ```
public struct ErrorReport: Encodable, Equatable, Sendable {
    public let error: String
    public let hint: String?
    public let exitCode: Int32

    public init(error: String, hint: String?, exitCode: Int32) {
        self.error = error
        self.hint = hint
        self.exitCode = exitCode
    }

    /// The report of a library error: its message, hint and documented exit status.
    public init(_ failure: any FMNISTError) {
        self.init(error: failure.description, hint: failure.hint, exitCode: failure.exitStatus.rawValue)
    }

    /// A usage error (exit 2) from the argument parser's message ("…\nhint: …" splits into its two
    /// parts), or, when the command line holds a known slip, the slip's message and hint.
    public static func usage(parserMessage: String, slip: CommandLineSlip?, commands: [String]) -> ErrorReport {
        if let slip { return ErrorReport(error: slip.message, hint: slip.hint(commands: commands), exitCode: ExitStatus.usage.rawValue) }
        var text = parserMessage
        var hint: String?
        if let range = text.range(of: "\nhint: ") {
            hint = String(text[range.upperBound...])
            text = String(text[..<range.lowerBound])
        }
        return ErrorReport(error: text, hint: hint, exitCode: ExitStatus.usage.rawValue)
    }

    /// The error line and, when there is one, the hint.
    public var lines: [ConsoleLine] { [.error(error)] + (hint.map { [.hint($0)] } ?? []) }

    /// The JSON text written on stdout with `--json` ("{}" should encoding ever fail).
    public var json: String { (try? JSONOutput.encode(self)) ?? "{}" }

    /// Whether the process arguments ask for JSON: `--json` before any `--`.
    public static func wantsJSON(_ arguments: [String]) -> Bool {
        arguments.prefix(while: { $0 != "--" }).contains("--json")
    }
}
