import Foundation

/// What every command back end works on: the workspace's paths and the manifests that describe
/// its datasets. Held once by each service (``WorkspaceService``) instead of each repeating the pair.
///
/// ```swift
/// let context = WorkspaceContext(layout: WorkspaceLayout(root: URL(fileURLWithPath: "data")),
///                                registry: try ManifestRegistry.builtin())
/// let result = try VersionRemover(context: context).remove("fashion@3f1a", force: false)
/// ```
public struct WorkspaceContext: Sendable {
    public let layout: WorkspaceLayout
    public let registry: ManifestRegistry

    public init(layout: WorkspaceLayout, registry: ManifestRegistry) {
        self.layout = layout
        self.registry = registry
    }
}

/// A command back end over one workspace (``WorkspaceContext``): `verify`, `import`, `switch`,
/// `gc`, `remove`, `lock`, `diff`, `publish`, `smoke-train`, `preview`, `audit`, … A service
/// stores the context and gets `init(layout:registry:)`, `layout` and `registry` from here.
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
    public init(layout: WorkspaceLayout, registry: ManifestRegistry) {
        self.init(context: WorkspaceContext(layout: layout, registry: registry))
    }

    public var layout: WorkspaceLayout { context.layout }
    public var registry: ManifestRegistry { context.registry }
}
