import Foundation

/// Rebuilds catalog rows from verified data: when the catalog is missing, emptied or lost rows
/// while version directories (`.fmnist/versions/<dataset>/<id>/`) are still present, each one
/// whose four files verify and whose content is the version its name says is recorded again
/// (source "recovered", with a verify event so that `switch` trusts it), its store files are
/// restored from it, and the live row follows the `data/<dataset>` link. Artifacts (keras's
/// `mnist.npz`) have no version directory: each one a recorded version's manifest pins, that the
/// store holds and that proves by its pin (size + SHA-256) and cross-checks array by array
/// against the version's payloads, is recorded again too, so that `gc` never takes it for unused.
/// Cheap when nothing is missing: a directory listing and a catalog look-up per version (and per
/// pinned artifact). The caller holds the lock.
///
/// ```swift
/// let recovered = try CatalogRecovery(layout: layout, registry: registry, catalog: catalog).run()
/// for version in recovered { print("recorded again:", version.label) }
/// ```
package struct CatalogRecovery {
    package let layout: WorkspaceLayout
    package let registry: ManifestRegistry
    package let catalog: Catalog

    /// Records every verified version directory the catalog lacks; returns the versions recorded.
    @discardableResult
    package func run() throws -> [CatalogVersion] {
        var recovered: [CatalogVersion] = []
        let store = VersionStore(layout: layout)
        for manifest in registry.manifests {
            let folder = layout.versionsDirectory.appendingPathComponent(manifest.name, isDirectory: true)
            guard let info = FilePaths.lstat(folder.path), (info.st_mode & S_IFMT) == S_IFDIR else { continue }
            let ids = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter(WorkspaceLayout.isVersionID)
            for id in ids.sorted() {
                if try catalog.version(id: id) != nil, try catalog.files(versionID: id).count == FileRole.allCases.count { continue }
                if let version = try recover(manifest, versionID: id, directory: folder.appendingPathComponent(id)) {
                    recovered.append(version)
                }
            }
            if try catalog.liveVersion(dataset: manifest.name) == nil, let shown = store.liveLinkVersionID(dataset: manifest.name),
                try catalog.version(id: shown) != nil
            {
                try catalog.setLive(dataset: manifest.name, versionID: shown)
            }
            try recoverArtifacts(manifest)
        }
        return recovered
    }

    /// Records again every artifact that a recorded version of `manifest` pins, that the catalog
    /// lacks and that the store holds proven (size + SHA-256) with arrays that are the version's
    /// payloads. Returns the artifacts recorded. A stored file that does not prove or cross-check
    /// is left unrecorded (`fetch --artifact` fetches it again; `gc` keeps it while the version
    /// that pins it is recorded).
    @discardableResult
    func recoverArtifacts(_ manifest: Manifest) throws -> [CatalogArtifact] {
        var recorded: [CatalogArtifact] = []
        let store = VersionStore(layout: layout)
        for version in manifest.versions {
            guard let artifacts = version.artifacts, !artifacts.isEmpty else { continue }
            let versionID = version.identity.full
            guard try catalog.version(id: versionID)?.dataset == manifest.name else { continue }
            for artifact in artifacts where try catalog.artifact(versionID: versionID, loader: artifact.loader) == nil {
                // A stat first: the usual case (never fetched) costs no read.
                guard let url = try? store.url(containerSHA256: artifact.sha256),
                    let info = FilePaths.lstat(url.path), FilePaths.isRegular(info), Int64(info.st_size) == artifact.size,
                    store.provenArtifact(sha256: artifact.sha256, size: artifact.size) != nil
                else { continue }
                let (checks, problem) = ArtifactCrossCheck.checkArchive(url, manifest: manifest, version: version, artifact: artifact)
                guard problem == nil else { continue }
                var arrays: [String: FileRole] = [:]
                for check in checks where check.matched { arrays[check.array] = check.role }
                let row = CatalogArtifact(
                    versionID: versionID, loader: artifact.loader, name: artifact.name, size: artifact.size, sha256: artifact.sha256,
                    mirrorURL: nil, httpStatus: nil, etag: nil, lastModified: nil, bytes: 0, arrays: arrays)
                try catalog.recordArtifact(row)
                recorded.append(row)
            }
        }
        return recorded
    }

    /// Verifies one version directory and records it when its content is the version its name says.
    func recover(_ manifest: Manifest, versionID: String, directory: URL) throws -> CatalogVersion? {
        guard let info = FilePaths.lstat(directory.path), (info.st_mode & S_IFMT) == S_IFDIR else { return nil }
        var files: [CatalogFile] = []
        for role in FileRole.allCases {
            let names = Array(Set(manifest.versions.map { $0.file(role).name })).sorted()
            guard let name = names.first(where: { FilePaths.lstat(directory.appendingPathComponent($0).path) != nil }) else { return nil }
            let limit = manifest.versions.map { $0.file(role).payload.size }.max() ?? StreamingVerifier.defaultPayloadLimit
            guard let measurement = try? FileVerifier.measure(
                url: directory.appendingPathComponent(name), payloadLimit: limit, classCount: manifest.classes.count),
                measurement.fault == nil, measurement.idxDims.count == (role.isImages ? 3 : 1)
            else { return nil }
            files.append(CatalogFile(role: role, name: name, measurement: measurement))
        }
        let identity = VersionIdentity(payloadDigests: Dictionary(uniqueKeysWithValues: files.map { ($0.role, $0.payloadSHA256) }))
        guard identity.full == versionID else { return nil }
        let store = VersionStore(layout: layout)
        let checker = TrustedFileChecker(layout: layout, catalog: catalog)
        for file in files {
            let stored = try store.url(containerSHA256: file.containerSHA256)
            if checker.check(stored, recorded: file, classCount: manifest.classes.count).isProven { continue }
            let temporary = try store.temporaryURL("recover-\(file.name)")
            try VersionStore.copyFile(from: directory.appendingPathComponent(file.name).path, to: temporary.path)
            try store.install(fileAt: temporary, file: file, checker: checker, classCount: manifest.classes.count)
        }
        let name = manifest.versions.first { $0.identity == identity }?.name
        return try catalog.transaction {
            let version = try catalog.recordVersion(
                dataset: manifest.name, identity: identity, name: name, source: .recovered, files: files, admitted: .recovered)
            try catalog.recordEvent(
                .verify, dataset: manifest.name, versionID: identity.full, result: .ok,
                details: ["note": "recorded again from its verified version directory (the catalog had lost it)"])
            return version
        }
    }

}
