import Foundation

/// Removes what a killed fmnist process may have left behind: files in `.fmnist/tmp/`, and the
/// hidden temporary names (`.NAME.fmnist-PID-XXXXXXXX`) used while placing live files and links.
///
/// Run it only while holding the ``WorkspaceLock``: every writer holds the lock, so nothing found
/// then can belong to a living process. Partial downloads (`.fmnist/partial/`) are kept: they are
/// how the next fetch resumes.
package enum WorkspaceJanitor {
    /// Sweeps the workspace; returns the paths removed. Failures to remove are ignored (the
    /// files are harmless: nothing ever reads them).
    @discardableResult
    package static func sweep(_ layout: WorkspaceLayout) -> [String] {
        let fm = FileManager.default
        var removed: [String] = []
        // Never sweep through a symlink: a `.fmnist/tmp` that is someone else's link is left alone
        // (and refused by whoever next writes there).
        if (try? WorkspaceBoundary(layout: layout).checkOwnedPath(layout.temporaryDirectory.appendingPathComponent("x"))) != nil,
            let info = FilePaths.lstat(layout.temporaryDirectory.path), (info.st_mode & S_IFMT) == S_IFDIR,
            let entries = try? fm.contentsOfDirectory(atPath: layout.temporaryDirectory.path)
        {
            for name in entries {
                let path = layout.temporaryDirectory.appendingPathComponent(name)
                FilePaths.removeTree(path)
                if FilePaths.lstat(path.path) == nil { removed.append(path.path) }
            }
        }
        // Version and payload directories half-built by a killed process (never through a symlink:
        // a `.fmnist/versions` or `.fmnist/payload` that is someone else's link is left alone).
        for parent in [layout.versionsDirectory, layout.payloadsDirectory] {
            guard (try? WorkspaceBoundary(layout: layout).checkOwnedPath(parent.appendingPathComponent("x"))) != nil,
                let info = FilePaths.lstat(parent.path), (info.st_mode & S_IFMT) == S_IFDIR,
                let datasets = try? fm.contentsOfDirectory(atPath: parent.path)
            else { continue }
            for dataset in datasets {
                let folder = parent.appendingPathComponent(dataset)
                guard let info = FilePaths.lstat(folder.path), (info.st_mode & S_IFMT) == S_IFDIR else { continue }
                for name in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] where isPlacementLeftover(name) {
                    FilePaths.removeTree(folder.appendingPathComponent(name))
                    removed.append(folder.appendingPathComponent(name).path)
                }
            }
        }
        var folders = [layout.root]
        if let children = try? fm.contentsOfDirectory(at: layout.root, includingPropertiesForKeys: [.isDirectoryKey, .isSymbolicLinkKey]) {
            for child in children where child.lastPathComponent != ".fmnist" {
                let values = try? child.resourceValues(forKeys: [.isDirectoryKey, .isSymbolicLinkKey])
                if values?.isDirectory == true && values?.isSymbolicLink != true { folders.append(child) }
            }
        }
        for folder in folders {
            guard let names = try? fm.contentsOfDirectory(atPath: folder.path) else { continue }
            for name in names where isPlacementLeftover(name) {
                let path = folder.appendingPathComponent(name).path
                if unlink(path) == 0 { removed.append(path) }
            }
        }
        return removed
    }

    /// Whether `name` is a temporary placement name: `.<name>.fmnist-<pid>-<8 hex>`.
    static func isPlacementLeftover(_ name: String) -> Bool {
        guard name.hasPrefix("."), let range = name.range(of: ".fmnist-", options: .backwards) else { return false }
        let tail = name[range.upperBound...].split(separator: "-")
        return tail.count == 2 && tail[0].allSatisfy(\.isNumber) && tail[1].count == 8 && tail[1].allSatisfy(\.isHexDigit)
    }
}
