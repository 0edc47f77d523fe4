import Foundation

/// The human lines of the read-only listings, `fmnist status`, `fmnist versions` and `fmnist log`:
/// what each line says about a dataset, a version or an event, and which command it suggests
/// (a dataset's live link to a version the catalog lost is told apart from files copied in by hand).
///
/// ```swift
/// let status = try WorkspaceInspector(layout: layout, registry: registry).status()
/// WorkspaceText.status(status, console: console).forEach(console.info)
/// // workspace /home/me/data
/// //   fashion  present  2017-08-31 (3f1a0c9be2d4)  last verified … (ok)  never smoke-trained  <- current
/// ```
public enum WorkspaceText {
    /// A catalog time as ISO 8601, e.g. "2026-05-04T10:11:12Z".
    public static func date(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    /// `fmnist status`: the workspace, one line per dataset (with an UNKNOWN note), the links, the lock's holder.
    public static func status(_ status: WorkspaceStatus, console: Console) -> [String] {
        var lines = ["workspace \(status.root)" + (status.catalogExists ? "" : " (empty: nothing fetched or imported yet)")]
        for dataset in status.datasets {
            var line = "  \(dataset.dataset.padding(toLength: 8, withPad: " ", startingAt: 0)) "
            if let version = dataset.version {
                line += dataset.present ? "present  " : "INCOMPLETE  "
                line += version.label
                if let time = dataset.lastVerified {
                    line += "  last verified \(date(time)) (\(dataset.lastVerifyResult?.rawValue ?? "?"))"
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
            lines.append(line)
            if let note = dataset.version?.unknownNote {
                lines.append(console.style("           UNKNOWN version: \(note)", "33"))
            }
        }
        lines.append("links:")
        for link in status.links {
            lines.append("  \(link.path) -> \(link.target ?? "(absent)")" + (link.dataset.map { " [\($0)]" } ?? ""))
        }
        if let holder = status.lockHolder { lines.append("locked by \(holder)") }
        return lines
    }

    /// `fmnist versions [DATASET]`: two lines per version (flags; what was last proven and trained), then a legend.
    public static func versions(_ listings: [VersionListing], dataset: String?, console: Console) -> [String] {
        if listings.isEmpty { return ["no versions recorded; run: fmnist fetch \(dataset ?? "all")"] }
        var lines: [String] = []
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
            lines.append(line)
            // What was last proven of it, and how it last trained, on a line of their own (80 columns).
            var history: [String] = []
            if let time = listing.lastVerified {
                history.append("verified \(listing.lastVerifyResult?.rawValue ?? "?") \(date(time))")
            }
            history.append(listing.lastSmokeTrain?.text ?? "never smoke-trained")
            lines.append("             " + history.joined(separator: "; "))
            if let note = version.unknownNote {
                lines.append(console.style("           UNKNOWN: \(note)", "33"))
            }
        }
        lines.append("legend: active = live, and data/current points at its dataset; live = what data/<dataset> holds;")
        lines.append("        stored = its files are kept in .fmnist/store; make another version live: fmnist switch DATASET@ID")
        return lines
    }

    /// `fmnist log`: one line per event, newest first.
    public static func log(_ entries: [LogEntry]) -> [String] {
        if entries.isEmpty { return ["no events recorded yet"] }
        return entries.map { entry in
            let event = entry.event
            var line = "  \(date(event.time))  \(event.kind.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0))"
            line += " \(event.result == .ok ? "ok    " : "FAILED")  \(event.dataset ?? "-")"
            if let version = entry.version {
                line += " \(version.label)"
            } else if let id = event.versionID {
                line += " (\(id.prefix(12)))"
            }
            if event.kind == .smokeTrain { line += smokeTrainFigures(event.details) }
            return line
        }
    }

    /// A smoke-train event's accuracy, passed or failed: "  accuracy 0.8712 after 1 epoch(s)".
    public static func smokeTrainFigures(_ details: JSONValue) -> String {
        var parts: [String] = []
        switch details["accuracy"] {
        case .number(let accuracy)?: parts.append(String(format: "accuracy %.4f", accuracy))
        case .null?: parts.append("accuracy not finite")
        default: break
        }
        if case .number(let epochs)? = details["epochs"] { parts.append("after \(Int(epochs)) epoch(s)") }
        return parts.isEmpty ? "" : "  " + parts.joined(separator: " ")
    }
}
