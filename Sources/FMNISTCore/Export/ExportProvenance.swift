import Foundation

/// The small JSON file every export writes beside what it wrote (`fmnist-export.json`): which
/// tool, layout, dataset and version wrote which files, with their sizes and SHA-256. It says
/// what an export *should* be; the files' content proves what it is (`fmnist verify DEST`).
///
/// Where it is (``location(layout:manifest:)``): inside the dataset's own folder for the layouts
/// that have one (`FashionMNIST/fmnist-export.json`, `datasets/fashion-mnist/…`, `fashion_mnist/…`,
/// `fashion/…`); beside the files for the layouts that write files straight into DEST
/// (`fmnist-export-npz-fashion.json`, `fmnist-export-csv-mnist.json`,
/// `datasets/fmnist-export-keras-mnist.json`). No loader reads a file of that name.
///
/// ```swift
/// if let provenance = try ExportProvenance.read(from: URL(fileURLWithPath: "out/FashionMNIST")) {
///     print(provenance.dataset, provenance.version.shortID, provenance.files.count)
/// }
/// for found in try ExportProvenance.findAll(in: URL(fileURLWithPath: "out"), registry: registry) { print(found.url.path) }
/// ```
public struct ExportProvenance: Codable, Sendable, Equatable {
    /// The file name inside a dataset's own export folder.
    public static let fileName = "fmnist-export.json"
    /// The current schema number; a reader refuses a larger one.
    public static let currentSchema = 1
    /// The largest provenance file read (a real one is a few KiB).
    public static let maximumSize = 1 << 20

    public struct Tool: Codable, Sendable, Equatable {
        public let name: String
        public let version: String
        public init(name: String, version: String) {
            self.name = name
            self.version = version
        }
    }

    public struct Version: Codable, Sendable, Equatable {
        /// The version id (SHA-256 over the four payload digests).
        public let id: String
        public let shortID: String
        /// The manifest's name for it (`2017-08-31`), or `unknown`.
        public let name: String
        public let known: Bool
        enum CodingKeys: String, CodingKey {
            case id, name, known
            case shortID = "short_id"
        }
    }

    /// One file written, relative to the folder the provenance file is in.
    public struct File: Codable, Sendable, Equatable {
        public let path: String
        public let size: Int64
        public let sha256: String
    }

    /// A folder of many files (a png split), summed up instead of listed.
    public struct Tree: Codable, Sendable, Equatable {
        /// The folder, relative to the folder the provenance file is in (`train`).
        public let path: String
        public let files: Int
        public let bytes: Int64
        /// Files per immediate subfolder (png: per label folder `0`…`9`).
        public let folders: [String: Int]
        /// SHA-256 of the `sha256sum` listing of the tree: one line `<sha256>  <path>\n` per
        /// file, paths relative to the tree, sorted bytewise.
        public let digest: String
    }

    public let schema: Int
    /// Always `fmnist-export`.
    public let kind: String
    public let tool: Tool
    /// The layout (`torchvision`, `keras`, `tfds`, `png`, `csv`, `npz`, `hf`).
    public let layout: String
    /// The dataset (`fashion`, `mnist`) and its title.
    public let dataset: String
    public let title: String
    public let version: Version
    /// The files written, each listed (sorted by path), except those inside `trees`.
    public let files: [File]
    /// Folders summed up (png's `train` and `test`); empty for the other layouts.
    public let trees: [Tree]
    /// All files written (listed and in trees) and their bytes; the provenance file not included.
    public let fileCount: Int
    public let bytes: Int64

    enum CodingKeys: String, CodingKey {
        case schema, kind, tool, layout, dataset, title, version, files, trees, bytes
        case fileCount = "file_count"
    }

    public init(
        layout: ExportLayout, dataset: String, title: String, version: Version, files: [File], trees: [Tree],
        fileCount: Int, bytes: Int64, toolVersion: String = FMNISTCoreVersion.string
    ) {
        schema = Self.currentSchema
        kind = "fmnist-export"
        tool = Tool(name: "fmnist", version: toolVersion)
        self.layout = layout.rawValue
        self.dataset = dataset
        self.title = title
        self.version = version
        self.files = files
        self.trees = trees
        self.fileCount = fileCount
        self.bytes = bytes
    }

    /// Where a dataset's provenance file is, relative to DEST, in `format`'s layout
    /// (``location(layout:manifest:)`` looks the format up in ``LoaderFormats``).
    package static func location(format: any ExportFormat, manifest: Manifest) -> [String] {
        let part = format.writer.part(manifest: manifest)
        switch part.shape {
        case .folder(let name): return part.parent + [name, fileName]
        case .files: return part.parent + [filesFileName(layout: format.exportLayout, dataset: manifest.name)]
        }
    }

    /// The provenance file's name for a layout that writes files straight into a folder shared
    /// with other datasets: `fmnist-export-<layout>-<dataset>.json`.
    public static func filesFileName(layout: ExportLayout, dataset: String) -> String {
        "fmnist-export-\(layout.rawValue)-\(dataset).json"
    }

    /// The provenance `folder/fmnist-export.json`, or nil when there is none.
    public static func read(from folder: URL) throws -> ExportProvenance? {
        try read(file: folder.appendingPathComponent(fileName))
    }

