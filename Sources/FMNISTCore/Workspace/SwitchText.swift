import Foundation

/// The human lines of `fmnist switch`: what a switch restored and flipped (each link, new,
/// unchanged or what it was), the version now live and its labels; what `switch` alone shows
/// (the active dataset and the registered links); what `--unlink` removed.
///
/// ```swift
/// let result = try DatasetSwitcher(layout: layout, registry: registry).switchTo(try SwitchTarget(parsing: "mnist"))
/// SwitchText.switched(result, layout: layout, console: console).forEach(console.info)
/// // data/current -> mnist (was fashion)
/// // switched to MNIST 1998 (0a1b2c3d4e5f), verified (fast check)
/// ```
public enum SwitchText {
    public static func switched(_ result: SwitchResult, layout: WorkspaceLayout, console: Console) -> [String] {
        var lines = result.warnings.map { console.style("warning: \($0)", "33") }
        lines += result.restored.map { "restored \($0) from a verified copy (it had been changed since it was placed)" }
        if result.liveFolderChanged {
            lines.append("\(layout.liveDirectory(dataset: result.dataset).path) -> version \(result.version.shortID)"
                + (result.previousVersionID.map { " (was \($0.prefix(12)))" } ?? " (new)"))
        }
        for link in result.links {
            let unchanged = result.liveFolderChanged ? " (the same link; the files behind it are now version \(result.version.shortID))" : " (unchanged)"
            lines.append("\(link.path) -> \(link.target)" + (link.previousTarget.map { $0 == link.target ? unchanged : " (was \($0))" } ?? " (new)"))
        }
        lines.append("switched to \(result.title) \(result.version.label), verified (\(result.verification))")
        if let note = result.version.unknownNote {
            lines.append(console.style("warning: this version is UNKNOWN: it \(note)", "33"))
        }
        lines.append("labels of \(result.title):")
        lines += result.classes.map { "  \($0)" }
        return lines
    }

    /// `fmnist switch` without a dataset: what is active, its labels, the registered links.
    public static func active(_ state: ActiveState) -> [String] {
        var lines: [String] = []
        if let title = state.title {
            lines.append("active: \(title) \(state.version?.label ?? "(no version recorded)")")
            lines.append("labels: " + state.classes.map(\.description).joined(separator: ", "))
        } else {
            lines.append("active: nothing (data/current points at no dataset); run: fmnist switch fashion|mnist")
        }
        if state.links.count <= 1 { lines.append("registered links: none (add one with: fmnist switch DATASET --link PATH)") }
        for link in state.links {
            lines.append("  \(link.path) -> \(link.target ?? "(absent)")" + (link.dataset.map { " [\($0)]" } ?? "")
                + (link.layout.map { " (\($0.rawValue)" + ($0 == .seed ? "" : " link \(link.registeredPath ?? "")") + ")" } ?? "")
                + (link.problem.map { " — skipped: \($0)" } ?? ""))
        }
        return lines
    }

    /// `fmnist switch --unlink PATH`: the link forgotten and the symlinks removed.
    public static func unlinked(_ result: UnlinkResult) -> String {
        "forgot the link \(result.path)" + (result.removedSymlinks.isEmpty
            ? " (nothing of fmnist's was there to remove)" : "; removed " + result.removedSymlinks.joined(separator: ", "))
    }
}
