import ArgumentParser
import FMNISTCore
import Foundation

struct SwitchCommand: WorkspaceCommand {
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

    func run(_ context: WorkspaceContext, console: Console) async throws -> ExitStatus {
        let switcher = DatasetSwitcher(context: context)
        if let unlink {
            if target != nil || !links.isEmpty || deep || linkLayout != nil {
                throw UsageError("--unlink takes no dataset, --link or --deep", hint: "e.g. fmnist switch --unlink MNIST_data")
            }
            let result = try switcher.unlink(unlink, lockTimeout: lock.lockTimeout, progress: console.info)
            console.info(SwitchText.unlinked(result))
            try options.printJSON(result)
            return .success
        }
        guard let target else {
            if !links.isEmpty || deep || linkLayout != nil { throw UsageError("--link and --deep need a dataset to switch to", hint: "e.g. fmnist switch fashion --link MNIST_data") }
            let state = try switcher.active()
            SwitchText.active(state).forEach(console.info)
            try options.printJSON(state)
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
        SwitchText.switched(result, layout: options.layout, console: console).forEach(console.info)
        try options.printJSON(result)
        return .success
    }
}
