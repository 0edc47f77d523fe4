import Foundation

/// A version's files as proven copies inside the workspace: the version directory's `.gz` copies
/// and, for exports that write whole uncompressed files (`export torchvision`), the payload store's
/// uncompressed IDX files, each proven under the workspace lock by ``TrustedFileChecker`` (an
/// unchanged fingerprint, else a re-hash) just before the export; the layouts that format the
/// arrays (csv, npz, png, hf) read the payload files instead of inflating the `.gz`. Copying or
/// reading one of them needs no inflate and no hash; the descriptor's fingerprint is compared with the proven one before and
/// after the copy, so a file replaced or written since it was proven is refused, never exported.
///
/// ```swift
/// let proven = try ProvenFiles.prepare(source, layout: layout, catalog: catalog, payloadUse: .copied)
/// try proven.copy(.trainImages, form: .uncompressed, into: file)
/// let pixels = try proven.payloadElements(.trainImages, recorded: source.file(.trainImages))   // csv, npz, png, hf
/// ```
struct ProvenFiles: Sendable {
    /// A proven file: where it is and what `lstat` said of it when it was proven.
    struct Entry: Sendable {
        let url: URL
        let fingerprint: FileFingerprint
        /// The digest the file was proven to have (the catalog's record).
        let sha256: String
    }

    let containers: [FileRole: Entry]
    /// Empty unless prepared `withPayloads`.
    let payloads: [FileRole: Entry]
    /// What had to be repaired first, as notes for the report ("restored … from the store").
    let restored: [String]

    /// Proves (repairing from the store where needed, as `switch` does) the version directory of
    /// `source`'s version and, unless `payloadUse` is `.none`, its payload folder (built once per
    /// version). The caller holds the workspace lock until every copy or read is done.
    static func prepare(_ source: ExportSource, layout: WorkspaceLayout, catalog: Catalog, payloadUse: ExportPayloadUse) throws -> ProvenFiles {
        let checker = TrustedFileChecker(layout: layout, catalog: catalog)
        let files = FileRole.allCases.map { source.file($0) }
        let classCount = source.manifest.classes.count
        let version = try VersionStore(layout: layout).prepareVersion(
            dataset: source.manifest.name, versionID: source.version.id, files: files, checker: checker, classCount: classCount)
        let keep = {
            try PayloadStore(layout: layout).prepare(
                dataset: source.manifest.name, versionID: source.version.id, files: files, checker: checker, classCount: classCount)
        }
        let payloadFolder: PayloadStore.Prepared?
        switch payloadUse {
        case .none: payloadFolder = nil
        case .copied: payloadFolder = try keep()
        case .read: payloadFolder = try? keep()
        }
        let title = "\(source.manifest.title) \(source.version.shortID)"
        let restored = version.restored.map { "restored \($0) of \(title) in the workspace from the store before exporting (it was damaged)" }
            + version.restoredStore.map { "restored the store's \($0) of \(title) from the workspace's proven copy" }
            + (payloadFolder?.restored ?? []).map { "inflated \($0) of \(title) again from the proven .gz (the uncompressed copy was damaged)" }
        let versionFolder = layout.versionDirectory(dataset: source.manifest.name, versionID: source.version.id)
        func entries(in folder: URL, name: (CatalogFile) -> String, sha256: (CatalogFile) -> String) throws -> [FileRole: Entry] {
            var entries: [FileRole: Entry] = [:]
            for file in files {
                let url = folder.appendingPathComponent(name(file))
                guard let fingerprint = FileFingerprint(path: url.path) else {
                    throw ExportError.sourceMismatch(path: url.path, problem: "the proven copy vanished before it could be exported")
                }
                entries[file.role] = Entry(url: url, fingerprint: fingerprint, sha256: sha256(file))
            }
            return entries
        }
        return ProvenFiles(
            containers: try entries(in: versionFolder, name: \.name, sha256: \.containerSHA256),
            payloads: try payloadFolder.map {
                try entries(in: $0.directory, name: { PayloadStore.payloadName($0.name) }, sha256: \.payloadSHA256)
            } ?? [:],
            restored: restored)
    }

    /// Copies the proven file of `role` in `form` into `file` (in-kernel where the file systems
    /// allow it). Throws when the file on disk is not, or stops being, the one proven.
    func copy(_ role: FileRole, form: FileForm, into file: ExportFile) throws {
        let entry = (form == .gzip ? containers : payloads)[role]!
        let fd: Int32
        do {
            fd = try RegularFile.openForReading(entry.url.path, followSymlinks: false)
        } catch {
            throw ExportError.sourceMismatch(path: entry.url.path, problem: error.problem)
        }
        defer { close(fd) }
        guard FileFingerprint(descriptor: fd) == entry.fingerprint else { throw Self.changed(entry) }
        try file.copyContents(of: fd, size: entry.fingerprint.size, sourcePath: entry.url.path, sha256: entry.sha256)
        guard FileFingerprint(descriptor: fd) == entry.fingerprint else { throw Self.changed(entry) }
    }

    /// The IDX elements of `role`'s proven uncompressed payload (`recorded`: its catalog record),
    /// read straight from the payload store as the warm load reads it (``KeptPayloadReader``: the
    /// proven fingerprint before and after, the header and size the record says): no inflate and
    /// no hash. Throws when the file on disk is not, or stops being, the one proven.
    func payloadElements(_ role: FileRole, recorded: CatalogFile) throws -> [UInt8] {
        let entry = payloads[role]!
        guard let kept = KeptPayloadReader.read(at: entry.url, recorded: recorded, fingerprint: entry.fingerprint) else {
            throw Self.changed(entry)
        }
        return kept.elements
    }

    /// A proven file that is no longer the one proven.
    private static func changed(_ entry: Entry) -> ExportError {
        .sourceMismatch(path: entry.url.path, problem: "it changed after it was proven (written or replaced while exporting); run the export again")
    }
}
