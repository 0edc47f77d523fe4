import ArgumentParser
import FMNISTCore
import Foundation

struct LockCommand: WorkspaceCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Pin the workspace's live versions in fmnist.lock, to commit with a project.",
        discussion: """
            Writes, per dataset with a live version: its id and name, and per file the container size, MD5 and SHA-256, the payload size and SHA-256 and the IDX shape, plus the mirrors the files came from (catalog provenance; none for an imported version). The file is JSON with sorted keys, one field per line, so that it diffs well; it is written atomically and never through a symlink. A fresh checkout reproduces the versions with `fmnist fetch --locked`, and CI checks them with `fmnist verify --locked`.

            With --mirror BASE (repeatable), each pinned version's mirrors start with BASE/<dataset>/<version-id>/, where `fmnist publish` puts it: so a tree published and uploaded to a team's server or bucket serves `fmnist fetch --locked` on any machine, imported versions included (their digests are pinned, so fetch admits exactly them). A password in BASE is stored as *** (fetch reads it from netrc); s3:// bases are signed with the AWS configuration at fetch time.

            Exit status: 0 written, 2 a --mirror that is not an http(s)://, s3:// or file:// folder URL, or PATH is inside the workspace's own folders (its dataset folders, current, .fmnist/) or its folder does not exist, 4 no workspace at --root or no dataset has a live version, 7 the lock file cannot be written (a symlink, not a file, no permission).

            Examples:
              fmnist lock                       # ./fmnist.lock
              fmnist lock --file ml/fmnist.lock --json
              fmnist lock --mirror https://mirror.team.example/fmnist/ --mirror s3://team-bucket/fmnist/
            """)

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Where to write the lock (default: ./fmnist.lock).", valueName: "PATH"))
    var file: String = ProjectLock.defaultFileName

    @Option(name: .customLong("mirror"), help: ArgumentHelp(
        "The URL (http(s)://, s3:// or file://) a tree written by `fmnist publish` is served at; each pinned version's folder under it comes first in its mirrors. Repeatable.",
        valueName: "BASE"))
    var mirrors: [String] = []

    func run(_ context: WorkspaceContext, console: Console) async throws -> ExitStatus {
        let writer = LockWriter(context: context)
        let bases = try mirrors.map(LockWriter.publishedBase)
        try writer.checkDestination(file)
        let lock = try writer.lock(publishedAt: bases)
        try writer.write(lock, to: file)
        for pinned in lock.datasets {
            let from = pinned.mirrors.isEmpty ? "imported: no mirror recorded" : "from \(pinned.mirrors.joined(separator: ", "))"
            console.info("  pinned \(pinned.dataset) \(pinned.label) (\(from))")
        }
        if bases.contains(where: RedactedURL.isRedacted) {
            console.info("  the password in --mirror is not stored (***): fetch --locked reads it from netrc (~/.netrc or NETRC)")
        }
        console.info("wrote \(file)")
        try options.printJSON(lock)
        return .success
    }
}
