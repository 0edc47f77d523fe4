import Foundation

/// The one rule for every path a command writes that the user names (export DEST, `preview --out`,
/// `lock --file`, `switch --link`): it must not lead into the workspace's own folders.
///
/// The workspace's own folders are `.fmnist/` (catalog, store, version and payload folders),
/// `current`, and `ROOT/<dataset>` for every dataset a manifest names or a version folder holds
/// (fmnist's live links, present or not yet made), and the root itself as a destination. Another
/// new folder inside the root (`data/exports/`) is allowed: no fmnist name can collide with it.
///
/// A path is judged by where the kernel would write it, not by how it reads: every symlink on the
/// way is followed (fmnist's own `data/fashion` and `data/current` included, and a dangling one to
/// where it points), `..` applies to the folder reached so far, and the components below the
/// deepest existing folder are taken as written. So `data/current/../fashion/x`, a DEST that is a
/// symlink into `.fmnist/`, or a DEST whose parent is one, are all refused (exit 2, nothing
/// written).
///
/// ```swift
/// try WorkspaceBoundary(layout: layout).checkOutput("data/fashion/out", option: "DEST", registry: registry)  // throws
/// ```
extension WorkspaceBoundary {
    /// Refuses `path` when it leads into the workspace's own folders
    /// (``WorkspaceError/outputInsideWorkspace(option:path:resolved:what:root:reserved:)``, exit 2).
    /// `option` names the flag in the message (`DEST`, `--out`, `--file`, `--link`). With
    /// `followFinalSymlink` false the last component is judged as a name (a link fmnist replaces,
    /// never writes through); its folders are still followed.
    package func checkOutput(_ path: String, option: String, registry: ManifestRegistry, followFinalSymlink: Bool = true) throws {
        let written = Self.resolvedForWriting(path, followFinalSymlink: followFinalSymlink)
        guard let what = reservedArea(containing: written, registry: registry) else { return }
        let lexical = FilePaths.lexicallyNormalized(Self.absolute(path))
        throw WorkspaceError.outputInsideWorkspace(
            option: option, path: path, resolved: written == lexical ? nil : written, what: what,
            root: layout.root.path, reserved: reservedNames(registry: registry))
    }

    /// What part of the workspace the absolute, resolved path `written` is in or equal to
    /// (a phrase for the message), or nil when it is outside the workspace's own folders.
    func reservedArea(containing written: String, registry: ManifestRegistry) -> String? {
        func isInside(_ path: String, _ folder: String) -> Bool { path == folder || path.hasPrefix(folder + "/") }
        let root = Self.resolvedForWriting(layout.root.path, followFinalSymlink: true)
        var privateAreas = [root + "/.fmnist"]
        let linked = Self.resolvedForWriting(layout.privateDirectory.path, followFinalSymlink: true)
        if !privateAreas.contains(linked) { privateAreas.append(linked) }
        for area in privateAreas where isInside(written, area) {
            let below = written.dropFirst(area.count).split(separator: "/").map(String.init)
            switch below.first {
            case "versions" where below.count >= 3 && WorkspaceLayout.isVersionID(below[2]): return "inside a read-only version folder of \(below[1])"
            case "store": return "inside the workspace's store (.fmnist/store)"
            case "payload" where below.count >= 3: return "inside a version's payload folder of \(below[1])"
            default: return "inside the workspace's private area (.fmnist)"
            }
        }
        if written == root { return "the workspace root itself" }
        if isInside(written, root + "/current") { return "the workspace's current link (fmnist's own)" }
        for name in datasetNames(registry: registry) where isInside(written, root + "/" + name) {
            return "inside or equal to the live folder of \(name) (fmnist's link to a read-only version folder)"
        }
        return nil
    }

    /// Every dataset a manifest names or a version folder holds: the names `ROOT/<name>` keeps for fmnist.
    func datasetNames(registry: ManifestRegistry) -> [String] {
        var names = registry.manifests.map(\.name)
        let kept = (try? FileManager.default.contentsOfDirectory(atPath: layout.versionsDirectory.path)) ?? []
        for name in kept.sorted() where !name.hasPrefix(".") && !names.contains(name) { names.append(name) }
        return names
    }

    /// The names inside the root that are fmnist's, for the hint.
    func reservedNames(registry: ManifestRegistry) -> [String] {
        datasetNames(registry: registry) + ["current", ".fmnist"]
    }

    /// Where writing `path` would really land: absolute, every symlink on the way followed (the
    /// last one only with `followFinalSymlink`), `..` applied to the folder reached so far, and the
    /// components below the deepest existing one kept as written (`..` among them removed lexically,
    /// as `mkdir -p` would). A symlink loop stops the walk where it is.
    package static func resolvedForWriting(_ path: String, followFinalSymlink: Bool) -> String {
        var pending = Array(absolute(path).split(separator: "/", omittingEmptySubsequences: true).map(String.init).reversed())
        var resolved: [String] = []
        var missing = false
        var hops = 0
        while let part = pending.popLast() {
            if part == "." { continue }
            if part == ".." {
                if !resolved.isEmpty { resolved.removeLast() }
                continue
            }
            resolved.append(part)
            if missing { continue }
            let current = "/" + resolved.joined(separator: "/")
            var info = stat()
            guard lstat(current, &info) == 0 else {
                missing = true
                continue
            }
            guard (info.st_mode & S_IFMT) == S_IFLNK, followFinalSymlink || !pending.isEmpty else { continue }
            hops += 1
            guard hops <= 40, let text = linkText(current), !text.isEmpty else { continue }
            resolved.removeLast()
            if text.hasPrefix("/") { resolved.removeAll() }
            pending.append(contentsOf: text.split(separator: "/", omittingEmptySubsequences: true).map(String.init).reversed())
        }
        return "/" + resolved.joined(separator: "/")
    }

    /// Checks the folder an output `path` goes in: refuses it when it, or the deepest existing
    /// folder above it, is a file (`data.csv/out`: "data.csv is a file, not a folder"), and, unless
    /// the command `createsMissing` folders (export DEST), when it does not exist.
    /// ``WorkspaceError/outputFolderMissing(option:path:folder:isFile:)``, exit 2.
    package static func checkFolder(of path: String, option: String, createsMissing: Bool) throws {
        let parent = (absolute(path) as NSString).deletingLastPathComponent
        var info = stat()
        var folder = parent
        // The deepest existing entry at or above the parent (stat: symlinks followed, as writing would).
        while stat(folder, &info) != 0 {
            guard errno == ENOENT || errno == ENOTDIR else { return }  // unreadable: the write itself will say why
            let up = (folder as NSString).deletingLastPathComponent
            if up == folder { return }
            folder = up
        }
        if (info.st_mode & S_IFMT) != S_IFDIR {
            throw WorkspaceError.outputFolderMissing(option: option, path: path, folder: folder, isFile: true)
        }
        if folder != parent && !createsMissing {
            throw WorkspaceError.outputFolderMissing(option: option, path: path, folder: parent, isFile: false)
        }
    }

    /// `path` made absolute against the current directory (no component resolved).
    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
