import ArgumentParser
import FMNISTCore
import Foundation

struct SwitchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switch",
        abstract: "Point data/current (and every --link) at a verified dataset; never downloads.",
        discussion: """
            Verifies the stored version (fast: sizes and recorded digests; --deep: full re-hash), places it in \
            data/<dataset>, then atomically replaces data/current and every link registered with --link. \
            Without an argument, prints what is active.
            Exit status: 0 switched, 2 usage, 3 a --deep re-hash failed, 4 dataset/version missing or unverified \
            (run: fmnist fetch DATASET), 7 workspace unusable (lock timeout, a --link path that is a real file or folder).

            Examples:
              fmnist switch fashion                # data/current -> fashion, + labels
              fmnist switch mnist --link MNIST_data  # flip MNIST_data too, from now on
              fmnist switch fashion@915659908dce --deep  # by id prefix, re-hashed
              fmnist switch                        # what is active
            """)

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("mnist|fashion, optionally @VERSION (a known name or an id prefix).", valueName: "DATASET[@VERSION]"))
    var target: String?

    @Option(name: .customLong("link"), help: ArgumentHelp("Also flip this link now and on every later switch (repeatable).", valueName: "PATH"))
    var links: [String] = []

    @Flag(name: .long, help: "Re-hash every stored file before switching instead of the fast check.")
    var deep = false

    @Option(name: .customLong("lock-timeout"), parsing: .unconditional,
            help: ArgumentHelp("Seconds to wait for another fmnist process, \(FlagBounds.lockTimeout.rangeText); 0 does not wait (default: forever).", valueName: "SECONDS"))
    var lockTimeout: Double?

    func validate() throws {
        try validateFlags { try FlagBounds.lockTimeout.check(lockTimeout) }
    }

    func run() async throws {
        try await runReportingErrors(options) {
            let console = options.console
            let switcher = DatasetSwitcher(layout: options.layout, registry: try options.registry())
            guard let target else {
                if !links.isEmpty || deep { throw UsageError("--link and --deep need a dataset to switch to", hint: "e.g. fmnist switch fashion --link MNIST_data") }
                let state = try switcher.active()
                printActive(state, console: console)
                if options.json { Console.writeStdout(try JSONOutput.encode(state)) }
                return .success
            }
            let result = try switcher.switchTo(
                try SwitchTarget(parsing: target), extraLinks: links, deep: deep, lockTimeout: lockTimeout, progress: console.info)
            for link in result.links {
                console.info("\(link.path) -> \(link.target)" + (link.previousTarget.map { $0 == link.target ? " (unchanged)" : " (was \($0))" } ?? " (new)"))
            }
            console.info("switched to \(result.title) \(result.version.label), verified (\(result.verification))")
            if !result.version.known {
                console.info(console.style("warning: this version is UNKNOWN: it matches no manifest (accepted with --accept-unknown)", "33"))
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
        for link in state.links {
            console.info("  \(link.path) -> \(link.target ?? "(absent)")" + (link.dataset.map { " [\($0)]" } ?? ""))
        }
    }
}
