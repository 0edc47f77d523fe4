import Foundation

/// How the tool's own commands are named in human output. Hints and messages say
/// "run `fmnist fetch all`"; when the shell would not find `fmnist` (the binary was run as
/// `.build/release/fmnist`, as `scripts/run.sh` does), that advice fails, so the executable's
/// output names the program as it was invoked instead (`.build/release/fmnist fetch all`).
/// JSON output is left as it is (scripts read its fields).
///
/// ```swift
/// let program = CommandNaming.programName(invokedAs: ".build/release/fmnist", path: "/usr/bin", currentDirectory: "/src")
/// CommandNaming.rewrite("run `fmnist fetch all`", program: program)   // "run `.build/release/fmnist fetch all`"
/// ```
public enum CommandNaming {
    /// The subcommands (and the help flag) whose invocations are rewritten.
    static let subcommands = [
        "fetch", "verify", "switch", "smoke-train", "status", "log", "versions", "export", "import", "doctor", "diff",
        "lock", "remove", "gc", "preview", "publish", "audit", "help", "--help", "--version",
    ]

    /// The name of this process's program, as ``programName(invokedAs:path:currentDirectory:)``
    /// says (computed once).
    public static let current: String = programName(
        invokedAs: CommandLine.arguments.first ?? "fmnist", path: ProcessInfo.processInfo.environment["PATH"],
        currentDirectory: FileManager.default.currentDirectoryPath)

    /// `fmnist` when the program was found through PATH (invoked without a slash) or when the
    /// `fmnist` that PATH finds is this same file; otherwise the path it was invoked by, relative
    /// to the working directory when it lies below it, quoted for a shell when it needs quoting.
    public static func programName(invokedAs argument: String, path: String?, currentDirectory: String) -> String {
        guard argument.contains("/") else { return argument.isEmpty ? "fmnist" : argument }
        let invoked = FilePaths.real(argument.hasPrefix("/") ? argument : currentDirectory + "/" + argument)
        for folder in (path ?? "").split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = String(folder) + "/fmnist"
            if access(candidate, X_OK) == 0 {
                // The first `fmnist` on PATH is what the shell runs: is it this one?
                if FilePaths.real(candidate) == invoked { return "fmnist" }
                break
            }
        }
        var shown = argument
        if argument.hasPrefix("/") {
            // Below the working directory, as spelled or once symlinks are resolved: relative.
            for (path, folder) in [(argument, currentDirectory), (invoked, FilePaths.real(currentDirectory))] {
                let base = folder.hasSuffix("/") ? folder : folder + "/"
                if path.hasPrefix(base) {
                    shown = String(path.dropFirst(base.count))
                    if !shown.contains("/") { shown = "./" + shown }
                    break
                }
            }
        }
        return quoted(shown)
    }

    /// `text` with every "fmnist <subcommand>" (at the start, after a space, a quote, a backtick,
    /// a parenthesis or a colon) naming `program` instead; paths such as `.fmnist/` or
    /// `fmnist.lock` are untouched.
    public static func rewrite(_ text: String, program: String) -> String {
        guard program != "fmnist", text.contains("fmnist "), let expression = invocation else { return text }
        let template = "$1" + NSRegularExpression.escapedTemplate(for: program)
        return expression.stringByReplacingMatches(
            in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }

    /// "fmnist" where it starts an invocation of a subcommand (compiled once).
    static let invocation: NSRegularExpression? = {
        let words = subcommands.map(NSRegularExpression.escapedPattern(for:)).joined(separator: "|")
        return try? NSRegularExpression(pattern: "(^|[\\s`'\"(:;])fmnist(?= (?:\(words))(?![\\w-]))", options: [.anchorsMatchLines])
    }()

    /// A path as a shell word: as it is when it holds only safe characters, else single-quoted.
    static func quoted(_ path: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+,@%=")
        if path.unicodeScalars.allSatisfy(safe.contains) { return path }
        return "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

}
