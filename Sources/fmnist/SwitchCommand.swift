import ArgumentParser
import FMNISTCore
import Foundation

struct SwitchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switch",
        abstract: "Point data/current (and every --link) at a verified dataset; never downloads.",
        discussion: """
            Proves the stored version (fast: files unchanged since they were proven are trusted, changed ones are re-hashed; --deep: everything re-hashed), restores any damaged copy from the store, makes it the live version of its dataset (data/<dataset> flipped as one unit), then atomically replaces data/current and every link registered with --link. A --link is registered in a --layout: seed (the default: PATH itself points at the live folder of .gz files), torchvision (PATH/MNIST/raw and PATH/FashionMNIST/raw point at the active version's uncompressed payloads, read-only copies in .fmnist/payload, so MNIST(PATH) in torchvision reads whichever dataset is active) or keras (for KERAS_HOME=PATH: PATH/datasets/fashion-mnist points at the live folder). A real folder where a link goes is refused, never replaced. A registered link whose folder is gone, or that you replaced with a file, folder or link of your own, is skipped with a warning. Without an argument, prints what is active and every registered link.

            Exit status: 0 switched, 2 usage (also: a --link inside the workspace's own folders, or in a folder that does not exist), 3 no good copy of a file is left, 4 no workspace at --root, dataset/version missing or unverified (run: fmnist fetch DATASET), 7 workspace unusable (lock timeout, a path that is a real file or folder, or a symlink fmnist did not make).

            Examples:
              fmnist switch fashion                # data/current -> fashion, + labels
              fmnist switch mnist --link MNIST_data  # flip MNIST_data too, from now on
              fmnist switch fashion --link tv --layout torchvision  # MNIST("tv") reads it
              fmnist switch fashion --link kh --layout keras  # for KERAS_HOME=kh
              fmnist switch fashion@915659908dce --deep  # by id prefix, re-hashed
              fmnist switch                        # what is active, and the links
              fmnist switch --unlink MNIST_data    # forget a link (and remove it)
            """)

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("mnist|fashion, optionally @VERSION (a known name or an id prefix).", valueName: "DATASET[@VERSION]"), completion: DatasetCompletion.kind())
    var target: String?

    @Option(name: .customLong("link"), help: ArgumentHelp("Also flip this link now and on every later switch (repeatable).", valueName: "PATH"))
    var links: [String] = []

    @Option(name: .customLong("layout"), help: ArgumentHelp("Layout of the --link paths of this switch: seed (default), torchvision or keras.", valueName: "LAYOUT"))
    var linkLayouts: [String] = []

    var linkLayout: String? { linkLayouts.last }

    @Flag(name: .long, help: "Re-hash every stored file before switching instead of the fast check.")
    var deep = false

    @Option(name: .customLong("unlink"), help: ArgumentHelp("Forget this registered link, and remove it when it is fmnist's symlink.", valueName: "PATH"))
    var unlink: String?

    @OptionGroup var lock: LockTimeoutOptions

    func run() async throws {
        try await runReportingErrors(options) {
            let console = options.console
            let switcher = DatasetSwitcher(layout: options.layout, registry: try options.registry())
            if let unlink {
                if target != nil || !links.isEmpty || deep || linkLayout != nil {
                    throw UsageError("--unlink takes no dataset, --link or --deep", hint: "e.g. fmnist switch --unlink MNIST_data")
                }
                let result = try switcher.unlink(unlink, lockTimeout: lock.lockTimeout, progress: console.info)
                console.info("forgot the link \(result.path)" + (result.removedSymlinks.isEmpty
                    ? " (nothing of fmnist's was there to remove)" : "; removed " + result.removedSymlinks.joined(separator: ", ")))
                if options.json { Console.writeStdout(try JSONOutput.encode(result)) }
                return .success
            }
            guard let target else {
                if !links.isEmpty || deep || linkLayout != nil { throw UsageError("--link and --deep need a dataset to switch to", hint: "e.g. fmnist switch fashion --link MNIST_data") }
                let state = try switcher.active()
                printActive(state, console: console)
                if options.json { Console.writeStdout(try JSONOutput.encode(state)) }
                return .success
            }
            if linkLayouts.count > 1 {
                throw UsageError("one --layout per switch (it applies to every --link of the command)",
                                 hint: "register links of another layout with another switch, e.g. fmnist switch fashion --link kh --layout keras")
            }
            if linkLayout != nil && links.isEmpty {
                throw UsageError("--layout describes --link paths, and none was given", hint: "e.g. fmnist switch fashion --link tv --layout torchvision")
            }
            let result = try switcher.switchTo(
                try SwitchTarget(parsing: target), extraLinks: links, linkLayout: try linkLayout.map(LinkLayout.init(parsing:)) ?? .seed,
                deep: deep, lockTimeout: lock.lockTimeout, progress: console.info)
            for warning in result.warnings { console.info(console.style("warning: \(warning)", "33")) }
            for name in result.restored { console.info("restored \(name) from a verified copy (it had been changed since it was placed)") }
            if result.liveFolderChanged {
                console.info("\(options.layout.liveDirectory(dataset: result.dataset).path) -> version \(result.version.shortID)"
                    + (result.previousVersionID.map { " (was \($0.prefix(12)))" } ?? " (new)"))
            }
            for link in result.links {
                let unchanged = result.liveFolderChanged ? " (the same link; the files behind it are now version \(result.version.shortID))" : " (unchanged)"
                console.info("\(link.path) -> \(link.target)" + (link.previousTarget.map { $0 == link.target ? unchanged : " (was \($0))" } ?? " (new)"))
            }
            console.info("switched to \(result.title) \(result.version.label), verified (\(result.verification))")
            if let note = result.version.unknownNote {
                console.info(console.style("warning: this version is UNKNOWN: it \(note)", "33"))
            }
            console.info("labels of \(result.title):")
            for label in result.classes { console.info("  \(label)") }
            if options.json { Console.writeStdout(try JSONOutput.encode(result)) }
            return .success
        }
    }

    func printActive(_ state: ActiveState, console: Console) {
        if let title = state.title {
            console.info("active: \(title) \(state.version?.label ?? "(no version recorded)")")
            console.info("labels: " + state.classes.map(\.description).joined(separator: ", "))
        } else {
            console.info("active: nothing (data/current points at no dataset); run: fmnist switch fashion|mnist")
        }
        if state.links.count <= 1 { console.info("registered links: none (add one with: fmnist switch DATASET --link PATH)") }
        for link in state.links {
            console.info("  \(link.path) -> \(link.target ?? "(absent)")" + (link.dataset.map { " [\($0)]" } ?? "")
                + (link.layout.map { " (\($0.rawValue)" + ($0 == .seed ? "" : " link \(link.registeredPath ?? "")") + ")" } ?? "")
                + (link.problem.map { " — skipped: \($0)" } ?? ""))
        }
    }
}
