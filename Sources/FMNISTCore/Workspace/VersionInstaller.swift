import Foundation

/// One file of a new version, verified, waiting under `.fmnist/tmp/` to be installed.
package struct VerifiedFile: Sendable {
    package let role: FileRole
    /// File name in the live folder, e.g. `train-images-idx3-ubyte.gz`.
    package let name: String
    /// The verified bytes, on the workspace's file system (e.g. under `.fmnist/tmp/`).
    package let temporaryURL: URL
    /// What one pass over the bytes measured (must have no fault).
    package let measurement: FileMeasurement
    /// Where the bytes came from, for fetched files.
    package let provenance: FileProvenance?
    /// The uncompressed payload these bytes were made from, when the command has it (an import
    /// that gzipped it): not yet proven; the payload store proves it against `measurement` and
    /// moves it in instead of inflating the `.gz` again.
    package let stagedPayload: URL?

    package init(
        role: FileRole, name: String, temporaryURL: URL, measurement: FileMeasurement, provenance: FileProvenance? = nil,
        stagedPayload: URL? = nil
    ) {
        self.role = role
        self.name = name
        self.temporaryURL = temporaryURL
        self.measurement = measurement
        self.provenance = provenance
        self.stagedPayload = stagedPayload
    }

    /// The catalog row for this file.
    package var catalogFile: CatalogFile { CatalogFile(role: role, name: name, measurement: measurement) }
}

/// What ``VersionInstaller/commit(dataset:files:source:eventDetails:activate:at:)`` did.
package struct InstalledVersion: Sendable, Codable {
    package let version: CatalogVersion
    package let files: [CatalogFile]
    /// How each file of the version directory was made ready, by name.
    package let placement: [String: PlacementMethod]
    /// The version that was live before, if it differs.
    package let previousVersionID: String?
    /// Whether this version is now the live one (`data/<dataset>` shows it).
    package let activated: Bool
    /// Stored files found damaged and replaced by the verified bytes, by name.
    package let repaired: [String]
    /// When not activated: the command that would make it live.
    package var activationCommand: String? {
        activated ? nil : "fmnist switch \(version.dataset)@\(version.shortID)"
    }

    /// What fetch and import add to their line about the installed version: damaged stored files
    /// replaced, the live version found damaged (`damagedLive`, when this one did not replace it),
    /// and how to make it live when it is not.
    package func sentences(title: String, damagedLive: [String] = []) -> String {
        var text = ""
        if !repaired.isEmpty { text += "; replaced damaged \(repaired.sorted().joined(separator: ", ")) with the verified bytes" }
        if !damagedLive.isEmpty && !activated { text += "; the live version is damaged (\(damagedLive.joined(separator: "; ")))" }
        if let command = activationCommand { text += "; not live (another version of \(title) is): to use it, run \(command)" }
        return text
    }
}

