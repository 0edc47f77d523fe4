import Foundation

/// What `fmnist verify` was asked to check, resolved against the workspace and manifests.
public enum VerifyTarget: Sendable {
    /// Dataset folders, each with the manifest it must satisfy.
    case datasets([(directory: URL, manifest: Manifest)])
    /// One file, to be identified.
    case file(URL)
    /// Folders of uncompressed IDX files (a torchvision root's `<Class>/raw/`, or a `raw/` itself).
    case payloadFolders([URL])
    /// A keras cache (`KERAS_HOME` or its `datasets/`) or a TFDS manual dir.
    case loaderCache(LoaderCache)
    /// One Kaggle-format CSV (named `.csv`, or starting with `label,`).
    case csvFile(URL)
    /// A folder of `*.csv` files and none of the published `.gz` files (what `export csv` writes).
    case csvFolder(URL, [URL])
    /// One Parquet file (what `export hf` writes per split).
    case parquetFile(URL)
    /// An export folder of PNG split folders, Parquet files or `.npz` files (`export png|hf|npz`).
    case exportFolder(URL)

    /// Resolves `fashion|mnist|all|PATH`. A PATH is first offered to the layouts (`formats`, turn
    /// by turn: ``VerifyTurn``); a directory none of them reads is checked against `expected`, else
    /// the dataset its name says (`…/fashion`), else the dataset most of its files belong to.
    /// `named` is the folder name to go by when `argument` is a resolved path (the name the user gave).
    package static func resolve(
        _ argument: String, layout: WorkspaceLayout, registry: ManifestRegistry, formats: [any VerifyFormat],
        expected: String? = nil, named: String? = nil
    ) throws -> VerifyTarget {
        if argument.lowercased() == "all" {
            return .datasets(registry.manifests.map { (layout.liveDirectory(dataset: $0.name), $0) })
        }
        if argument.lowercased() == "current" {
            // The dataset data/current points at (read once), verified in its live folder.
            let active = try ActiveDataset.manifest(named: argument, layout: layout, registry: registry)
            return .datasets([(layout.liveDirectory(dataset: active.name), try expected.map { try registry.manifest(named: $0) } ?? active)])
        }
        if let manifest = try? registry.manifest(named: argument), !argument.contains("/") {
            let directory = layout.liveDirectory(dataset: manifest.name)
            return .datasets([(directory, try expected.map { try registry.manifest(named: $0) } ?? manifest)])
        }
        let url = URL(fileURLWithPath: argument)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw UsageError(
                "\"\(argument)\" is neither a dataset (\(registry.manifests.map(\.name).joined(separator: ", ")), all) nor an existing path",
                hint: Suggestion.closest(to: argument, among: registry.manifests.map(\.name) + ["all"])
                    .map { "did you mean `fmnist verify \($0)`?" }
                    ?? "run `fmnist verify fashion`, `fmnist verify all`, or give a directory holding the four .gz files")
        }
        // The first layout, in the registry's order, that reads `url` in `turn`.
        func recognised(_ turn: VerifyTurn) -> VerifyTarget? {
            formats.lazy.compactMap { $0.verifyTarget(url, turn: turn, registry: registry) }.first
        }
        if !isDirectory.boolValue {
            return recognised(.fileByName) ?? recognised(.fileByContent) ?? .file(url)
        }
        if expected == nil, let folders = recognised(.payloadFolders) { return folders }
        let cache: LoaderCache?
        if expected == nil, case .loaderCache(let found) = recognised(.loaderCache) { cache = found } else { cache = nil }
        // `export hf` of Fashion-MNIST writes DEST/fashion_mnist/, TFDS's folder name: a cache
        // folder with no published .gz in it (and no keras npz) is read as an export instead.
        let cacheHoldsFiles = cache.map { c in !c.npz.isEmpty || c.folders.contains { holdsPublishedFiles($0.url, registry: registry) } } ?? false
        if expected == nil, !cacheHoldsFiles, !holdsPublishedFiles(url, registry: registry), let export = recognised(.exportFolder) {
            return export
        }
        if let cache { return .loaderCache(cache) }
        if expected == nil, let csvFolder = recognised(.csvFolder), !holdsPublishedFiles(url, registry: registry) {
            return csvFolder
        }
        if expected == nil, !holdsDatasetFileNames(url, registry: registry) {
            throw noData(at: argument)
        }
        if let expected { return .datasets([(url, try registry.manifest(named: expected))]) }
        if let named = registry.manifests.first(where: { $0.answers(to: named ?? url.lastPathComponent) }) {
            return .datasets([(url, named)])
        }
        return .datasets([(url, inferDataset(directory: url, registry: registry))])
    }

    /// Whether `directory` holds any entry named like a published file (`.gz` or uncompressed, the
    /// `.`-spelling too): only then is it verified as a dataset folder (files missing named one by one).
    static func holdsDatasetFileNames(_ directory: URL, registry: ManifestRegistry) -> Bool {
        let stems = LoaderLayout.stems(registry)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.contains { LoaderLayout.role(fromName: $0, stems: stems) != nil }
    }

    /// A folder that holds no MNIST-format data in any layout `verify PATH` reads (exit 4).
    static func noData(at path: String) -> FileAccessError {
        FileAccessError(
            path: path,
            problem: "no MNIST-format data found here: no dataset folder (the four train-/t10k- images/labels files, .gz or "
                + "uncompressed IDX), torchvision root (<Class>/raw/), keras cache (datasets/fashion-mnist/, datasets/mnist.npz), "
                + "TFDS manual dir (fashion_mnist/, manual/mnist/), Kaggle-format CSV, or a png/hf/npz export folder",
            exitStatus: .missing,
            hint: "give the folder that holds the files, e.g. `fmnist verify ~/torch-data` or `fmnist verify ~/.keras`; "
                + "`fmnist verify PATH --as fashion` lists the four files it expects there")
    }

    /// Whether `directory` holds any of the published `.gz` file names (then it is a dataset folder).
    static func holdsPublishedFiles(_ directory: URL, registry: ManifestRegistry) -> Bool {
        registry.manifests.contains { manifest in
            FileRole.allCases.contains { RegularFile.kind(at: directory.appendingPathComponent(manifest.defaultVersion.file($0).name).path) != nil }
        }
    }

    /// Guesses which dataset a folder holds by identifying its files (container digests are
    /// cheap to check only after hashing, so this measures the small label files only).
    static func inferDataset(directory: URL, registry: ManifestRegistry) -> Manifest {
        let index = KnownFileIndex(registry: registry)
        var votes: [String: Int] = [:]
        for manifest in registry.manifests {
            for role in [FileRole.trainLabels, .testLabels] {
                let url = directory.appendingPathComponent(manifest.defaultVersion.file(role).name)
                if let m = try? FileVerifier.measure(url: url, payloadLimit: index.largestPayload, classCount: manifest.classes.count),
                    let (known, _) = index.identify(m)
                {
                    votes[known.dataset, default: 0] += 1
                }
            }
        }
        let best = votes.max { $0.value < $1.value }?.key
        return registry.manifests.first { $0.name == best } ?? registry.manifests[0]
    }
}
