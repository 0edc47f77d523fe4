import Foundation

/// Proves the live version of a dataset, repairing what can be repaired from verified copies:
/// the version that `data/<dataset>` shows (or, when that link is gone, the catalog's live one)
/// must have its four files proven in its version directory and in the store
/// (``VersionStore/prepareVersion(dataset:versionID:files:checker:classCount:rehash:)``), and the
/// link must show it. Used by `fetch` (and `import`) before deciding what to download.
///
/// ```swift
/// if case .present(let live) = try LiveCheck(layout: layout, catalog: catalog).run(fashion) { print(live.label) }
/// ```
package struct LiveCheck {
    package struct Present: Sendable {
        package let version: CatalogVersion
        package let files: [CatalogFile]
        /// Files that were damaged or missing and were restored from a verified copy.
        package let repaired: [String]
        /// Whether the catalog did not call this version live and now does (a run killed after
        /// pointing the live link but before recording it, or a catalog that lost its live row).
        package let recordedAsLive: Bool
        package var label: String { version.label }
    }

    package enum Outcome: Sendable {
        /// The live version is proven (after any repair).
        case present(Present)
        /// There is a live version but it cannot be proven: no good copy of these files is left.
        case damaged([String])
        /// `data/<dataset>` is a real folder (files copied in by hand, or an older fmnist's layout).
        case handFilledFolder(URL)
        /// No live version.
        case absent
    }

    let layout: WorkspaceLayout
    let catalog: Catalog

    package func run(_ manifest: Manifest) throws -> Outcome {
        let dataset = manifest.name
        let live = layout.liveDirectory(dataset: dataset)
        let store = VersionStore(layout: layout)
        var info = stat()
        if lstat(live.path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFDIR: return .handFilledFolder(live)
            case S_IFLNK:
                if store.liveLinkVersionID(dataset: dataset) == nil {
                    throw WorkspaceError.foreignSymlink(path: live.path, target: WorkspaceBoundary.linkText(live.path) ?? "?")
                }
            default:
                throw WorkspaceError.fileSystem(
                    operation: "use", path: live.path, detail: "it is a file where fmnist keeps the live link of \(dataset)")
            }
        }
        let recordedLive = try catalog.liveVersion(dataset: dataset)?.versionID
        let shown = store.liveLinkVersionID(dataset: dataset).flatMap { id in (try? catalog.version(id: id)) != nil ? id : nil }
        guard let id = shown ?? recordedLive, let version = try catalog.version(id: id) else { return .absent }
        let files = try catalog.files(versionID: id)
        guard files.count == FileRole.allCases.count else {
            return .damaged(["the catalog records \(files.count) of its 4 files"])
        }
        let checker = TrustedFileChecker(layout: layout, catalog: catalog)
        let prepared: VersionStore.PreparedVersion
        do {
            prepared = try store.prepareVersion(
                dataset: dataset, versionID: id, files: files, checker: checker, classCount: manifest.classes.count)
        } catch WorkspaceError.corruptStore(_, _, let problems) {
            _ = try? catalog.recordEvent(
                .verify, dataset: dataset, versionID: id, result: .failed, details: ["problems": problems.joined(separator: "; ")])
            return .damaged(problems)
        }
        try store.pointLive(dataset: dataset, versionID: id)
        if recordedLive != id { try catalog.setLive(dataset: dataset, versionID: id) }
        let repaired = prepared.restored + prepared.restoredStore
        // The version was just proven: record it when anything was repaired, or when the catalog
        // has no passing check of it (its rows were lost, or a run was killed before recording),
        // so that the fast switch trusts what "already present and verified" says.
        let stamp = try catalog.lastVerification(versionID: id)
        if !repaired.isEmpty || stamp?.result != .ok {
            var details = ["note": "proven live by \(stamp == nil ? "a rerun (no check of it was recorded)" : "a rerun after a failed check")"]
            if !repaired.isEmpty { details = ["repaired": repaired.sorted().joined(separator: ", ")] }
            try catalog.recordEvent(.verify, dataset: dataset, versionID: id, result: .ok, details: details)
        }
        return .present(Present(version: version, files: files, repaired: Array(Set(repaired)), recordedAsLive: recordedLive != id))
    }
}
