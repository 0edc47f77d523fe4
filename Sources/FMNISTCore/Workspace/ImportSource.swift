import Foundation

/// The name of a layout `fmnist import PATH --as DATASET` reads, as its `--json` result spells it.
/// The set is open: each layout's type in `Layouts/` (``ImportFormat``) names itself and declares
/// its constant beside it (`.torchvision`, `.csv`, …); ``LoaderFormats`` lists them.
///
/// ```swift
/// ImportLayout.gzipFolder.rawValue   // "gzip-folder"
/// ```
public struct ImportLayout: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// One import source, resolved: which layout was found, which files are read for each role, and
/// in which form. ``ImportStaging`` turns it into the four published-name `.gz` files in
/// `.fmnist/tmp/`; everything after that (verify, refuse, install) is the same for every layout.
package struct ImportSource {
    /// A file read for one role.
    package struct RoleFile {
        let url: URL
        /// `.gz` (copied as is) or an uncompressed IDX payload (gzipped while staged).
        package let compressed: Bool
        /// The uncompressed payload beside a `.gz` that torchvision reads instead of it: it must
        /// hold the same data, or the import would not be what torchvision shows.
        let companion: URL?
    }

    /// How an export's split is stored: `<split>/<label>/<index>.png`, or one Parquet file.
    package enum SplitForm {
        case pngFolders
        case parquetFiles
    }

    package enum Parts {
        case files([FileRole: RoleFile])
        case csv(train: URL, test: URL)
        case npz(URL)
        /// PNG split folders or Parquet files, read by ``SplitReport``'s readers.
        case splits(train: URL, test: URL, form: SplitForm)
    }

    package let layout: ImportLayout
    /// The path given.
    package let given: URL
    /// The folder (or file) actually read, e.g. `ROOT/FashionMNIST/raw`.
    package let readFrom: URL
    let parts: Parts
    /// Whether the report names nothing beyond the path (the four `.gz` read as they are).
    var plain = false
    /// Whether the `.gz` are the published containers beside the payloads a loader reads (torchvision's `raw/`).
    var gzipBesidePayloads = false

    /// The path a staged file of `role` is reported at (the file it was made from).
    func origin(_ role: FileRole) -> String {
        switch parts {
        case .files(let files): return files[role]?.url.path ?? readFrom.path
        case .csv(let train, let test), .splits(let train, let test, _): return (role.isTrain ? train : test).path
        case .npz(let url): return url.path
        }
    }

    /// How the report names what was read: "" for a folder of the four `.gz`, else e.g.
    /// "torchvision: ROOT/FashionMNIST/raw, the published .gz beside the payloads".
    var phrase: String {
        if plain { return "" }
        switch parts {
        case .files(let files):
            let gzip = files.values.allSatisfy(\.compressed)
            let what = gzip
                ? (gzipBesidePayloads ? "the published .gz beside the payloads" : "the four .gz")
                : "the uncompressed payloads, gzipped here"
            return "\(layout.rawValue): \(readFrom.path), \(what)"
        case .csv(let train, let test):
            return "Kaggle-format CSV: \(train.lastPathComponent) and \(test.lastPathComponent) in \(readFrom.path), rebuilt into IDX and gzipped here"
        case .npz(let url):
            return "npz: \(url.path), its arrays rebuilt into IDX and gzipped here"
        case .splits(_, _, .pngFolders):
            return "PNG files: \(readFrom.path)/{train,test}/<label>/<index>.png, rebuilt into IDX and gzipped here"
        case .splits(let train, let test, .parquetFiles):
            return "Parquet (hf): \(train.lastPathComponent) and \(test.lastPathComponent) in \(readFrom.path), rebuilt into IDX and gzipped here"
        }
    }

    /// Every file read, each with the largest size it may have (checked before anything is copied).
    func bounds(_ manifest: Manifest, registry: ManifestRegistry) -> [(url: URL, maxSize: Int64)] {
        switch parts {
        case .files(let files):
            return FileRole.allCases.flatMap { role -> [(url: URL, maxSize: Int64)] in
                guard let file = files[role] else { return [] }
                let payload = ImportSource.maxPayloadSize(manifest, role)
                return [(file.url, file.compressed ? DatasetImporter.maxContainerSize(manifest, role) : payload)]
                    + (file.companion.map { [($0, payload)] } ?? [])
            }
        case .csv(let train, let test):
            let limit = CSVLimits(registry: registry).maxFileSize
            return [(train, limit), (test, limit)]
        case .npz(let url):
            // The npz reader bounds its own reads; this only refuses a non-regular or absurd file.
            return [(url, FileRole.allCases.reduce(Int64(1 << 20)) { $0 + DatasetImporter.maxContainerSize(manifest, $1) })]
        case .splits(let train, let test, let form):
            // A PNG folder is checked file by file while read; a Parquet file by its size here.
            if form == .pngFolders { return [] }
            let limit = ExportReadLimits(registry: registry).maxParquetSize
            return [(train, limit), (test, limit)]
        }
    }

    /// The largest uncompressed payload any version of `manifest` gives `role`.
    static func maxPayloadSize(_ manifest: Manifest, _ role: FileRole) -> Int64 {
        manifest.versions.map { $0.file(role).payload.size }.max() ?? 0
    }

    /// Finds the layout `url` holds for `manifest`: the first of `formats` (``LoaderFormats``'
    /// order) that recognises it, or throws what is missing (exit 4, with the near-miss hints of
    /// a folder of `.gz`) or a usage error (not there, a lone CSV).
    package static func resolve(
        _ url: URL, manifest: Manifest, registry: ManifestRegistry, formats: [any ImportFormat]
    ) throws -> ImportSource {
        let names = FileRole.allCases.map { manifest.defaultVersion.file($0).name }
        let accepted = formats.map(\.importPhrase)
        let what = accepted.spokenList("or")
        guard let kind = RegularFile.kind(at: url.path) else {
            throw UsageError("\(url.path) does not exist", hint: "give \(what)")
        }
        if kind != .directory {
            for format in formats {
                if let source = try format.importSource(file: url, manifest: manifest, registry: registry) { return source }
            }
            throw UsageError("\(url.path) is not a folder (nor an .npz)", hint: "give \(what)")
        }
        for format in formats {
            if let source = try format.importSource(folder: url, manifest: manifest, registry: registry) { return source }
        }
        let absent = names.filter { RegularFile.kind(at: url.appendingPathComponent($0).path) == nil }
        let nearMiss = absent.count == names.count
            ? ImportNearMiss.find(in: url, names: names, requested: manifest, manifests: registry.manifests) : nil
        throw ImportError(reason: .missing, directory: url.path, dataset: manifest.title,
                          problems: nearMiss == nil ? absent.map { "\($0): missing" } : [], nearMiss: nearMiss, accepted: accepted)
    }

    /// The two splits `train` and `test` in `folder` (folders, or files when `directory` is
    /// false); nil when neither is there, a missing split (exit 4) when only one is.
    package static func splitPair(
        in folder: URL, _ train: String, _ test: String, directory: Bool, manifest: Manifest
    ) throws -> (train: URL, test: URL)? {
        let urls = (folder.appendingPathComponent(train), folder.appendingPathComponent(test))
        let present = [urls.0, urls.1].map { url -> Bool in
            let kind = RegularFile.kind(at: url.path)
            return directory ? kind == .directory : kind != nil && kind != .directory
        }
        if present == [true, true] { return urls }
        if present == [false, false] { return nil }
        let (found, absent) = present[0] ? urls : (urls.1, urls.0)
        throw ImportError(reason: .missing, directory: folder.path, dataset: manifest.title, problems: [],
                          nearMiss: .oneSplit(present: found.lastPathComponent, missing: absent.lastPathComponent))
    }

    /// The files of `folder` as one of the folder layouts reads them: the four published names of
    /// `manifest` (``filesParts(in:names:torchvision:)``), nil when they are not all there.
    package static func files(
        _ layout: ImportLayout, given: URL, in folder: URL, manifest: Manifest, torchvision: Bool = false
    ) -> ImportSource? {
        let names = FileRole.allCases.map { manifest.defaultVersion.file($0).name }
        return filesParts(in: folder, names: names, torchvision: torchvision)
            .map { ImportSource(layout: layout, given: given, readFrom: folder, parts: .files($0), gzipBesidePayloads: torchvision) }
    }

    /// The four files of `folder`: all four `.gz` (with the uncompressed payloads beside them as
    /// companions in a torchvision `raw/`), else all four uncompressed payloads (also spelled
    /// `t10k-labels.idx1-ubyte`); nil when neither set is complete.
    package static func filesParts(in folder: URL, names: [String], torchvision: Bool) -> [FileRole: RoleFile]? {
        func present(_ name: String) -> URL? {
            let url = folder.appendingPathComponent(name)
            return RegularFile.kind(at: url.path) != nil ? url : nil
        }
        func payload(_ name: String) -> URL? {
            let plain = LoaderLayout.uncompressedName(name)
            return present(plain) ?? present(plain.replacingOccurrences(of: "-idx", with: ".idx"))
        }
        let roles = FileRole.allCases
        if names.allSatisfy({ present($0) != nil }) {
            return Dictionary(uniqueKeysWithValues: zip(roles, names).map { role, name in
                (role, RoleFile(url: present(name)!, compressed: true, companion: torchvision ? payload(name) : nil))
            })
        }
        if names.allSatisfy({ payload($0) != nil }) {
            return Dictionary(uniqueKeysWithValues: zip(roles, names).map { role, name in
                (role, RoleFile(url: payload(name)!, compressed: false, companion: nil))
            })
        }
        return nil
    }
}