/// Turns four verified temporary files into a recorded, stored version, and makes it live when
/// the dataset has no live version yet (or when asked). Used by `fetch` and `import`; the caller
/// holds the workspace lock.
///
/// Order: store (rename; a damaged stored file is replaced) → catalog version + files + provenance
/// → version directory (copies, built under a temporary name and renamed) → live link and catalog
/// live row (first version, or `activate`) → event. A crash at any point leaves every live path
/// whole, and rerunning the command completes the work. Another version of a dataset that already
/// has a live one never changes what `data/<dataset>`, `data/current` or a link shows.
///
/// ```swift
/// let installer = VersionInstaller(layout: layout, catalog: catalog)
/// let installed = try installer.commit(dataset: fashion, files: verified, source: .fetch, eventDetails: report)
/// if let command = installed.activationCommand { print("to use it: \(command)") }
/// ```
package struct VersionInstaller {
    package let layout: WorkspaceLayout
    package let catalog: Catalog
    package let store: VersionStore

    package init(layout: WorkspaceLayout, catalog: Catalog) {
        self.layout = layout
        self.catalog = catalog
        self.store = VersionStore(layout: layout)
    }

    /// Installs and records the version made of `files` (all four roles, no faults), and makes it
    /// live when the dataset has none or `activate` is set. The version's name comes from the
    /// manifest; content it does not know is recorded as "unknown" — callers refuse it first unless
    /// the user passed `--accept-unknown` (or a lock pins it), and say how in `admitted`.
    package func commit<Details: Encodable>(
        dataset manifest: Manifest, files: [VerifiedFile], source: VersionSource, eventDetails: Details,
        activate: Bool = false, admitted: UnknownAdmission? = nil, at time: Date = Date()
    ) throws -> InstalledVersion {
        guard Set(files.map(\.role)) == Set(FileRole.allCases), files.count == FileRole.allCases.count else {
            throw UsageError("a version needs exactly the four files train-images, train-labels, test-images, test-labels")
        }
        if let faulty = files.first(where: { $0.measurement.fault != nil }) {
            throw UsageError("refusing to install \(faulty.name): it failed verification (\(faulty.measurement.fault!))")
        }
        let identity = VersionIdentity(
            payloadDigests: Dictionary(uniqueKeysWithValues: files.map { ($0.role, $0.measurement.payloadSHA256) }))
        let knownName = manifest.versions.first { $0.identity == identity }?.name
        let catalogFiles = files.map(\.catalogFile).sorted { $0.role < $1.role }
        let checker = TrustedFileChecker(layout: layout, catalog: catalog)
        let classCount = manifest.classes.count

        var repaired: [String] = []
        // Store files this commit adds (the store had no file under their digest): until the version
        // is recorded nothing names them, so a failure before that takes them out again.
        var added: [URL] = []
        do {
            for file in files {
                let hadDamagedCopy = store.contains(containerSHA256: file.measurement.containerSHA256)
                if try store.install(fileAt: file.temporaryURL, file: file.catalogFile, checker: checker, classCount: classCount) {
                    if hadDamagedCopy { repaired.append(file.name) } else { added.append(try store.url(containerSHA256: file.measurement.containerSHA256)) }
                }
            }
        } catch {
            forget(added, checker: checker)
            throw error
        }
        let previous = try catalog.liveVersion(dataset: manifest.name)
        let version: CatalogVersion
        do {
            version = try catalog.transaction {
                let version = try catalog.recordVersion(
                    dataset: manifest.name, identity: identity, name: knownName, source: source, files: catalogFiles,
                    admitted: admitted, at: time)
                for file in files {
                    if let provenance = file.provenance { try catalog.recordProvenance(versionID: identity.full, provenance) }
                }
                return version
            }
        } catch {
            // E.g. a full disk refused the catalog's write: the store gets back to what it was (a
            // crash here instead leaves the bytes to `gc`, or to the rerun that records them).
            forget(added, checker: checker)
            throw error
        }
        let prepared = try store.prepareVersion(
            dataset: manifest.name, versionID: identity.full, files: catalogFiles, checker: checker, classCount: classCount)
        let becomesLive = activate || previous == nil || previous?.versionID == identity.full
        if becomesLive {
            try store.pointLive(dataset: manifest.name, versionID: identity.full) { entry in
                LiveFolderAdoption.isProvenCopy(entry, store: store, catalog: catalog, dataset: manifest.name, classCount: classCount)
            }
            // The live version's uncompressed payloads, kept so that `load` reads them without
            // re-hashing (a cache: without them loads prove the `.gz`, as `switch` also makes them).
            _ = try? PayloadStore(layout: layout).prepare(
                dataset: manifest.name, versionID: identity.full, files: catalogFiles, checker: checker, classCount: classCount,
                staged: Dictionary(uniqueKeysWithValues: files.compactMap { file in file.stagedPayload.map { (file.name, $0) } }))
        }
        try catalog.transaction {
            if becomesLive { try catalog.setLive(dataset: manifest.name, versionID: identity.full, at: time) }
            try catalog.recordEvent(
                source == .import ? .import : .fetch, dataset: manifest.name, versionID: identity.full, result: .ok,
                details: eventDetails, at: time)
        }
        return InstalledVersion(
            version: version, files: catalogFiles, placement: prepared.placement,
            previousVersionID: previous?.versionID == identity.full ? nil : previous?.versionID, activated: becomesLive,
            repaired: repaired + prepared.restored)
    }

    /// Removes store files no recorded version names (this commit's, before its version was
    /// recorded) and, best effort, what the catalog remembered of them.
    private func forget(_ stored: [URL], checker: TrustedFileChecker) {
        for url in stored {
            unlink(url.path)
            try? catalog.forgetFingerprint(path: checker.relativePath(url))
        }
    }
}

/// Whether an entry of a real folder at `data/<dataset>` (left by an older fmnist, or filled by
/// hand) may be dropped when the folder becomes fmnist's live link: it must be a regular file whose
/// name and content are a recorded file of the dataset (so nothing is lost), or a placement
/// leftover of fmnist's own.
enum LiveFolderAdoption {
    static func isProvenCopy(_ entry: URL, store: VersionStore, catalog: Catalog, dataset: String, classCount: Int) -> Bool {
        let name = entry.lastPathComponent
        if WorkspaceJanitor.isPlacementLeftover(name) { return true }
        guard let info = FilePaths.lstat(entry.path), FilePaths.isRegular(info) else { return false }
        let candidates = ((try? catalog.versions(dataset: dataset)) ?? []).flatMap { version in
            ((try? catalog.files(versionID: version.id)) ?? []).filter { $0.name == name && $0.containerSize == Int64(info.st_size) }
        }
        // The same data must be in the store (the installer put it there) for the entry to be droppable.
        return candidates.contains { file in
            store.contains(containerSHA256: file.containerSHA256, size: file.containerSize)
                && RecordedFileCheck.check(url: entry, recorded: file, classCount: classCount).problem == nil
        }
    }
}
