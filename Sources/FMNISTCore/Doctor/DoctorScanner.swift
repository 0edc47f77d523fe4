import Foundation

/// A file (or a torchvision `processed/` folder) in a loader's place, found by name alone.
public struct DoctorCandidate: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A file whose name is one of the published names.
        case file(LoaderPlace)
        /// A torchvision `<Class>/processed/` holding `.pt` files, beside `raw/`.
        case staleProcessed(dataset: String)
        /// keras's `datasets/<dataset>.npz` (`mnist.npz`): keras reads that dataset from its pinned npz.
        case kerasNPZ(dataset: String)
    }
    /// The path as reached (not resolved: the loader's view).
    public let path: String
    public let kind: Kind
    /// The symlink the path goes through (a linked folder, or the file itself), if any.
    public let linkedThrough: String?
    /// A live file of fmnist's own workspace (read through fmnist's own links; never written by doctor).
    public let inWorkspace: Bool
    /// The turn a published-name file was placed in (nil for the workspace's own files and for
    /// what the layouts report besides): a loader's own folder names its dataset for certain.
    package var placedIn: DoctorTurn? = nil

    /// What the place asks for (loader, form, role, dataset), to tell two places of one file apart.
    var placeKey: String {
        switch kind {
        case .file(let place): return "\(place.loader.rawValue) \(place.form.rawValue) \(place.role.rawValue) \(place.dataset ?? "-")"
        case .staleProcessed(let dataset): return "processed \(dataset)"
        case .kerasNPZ(let dataset): return "keras npz \(dataset)"
        }
    }

    /// The folder holding it, and its name.
    var folder: String { (path as NSString).deletingLastPathComponent }
    var name: String { (path as NSString).lastPathComponent }
}

/// Finds candidates under a folder tree without reading any file: by directory listing and name.
///
/// Bounds: a directory is walked once (by device and inode); a symlinked folder is listed but not
/// descended into (no loops, no escape into the rest of the file system); depth is capped;
/// fmnist's private `.fmnist/` is skipped; files whose name is not a published file name are
/// never opened, stat'ed or read (only counted as entries seen).
public final class DoctorScanner {
    public static let maxDepth = 24
    let registry: ManifestRegistry
    public private(set) var candidates: [DoctorCandidate] = []
    /// Directory entries listed.
    public private(set) var entriesSeen = 0
    private var visited: Set<String> = []
    /// Paths not to walk: the workspace's own links (`data/fashion`, `data/current`), which
    /// ``scanWorkspace(_:)`` covers in their own right.
    public var skipped: Set<String> = []

    /// The published names, normalised once (every entry's name is compared with them).
    private let stems: [(stem: String, role: FileRole)]

    /// The layouts a file is placed in, turn by turn (every layout's: `init(registry:)`).
    private let formats: [any DoctorFormat]

    package init(registry: ManifestRegistry, formats: [any DoctorFormat]) {
        self.registry = registry
        self.formats = formats
        stems = LoaderLayout.stems(registry)
    }

    /// Walks `root` (a folder; a symlinked root given by the user is followed). When `root` or a
    /// folder above it is a symlink, every candidate below is marked as reached through it (it is
    /// read, never written through).
    public func scan(_ root: URL) {
        let path = root.standardizedFileURL.path
        walk(path, depth: 0, linkedThrough: DoctorPaths.firstSymlink(in: path), descend: true)
    }

    /// Lists fmnist's own live folders (`data/<dataset>`, links fmnist made): the seed loader's place.
    public func scanWorkspace(_ layout: WorkspaceLayout) {
        skipped.insert(layout.currentLink.path)
        for manifest in registry.manifests {
            let folder = layout.liveDirectory(dataset: manifest.name).path
            skipped.insert(folder)
            for name in list(folder)?.map(\.name) ?? [] {
                guard let role = LoaderLayout.role(fromName: name, stems: stems), name.hasSuffix(".gz") else { continue }
                entriesSeen += 1
                let place = LoaderPlace(loader: .seedLoader, form: .gzip, role: role, dataset: manifest.name)
                candidates.append(DoctorCandidate(path: folder + "/" + name, kind: .file(place), linkedThrough: folder, inWorkspace: true))
            }
        }
    }

    private struct Entry {
        let name: String
        let type: UInt8
    }

    private func list(_ path: String) -> [Entry]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var entries: [Entry] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            entries.append(Entry(name: name, type: entry.pointee.d_type))
        }
        return entries.sorted { $0.name < $1.name }
    }

    /// The identity of a folder (following links), to walk each once.
    private func identity(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return nil }
        return "\(info.st_dev):\(info.st_ino)"
    }

    private func walk(_ path: String, depth: Int, linkedThrough: String?, descend: Bool) {
        guard depth <= Self.maxDepth, let id = identity(path), visited.insert(id).inserted, let entries = list(path) else { return }
        let components = path.split(separator: "/").map(String.init)
        for entry in entries {
            entriesSeen += 1
            let child = path == "/" ? "/" + entry.name : path + "/" + entry.name
            if skipped.contains(child) { continue }
            var type = entry.type
            if type == UInt8(DT_UNKNOWN) {
                var info = stat()
                if lstat(child, &info) == 0 {
                    switch info.st_mode & S_IFMT {
                    case S_IFDIR: type = UInt8(DT_DIR)
                    case S_IFLNK: type = UInt8(DT_LNK)
                    default: type = UInt8(DT_REG)
                    }
                }
            }
            let isLink = type == UInt8(DT_LNK)
            let link = isLink ? (linkedThrough ?? child) : linkedThrough
            if type == UInt8(DT_DIR) || (isLink && RegularFile.kind(at: child) == .directory) {
                if entry.name == ".fmnist" { continue }
                if let kind = finding(components, entry.name, isDirectory: true) {
                    candidates.append(DoctorCandidate(path: child, kind: kind, linkedThrough: link, inWorkspace: false))
                    continue
                }
                // A symlinked folder is listed (torchvision's `raw` may be one) but not descended below.
                if descend { walk(child, depth: depth + 1, linkedThrough: link, descend: !isLink) }
                continue
            }
            if entry.name.hasPrefix("."), entry.name.contains(".fmnist-tmp-") { continue }
            if let kind = finding(components, entry.name, isDirectory: false) {
                candidates.append(DoctorCandidate(path: child, kind: kind, linkedThrough: link, inWorkspace: false))
                continue
            }
            guard let (place, turn) = LoaderLayout.placeAndTurn(folder: components, name: entry.name, registry: registry, formats: formats, stems: stems)
            else { continue }
            candidates.append(DoctorCandidate(path: child, kind: .file(place), linkedThrough: link, inWorkspace: false, placedIn: turn))
        }
    }

    /// What the layouts make of an entry that is not a published file (keras's npz, a stale
    /// `processed/`), the first that says.
    private func finding(_ folder: [String], _ name: String, isDirectory: Bool) -> DoctorCandidate.Kind? {
        for format in formats {
            if let kind = format.doctorFinding(folder: folder, name: name, isDirectory: isDirectory, registry: registry) { return kind }
        }
        return nil
    }
}
