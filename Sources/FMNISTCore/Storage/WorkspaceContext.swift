import Foundation

/// What every command back end works on: the workspace's paths, the manifests that describe its
/// datasets, and the symlinks each link layout keeps (``LinkPlacements``, from the layouts' one
/// list). Held once by each service (``WorkspaceService``) instead of each repeating them; the
/// public `init(layout:registry:)` (in `Layouts/LoaderFormats.swift`) hands it every layout.
///
/// ```swift
/// let context = WorkspaceContext(layout: WorkspaceLayout(root: URL(fileURLWithPath: "data")),
///                                registry: try ManifestRegistry.builtin())
/// let result = try VersionRemover(context: context).remove("fashion@3f1a", force: false)
/// ```
public struct WorkspaceContext: Sendable {
    public let layout: WorkspaceLayout
    public let registry: ManifestRegistry
    /// The symlinks each link layout keeps for a registered link.
    package let linkPlacements: LinkPlacements

    package init(layout: WorkspaceLayout, registry: ManifestRegistry, linkPlacements: LinkPlacements) {
        self.layout = layout
        self.registry = registry
        self.linkPlacements = linkPlacements
    }
}

/// A command back end over one workspace (``WorkspaceContext``): `verify`, `import`, `switch`,
/// `gc`, `remove`, `lock`, `diff`, `publish`, `smoke-train`, `preview`, `audit`, … A service
/// stores the context and gets `layout`, `registry` and `linkPlacements` from here (and
/// `init(layout:registry:)` from `Layouts/LoaderFormats.swift`).
///
/// ```swift
/// let gc = GarbageCollector(layout: layout, registry: registry)   // or GarbageCollector(context: context)
/// print(gc.layout.root.path)
/// ```
public protocol WorkspaceService: Sendable {
    var context: WorkspaceContext { get }
    init(context: WorkspaceContext)
}

extension WorkspaceService {
    public var layout: WorkspaceLayout { context.layout }
    public var registry: ManifestRegistry { context.registry }
    package var linkPlacements: LinkPlacements { context.linkPlacements }
}
