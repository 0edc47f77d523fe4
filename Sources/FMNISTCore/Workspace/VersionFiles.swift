import Foundation

/// The files of one dataset version that a reader (`smoke-train`, `preview`) reads, resolved once
/// (a concurrent `switch` cannot give a mix), with what the catalog recorded for them, and the one
/// proven read of them: each file is verified in the same pass that decompresses it, against the
/// catalog's record, or, for a folder the catalog does not know, against the manifests.
///
/// ```swift
/// let files = try VersionFiles.resolve(dataset: "current", version: nil, layout: layout, registry: registry)
/// let loaded = try files.load([.testImages, .testLabels], purpose: "draw", index: KnownFileIndex(registry: registry))
/// ```
package struct VersionFiles: Sendable {
    package let manifest: Manifest
    package let files: [FileRole: URL]
    /// What to call the source in messages (the live folder or "version <id>").
    package let description: String
    /// What the catalog recorded for these files, when it knows the version: loading refuses
    /// anything else (a file written to since it was placed).
    package var expected: [FileRole: CatalogFile] = [:]
    /// The version's label ("2017-08-31 (3f1a0c9be2d4)"), or "" when the catalog does not know it.
    package var label: String = ""

    /// Resolves `current`/a dataset name and an optional version selector (a stored version's id
    /// prefix or name) to the files of `roles`.
    package static func resolve(
        dataset: String, version: String?, roles: [FileRole] = FileRole.allCases, layout: WorkspaceLayout, registry: ManifestRegistry
    ) throws -> VersionFiles {
        let catalog = try Catalog.openReadOnly(layout)
        defer { catalog.close() }
        let store = VersionStore(layout: layout)
        // `DATASET@current` is the live version: read as if no version were given.
        if let version = VersionSelection.stored(version) {
            let manifest = try ActiveDataset.manifest(named: dataset, layout: layout, registry: registry)
            // The one resolver; a miss is worded (and exits) as a usage error here, as smoke-train,
            // preview and audit always said it.
            let chosen: CatalogVersion
            do {
                chosen = try VersionSelection.version(of: manifest.name, selector: version, catalog: catalog)
            } catch WorkspaceError.versionNotFound(_, _, let available) {
                throw UsageError("no version \"\(version)\" of \(manifest.title) in this workspace",
                                 hint: "list them with `fmnist versions \(manifest.name)`",
                                 remedy: .chooseVersion(dataset: manifest.name, known: available))
            } catch WorkspaceError.ambiguousVersion(_, _, let matches) {
                throw UsageError("\"\(version)\" matches \(matches.count) versions of \(manifest.title); give more digits",
                                 hint: "list them with `fmnist versions \(manifest.name)`",
                                 remedy: .chooseVersion(dataset: manifest.name, known: matches))
            }
            let recorded = try catalog.files(versionID: chosen.id)
            guard recorded.count == 4 else { throw WorkspaceError.datasetMissing(dataset: manifest.name) }
            let directory = layout.versionDirectory(dataset: manifest.name, versionID: chosen.id)
            let useDirectory = FilePaths.lstat(directory.path).map { ($0.st_mode & S_IFMT) == S_IFDIR } ?? false
            var files: [FileRole: URL] = [:]
            for file in recorded where roles.contains(file.role) {
                files[file.role] = useDirectory
                    ? directory.appendingPathComponent(file.name) : try store.url(containerSHA256: file.containerSHA256)
            }
            return VersionFiles(
                manifest: manifest, files: files, description: "version \(chosen.shortID)",
                expected: Dictionary(uniqueKeysWithValues: recorded.filter { roles.contains($0.role) }.map { ($0.role, $0) }),
                label: chosen.label)
        }
        // Resolve the live path once: data/current -> fashion -> .fmnist/versions/fashion/<id>.
        let named = dataset.lowercased() == "current" ? layout.currentLink : nil
        let manifest: Manifest
        let start: URL
        if let named {
            guard let active = LinkSwitcher(layout: layout).dataset(of: named, among: registry.manifests.map(\.name)) else {
                _ = try ActiveDataset.manifest(named: dataset, layout: layout, registry: registry)  // throws the usual hint
                throw WorkspaceError.datasetMissing(dataset: dataset)
            }
            manifest = try registry.manifest(named: active)
            start = named
        } else {
            manifest = try registry.manifest(named: dataset)
            start = layout.liveDirectory(dataset: manifest.name)
        }
        let resolved = URL(fileURLWithPath: FilePaths.real(start.path))
        let versionsFolder = URL(fileURLWithPath: FilePaths.real(layout.versionsDirectory.path))
            .appendingPathComponent(manifest.name).path
        var expected: [FileRole: CatalogFile] = [:]
        var label = ""
        let id = resolved.lastPathComponent
        if resolved.deletingLastPathComponent().path == versionsFolder, let version = try catalog.version(id: id) {
            for file in try catalog.files(versionID: id) where roles.contains(file.role) { expected[file.role] = file }
            label = version.label
        }
        var files: [FileRole: URL] = [:]
        for file in manifest.defaultVersion.files where roles.contains(file.role) {
            let name = expected[file.role]?.name ?? file.name
            let url = resolved.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw WorkspaceError.datasetMissing(dataset: manifest.name)
            }
            files[file.role] = url
        }
        return VersionFiles(
            manifest: manifest, files: files, description: layout.liveDirectory(dataset: manifest.name).path,
            expected: expected, label: label)
    }

    /// Loads `roles` (two at a time), each verified while it is decompressed, and proves each is
    /// the file it stands for: the catalog's record when there is one (``RecordedFileCheck``);
    /// otherwise, when `index` is given, a file of this dataset and role that a manifest knows,
    /// all of one known version. Anything else throws `IDXLoader.LoadError` (exit 3), naming what
    /// the file really is when a manifest knows it. `purpose` is the verb of the refusal
    /// ("train on", "draw"). Without a record and without `index`, files are only checked to be
    /// valid IDX (smoke-train trains an unrecorded folder and calls its version "unknown").
    package func load(_ roles: [FileRole], purpose: String, index: KnownFileIndex?) throws -> [FileRole: LoadedIDX] {
        let classCount = manifest.classes.count
        let files = self.files
        let expected = self.expected
        let loaded = roles.parallelMap(threads: 2) { role -> Result_<LoadedIDX> in
            do { return .success(try IDXLoader.load(
                url: files[role]!, classCount: classCount, payloadSize: expected[role]?.payloadSize, containerDigests: false)) }
            catch let error as FMNISTError { return .failure(error) }
            catch { return .failure(IDXLoader.LoadError(path: files[role]!.path, problem: "\(error)")) }
        }
        var byRole: [FileRole: LoadedIDX] = [:]
        for (role, outcome) in zip(roles, loaded) {
            switch outcome {
            case .success(let idx): byRole[role] = idx
            case .failure(let error): throw error
            }
        }
        let remedy = "refusing to \(purpose) it (run `fmnist switch \(manifest.name)` to restore the verified copy, or `fmnist verify --repair`)"
        var unrecorded: [FileRole: String] = [:]
        for role in roles {
            let measurement = byRole[role]!.measurement
            let path = files[role]!.path
            if let recorded = expected[role] {
                if let problem = RecordedFileCheck.problem(measurement, recorded: recorded) {
                    let found = index?.identify(measurement).map { " (it is \($0.0))" } ?? ""
                    throw IDXLoader.LoadError(
                        path: path,
                        problem: "is not the recorded \(recorded.name) of \(manifest.title) \(label): \(problem)\(found)", commandLineAdvice: remedy)
                }
                continue
            }
            guard let index else { continue }
            guard let (known, _) = index.identify(measurement) else {
                throw IDXLoader.LoadError(
                    path: path,
                    problem: "is no file of a known \(manifest.title) version and the catalog has no record of it", commandLineAdvice: remedy)
            }
            guard known.dataset == manifest.name, known.role == role else {
                throw IDXLoader.LoadError(
                    path: path, problem: "is \(known), not \(manifest.title)'s \(role.fileStem)", commandLineAdvice: remedy)
            }
            unrecorded[role] = measurement.payloadSHA256
        }
        // Files no record vouches for must all be one known version's (a file two versions share counts for both).
        if unrecorded.count > 1, !manifest.versions.contains(where: { version in
            unrecorded.allSatisfy { role, digest in version.file(role).payload.sha256 == digest }
        }) {
            throw IDXLoader.LoadError(
                path: description, problem: "its files come from different \(manifest.title) versions", commandLineAdvice: remedy)
        }
        return byRole
    }
}

/// A Sendable result for parallel loading.
enum Result_<Value: Sendable>: Sendable {
    case success(Value)
    case failure(any FMNISTError)
}
