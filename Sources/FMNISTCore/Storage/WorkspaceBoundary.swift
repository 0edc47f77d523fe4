import Foundation

/// The workspace's boundary rule: fmnist writes, renames and deletes only inside directories it
/// made (or the root the user named), never through a symlink it did not create.
///
/// Every path fmnist writes below the root is reached through real directories only; a component
/// that is a symlink (say `.fmnist/tmp -> /home/user`) is refused with
/// ``WorkspaceError/foreignSymlink(path:target:)`` (exit 7) instead of being followed. The only
/// symlinks fmnist follows for writing are its own live links (`data/fashion`), recognised by their
/// exact text (``WorkspaceLayout/liveLinkText(dataset:versionID:)``).
///
/// ```swift
/// let boundary = WorkspaceBoundary(layout: layout)
/// try boundary.ensureOwnedDirectory(layout.temporaryDirectory)   // creates, or refuses a symlink
/// ```
package struct WorkspaceBoundary: Sendable {
    package let layout: WorkspaceLayout

    package init(layout: WorkspaceLayout) {
        self.layout = layout
    }

    /// Creates `directory` (and the directories between the root and it) when missing, and checks
    /// that each of them is a real directory, not a symlink or a file.
    package func ensureOwnedDirectory(_ directory: URL) throws {
        try ensureRoot()
        for path in componentPaths(to: directory) {
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw WorkspaceError.posix("create directory", path)
            }
            try Self.requireRealDirectory(path)
        }
    }

    /// Checks, without creating anything, that every directory from the root down to `url`'s folder
    /// is a real directory (missing ones are fine: nothing can be written through them).
    package func checkOwnedPath(_ url: URL) throws {
        for path in componentPaths(to: url.deletingLastPathComponent()) {
            var info = stat()
            guard lstat(path, &info) == 0 else { return }
            try Self.requireRealDirectory(path, info: info)
        }
    }

    /// Refuses `url` when it exists and is a symlink (a file fmnist is about to replace or remove
    /// must be its own regular file, not a link to someone else's).
    package static func refuseSymlink(_ url: URL) throws {
        var info = stat()
        if lstat(url.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK {
            throw WorkspaceError.foreignSymlink(path: url.path, target: Self.linkText(url.path) ?? "?")
        }
    }

    /// Refuses `url` when it is a symlink or a directory: fmnist is about to replace it with a file.
    package static func refuseSymlinkOrDirectory(_ url: URL) throws {
        try refuseSymlink(url)
        var info = stat()
        if lstat(url.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw WorkspaceError.fileSystem(operation: "replace", path: url.path, detail: "it is a folder where fmnist keeps a file")
        }
    }

    /// The text of the symlink at `path`, or nil when it is not one.
    package static func linkText(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Refuses a `.fmnist` that exists but is not a folder (a regular file, a FIFO, a device):
    /// ``WorkspaceError/privateAreaNotAFolder(path:kind:)`` (exit 7), before anything reads or
    /// creates a file below it. A symlink is left to the rules that refuse writing through it.
    package func checkPrivateArea() throws {
        let path = layout.privateDirectory.path
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        switch info.st_mode & S_IFMT {
        case S_IFDIR, S_IFLNK: return
        case S_IFREG: throw WorkspaceError.privateAreaNotAFolder(path: path, kind: "regular file")
        case S_IFIFO: throw WorkspaceError.privateAreaNotAFolder(path: path, kind: "named pipe")
        case S_IFSOCK: throw WorkspaceError.privateAreaNotAFolder(path: path, kind: "socket")
        default: throw WorkspaceError.privateAreaNotAFolder(path: path, kind: "device")
        }
    }

    /// For commands that read an existing workspace (status, versions, log, verify, preview,
    /// smoke-train, export, diff, lock, switch, remove, gc): refuses a root that holds no workspace
    /// — no `.fmnist`, no `current` and no `ROOT/<dataset>` of any manifest — with
    /// ``WorkspaceError/noWorkspace(root:exists:)`` (exit 4), instead of showing it as an empty
    /// one (or creating `.fmnist/` there). A root that is a file, or whose `.fmnist` is not a
    /// folder, is refused as such (exit 7). `fetch` and `import` create a workspace instead.
    package func requireWorkspace(registry: ManifestRegistry) throws {
        var info = stat()
        guard stat(layout.root.path, &info) == 0 else { throw WorkspaceError.noWorkspace(root: layout.root.path, exists: false) }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw WorkspaceError.fileSystem(operation: "use workspace", path: layout.root.path, detail: "it is a file, not a folder")
        }
        try checkPrivateArea()
        let names = [".fmnist", "current"] + registry.manifests.map(\.name)
        guard names.contains(where: { lstat(layout.root.appendingPathComponent($0).path, &info) == 0 }) else {
            throw WorkspaceError.noWorkspace(root: layout.root.path, exists: true)
        }
    }

    /// The root itself is the user's choice (it may be reached through their own symlinks); create it when missing.
    func ensureRoot() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: layout.root.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw WorkspaceError.fileSystem(
                    operation: "use workspace", path: layout.root.path, detail: "it is a file, not a folder")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(at: layout.root, withIntermediateDirectories: true)
        } catch {
            throw WorkspaceError.posix("create directory", layout.root.path)
        }
    }

    /// Paths of each component below the root down to `url`, outermost first (empty when `url` is
    /// not below the root).
    func componentPaths(to url: URL) -> [String] {
        let root = layout.root.standardizedFileURL.pathComponents
        let target = url.standardizedFileURL.pathComponents
        guard target.count > root.count, Array(target.prefix(root.count)) == root else { return [] }
        var path = layout.root.standardizedFileURL.path
        var paths: [String] = []
        for component in target.dropFirst(root.count) {
            path = (path as NSString).appendingPathComponent(component)
            paths.append(path)
        }
        return paths
    }

    static func requireRealDirectory(_ path: String, info known: stat? = nil) throws {
        var info = known ?? stat()
        if known == nil, lstat(path, &info) != 0 { throw WorkspaceError.posix("inspect", path) }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return
        case S_IFLNK: throw WorkspaceError.foreignSymlink(path: path, target: linkText(path) ?? "?")
        default:
            throw WorkspaceError.fileSystem(
                operation: "use", path: path, detail: "it is a file where fmnist keeps a folder")
        }
    }
}
