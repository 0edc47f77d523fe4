import Foundation

/// Atomically points a drop-in link (`data/current`, or any `--link PATH`) at a dataset's live
/// folder: a new symlink is made under a temporary name beside the link, then renamed over it,
/// so a reader always sees either the old or the new target.
///
/// Targets are relative whenever the link and the workspace share a folder below `/` (so moving a
/// project folder that holds both keeps the link working); absolute otherwise. Only a missing path
/// or a symlink of fmnist's (one that points at a live folder of this workspace) is ever replaced:
/// a real file or folder, or someone else's symlink, is refused.
///
/// ```swift
/// let switcher = LinkSwitcher(layout: layout)
/// try switcher.flip(link: layout.currentLink, to: layout.liveDirectory(dataset: "fashion"))
/// ```
package struct LinkSwitcher: Sendable {
    package let layout: WorkspaceLayout

    package init(layout: WorkspaceLayout) {
        self.layout = layout
    }

    /// Points `link` at `target` atomically; returns the text written into the symlink.
    @discardableResult
    package func flip(link: URL, to target: URL) throws -> String {
        let linkPath = link.standardizedFileURL.path
        try checkReplaceable(linkPath)
        let text = targetText(link: link, target: target)
        let parent = (linkPath as NSString).deletingLastPathComponent
        let name = (linkPath as NSString).lastPathComponent
        let temporary = (parent as NSString).appendingPathComponent(".\(name).fmnist-\(getpid())-\(UUID().uuidString.prefix(8))")
        if symlink(text, temporary) != 0 { throw WorkspaceError.posix("create symlink", temporary) }
        if rename(temporary, linkPath) != 0 {
            let error = WorkspaceError.posix("rename symlink over", linkPath)
            unlink(temporary)
            throw error
        }
        return text
    }

    /// Refuses to replace anything at `path` but nothing or a symlink of fmnist's.
    func checkReplaceable(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        switch info.st_mode & S_IFMT {
        case S_IFLNK:
            guard isOurs(path) else {
                throw WorkspaceError.foreignSymlink(path: path, target: WorkspaceBoundary.linkText(path) ?? "?")
            }
        case S_IFDIR: throw WorkspaceError.notALink(path: path, kind: "directory")
        default: throw WorkspaceError.notALink(path: path, kind: "regular file")
        }
    }

    /// Whether the symlink at `path` is one fmnist makes: it points at a live folder of this
    /// workspace, or at a version's payload folder (`.fmnist/payload/<dataset>/<id>`, torchvision links).
    func isOurs(_ path: String) -> Bool {
        guard let destination = destination(of: URL(fileURLWithPath: path)) else { return false }
        if payloadDataset(of: destination) != nil { return true }
        let root = layout.root.standardizedFileURL.path
        let parent = destination.deletingLastPathComponent().path
        return parent == root && !destination.lastPathComponent.hasPrefix(".") && destination.lastPathComponent != "current"
    }

    /// The dataset of a payload folder `.fmnist/payload/<dataset>/<64 hex>`, or nil.
    func payloadDataset(of destination: URL) -> String? {
        let id = destination.lastPathComponent
        let datasetFolder = destination.deletingLastPathComponent()
        guard id.count == 64, id.allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
            datasetFolder.deletingLastPathComponent().path == layout.payloadsDirectory.standardizedFileURL.path,
            !datasetFolder.lastPathComponent.hasPrefix(".")
        else { return nil }
        return datasetFolder.lastPathComponent
    }

    /// `data/current` must be missing or fmnist's own symlink.
    func checkCurrentLink() throws {
        try checkReplaceable(layout.currentLink.standardizedFileURL.path)
    }

    /// Refuses a new `--link` path that leads into the workspace's own folders (the one rule,
    /// ``WorkspaceBoundary/checkOutput(_:option:registry:followFinalSymlink:)``), one whose folder
    /// does not exist (fmnist does not create it), or one that is already something else.
    func checkNewLink(_ path: String, registry: ManifestRegistry) throws {
        try checkLinkPlace(path, registry: registry, isFolder: false)
        try checkReplaceable(path)
    }

    /// The workspace boundary, then the link's folder: it must exist and be a folder. A seed link
    /// is judged by its name (fmnist replaces its own symlink there, never writes through it); a
    /// framework link's root (`isFolder`) is a folder fmnist writes into, judged where it leads.
    func checkLinkPlace(_ path: String, registry: ManifestRegistry, isFolder: Bool) throws {
        try WorkspaceBoundary(layout: layout).checkOutput(path, option: "--link", registry: registry, followFinalSymlink: isFolder)
        try WorkspaceBoundary.checkFolder(of: path, option: "--link", createsMissing: false)
    }

    /// Refuses a new framework link (`--layout torchvision|keras`) at `root` unless `root`'s folder
    /// exists, `root` is outside the workspace's own folders, `root` and the folders below it are missing or real
    /// folders (never a symlink: fmnist would write through it), and each symlink place is free or
    /// fmnist's own. An existing real folder at `PATH/MNIST/raw` is refused, never replaced.
    func checkNewFrameworkLink(_ root: String, placements: [LinkLayout.Placement], registry: ManifestRegistry) throws {
        try checkLinkPlace(root, registry: registry, isFolder: true)
        for placement in placements {
            if let error = folderError(placement) { throw error }
            try checkReplaceable(placement.path)
        }
    }

    /// Why the folders leading to a framework symlink cannot be used: one is a symlink (fmnist
    /// would write through it) or a file.
    func folderError(_ placement: LinkLayout.Placement) -> WorkspaceError? {
        for folder in placement.folders {
            var info = stat()
            guard lstat(folder, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: continue
            case S_IFLNK: return .foreignSymlink(path: folder, target: WorkspaceBoundary.linkText(folder) ?? "?")
            default: return .notAFolder(path: folder)
            }
        }
        return nil
    }

    /// Why a registered framework symlink cannot be flipped now (PATH is gone, a folder below it
    /// became a symlink or a file, or the symlink place was replaced), or nil when it can.
    package func problem(of placement: LinkLayout.Placement) -> String? {
        guard let root = placement.folders.first else { return problem(ofRegistered: placement.path) }
        var isDirectory: ObjCBool = false
        var info = stat()
        guard lstat(root, &info) == 0, FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue,
            (info.st_mode & S_IFMT) == S_IFDIR
        else { return "its folder \(root) no longer exists (or is no longer a real folder)" }
        if let error = folderError(placement) { return error.description }
        guard lstat(placement.path, &info) == 0 else { return nil }
        return problem(ofRegistered: placement.path)
    }

    /// Creates the missing folders leading to a framework symlink (0755), refusing any that is not
    /// a real folder once made.
    func ensureFolders(_ placement: LinkLayout.Placement) throws {
        for folder in placement.folders {
            if mkdir(folder, 0o755) != 0 && errno != EEXIST { throw WorkspaceError.posix("create directory", folder) }
            try WorkspaceBoundary.requireRealDirectory(folder)
        }
    }

    /// Why a registered link cannot be flipped now (its folder is gone, the user replaced it with a
    /// real file or folder, or with a symlink of their own), or nil when it can.
    package func problem(ofRegistered path: String) -> String? {
        let parent = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            return "its folder \(parent) no longer exists"
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFLNK: return isOurs(path) ? nil : "it was replaced by a symbolic link to \(WorkspaceBoundary.linkText(path) ?? "?")"
        case S_IFDIR: return "it was replaced by a real folder"
        default: return "it was replaced by a regular file"
        }
    }

    /// The text a symlink at `link` should hold to reach `target`: relative when the two share a
    /// folder below `/`, absolute otherwise.
    package func targetText(link: URL, target: URL) -> String {
        let from = URL(fileURLWithPath: FilePaths.real(link.standardizedFileURL.deletingLastPathComponent().path)).pathComponents
        let targetParent = FilePaths.real(target.standardizedFileURL.deletingLastPathComponent().path)
        let to = URL(fileURLWithPath: targetParent).appendingPathComponent(target.lastPathComponent).pathComponents
        var common = 0
        while common < from.count, common < to.count, from[common] == to[common] { common += 1 }
        guard common > 1 else { return URL(fileURLWithPath: targetParent).appendingPathComponent(target.lastPathComponent).path }
        let parts = Array(repeating: "..", count: from.count - common) + to[common...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// Where `link` points, resolved to an absolute standardized path; nil when it is not a symlink.
    package func destination(of link: URL) -> URL? {
        let path = link.standardizedFileURL.path
        guard let text = WorkspaceBoundary.linkText(path) else { return nil }
        if text.hasPrefix("/") { return URL(fileURLWithPath: FilePaths.lexicallyNormalized(text)) }
        let parent = FilePaths.real(link.standardizedFileURL.deletingLastPathComponent().path)
        // Lexically: Foundation's standardizedFileURL resolves symlinks once a path holds "..",
        // which would turn `../data/mnist` into the version directory it points at.
        let resolved = URL(fileURLWithPath: FilePaths.lexicallyNormalized(parent + "/" + text))
        // Compare in the workspace's own spelling of its root, whatever symlinks lead to either.
        let root = layout.root.standardizedFileURL.path
        let realRoot = FilePaths.real(root)
        if resolved.path.hasPrefix(realRoot + "/") {
            return URL(fileURLWithPath: root + resolved.path.dropFirst(realRoot.count)).standardizedFileURL
        }
        return resolved
    }

    /// The dataset whose live folder `link` points at, if any.
    package func dataset(of link: URL, among datasets: [String]) -> String? {
        guard let destination = destination(of: link) else { return nil }
        if let dataset = payloadDataset(of: destination) { return datasets.contains(dataset) ? dataset : nil }
        return datasets.first { layout.liveDirectory(dataset: $0).standardizedFileURL.path == destination.path }
    }

}
