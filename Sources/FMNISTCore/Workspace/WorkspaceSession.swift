import Foundation

/// A mutating command's hold on the workspace, taken in one place and one order: the workspace
/// is required to exist (unless the command creates it), the lock is taken, the private folders
/// are made, the catalog is opened, and a catalog that lost versions whose verified files are
/// still here records them again. ``close()`` (or the end of the session's life) releases them
/// in reverse order.
///
/// ```swift
/// let session = try WorkspaceSession.open(context, command: "remove", lockTimeout: 30)
/// defer { session.close() }
/// let versions = try session.catalog.versions(dataset: "fashion")
/// ```
final class WorkspaceSession {
    /// What a command needs before its own work; ``standard`` is every step.
    struct Steps: OptionSet {
        let rawValue: Int
        /// Refuse a root that is not a workspace (``WorkspaceBoundary/requireWorkspace(registry:)``).
        static let requireWorkspace = Steps(rawValue: 1)
        /// Create `.fmnist/`'s folders (store, partial, tmp, versions).
        static let createFolders = Steps(rawValue: 2)
        /// Record again the versions the catalog lost (``CatalogRecovery``).
        static let recover = Steps(rawValue: 4)
        /// Sweep what killed writers left once the lock is held (``WorkspaceJanitor``).
        static let sweep = Steps(rawValue: 8)
        static let standard: Steps = [.requireWorkspace, .createFolders, .recover, .sweep]
    }

    let catalog: Catalog
    /// The versions the recovery recorded again (empty without ``Steps/recover``).
    let recovered: [CatalogVersion]
    private let lock: WorkspaceLock

    private init(catalog: Catalog, recovered: [CatalogVersion], lock: WorkspaceLock) {
        self.catalog = catalog
        self.recovered = recovered
        self.lock = lock
    }

    deinit { close() }

    /// Takes the workspace for `command` (the name others waiting for the lock see).
    /// `beforeCatalog` runs under the lock before the catalog is opened: a command that refuses
    /// a workspace without a catalog says so there.
    static func open(
        _ context: WorkspaceContext, command: String, lockTimeout: TimeInterval?,
        steps: Steps = .standard, onWait: (String) -> Void = { _ in }, beforeCatalog: () throws -> Void = {}
    ) throws -> WorkspaceSession {
        let layout = context.layout
        if steps.contains(.requireWorkspace) { try WorkspaceBoundary(layout: layout).requireWorkspace(registry: context.registry) }
        let lock = try WorkspaceLock.acquire(layout, command: command, timeout: lockTimeout, sweep: steps.contains(.sweep), onWait: onWait)
        do {
            try beforeCatalog()
            if steps.contains(.createFolders) { try layout.createPrivateDirectories() }
            let catalog = try Catalog.open(layout)
            do {
                let recovered = steps.contains(.recover) ? try CatalogRecovery(layout: context.layout, registry: context.registry, catalog: catalog).run() : []
                return WorkspaceSession(catalog: catalog, recovered: recovered, lock: lock)
            } catch {
                catalog.close()
                throw error
            }
        } catch {
            lock.release()
            throw error
        }
    }

    /// Closes the catalog and releases the lock; safe to call twice.
    func close() {
        catalog.close()
        lock.release()
    }
}