    /// The provenance file at `url`, or nil when nothing is there. Throws when something is there
    /// that is not one: not a regular file (a symlink is not followed), larger than
    /// ``maximumSize``, not this JSON, or of a newer schema.
    public static func read(file url: URL) throws -> ExportProvenance? {
        let path = url.path
        guard RegularFile.kind(at: path, followSymlinks: false) != nil else { return nil }
        let hint = "export again with --force to write a fresh one"
        let data: Data
        do {
            data = try RegularFile.read(path, limit: maximumSize, followSymlinks: false, exitStatus: .integrity, hint: hint)
        } catch {
            if let kind = RegularFile.kind(at: path, followSymlinks: false), kind != .regular {
                throw FileAccessError(path: path, problem: "\(kind.refusal); not reading it as an export's provenance",
                                      exitStatus: .integrity, hint: hint)
            }
            throw error
        }
        let provenance: ExportProvenance
        do {
            provenance = try JSONDecoder().decode(ExportProvenance.self, from: data)
        } catch {
            throw FileAccessError(path: path, problem: "is not an fmnist export provenance file (\(Self.reason(error)))",
                                  exitStatus: .integrity, hint: hint)
        }
        guard provenance.kind == "fmnist-export" else {
            throw FileAccessError(path: path, problem: "is not an fmnist export provenance file (kind \"\(provenance.kind)\")",
                                  exitStatus: .integrity, hint: hint)
        }
        guard provenance.schema <= currentSchema else {
            throw FileAccessError(path: path, problem: "has provenance schema \(provenance.schema); this fmnist reads up to \(currentSchema)",
                                  exitStatus: .integrity, hint: "use a newer fmnist")
        }
        return provenance
    }

    /// A provenance file found in an export DEST.
    public struct Found: Sendable {
        /// The provenance file.
        public let url: URL
        /// The folder its `files[].path` and `trees[].path` are relative to.
        public var folder: URL { url.deletingLastPathComponent() }
        public let provenance: ExportProvenance
    }

    /// Every provenance file at the places an export in one of `formats` into `dest` writes one
    /// (every dataset of `registry`), in the formats' order. A file there that cannot be read is
    /// thrown. ``findAll(in:registry:)`` passes every layout of ``LoaderFormats``.
    package static func findAll(in dest: URL, registry: ManifestRegistry, formats: [any ExportFormat]) throws -> [Found] {
        var found: [Found] = []
        var seen: Set<String> = []
        for format in formats {
            for manifest in registry.manifests {
                let url = location(format: format, manifest: manifest).reduce(dest) { $0.appendingPathComponent($1) }
                guard seen.insert(url.path).inserted, let provenance = try read(file: url) else { continue }
                found.append(Found(url: url, provenance: provenance))
            }
        }
        return found
    }

    /// The JSON text (sorted keys, indented, ending in a newline).
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0A]
    }

    /// Whether this provenance says the part is `source`'s version in `layout`.
    func describes(_ layout: ExportLayout, _ source: ExportSource) -> Bool {
        self.layout == layout.rawValue && dataset == source.manifest.name && version.id == source.version.id
    }

    /// The paths among `paths` (relative to the provenance file's folder) that this provenance
    /// neither lists nor sums up in a tree, the provenance file itself excepted.
    func unlisted(_ paths: [String]) -> [String] {
        let listed = Set(files.map(\.path) + [Self.fileName])
        let treePrefixes = trees.map { $0.path + "/" }
        return paths.filter { path in !listed.contains(path) && !treePrefixes.contains { path.hasPrefix($0) } }.sorted()
    }

    /// The digest of a tree: SHA-256 of its `sha256sum` listing, sorted bytewise by path.
    public static func treeDigest(_ files: [(path: String, sha256: String)]) -> String {
        let digest = SHA256Stream()
        for file in files.sorted(by: { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }) {
            let line = Array("\(file.sha256)  \(file.path)\n".utf8)
            line.withUnsafeBytes { digest.update($0) }
        }
        return digest.finalize()
    }

    /// Builds the provenance of what `tally` recorded; files under a folder in `trees` are summed up.
    static func make(_ layout: ExportLayout, _ source: ExportSource, written: [ExportTally.Written], trees treeNames: [String])
        -> ExportProvenance
    {
        var files: [File] = []
        var grouped: [String: [ExportTally.Written]] = [:]
        for item in written {
            let top = item.path.split(separator: "/", maxSplits: 1).first.map(String.init) ?? item.path
            if treeNames.contains(top) && item.path.contains("/") {
                grouped[top, default: []].append(item)
            } else {
                files.append(File(path: item.path, size: item.size, sha256: item.sha256))
            }
        }
        files.sort { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
        let trees = treeNames.compactMap { name -> Tree? in
            guard let items = grouped[name] else { return nil }
            let relative = items.map { (path: String($0.path.dropFirst(name.count + 1)), sha256: $0.sha256) }
            var folders: [String: Int] = [:]
            for item in relative where item.path.contains("/") {
                folders[String(item.path.split(separator: "/", maxSplits: 1)[0]), default: 0] += 1
            }
            return Tree(path: name, files: items.count, bytes: items.reduce(0) { $0 + $1.size }, folders: folders,
                        digest: treeDigest(relative))
        }
        let version = Version(
            id: source.version.id, shortID: source.version.shortID,
            name: source.version.known ? source.version.name : "unknown", known: source.version.known)
        return ExportProvenance(
            layout: layout, dataset: source.manifest.name, title: source.manifest.title, version: version, files: files,
            trees: trees, fileCount: written.count, bytes: written.reduce(0) { $0 + $1.size })
    }

    private static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "no \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted: return "not valid JSON"
        default: return "\(error)"
        }
    }
}
