import ArgumentParser
import FMNISTCore
import Foundation

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Show what happened: fetches, verifies, switches, smoke-train runs, imports (newest first).",
        discussion: """
            Read-only. Exit status: 0, 2 bad flag, 4 no workspace at --root, 7 catalog unusable.

            Examples:
              fmnist log                     # the last 20 events
              fmnist log --dataset mnist --limit 100 --json
            """)

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, parsing: .unconditional, help: "Show at most this many events (\(FlagBounds.logLimit.rangeText)).")
    var limit = 20

    @Option(name: .long, help: ArgumentHelp("Only events of this dataset.", valueName: "DATASET"), completion: DatasetCompletion.kind())
    var dataset: String?

    func validate() throws {
        try validateFlags { try FlagBounds.logLimit.check(limit) }
    }

    func run() async throws {
        try await runReportingErrors(options) {
            let console = options.console
            let entries = try WorkspaceInspector(layout: options.layout, registry: try options.registry())
                .log(limit: limit, dataset: dataset)
            if entries.isEmpty { console.info("no events recorded yet") }
            for entry in entries {
                let event = entry.event
                var line = "  \(CatalogText.date(event.time))  \(event.kind.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0))"
                line += " \(event.result == .ok ? "ok    " : "FAILED")  \(event.dataset ?? "-")"
                if let version = entry.version {
                    line += " \(version.label)"
                } else if let id = event.versionID {
                    line += " (\(id.prefix(12)))"
                }
                if event.kind == .smokeTrain { line += LogText.smokeTrainFigures(event.details) }
                console.info(line)
            }
            if options.json { Console.writeStdout(try JSONOutput.encode(entries)) }
            return .success
        }
    }
}

/// The figures `log` shows beside an event.
enum LogText {
    /// A smoke-train event's accuracy, passed or failed: "  accuracy 0.8712 after 1 epoch(s)".
    static func smokeTrainFigures(_ details: JSONValue) -> String {
        var parts: [String] = []
        switch details["accuracy"] {
        case .number(let accuracy)?: parts.append(String(format: "accuracy %.4f", accuracy))
        case .null?: parts.append("accuracy not finite")
        default: break
        }
        if case .number(let epochs)? = details["epochs"] { parts.append("after \(Int(epochs)) epoch(s)") }
        return parts.isEmpty ? "" : "  " + parts.joined(separator: " ")
    }
}
