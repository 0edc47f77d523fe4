import ArgumentParser
import FMNISTCore
import Foundation

struct StatusCommand: AsyncParsableCommand {
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

    func run() async throws {
        try await runReportingErrors(options) {
            let console = options.console
            let status = try WorkspaceInspector(layout: options.layout, registry: try options.registry()).status()
            console.info("workspace \(status.root)" + (status.catalogExists ? "" : " (empty: nothing fetched or imported yet)"))
            for dataset in status.datasets {
                var line = "  \(dataset.dataset.padding(toLength: 8, withPad: " ", startingAt: 0)) "
                if let version = dataset.version {
                    line += dataset.present ? "present  " : "INCOMPLETE  "
                    line += version.label
                    if let time = dataset.lastVerified {
                        line += "  last verified \(CatalogText.date(time)) (\(dataset.lastVerifyResult?.rawValue ?? "?"))"
                    }
                    line += "  " + (dataset.lastSmokeTrain?.text ?? "never smoke-trained")
                    if dataset.versionsKept > 1 { line += "  [\(dataset.versionsKept) versions kept]" }
                } else if !dataset.unrecordedFiles.isEmpty,
                    WorkspaceBoundary.linkText(dataset.path).flatMap({ WorkspaceLayout.versionID(inLiveLinkText: $0, dataset: dataset.dataset) }) != nil
                {
                    // fmnist's own live link to a version the catalog lost (deleted or emptied).
                    line += "UNRECORDED  the catalog lost this version (record it again: fmnist verify --repair)"
                } else if !dataset.unrecordedFiles.isEmpty {
                    line += "UNRECORDED  \(dataset.unrecordedFiles.count) file(s) copied in by hand "
                        + "(check: fmnist verify \(dataset.dataset); record: fmnist import \(dataset.path) --as \(dataset.dataset))"
                } else {
                    line += "absent   (run: fmnist fetch \(dataset.dataset))"
                }
                if dataset.active { line += "  <- current" }
                console.info(line)
                if let note = dataset.version?.unknownNote {
                    console.info(console.style("           UNKNOWN version: \(note)", "33"))
                }
            }
            console.info("links:")
            for link in status.links {
                console.info("  \(link.path) -> \(link.target ?? "(absent)")" + (link.dataset.map { " [\($0)]" } ?? ""))
            }
            if let holder = status.lockHolder { console.info("locked by \(holder)") }
            if options.json { Console.writeStdout(try JSONOutput.encode(status)) }
            return .success
        }
    }
}

/// Formatting shared by the catalog listings.
enum CatalogText {
    static func date(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
