import Foundation

/// What happened to one artifact in a fetch.
public enum ArtifactFetchStatus: String, Sendable, Codable {
    /// Transferred (possibly resumed), proven by size and SHA-256, cross-checked, stored and recorded.
    case downloaded
    /// Already stored, proven and recorded: nothing transferred.
    case present
    /// Found proven in the store (or complete in `.fmnist/partial`) but not recorded: cross-checked
    /// and recorded, nothing transferred.
    case reused
    /// Every mirror failed (exit 5).
    case failed
    /// The bytes are the pinned file, but its arrays are not the version's payloads: the manifest is
    /// wrong (exit 3); nothing stored.
    case refused
    /// The fetched version has no artifact for the loader in its manifest (exit 4).
    case unavailable
    /// Stopped by Ctrl-C or SIGTERM: the partial download is kept (exit 130).
    case interrupted
}

/// One artifact's line in a fetch report (`datasets[].artifacts[]` in `--json`).
public struct ArtifactFetchReport: Sendable, Codable {
    public let dataset: String
    public let loader: String
    public let name: String
    public let status: ArtifactFetchStatus
    /// The URL the bytes came from (nil when nothing was transferred).
    public let mirror: String?
    /// URLs given up, and why.
    public let skipped: [MirrorSkip]
    public let bytesDownloaded: Int64
    public let resumedFrom: Int64
    /// The pinned size and SHA-256.
    public let size: Int64
    public let sha256: String
    /// The store file, once stored.
    public let path: String?
    /// Each array against its role (empty when the bytes were never proven).
    public let arrays: [ArrayCheck]
    public let message: String
    public let exitStatus: ExitStatus
}

/// How an artifact (keras's `mnist.npz`) is judged while it downloads: by its pinned size and
/// SHA-256 alone (``DigestVerifier``), since it is no gzip'd IDX file; the body is cut at twice the
/// pinned size + 1 MiB. The array cross-check (``ArtifactCrossCheck``) comes after.
///
/// ```swift
/// let judge = ArtifactJudge(dataset: manifest, artifact: artifact)   // judge.freshCheck(): a DigestVerifier
/// ```
struct ArtifactJudge: DownloadJudge {
    let artifact: ManifestArtifact
    let rules: AttemptJudge

    init(dataset: Manifest, artifact: ManifestArtifact) {
        self.artifact = artifact
        rules = AttemptJudge(title: dataset.title, stem: artifact.name, acceptUnknown: false)
    }

    /// A partial file larger than the pinned size is dropped.
    var resumeLimit: Int64 { artifact.size }
    /// Twice the pinned size plus 1 MiB (the check stops earlier, at the pinned size).
    var transferLimit: Int64 { 2 * artifact.size + (1 << 20) }
    var reportsWholeBody: Bool { false }

    func freshCheck() -> DigestVerifier { DigestVerifier(size: artifact.size, sha256: artifact.sha256) }

    func consumed(_ check: DigestVerifier) -> Int64 { check.size }

    func passes(held check: DigestVerifier) -> Void? { check.finish() == nil ? () : nil }

    /// The facts of a whole body: the pinned file, or why not.
    func judge(body check: DigestVerifier, into facts: inout AttemptFacts) {
        if let problem = check.finish() {
            facts.status = .corrupt
            facts.message = problem
            facts.faultCode = check.size < artifact.size ? .truncated : .wrongSHA256
        } else {
            facts.status = .ok
        }
    }
}

/// A verified artifact waiting in its `.part` file (size and SHA-256 are the pinned ones).
typealias FetchedArtifact = MirrorDownload<ArtifactJudge>.Success

/// `fetch --artifact LOADER`: after a dataset's four files are in place, its version's artifact
/// for that loader (keras's `mnist.npz`). Mirrors: the dataset's mirror list (`--mirror`,
/// `FMNIST_MIRRORS`, the config file) with the artifact's name appended, or, when only the manifest
/// names mirrors, the artifact's published URL (the IDX mirrors do not serve it). The bytes are
/// proven by size and SHA-256 (``DigestVerifier``), cross-checked array by array against the
/// version's payload digests (``ArtifactCrossCheck``), then stored read-only in the content-
/// addressed store and recorded in the catalog (`artifacts`). A stored, recorded artifact that still
/// proves needs no network. Runs under the fetch's workspace lock.
struct ArtifactFetch {
    let layout: WorkspaceLayout
    let catalog: Catalog
    let context: DownloadContext

    /// The URLs to try for `artifact` given the dataset's mirror list.
    static func urls(for artifact: ManifestArtifact, mirrors: MirrorList) -> [String] {
        mirrors.origin == .manifest ? [RedactedURL.redact(artifact.url)] : mirrors.mirrors.map { MirrorURL.join($0, artifact.name) }
    }


