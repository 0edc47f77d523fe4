import ArgumentParser
import FMNISTCore
import Foundation

struct LogCommand: WorkspaceCommand {
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

    func run(_ context: WorkspaceContext, console: Console) async throws -> ExitStatus {
        let entries = try WorkspaceInspector(context: context)
            .log(limit: limit, dataset: dataset)
        WorkspaceText.log(entries).forEach(console.info)
        try options.printJSON(entries)
        return .success
    }
}
