import Foundation

/// The layouts `fmnist import PATH --as DATASET` reads (each named as ``LoaderLayout`` names it).
public enum ImportLayout: String, Sendable, Codable {
    /// A folder of the four published `.gz` files.
    case gzipFolder = "gzip-folder"
    /// A torchvision root or its `<Class>/raw/`: the `.gz` beside the payloads when all four are
    /// there (the published containers), else the uncompressed payloads, gzipped while staged.
    case torchvision
    /// Any other folder of the four uncompressed IDX payloads, gzipped while staged.
    case idxFolder = "idx-folder"
    /// A keras cache (`KERAS_HOME` or its `datasets/`): `datasets/fashion-mnist/*.gz`.
    case keras
    /// A TFDS manual dir: `fashion_mnist/*.gz`, `manual/mnist/*.gz`.
    case tfdsManual = "tfds-manual"
    /// Kaggle-format CSVs (`fashion-mnist_train.csv` + `_test.csv`): rows rebuilt into the IDX payloads, gzipped.
    case csv
    /// An `.npz` of the four arrays: keras's `mnist.npz`, `export npz` output (see ``NPZStaging``).
    case npz
    /// `export png` output: `<dataset>/{train,test}/<label>/<index>.png`, decoded and rebuilt into IDX, gzipped.
    case png
    /// `export hf` output: `<hub name>/{train,test}-00000-of-00001.parquet`, read and rebuilt into IDX, gzipped.
    case hf
}

/// One import source, resolved: which layout was found, which files are read for each role, and
/// in which form. ``ImportStaging`` turns it into the four published-name `.gz` files in
/// `.fmnist/tmp/`; everything after that (verify, refuse, install) is the same for every layout.
struct ImportSource {
    /// A file read for one role.
    struct RoleFile {
        let url: URL
        /// `.gz` (copied as is) or an uncompressed IDX payload (gzipped while staged).
        let compressed: Bool
        /// The uncompressed payload beside a `.gz` that torchvision reads instead of it: it must
        /// hold the same data, or the import would not be what torchvision shows.
        let companion: URL?
    }

    enum Parts {
        case files([FileRole: RoleFile])
        case csv(train: URL, test: URL)
        case npz(URL)
        /// PNG split folders (`layout` png) or Parquet files (hf), read by ``SplitReport``'s readers.
        case splits(train: URL, test: URL)
    }

    let layout: ImportLayout
    /// The path given.
    let given: URL
    /// The folder (or file) actually read, e.g. `ROOT/FashionMNIST/raw`.
    let readFrom: URL
    let parts: Parts

    /// The path a staged file of `role` is reported at (the file it was made from).
    func origin(_ role: FileRole) -> String {
        switch parts {
        case .files(let files): return files[role]?.url.path ?? readFrom.path
        case .csv(let train, let test), .splits(let train, let test): return (role.isTrain ? train : test).path
        case .npz(let url): return url.path
        }
    }

    /// How the report names what was read: "" for a folder of the four `.gz`, else e.g.
    /// "torchvision: ROOT/FashionMNIST/raw, the published .gz beside the payloads".
    var phrase: String {
        switch (layout, parts) {
        case (.gzipFolder, _): return ""
        case (_, .files(let files)):
            let gzip = files.values.allSatisfy(\.compressed)
            let what = gzip
                ? (layout == .torchvision ? "the published .gz beside the payloads" : "the four .gz")
                : "the uncompressed payloads, gzipped here"
            return "\(layout.rawValue): \(readFrom.path), \(what)"
        case (_, .csv(let train, let test)):
            return "Kaggle-format CSV: \(train.lastPathComponent) and \(test.lastPathComponent) in \(readFrom.path), rebuilt into IDX and gzipped here"
        case (_, .npz(let url)):
            return "npz: \(url.path), its arrays rebuilt into IDX and gzipped here"
        case (.png, .splits):
            return "PNG files: \(readFrom.path)/{train,test}/<label>/<index>.png, rebuilt into IDX and gzipped here"
        case (_, .splits(let train, let test)):
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
        case .splits(let train, let test):
            // A PNG folder is checked file by file while read; a Parquet file by its size here.
            if layout == .png { return [] }
            let limit = ExportReadLimits(registry: registry).maxParquetSize
            return [(train, limit), (test, limit)]
        }
    }

    /// The largest uncompressed payload any version of `manifest` gives `role`.
    static func maxPayloadSize(_ manifest: Manifest, _ role: FileRole) -> Int64 {
        manifest.versions.map { $0.file(role).payload.size }.max() ?? 0
    }

