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
    /// A warning after `switch` pointed `placement` at a new target, when what the loader reads
    /// there is not what the link shows (torchvision's stale `processed/` beside `raw`).
    func warningAfterFlip(_ placement: LinkLayout.Placement) -> String?
}

extension LinkFormat {
    package func warningAfterFlip(_ placement: LinkLayout.Placement) -> String? { nil }
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
    /// A layout no type keeps (a name a newer fmnist stored) has none.
    package func placements(_ layout: LinkLayout, root: String, registry: ManifestRegistry) -> [LinkLayout.Placement] {
        guard let format = formats.first(where: { $0.linkLayout == layout }) else { return [] }
        var seen: Set<String> = []
        return format.linkPlacements(root: root, registry: registry).filter { seen.insert($0.path).inserted }
    }

    /// The link layouts kept, in the registry's order (`seed`, `torchvision`, `keras`).
    package var layouts: [LinkLayout] { formats.map(\.linkLayout) }

    /// `layout` when a layout type keeps it; nil for a name this build does not know (read from a
    /// catalog a newer fmnist wrote), and for none.
    package func known(_ layout: LinkLayout?) -> LinkLayout? {
        layout.flatMap { layout in formats.contains { $0.linkLayout == layout } ? layout : nil }
    }

    /// What the layout keeping `placement` warns of after a flip (``LinkFormat/warningAfterFlip(_:)``).
    package func warningAfterFlip(_ placement: LinkLayout.Placement, layout: LinkLayout?) -> String? {
        formats.first { $0.linkLayout == layout }?.warningAfterFlip(placement)
    }
}
