import ArgumentParser
import FMNISTCore
import Foundation

struct LockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Pin the workspace's live versions in fmnist.lock, to commit with a project.",
        discussion: """
            Writes, per dataset with a live version: its id and name, and per file the container size, MD5 and SHA-256, the payload size and SHA-256 and the IDX shape, plus the mirrors the files came from (catalog provenance; none for an imported version). The file is JSON with sorted keys, one field per line, so that it diffs well; it is written atomically and never through a symlink. A fresh checkout reproduces the versions with `fmnist fetch --locked`, and CI checks them with `fmnist verify --locked`.

            Exit status: 0 written, 2 PATH is inside the workspace's own folders (its dataset folders, current, .fmnist/) or its folder does not exist, 4 no workspace at --root or no dataset has a live version, 7 the lock file cannot be written (a symlink, not a file, no permission).

            Examples:
              fmnist lock                       # ./fmnist.lock
              fmnist lock --file ml/fmnist.lock --json
            """)

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Where to write the lock (default: ./fmnist.lock).", valueName: "PATH"))
    var file: String = ProjectLock.defaultFileName

    func run() async throws {
        try await runReportingErrors(options) {
            let console = options.console
            let writer = LockWriter(layout: options.layout, registry: try options.registry())
            try writer.checkDestination(file)
            let lock = try writer.lock()
            try writer.write(lock, to: file)
            for pinned in lock.datasets {
                let from = pinned.mirrors.isEmpty ? "imported: no mirror recorded" : "from \(pinned.mirrors.joined(separator: ", "))"
                console.info("  pinned \(pinned.dataset) \(pinned.label) (\(from))")
            }
            console.info("wrote \(file)")
            if options.json { Console.writeStdout(try JSONOutput.encode(lock)) }
            return .success
        }
    }
}
