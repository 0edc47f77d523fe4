import Foundation

/// Resolves a dataset argument that may be `current`: the dataset the drop-in link
/// `data/current` points at.
public enum ActiveDataset {
    /// The manifest of `name`, or for `current` of the dataset `data/current` points at.
    /// Throws a `.missing` error naming `fmnist switch` when no dataset is active.
    public static func manifest(named name: String, layout: WorkspaceLayout, registry: ManifestRegistry) throws -> Manifest {
        guard name.lowercased() == "current" else { return try registry.manifest(named: name) }
        let linkSwitcher = LinkSwitcher(layout: layout)
        guard let active = linkSwitcher.dataset(of: layout.currentLink, among: registry.manifests.map(\.name)) else {
            throw FileAccessError(
                path: layout.currentLink.path,
                problem: "no active dataset; run `fmnist switch fashion` (or mnist), or name the dataset")
        }
        return try registry.manifest(named: active)
    }
}
