import Foundation

/// The outcome of `fmnist import`.
public struct ImportResult: Sendable, Codable {
    public let dataset: String
    public let title: String
    public let source: String
    public let version: VersionSummary
    /// Whether the version was already in the store before this import.
    public let alreadyStored: Bool
    public let files: [FileReport]
    public let placement: [String: PlacementMethod]
    public let verdict: String
    /// Whether the imported version is live now (false: another version of the dataset stays live).
    public let activated: Bool
    /// When not activated: the exact command that makes it live.
    public let activateCommand: String?
    /// Stored files found damaged and replaced by the imported verified bytes.
    public let repaired: [String]
}

/// `fmnist import DIR --as DATASET`: brings the four files of an air-gapped copy into the
/// workspace under the same rules as `fetch`: copied into `.fmnist/tmp/`, verified there by the
/// integrity engine, refused when corrupt, of another dataset or role (`.integrity`), or unknown
/// without `acceptUnknown` (`.unknownContent`), then installed, placed live and recorded.
///
/// ```swift
/// let importer = DatasetImporter(layout: layout, registry: registry)
/// let result = try importer.importDirectory(URL(fileURLWithPath: "/media/usb/fashion"), as: "fashion")
/// print(result.version.label)
/// ```
public struct DatasetImporter: Sendable {
    public let layout: WorkspaceLayout
    public let registry: ManifestRegistry

    public init(layout: WorkspaceLayout, registry: ManifestRegistry) {
        self.layout = layout
        self.registry = registry
    }

    /// Imports `directory` as `dataset`, holding the workspace lock.
    public func importDirectory(
        _ directory: URL, as dataset: String, acceptUnknown: Bool = false, activate: Bool = false, lockTimeout: TimeInterval? = nil,
        progress: (String) -> Void = { _ in }
    ) throws -> ImportResult {
        let manifest = try registry.manifest(named: dataset)
        let source = directory.standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw UsageError("\(source.path) is not a folder", hint: "give the folder that holds the four .gz files")
        }
        let names = FileRole.allCases.map { manifest.defaultVersion.file($0).name }
        let absent = names.filter { !FileManager.default.fileExists(atPath: source.appendingPathComponent($0).path) }
        if !absent.isEmpty {
            let nearMiss = absent.count == names.count
                ? ImportNearMiss.find(in: source, names: names, requested: manifest, manifests: registry.manifests) : nil
            throw ImportError(reason: .missing, directory: source.path, dataset: manifest.title,
                              problems: nearMiss == nil ? absent.map { "\($0): missing" } : [], nearMiss: nearMiss)
        }

        // Bounded work before anything is copied: each source must be a regular file no larger than
        // a gzip of the largest payload its role may have (a 20 GB sparse file is refused here
        // instead of being copied into `.fmnist/tmp/`).
        let unusable = FileRole.allCases.compactMap { role -> String? in
            let name = manifest.defaultVersion.file(role).name
            return Self.sourceProblem(source.appendingPathComponent(name).path, maxSize: Self.maxContainerSize(manifest, role))
                .map { "\(name): \($0)" }
        }
        if !unusable.isEmpty {
            throw ImportError(reason: .integrity, directory: source.path, dataset: manifest.title, problems: unusable)
        }

        let lock = try WorkspaceLock.acquire(layout, command: "import", timeout: lockTimeout, onWait: progress)
        defer { lock.release() }
        let catalog = try Catalog.open(layout)
        defer { catalog.close() }
        try CatalogRecovery(layout: layout, registry: registry, catalog: catalog).run()
        let store = VersionStore(layout: layout)

        // Copy first, then verify the copies: what is verified is exactly what gets installed.
        let staging = try store.temporaryURL("import")
        defer { try? FileManager.default.removeItem(at: staging) }
        do {
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw WorkspaceError.fileSystem(operation: "create directory", path: staging.path, detail: ErrorReason.describe(error))
        }
        progress("copying \(names.count) files from \(source.path)")
        for name in names {
            try VersionStore.copyFile(from: source.appendingPathComponent(name).path, to: staging.appendingPathComponent(name).path)
        }
        progress("verifying \(manifest.title) files")
        let verifier = DatasetVerifier(registry: registry, acceptedUnknownPayloads: try catalog.acceptedUnknownPayloads())
        let report = verifier.verify(directory: staging, expecting: manifest)
        let files = report.files.map { $0.relocated(to: source) }

        func refuse(_ reason: ImportError.Reason, _ bad: [FileReport]) throws -> Never {
            let error = ImportError(
                reason: reason, directory: source.path, dataset: manifest.title, problems: bad.map { "\($0.name): \($0.message)" })
            _ = try? catalog.recordEvent(
                .import, dataset: manifest.name, versionID: nil, result: .failed,
                details: ImportDetails(source: source.path, acceptedUnknown: acceptUnknown, refused: reason.rawValue, files: files))
            throw error
        }
        let missing = files.filter { $0.status == .missing }
        if !missing.isEmpty { try refuse(.missing, missing) }
        let broken = files.filter { $0.status == .corrupt || $0.status == .wrongFile }
        if !broken.isEmpty { try refuse(.integrity, broken) }
        let unknown = files.filter { $0.status == .unknown }
        if let problem = Self.structureProblem(files) { try refuse(.integrity, [problem]) }

