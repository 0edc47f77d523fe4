import Foundation

/// The outcome of `fmnist import`.
public struct ImportResult: Sendable, Codable {
    public let dataset: String
    public let title: String
    public let source: String
    /// The layout found at `source` (`gzip-folder`, `torchvision`, `keras`, `csv`, …).
    public let layout: ImportLayout
    /// The folder (or file) actually read, e.g. `SOURCE/FashionMNIST/raw`.
    public let readFrom: String
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

/// `fmnist import PATH --as DATASET`: brings the four files of an air-gapped copy (a folder of the
/// `.gz`, a torchvision root, a keras cache, a TFDS manual dir, a Kaggle-format CSV export) into the
/// workspace under the same rules as `fetch`: staged into `.fmnist/tmp/`, verified there by the
/// integrity engine, refused when corrupt, of another dataset or role (`.integrity`), or unknown
/// without `acceptUnknown` (`.unknownContent`), then installed, placed live and recorded.
///
/// ```swift
/// let importer = DatasetImporter(layout: layout, registry: registry)
/// let result = try importer.importDirectory(URL(fileURLWithPath: "/media/usb/fashion"), as: "fashion")
/// print(result.version.label)
/// ```
public struct DatasetImporter: Sendable {
    public let context: WorkspaceContext
    /// The layouts a source is recognised as, tried in order (every layout of ``LoaderFormats``
    /// for `init(context:)`).
    let formats: [any ImportFormat]

    package init(context: WorkspaceContext, formats: [any ImportFormat]) {
        self.context = context
        self.formats = formats
    }

