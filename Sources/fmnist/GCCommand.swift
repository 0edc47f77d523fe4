import ArgumentParser
import FMNISTCore
import Foundation

struct GCCommand: WorkspaceCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete store files and version directories no recorded version uses, partial downloads and temporaries.",
        discussion: """
            Never deletes a file a recorded version needs: verified version directories the catalog lost are recorded again first. A symlink found inside .fmnist (fmnist makes none there) is removed as a link, its target untouched. Partial downloads are freed too (the next fetch starts those files again). Takes the workspace lock; crash-safe. --dry-run lists what would be freed and deletes nothing.

            Exit status: 0, 4 no workspace at --root, 7 workspace unusable (e.g. .fmnist/store is a symlink fmnist did not make).

            Examples:
              fmnist gc --dry-run
              fmnist gc --json
            """)

    @OptionGroup var options: GlobalOptions

    @Flag(name: .customLong("dry-run"), help: "List what would be freed; delete nothing.")
    var dryRun = false

    @OptionGroup var lock: LockTimeoutOptions

    func run(_ context: WorkspaceContext, console: Console) async throws -> ExitStatus {
        let result = try GarbageCollector(context: context)
            .collect(dryRun: dryRun, lockTimeout: lock.lockTimeout, progress: { _ in })
        for version in result.recovered { console.info("recorded again from its verified directory: \(version.dataset) \(version.shortID)") }
        for item in result.items {
            console.info("  \(dryRun ? "would free" : "freed") \(item.bytes) bytes  \(item.kind.rawValue)  \(item.path)")
        }
        for warning in result.warnings { console.info("warning: \(warning)") }
        let verb = dryRun ? "would free" : "freed"
        console.info("\(verb) \(result.freedBytes) bytes in \(result.items.count) item(s); kept \(result.storeFilesKept) store file(s) that recorded versions use")
        try options.printJSON(result)
        return .success
    }
}
