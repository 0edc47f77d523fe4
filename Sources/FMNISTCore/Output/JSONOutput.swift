import Foundation

/// Encodes `--json` results: sorted keys, snake_case field names, ISO-8601 dates.
/// Field names are part of the documented, stable output schema (see docs/json.md).
public enum JSONOutput {
    /// Encodes a value as pretty-printed JSON text.
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// Writes human-readable text to stderr (results go to stdout only with `--json`).
public struct Console: Sendable {
    /// When true, nothing is printed on stderr except errors.
    public let quiet: Bool
    /// Whether stderr is a terminal (progress is redrawn in place only then).
    public let isTerminal: Bool
    /// Whether ANSI colour may be used (a TTY, and `NO_COLOR` unset).
    public let useColor: Bool

    public init(quiet: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.quiet = quiet
        self.isTerminal = isatty(STDERR_FILENO) == 1
        self.useColor = isTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }

    /// Prints a line of human output on stderr unless quiet.
    public func info(_ line: String) {
        guard !quiet else { return }
        Console.writeStderr(line + "\n")
    }

    /// Prints an error line on stderr, always.
    public func error(_ line: String) {
        Console.writeStderr((useColor ? "\u{1B}[31merror:\u{1B}[0m " : "error: ") + line + "\n")
    }

    /// Wraps `text` in an ANSI style when colour is on.
    public func style(_ text: String, _ code: String) -> String {
        useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// Writes raw text to stderr, naming the tool's commands as the user can run them
    /// (``CommandNaming``: `.build/release/fmnist fetch …` when `fmnist` is not what PATH finds).
    public static func writeStderr(_ text: String) {
        writeAll(CommandNaming.rewrite(text, program: CommandNaming.current), to: STDERR_FILENO)
    }

    /// Writes a result line to stdout.
    public static func writeStdout(_ text: String) {
        writeAll(text.hasSuffix("\n") ? text : text + "\n", to: STDOUT_FILENO)
    }

    /// Writes every byte of `text` to a file descriptor, retrying short writes.
    static func writeAll(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { _ = DescriptorIO.writeAll(descriptor, UnsafeRawBufferPointer($0)) }
    }
}
