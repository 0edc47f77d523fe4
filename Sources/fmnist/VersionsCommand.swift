import ArgumentParser
import FMNISTCore
import Foundation

struct VersionsCommand: AsyncParsableCommand {
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

    func run() async throws {
        try await runReportingErrors(options) {
            let console = options.console
            let listings = try WorkspaceInspector(layout: options.layout, registry: try options.registry()).versions(dataset: dataset)
            if listings.isEmpty { console.info("no versions recorded; run: fmnist fetch \(dataset ?? "all")") }
            let labelWidth = listings.map(\.version.label.count).max() ?? 0
            for listing in listings {
                let version = listing.version
                // The full id is in --json; the label carries the 12-digit prefix that switch takes.
                var line = "  \(version.dataset.padding(toLength: 8, withPad: " ", startingAt: 0)) "
                    + version.label.padding(toLength: labelWidth, withPad: " ", startingAt: 0)
                var flags: [String] = []
                if listing.active { flags.append("active") } else if listing.live { flags.append("live") }
                flags.append(listing.stored ? "stored" : "NOT STORED")
                flags.append("via \(version.source.rawValue)")
                line += "  [" + flags.joined(separator: ", ") + "]"
                console.info(line)
                // What was last proven of it, and how it last trained, on a line of their own (80 columns).
                var history: [String] = []
                if let time = listing.lastVerified {
                    history.append("verified \(listing.lastVerifyResult?.rawValue ?? "?") \(CatalogText.date(time))")
                }
                history.append(listing.lastSmokeTrain?.text ?? "never smoke-trained")
                console.info("             " + history.joined(separator: "; "))
                if let note = version.unknownNote {
                    console.info(console.style("           UNKNOWN: \(note)", "33"))
                }
            }
            if !listings.isEmpty {
                console.info("legend: active = live, and data/current points at its dataset; live = what data/<dataset> holds;")
                console.info("        stored = its files are kept in .fmnist/store; make another version live: fmnist switch DATASET@ID")
            }
            if options.json { Console.writeStdout(try JSONOutput.encode(listings)) }
            return .success
        }
    }
}
