import ArgumentParser
import FMNISTCore
import Foundation

struct StatusCommand: WorkspaceCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show, per dataset, whether it is present, which version, when it was verified, and the active links.",
        discussion: """
            Read-only. Exit status: 0, 4 no workspace at --root (no .fmnist/, dataset folder or current there), or 7 when the catalog is unusable.

            Examples:
              fmnist status
              fmnist status --root /srv/datasets --json
            """)

    @OptionGroup var options: GlobalOptions

    func run(_ context: WorkspaceContext, console: Console) async throws -> ExitStatus {
        let status = try WorkspaceInspector(context: context).status()
        WorkspaceText.status(status, console: console).forEach(console.info)
        try options.printJSON(status)
        return .success
    }
}