        let digests = Dictionary(uniqueKeysWithValues: files.map { ($0.role, $0.measurement!.payloadSHA256) })
        let identity = VersionIdentity(payloadDigests: digests)
        let knownName = manifest.versions.first { $0.identity == identity }?.name
        let previouslyAccepted = try catalog.version(id: identity.full).map { !$0.known } ?? false
        if knownName == nil && !acceptUnknown && !previouslyAccepted {
            let lines = unknown.isEmpty
                ? files.map { FileReportLine(name: $0.name, message: "\($0.message), but this combination of files is no known version") }
                : unknown.map { FileReportLine(name: $0.name, message: $0.message) }
            let error = ImportError(reason: .unknownContent, directory: source.path, dataset: manifest.title, problems: lines.map(\.text))
            _ = try? catalog.recordEvent(
                .import, dataset: manifest.name, versionID: identity.full, result: .failed,
                details: ImportDetails(source: source.path, acceptedUnknown: false, refused: ImportError.Reason.unknownContent.rawValue, files: files))
            throw error
        }

        let alreadyStored = try catalog.version(id: identity.full) != nil
        let verified = files.map { file in
            VerifiedFile(role: file.role, name: file.name, temporaryURL: staging.appendingPathComponent(file.name), measurement: file.measurement!)
        }
        progress("installing \(manifest.title) \(knownName ?? "UNKNOWN") (\(identity.short))")
        let installed = try VersionInstaller(layout: layout, catalog: catalog).commit(
            dataset: manifest, files: verified, source: .import,
            eventDetails: ImportDetails(source: source.path, acceptedUnknown: knownName == nil, refused: nil, files: files),
            activate: activate)
        var verdict = knownName != nil
            ? "imported \(manifest.title) \(installed.version.label) from \(source.path)"
            : "imported \(manifest.title) \(installed.version.label) from \(source.path): matches no known version, recorded as unknown"
        if !installed.repaired.isEmpty {
            verdict += "; replaced damaged \(installed.repaired.sorted().joined(separator: ", ")) with the verified bytes"
        }
        if let command = installed.activationCommand {
            verdict += "; not live (another version of \(manifest.title) is): to use it, run \(command)"
        }
        return ImportResult(
            dataset: manifest.name, title: manifest.title, source: source.path, version: VersionSummary(installed.version),
            alreadyStored: alreadyStored, files: files, placement: installed.placement, verdict: verdict,
            activated: installed.activated, activateCommand: installed.activationCommand, repaired: installed.repaired)
    }

    /// The largest `.gz` a file of `role` can be: a gzip of the largest payload any version of the
    /// manifest gives that role, with room for stored (incompressible) blocks and headers.
    static func maxContainerSize(_ manifest: Manifest, _ role: FileRole) -> Int64 {
        let payload = manifest.versions.map { $0.file(role).payload.size }.max() ?? 0
        let (size, overflow) = payload.addingReportingOverflow(payload / 8192 + (1 << 20))
        return overflow ? .max : size
    }

    /// Why the source file at `path` cannot be imported (not a regular file, or too large), or nil.
    static func sourceProblem(_ path: String, maxSize: Int64) -> String? {
        if let problem = RegularFile.problem(at: path) { return problem }
        var info = stat()
        guard stat(path, &info) == 0 else { return "cannot be read (\(String(cString: strerror(errno))))" }
        if Int64(info.st_size) > maxSize {
            return "is \(info.st_size) bytes, more than any file of this role can be (at most \(maxSize)); refusing to copy it"
        }
        return nil
    }

    /// Checks that valid-but-unknown files still form a dataset: images are N×rows×cols, labels N,
    /// and each split's image and label counts agree.
    static func structureProblem(_ files: [FileReport]) -> FileReport? {
        var counts: [FileRole: Int] = [:]
        for file in files {
            guard let dims = file.measurement?.idxDims else { return file }
            if file.role.isImages ? dims.count != 3 : dims.count != 1 {
                return FileReport(
                    role: file.role, name: file.name, path: file.path, status: .corrupt,
                    message: file.role.isImages ? "expected IDX3 images, found dimensions \(dims)" : "expected IDX1 labels, found dimensions \(dims)",
                    identifiedAs: file.identifiedAs, measurement: file.measurement, notes: file.notes)
            }
            counts[file.role] = dims.first ?? 0
        }
        for (images, labels) in [(FileRole.trainImages, FileRole.trainLabels), (.testImages, .testLabels)]
        where counts[images] != counts[labels] {
            let file = files.first { $0.role == labels }!
            return FileReport(
                role: labels, name: file.name, path: file.path, status: .corrupt,
                message: "\(counts[labels] ?? 0) labels for \(counts[images] ?? 0) images",
                identifiedAs: nil, measurement: file.measurement, notes: [])
        }
        return nil
    }
}

/// The details of an `import` event.
struct ImportDetails: Encodable {
    let source: String
    let acceptedUnknown: Bool
    let refused: String?
    let files: [FileReport]
}

private struct FileReportLine {
    let name: String
    let message: String
    var text: String { "\(name): \(message)" }
}
