import Foundation

/// One file of a new version, verified, waiting under `.fmnist/tmp/` to be installed.
public struct VerifiedFile: Sendable {
    public let role: FileRole
    /// File name in the live folder, e.g. `train-images-idx3-ubyte.gz`.
    public let name: String
    /// The verified bytes, on the workspace's file system (e.g. under `.fmnist/tmp/`).
    public let temporaryURL: URL
    /// What one pass over the bytes measured (must have no fault).
    public let measurement: FileMeasurement
    /// Where the bytes came from, for fetched files.
    public let provenance: FileProvenance?

    public init(role: FileRole, name: String, temporaryURL: URL, measurement: FileMeasurement, provenance: FileProvenance? = nil) {
        self.role = role
        self.name = name
        self.temporaryURL = temporaryURL
        self.measurement = measurement
        self.provenance = provenance
    }

    /// The catalog row for this file.
    public var catalogFile: CatalogFile { CatalogFile(role: role, name: name, measurement: measurement) }
}

/// What ``VersionInstaller/commit(dataset:files:source:eventDetails:)`` did.
public struct InstalledVersion: Sendable, Codable {
    public let version: CatalogVersion
    public let files: [CatalogFile]
    /// How each live file was placed, by name.
    public let placement: [String: PlacementMethod]
    /// The version that was live before, if it differs.
    public let previousVersionID: String?
}

/// Turns four verified temporary files into a recorded, stored, live version. Used by `fetch`
/// and `import`; the caller holds the workspace lock.
///
/// Order: store (rename) → catalog version + files + provenance → live folder (hard links,
/// renamed into place) → catalog live version + event. A crash at any point leaves every live
/// file whole, and rerunning the command completes the work.
///
/// ```swift
/// let installer = VersionInstaller(layout: layout, catalog: catalog)
/// let installed = try installer.commit(dataset: fashion, files: verified, source: .fetch, eventDetails: report)
/// print(installed.version.label)
/// ```
public struct VersionInstaller {
    public let layout: WorkspaceLayout
    public let catalog: Catalog
    public let store: VersionStore

    public init(layout: WorkspaceLayout, catalog: Catalog) {
        self.layout = layout
        self.catalog = catalog
        self.store = VersionStore(layout: layout)
    }

    /// Installs, records and places the version made of `files` (all four roles, no faults).
    /// The version's name comes from the manifest; content it does not know is recorded as
    /// "unknown" — callers refuse it first unless the user passed `--accept-unknown`.
    public func commit<Details: Encodable>(
        dataset manifest: Manifest, files: [VerifiedFile], source: VersionSource, eventDetails: Details, at time: Date = Date()
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

        for file in files {
            try store.install(fileAt: file.temporaryURL, containerSHA256: file.measurement.containerSHA256)
        }
        let previous = try catalog.liveVersion(dataset: manifest.name)
        let previousNames = try previous.map { try catalog.files(versionID: $0.versionID).map(\.name) } ?? []
        let version = try catalog.transaction {
            let version = try catalog.recordVersion(
                dataset: manifest.name, identity: identity, name: knownName, source: source, files: catalogFiles, at: time)
            for file in files {
                if let provenance = file.provenance { try catalog.recordProvenance(versionID: identity.full, provenance) }
            }
            return version
        }
        let placement = try store.placeLive(catalogFiles, dataset: manifest.name, removing: previousNames)
        try catalog.transaction {
            try catalog.setLive(dataset: manifest.name, versionID: identity.full, at: time)
            try catalog.recordEvent(
                source == .fetch ? .fetch : .import, dataset: manifest.name, versionID: identity.full, result: .ok,
                details: eventDetails, at: time)
        }
        return InstalledVersion(
            version: version, files: catalogFiles, placement: placement,
            previousVersionID: previous?.versionID == identity.full ? nil : previous?.versionID)
    }
}
