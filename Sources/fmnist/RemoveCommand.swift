import ArgumentParser
import FMNISTCore
import Foundation

struct RemoveCommand: WorkspaceCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a version from the catalog and the workspace (its store bytes are freed by `fmnist gc`).",
        discussion: """
            Refuses the live version of its dataset unless --force. With --force the dataset is left without a live version: data/DATASET is removed, and so is data/current when it pointed at that dataset (it would dangle otherwise); registered --link links that pointed there are left dangling and named. Takes the workspace lock; crash-safe (the version directory is moved into .fmnist/tmp before the catalog forgets it).

            Exit status: 0 removed, 2 bad spec or the live version without --force, 4 no workspace at --root or no such version, 7 workspace unusable.

            Examples:
              fmnist remove fashion@3f1a0c9b
              fmnist remove fashion@unknown --force && fmnist gc
            """)

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The version to remove.", valueName: "DATASET@VERSION"))
    var version: String

    @Flag(name: .long, help: "Remove the live version too, leaving the dataset without one.")
    var force = false

    @OptionGroup var lock: LockTimeoutOptions

    func run(_ context: WorkspaceContext, console: Console) async throws -> ExitStatus {
        let result = try VersionRemover(context: context)
            .remove(version, force: force, lockTimeout: lock.lockTimeout, progress: console.info)
        let summary = result.version
        console.info("removed \(summary.dataset) \(summary.label) from the catalog")
        if result.wasLive {
            console.info("\(summary.dataset) now has no live version; removed: \(result.linksRemoved.joined(separator: ", "))")
            console.info(Remedy.switchTo(dataset: summary.dataset).commandLine)
        }
        for link in result.danglingLinks {
            console.info(console.style("warning: the registered link \(link) now dangles (it showed the removed version)", "33"))
        }
        if !result.danglingRegisteredLinks.isEmpty {
            console.info("`fmnist switch \(summary.dataset)@ID` (another version) points "
                + (result.danglingRegisteredLinks.count == 1 ? "it" : "them") + " at data again; to drop "
                + (result.danglingRegisteredLinks.count == 1 ? "it" : "them") + ": "
                + result.danglingRegisteredLinks.map { "fmnist switch --unlink \($0)" }.joined(separator: "; "))
        }
        console.info(result.reclaimableBytes > 0
            ? "\(result.reclaimableBytes) bytes of store files are no longer used; free them with: fmnist gc"
            : "its store files are shared with other versions: nothing more to free")
        try options.printJSON(result)
        return .success
    }
}
