import ArgumentParser
import FMNISTCore
import Foundation

struct PublishCommand: WorkspaceCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Write the workspace's proven versions as a static mirror tree (for a team's own mirror).",
        discussion: """
            Writes, per version, its four .gz files in DEST/<dataset>/<version-id>/ under the names fetch asks a mirror for, so that each such folder is a complete mirror base for its version, and an index, DEST/fmnist-mirror.json (datasets, versions, files, sizes, MD5, SHA-256, payload digests). Any HTTP server or bucket serves the tree unchanged: upload it with `aws s3 sync`, `rclone copy` or `rsync`. `fmnist lock --mirror BASE` then records, for each pinned version, BASE/<dataset>/<version-id>/ ahead of the other mirrors, so that `fmnist fetch --locked` on another machine gets exactly the pinned versions from the team mirror, imported ones included.

            By default the live version of each dataset is published; --all publishes every recorded version (unknown and imported ones included). Every file is the workspace's copy proven against the catalog under the workspace lock. Publishing is incremental: a file that already holds the right bytes is left untouched. Each file is written to a temporary name in its folder, synced and renamed into place, so a killed publish never leaves a partial file under a final name (the next run removes its temporaries); the index is written last. Nothing else in DEST is changed or deleted.

            DEST must be outside the workspace's own folders (exit 2). DEST itself, and every folder and file publish writes in it, must not be a symlink: publish never writes through one (exit 7, nothing written).

            Exit status: 0 published, 2 usage (DEST inside the workspace or below a file), 3 a workspace copy changed while it was copied, 4 no workspace at --root or no version to publish, 7 DEST unusable (a symlink, something in the way, no permission, disk full) or the workspace lock could not be taken.

            Examples:
              fmnist publish /srv/fmnist-mirror
              fmnist publish out/mirror --all --json
              aws s3 sync out/mirror s3://team-bucket/fmnist/ && fmnist lock --mirror s3://team-bucket/fmnist/
            """)

    @Argument(help: ArgumentHelp("The folder to write the mirror tree in (created if missing).", valueName: "DEST"))
    var destination: String

    @Flag(name: .long, help: "Publish every recorded version, not only the live ones.")
    var all = false

    @OptionGroup var lock: LockTimeoutOptions
    @OptionGroup var options: GlobalOptions

    func run(_ context: WorkspaceContext, console: Console) async throws -> ExitStatus {
        var publish = PublishOptions()
        publish.all = all
        publish.lockTimeout = lock.lockTimeout
        let result = try Publisher(context: context)
            .run(destination: URL(fileURLWithPath: destination), options: publish)
        for version in result.versions {
            let counts = [PublishAction.write, .replace, .keep].compactMap { action -> String? in
                let n = version.files.filter { $0.action == action }.count
                guard n > 0 else { return nil }
                return "\(n) \(action == .write ? "written" : action == .replace ? "replaced" : "kept")"
            }
            console.info("published \(version.dataset) \(version.label) → \(result.destination)/\(version.path) (\(counts.joined(separator: ", ")))")
        }
        for note in result.notes { console.info("  " + note) }
        let also = result.alsoIndexed > 0 ? ", and \(result.alsoIndexed) version(s) published before" : ""
        let indexed = result.indexAction == .keep ? "unchanged" : result.indexAction == .write ? "written" : "updated"
        console.info("index \(result.index) \(indexed): \(result.versions.count) version(s)\(also)")
        try options.printJSON(result)
        return result.exitStatus
    }
}
