import Foundation

/// Typo suggestions: the closest known word to what was typed, by edit distance.
public enum Suggestion {
    /// The optimal-string-alignment distance (Levenshtein plus the transposition of two adjacent
    /// characters, so "fahsion" is one step from "fashion"), compared case-insensitively.
    public static func editDistance(_ first: String, _ second: String) -> Int {
        let a = Array(first.lowercased()), b = Array(second.lowercased())
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var best = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { best = min(best, table[i - 2][j - 2] + 1) }
                table[i][j] = best
            }
        }
        return table[a.count][b.count]
    }

    /// The candidate closest to `word` when it is close enough to be a slip of the keyboard
    /// (at most 1 edit for words up to 4 characters, 2 up to 8, else 3), else nil. Ties go to
    /// the first candidate; `word` itself (ignoring case) is never suggested.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        let allowed = word.count <= 4 ? 1 : word.count <= 8 ? 2 : 3
        var best: (String, Int)?
        for candidate in candidates where candidate.lowercased() != word.lowercased() {
            let distance = editDistance(word, candidate)
            if distance <= allowed, distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
        }
        return best?.0
    }
}

/// A command-line slip that ArgumentParser reports only as "unexpected argument": what the
/// user most likely meant, found from the raw arguments after the parse failed.
public enum CommandLineSlip: Equatable, Sendable {
    /// The first argument is no command; `suggestion` is the closest one, when one is close.
    case unknownCommand(typed: String, suggestion: String?)
    /// `fetch fashion mnist`: several datasets where one (or `all`) is taken.
    case severalDatasets(command: String, datasets: [String])

    /// The slip in `arguments` (without the program name), or nil when it is none of these.
    public static func diagnose(arguments: [String], commands: [String], datasets: [String]) -> CommandLineSlip? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        guard commands.contains(first) || first == "help" else {
            return .unknownCommand(typed: first, suggestion: Suggestion.closest(to: first, among: commands))
        }
        let named = arguments.dropFirst().filter { argument in
            argument.lowercased() == "all" || datasets.contains { $0.lowercased() == argument.lowercased() }
        }
        if named.count >= 2 { return .severalDatasets(command: first, datasets: named) }
        return nil
    }

    /// What went wrong, in one line.
    public var message: String {
        switch self {
        case .unknownCommand(let typed, _): return "unknown command \"\(typed)\""
        case .severalDatasets(let command, let datasets):
            return "\(command) takes one dataset, not \(datasets.count) (\(datasets.joined(separator: ", ")))"
        }
    }

    /// What to type instead.
    public func hint(commands: [String]) -> String {
        switch self {
        case .unknownCommand(let typed, let suggestion):
            let list = "commands: \(commands.joined(separator: ", "))"
            return suggestion.map { "did you mean `fmnist \($0)`? (\(list))" } ?? "\(list); see fmnist --help (\"\(typed)\" is none of them)"
        case .severalDatasets(let command, _):
            return command == "fetch" ? "to fetch every dataset, run `fmnist fetch all`" : "name one dataset: run `fmnist \(command) DATASET` once per dataset"
        }
    }
}
