import ArgumentParser
import FMNISTCore
import Foundation

struct VersionsCommand: WorkspaceCommand {
    static let configuration = CommandConfiguration(
        commandName: "versions",
        abstract: "List the versions in this workspace (unknown ones are flagged).",
        discussion: """
            Read-only. Exit status: 0, 2 unknown dataset, 4 no workspace at --root, 7 catalog unusable.

            Examples:
              fmnist versions                # every version of every dataset
              fmnist versions fashion --json
            """)

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("Only this dataset (fashion or mnist).", valueName: "DATASET"), completion: DatasetCompletion.kind())
    var dataset: String?

    func run(_ context: WorkspaceContext, console: Console) async throws -> ExitStatus {
        let listings = try WorkspaceInspector(context: context).versions(dataset: dataset)
        WorkspaceText.versions(listings, dataset: dataset, console: console).forEach(console.info)
        try options.printJSON(listings)
        return .success
    }
}