    /// Imports `directory` (any layout ``ImportLayout`` lists) as `dataset`, holding the workspace lock.
    ///
    /// One pipeline for every layout: the source is resolved (``ImportSource``), each file it reads
    /// is checked to be a regular file within its size bound, then, under the lock, an adapter
    /// (``ImportStaging``) stages the four published-name `.gz` files in `.fmnist/tmp/`, and the
    /// same verify → refuse → install path as for a folder of `.gz` runs on them.
    public func importDirectory(
        _ directory: URL, as dataset: String, acceptUnknown: Bool = false, activate: Bool = false, lockTimeout: TimeInterval? = nil,
        progress: (String) -> Void = { _ in }
    ) throws -> ImportResult {
        let manifest = try registry.manifest(named: dataset)
        let given = directory.standardizedFileURL
        let resolved = try ImportSource.resolve(given, manifest: manifest, registry: registry, formats: formats)
        let source = resolved.given

        // Bounded work before anything is copied: each file read must be a regular file no larger
        // than its role allows (a 20 GB sparse file is refused here instead of being copied into
        // `.fmnist/tmp/`).
        let unusable = resolved.bounds(manifest, registry: registry).compactMap { file -> String? in
            Self.sourceProblem(file.url.path, maxSize: file.maxSize).map { "\(file.url.lastPathComponent): \($0)" }
        }
        if !unusable.isEmpty {
            throw ImportError(reason: .integrity, directory: resolved.readFrom.path, dataset: manifest.title, problems: unusable)
        }

        // The root may not be a workspace yet: import makes one.
        let session = try WorkspaceSession.open(
            context, command: "import", lockTimeout: lockTimeout, steps: [.recover, .sweep], onWait: progress)
        defer { session.close() }
        let catalog = session.catalog
        let store = VersionStore(layout: layout)

        // Stage first, then verify the staged files: what is verified is exactly what gets installed.
        let staging = try store.temporaryURL("import")
        defer { try? FileManager.default.removeItem(at: staging) }
        do {
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw WorkspaceError.fileSystem(operation: "create directory", path: staging.path, detail: ErrorReason.describe(error))
        }
        try ImportStaging.stage(resolved, manifest: manifest, registry: registry, into: staging, progress: progress)
        progress("verifying \(manifest.title) files")
        var verifier = DatasetVerifier(registry: registry, acceptedUnknownPayloads: try catalog.acceptedUnknownPayloads())
        verifier.admissions = try catalog.unknownAdmissions()
        let report = verifier.verify(directory: staging, expecting: manifest)
        let files = report.files.map { $0.relocated(toPath: resolved.origin($0.role)) }

        func refuse(_ reason: ImportError.Reason, _ bad: [FileReport], lines: [String] = []) throws -> Never {
            let error = ImportError(
                reason: reason, directory: source.path, dataset: manifest.title, problems: bad.map { "\($0.name): \($0.message)" } + lines)
            _ = try? catalog.recordEvent(
                .import, dataset: manifest.name, versionID: nil, result: .failed,
                details: ImportDetails(source: source.path, layout: resolved.layout, acceptedUnknown: acceptUnknown, refused: reason.rawValue, files: files))
            throw error
        }
        let missing = files.filter { $0.status == .missing }
        if !missing.isEmpty { try refuse(.missing, missing) }
        let broken = files.filter { $0.status == .corrupt || $0.status == .wrongFile }
        if !broken.isEmpty { try refuse(.integrity, broken) }
        let disagreeing = ImportStaging.companionProblems(resolved, staged: report.files, manifest: manifest)
        if !disagreeing.isEmpty { try refuse(.integrity, [], lines: disagreeing) }
        let unknown = files.filter { $0.status == .unknown }
        if let problem = Self.structureProblem(files) { try refuse(.integrity, [problem]) }

        let digests = Dictionary(uniqueKeysWithValues: files.map { ($0.role, $0.measurement!.payloadSHA256) })
        let identity = VersionIdentity(payloadDigests: digests)
        let knownName = manifest.versions.first { $0.identity == identity }?.name
        let previouslyAccepted = try catalog.version(id: identity.full).map { !$0.known } ?? false
        let admission = VersionAdmission(acceptUnknown: acceptUnknown, pinned: false, activate: activate)
        if !admission.admits(known: knownName != nil, acceptedBefore: previouslyAccepted) {
            let lines = unknown.isEmpty
                ? files.map { FileReportLine(name: $0.name, message: "\($0.message), but this combination of files is no known version") }
                : unknown.map { FileReportLine(name: $0.name, message: $0.message) }
            let error = ImportError(reason: .unknownContent, directory: source.path, dataset: manifest.title, problems: lines.map(\.text))
            _ = try? catalog.recordEvent(
                .import, dataset: manifest.name, versionID: identity.full, result: .failed,
                details: ImportDetails(
                    source: source.path, layout: resolved.layout, acceptedUnknown: false, refused: ImportError.Reason.unknownContent.rawValue,
                    files: files))
            throw error
        }

        let alreadyStored = try catalog.version(id: identity.full) != nil
        let verified = files.map { file in
            // A payload the staging kept beside its `.gz` (none for copied `.gz` files).
            let kept = ImportStaging.stagedPayload(of: file.name, in: staging)
            return VerifiedFile(
                role: file.role, name: file.name, temporaryURL: staging.appendingPathComponent(file.name), measurement: file.measurement!,
                stagedPayload: FilePaths.lstat(kept.path) != nil ? kept : nil)
        }
        progress("installing \(manifest.title) \(identity.label(knownAs: knownName))")
        let installed = try VersionInstaller(layout: layout, catalog: catalog).commit(
            dataset: manifest, files: verified, source: .import,
            eventDetails: ImportDetails(source: source.path, layout: resolved.layout, acceptedUnknown: knownName == nil, refused: nil, files: files),
            activate: admission.activates, admitted: admission.admitted)
        let from = resolved.phrase.isEmpty ? source.path : "\(source.path) (\(resolved.phrase))"
        var verdict = knownName != nil
            ? "imported \(manifest.title) \(installed.version.label) from \(from)"
            : "imported \(manifest.title) \(installed.version.label) from \(from): matches no known version, recorded as unknown"
        verdict += installed.sentences(title: manifest.title)
        return ImportResult(
            dataset: manifest.name, title: manifest.title, source: source.path, layout: resolved.layout, readFrom: resolved.readFrom.path,
            version: VersionSummary(installed.version),
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
    let layout: ImportLayout
    let acceptedUnknown: Bool
    let refused: String?
    let files: [FileReport]
}

private struct FileReportLine {
    let name: String
    let message: String
    var text: String { "\(name): \(message)" }
}