    /// Finds the layout `url` holds for `manifest`, or throws what is missing (exit 4, with the
    /// near-miss hints of a folder of `.gz`) or a usage error (not there, a lone CSV).
    static func resolve(_ url: URL, manifest: Manifest, registry: ManifestRegistry) throws -> ImportSource {
        let names = FileRole.allCases.map { manifest.defaultVersion.file($0).name }
        let what = "a folder of the four .gz, a torchvision root, a keras cache, a TFDS manual dir, a folder of Kaggle CSVs, "
            + "an .npz, or an export png|hf|npz folder"
        guard let kind = RegularFile.kind(at: url.path) else {
            throw UsageError("\(url.path) does not exist", hint: "give \(what)")
        }
        if kind != .directory {
            if url.pathExtension.lowercased() == "npz" {
                return ImportSource(layout: .npz, given: url, readFrom: url, parts: .npz(url))
            }
            if KaggleCSVFile.looksLikeCSV(url) {
                throw UsageError(
                    "\(url.path) is one CSV, one split; an import needs both",
                    hint: "give the folder holding \(LoaderLayout.kaggleCSV(manifest, split: "train")) and \(LoaderLayout.kaggleCSV(manifest, split: "test"))")
            }
            throw UsageError("\(url.path) is not a folder (nor an .npz)", hint: "give \(what)")
        }
        // The folder itself: the four .gz (today's layout), or the uncompressed payloads.
        let isRaw = url.lastPathComponent == LoaderLayout.torchvisionRawFolder
        if let parts = filesParts(in: url, names: names, torchvision: isRaw) {
            let layout: ImportLayout = isRaw ? .torchvision : parts.values.allSatisfy(\.compressed) ? .gzipFolder : .idxFolder
            return ImportSource(layout: layout, given: url, readFrom: url, parts: .files(parts))
        }
        // A torchvision root: ROOT/<Class>/raw.
        let raw = LoaderLayout.torchvisionRaw(manifest).reduce(url) { $0.appendingPathComponent($1) }
        if RegularFile.kind(at: raw.path) == .directory, let parts = filesParts(in: raw, names: names, torchvision: true) {
            return ImportSource(layout: .torchvision, given: url, readFrom: raw, parts: .files(parts))
        }
        // A keras cache or a TFDS manual dir.
        if let cache = LoaderCache.find(url, registry: registry) {
            if let place = cache.folders.first(where: { $0.dataset == manifest.name }),
                let parts = filesParts(in: place.url, names: names, torchvision: false)
            {
                return ImportSource(layout: cache.loader == .keras ? .keras : .tfdsManual, given: url, readFrom: place.url, parts: .files(parts))
            }
            if let npz = cache.npz.first(where: { $0.dataset == manifest.name }) {
                return ImportSource(layout: .npz, given: url, readFrom: npz.url, parts: .npz(npz.url))
            }
        }
        // Kaggle-format CSVs, by the names `export csv` writes.
        let train = url.appendingPathComponent(LoaderLayout.kaggleCSV(manifest, split: "train"))
        let test = url.appendingPathComponent(LoaderLayout.kaggleCSV(manifest, split: "test"))
        if RegularFile.kind(at: train.path) != nil || RegularFile.kind(at: test.path) != nil {
            let absent = [train, test].filter { RegularFile.kind(at: $0.path) == nil }
            if !absent.isEmpty {
                throw ImportError(reason: .missing, directory: url.path, dataset: manifest.title,
                                  problems: absent.map { "\($0.lastPathComponent): missing (an import needs both splits)" })
            }
            return ImportSource(layout: .csv, given: url, readFrom: url, parts: .csv(train: train, test: test))
        }
        if let exported = try exportedSplits(url, manifest: manifest) { return exported }
        let absent = names.filter { RegularFile.kind(at: url.appendingPathComponent($0).path) == nil }
        let nearMiss = absent.count == names.count
            ? ImportNearMiss.find(in: url, names: names, requested: manifest, manifests: registry.manifests) : nil
        throw ImportError(reason: .missing, directory: url.path, dataset: manifest.title,
                          problems: nearMiss == nil ? absent.map { "\($0): missing" } : [], nearMiss: nearMiss)
    }

    /// What `export npz|png|hf` wrote for `manifest` in `url` (or `url` as its dataset folder):
    /// `<name>.npz`, `<name>/{train,test}/` of PNG class folders, `<hub name>/{train,test}-00000-of-00001.parquet`;
    /// nil when none is there, a missing split when only one is.
    static func exportedSplits(_ url: URL, manifest: Manifest) throws -> ImportSource? {
        let npz = url.appendingPathComponent(manifest.name + ".npz")
        if RegularFile.kind(at: npz.path) == .regular { return ImportSource(layout: .npz, given: url, readFrom: npz, parts: .npz(npz)) }
        func pair(_ folder: URL, _ train: String, _ test: String, directory: Bool) throws -> (URL, URL)? {
            let urls = (folder.appendingPathComponent(train), folder.appendingPathComponent(test))
            let present = [urls.0, urls.1].map { url -> Bool in
                let kind = RegularFile.kind(at: url.path)
                return directory ? kind == .directory : kind != nil && kind != .directory
            }
            if present == [true, true] { return urls }
            if present == [false, false] { return nil }
            let absent = present[0] ? urls.1 : urls.0
            throw ImportError(reason: .missing, directory: folder.path, dataset: manifest.title,
                              problems: ["\(absent.lastPathComponent): missing (an import needs both splits)"])
        }
        for folder in [url.appendingPathComponent(manifest.name), url] {
            if let (train, test) = try pair(folder, "train", "test", directory: true),
                ExportFolderReport.parts(in: folder)?.png.isEmpty == false
            {
                return ImportSource(layout: .png, given: url, readFrom: folder, parts: .splits(train: train, test: test))
            }
        }
        let train = "train-00000-of-00001.parquet", test = "test-00000-of-00001.parquet"
        for folder in [url.appendingPathComponent(manifest.frameworkNames.tfds), url] {
            if let (train, test) = try pair(folder, train, test, directory: false) {
                return ImportSource(layout: .hf, given: url, readFrom: folder, parts: .splits(train: train, test: test))
            }
        }
        return nil
    }

    /// The four files of `folder`: all four `.gz` (with the uncompressed payloads beside them as
    /// companions in a torchvision `raw/`), else all four uncompressed payloads (also spelled
    /// `t10k-labels.idx1-ubyte`); nil when neither set is complete.
    static func filesParts(in folder: URL, names: [String], torchvision: Bool) -> [FileRole: RoleFile]? {
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