    func run(manifest: Manifest, version: ManifestVersion, versionID: String, loader: String, mirrors: MirrorList) throws
        -> ArtifactFetchReport
    {
        guard let artifact = version.artifact(loader: loader) else {
            return report(
                manifest, loader: loader, name: "", status: .unavailable, size: 0, sha256: "",
                message: "\(manifest.title) \(version.name) has no \(loader) artifact in its manifest", exitStatus: .missing)
        }
        let store = VersionStore(layout: layout)
        let label = "\(manifest.title)'s \(artifact.name) (\(loader))"
        func make(
            _ status: ArtifactFetchStatus, _ message: String, _ exit: ExitStatus, arrays: [ArrayCheck] = [], path: String? = nil,
            fetched: FetchedArtifact? = nil, skipped: [MirrorSkip] = [], bytes: Int64 = 0
        ) -> ArtifactFetchReport {
            ArtifactFetchReport(
                dataset: manifest.name, loader: loader, name: artifact.name, status: status, mirror: fetched?.url,
                skipped: fetched?.skipped ?? skipped, bytesDownloaded: fetched?.bytesDownloaded ?? bytes, resumedFrom: fetched?.kept.resumedFrom ?? 0,
                size: artifact.size, sha256: artifact.sha256, path: path, arrays: arrays, message: message, exitStatus: exit)
        }
        // 1. Stored and proven: recorded → nothing to do; not recorded (a lost catalog) → cross-check and record.
        if let stored = store.provenArtifact(sha256: artifact.sha256, size: artifact.size) {
            if let recorded = try catalog.artifact(versionID: versionID, loader: loader), recorded.sha256 == artifact.sha256 {
                let checks = artifact.orderedArrays.map {
                    ArrayCheck(array: $0.name, role: $0.role, matched: true, problem: nil, dtype: nil, shape: nil, idxSHA256: nil)
                }
                context.emit(.present(dataset: manifest.name, message: "\(artifact.name) verified; nothing to download"))
                return make(.present, "\(label): already present and verified (SHA-256 pinned), nothing downloaded", .success,
                            arrays: checks, path: stored.path)
            }
            let (checks, problem) = ArtifactCrossCheck.checkArchive(stored, manifest: manifest, version: version, artifact: artifact)
            if let problem { return make(.refused, "\(label) is the pinned file, but \(problem)", .integrity, arrays: checks) }
            try record(artifact, versionID: versionID, fetched: nil, checks: checks)
            return make(.reused, "\(label): verified and cross-checked from the store, nothing downloaded", .success,
                        arrays: checks, path: stored.path)
        }
        // 2. Download (or finish a complete partial file).
        // Progress events name it `mnist/mnist.npz`; FileTarget needs a role: the role of its first array.
        let target = FileTarget(
            dataset: manifest.name, datasetTitle: manifest.title, role: artifact.orderedArrays.first?.role ?? .trainImages,
            name: artifact.name, expectedSize: artifact.size)
        let download = MirrorDownload(
            target: target, urls: Self.urls(for: artifact, mirrors: mirrors), judge: ArtifactJudge(dataset: manifest, artifact: artifact),
            partial: PartialDownload(layout: layout, dataset: manifest.name, name: artifact.name), context: context)
        switch try download.run() {
        case .interrupted(let bytes):
            return make(.interrupted, "\(label): interrupted; the partial download is kept in .fmnist/partial", .interrupted, bytes: bytes)
        case .failure(let skipped, let bytes, let message, _, _):
            return make(.failed, "\(label) not fetched: \(message)", .fetchFailed, skipped: skipped, bytes: bytes)
        case .success(let fetched):
            let (checks, problem) = ArtifactCrossCheck.checkArchive(fetched.partial.url, manifest: manifest, version: version, artifact: artifact)
            if let problem {
                // The bytes are exactly the pinned ones: another mirror cannot help; the manifest is wrong.
                return make(.refused, "\(label) is the pinned file, but \(problem); nothing stored", .integrity,
                            arrays: checks, fetched: fetched)
            }
            let stored = try store.installArtifact(fileAt: fetched.partial.url, sha256: artifact.sha256, size: artifact.size)
            fetched.partial.removeSidecar()
            try record(artifact, versionID: versionID, fetched: fetched, checks: checks)
            let how = fetched.bytesDownloaded == 0 ? "verified from a complete partial download, nothing downloaded" : "fetched and verified"
            return make(fetched.bytesDownloaded == 0 ? .reused : .downloaded,
                        "\(label): \(how), every array matches \(manifest.title) \(version.name)'s payload", .success,
                        arrays: checks, path: stored.path, fetched: fetched)
        }
    }

    private func record(_ artifact: ManifestArtifact, versionID: String, fetched: FetchedArtifact?, checks: [ArrayCheck]) throws {
        var arrays: [String: FileRole] = [:]
        for check in checks where check.matched { arrays[check.array] = check.role }
        try catalog.recordArtifact(CatalogArtifact(
            versionID: versionID, loader: artifact.loader, name: artifact.name, size: artifact.size, sha256: artifact.sha256,
            mirrorURL: fetched?.url, httpStatus: fetched?.kept.httpStatus, etag: fetched?.kept.etag, lastModified: fetched?.kept.lastModified,
            bytes: fetched?.bytesDownloaded ?? 0, arrays: arrays))
    }

    private func report(
        _ manifest: Manifest, loader: String, name: String, status: ArtifactFetchStatus, size: Int64, sha256: String, message: String,
        exitStatus: ExitStatus
    ) -> ArtifactFetchReport {
        ArtifactFetchReport(
            dataset: manifest.name, loader: loader, name: name, status: status, mirror: nil, skipped: [], bytesDownloaded: 0,
            resumedFrom: 0, size: size, sha256: sha256, path: nil, arrays: [], message: message, exitStatus: exitStatus)
    }
}
