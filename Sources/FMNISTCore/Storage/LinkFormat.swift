/// One layout's side of `fmnist switch --link PATH --layout L`: the symlinks it keeps at or under
/// PATH. Each loader layout's type in `Layouts/` that has a link layout conforms (``LoaderFormat``:
/// seed is the folder of the four `.gz`, then torchvision and keras); the services that flip,
/// check or remove links are handed them as ``LinkPlacements``.
///
/// ```swift
/// let placements = LinkPlacements([TorchvisionFormat()])
/// placements.placements(.torchvision, root: "/home/me/tv", registry: registry).map(\.path)
/// // ["/home/me/tv/MNIST/raw", "/home/me/tv/FashionMNIST/raw"]
/// ```
package protocol LinkFormat: Sendable {
    /// The layout's name in `--layout` and the catalog's `links.layout`.
    var linkLayout: LinkLayout { get }
    /// The symlinks this layout keeps for the registered path `root` (absolute, standardized),
    /// in registry order; two may share a path (``LinkPlacements`` keeps the first).
    func linkPlacements(root: String, registry: ManifestRegistry) -> [LinkLayout.Placement]
}

/// The link layouts' placements, by ``LinkLayout``: what `switch`, `remove`, `verify` and `doctor`
/// ask for a registered link (``LoaderFormats`` hands them every layout's).
package struct LinkPlacements: Sendable {
    let formats: [any LinkFormat]

    package init(_ formats: [any LinkFormat]) {
        self.formats = formats
    }

    /// The symlinks `layout` keeps for the registered path `root` (absolute, standardized). One
    /// placement per path: two manifests may give one framework name (a renamed copy of a
    /// built-in manifest keeps its `frameworks`); the first in registry order is kept.
    package func placements(_ layout: LinkLayout, root: String, registry: ManifestRegistry) -> [LinkLayout.Placement] {
        guard let format = formats.first(where: { $0.linkLayout == layout }) else {
            preconditionFailure("no layout type keeps \(layout.rawValue) links")
        }
        var seen: Set<String> = []
        return format.linkPlacements(root: root, registry: registry).filter { seen.insert($0.path).inserted }
    }
}
