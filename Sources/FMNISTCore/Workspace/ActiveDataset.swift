import Foundation

/// Resolves a dataset argument that may be `current`: the dataset the drop-in link
/// `data/current` points at.
public enum ActiveDataset {
    /// The manifest of `name`, or for `current` of the dataset `data/current` points at.
    /// Throws a `.missing` error when no dataset is active: it says to fetch first when no
    /// dataset is in the workspace at all, else to switch to one that is.
    public static func manifest(named name: String, layout: WorkspaceLayout, registry: ManifestRegistry) throws -> Manifest {
        guard name.lowercased() == "current" else { return try registry.manifest(named: name) }
        let linkSwitcher = LinkSwitcher(layout: layout)
        guard let active = linkSwitcher.dataset(of: layout.currentLink, among: registry.manifests.map(\.name)) else {
            throw noActiveDataset(layout: layout, registry: registry)
        }
        return try registry.manifest(named: active)
    }

    /// The datasets whose live folder `data/<dataset>` exists, in registry order.
    public static func present(layout: WorkspaceLayout, registry: ManifestRegistry) -> [String] {
        registry.manifests.map(\.name).filter { FileManager.default.fileExists(atPath: layout.liveDirectory(dataset: $0).path) }
    }

    /// The error for `current` when `data/current` points at no dataset, with the next step that fits.
    static func noActiveDataset(layout: WorkspaceLayout, registry: ManifestRegistry) -> FileAccessError {
        let present = present(layout: layout, registry: registry)
        if present.isEmpty {
            let first = registry.manifests.first?.name ?? "DATASET"
            return FileAccessError(
                path: layout.currentLink.path,
                problem: "no dataset in this workspace yet (nothing fetched or imported)",
                hint: "run `fmnist fetch \(first)` (or `fmnist fetch all`) first; without network: `fmnist import DIR --as \(first)`")
        }
        return FileAccessError(
            path: layout.currentLink.path,
            problem: "no active dataset (data/current points at none)",
            hint: "run `fmnist switch \(present[0])`"
                + (present.count > 1 ? " (or \(present.dropFirst().joined(separator: ", ")))" : "") + ", or name the dataset")
    }
}
