import Foundation

/// `fmnist doctor --fix`: replaces each faulty file by the verified bytes of the right file from
/// the workspace, in the form its loader reads, and renames a stale `processed/` aside.
///
/// Rules: only findings that are not `ok` are touched; a file is written as a temporary in its own
/// folder and renamed over the faulty one (``ExportDirectory``: `openat`/`renameat`, no symlink
/// followed); a file reached through a symlink (a linked folder, or a link itself) is never written
/// through, nor is fmnist's own workspace (`fmnist verify --repair` mends that); the bytes are
/// re-verified against the catalog while they are copied and placed only if they pass.
public struct DoctorRepair {
    let layout: WorkspaceLayout
    let registry: ManifestRegistry
    private var sources: [String: Result<ExportSource, any Error>] = [:]

    public init(layout: WorkspaceLayout, registry: ManifestRegistry) {
        self.layout = layout
        self.registry = registry
    }

    /// Repairs what can be repaired; returns the findings with their `fix` filled in.
    public mutating func fix(_ findings: [DoctorFinding], inWorkspace: Set<String>) -> [DoctorFinding] {
        findings.map { finding in
            guard finding.status != .ok else { return finding }
            var fixed = finding
            fixed.fix = repair(finding, inWorkspace: inWorkspace.contains(finding.path))
            return fixed
        }
    }

    private static func refused(_ message: String) -> DoctorFix { DoctorFix(action: .refused, message: message, fetchCommand: nil) }

    private static func leftAlone(_ message: String) -> DoctorFix { DoctorFix(action: .leftAlone, message: message, fetchCommand: nil) }

    /// What `--fix` does about `finding` without writing anything, or nil when it may try to
    /// repair it. Only what can be proven a broken copy of a known file is replaced: a damaged or
    /// not-data file, and a known file of another dataset where the place's loader and dataset are
    /// certain (or where it is a minority among the folder's files of the right dataset). Valid
    /// data of no known version is never replaced, nor is anything reached through a symlink fmnist
    /// did not make, nor fmnist's own workspace.
    public static func refusal(_ finding: DoctorFinding, inWorkspace: Bool) -> DoctorFix? {
        guard finding.status != .ok else { return nil }
        let wanted = finding.expected
        if finding.status == .unknown {
            return leftAlone(
                "valid data of no known version (perhaps another MNIST-format dataset such as Kuzushiji-MNIST or "
                    + "EMNIST, or another release) is never overwritten; if it should be \(wanted), move it away and let the loader "
                    + "download it again, or write the folder with `fmnist export`")
        }
        if finding.status == .otherDataset {
            switch finding.expectedFrom {
            case .place?, .files?, .fmnistLink?: break
            case .folderName?, nil:
                return leftAlone(
                    "the folder holds known files of more than one dataset, and no majority of them agreeing with "
                        + "its name proves this one the wrong file; move away the files that do not belong, then run `fmnist doctor --fix` again")
            }
        }
        if inWorkspace {
            return refused("fmnist's own workspace is not repaired by doctor: run `fmnist verify --repair`")
        }
        if let link = finding.linkedThrough ?? DoctorPaths.firstSymlink(in: finding.path) {
            return refused(linkRefusal(link))
        }
        if finding.status != .staleCache, finding.expectedDataset == nil || (finding.artifact == nil && finding.expectedRole == nil) {
            return refused("cannot tell which dataset belongs here (the folder does not say and its files do not agree); nothing written")
        }
        return nil
    }

    private mutating func repair(_ finding: DoctorFinding, inWorkspace: Bool) -> DoctorFix {
        if let decided = Self.refusal(finding, inWorkspace: inWorkspace) {
            if decided.action == .refused, inWorkspace {
                return Self.refused("fmnist's own workspace is not repaired by doctor: run `fmnist verify --repair --root \(layout.root.path)`")
            }
            return decided
        }
        let url = URL(fileURLWithPath: finding.path)
        if url.resolvingSymlinksInPath().path.contains("/.fmnist/") {
            return Self.refused("inside an fmnist workspace's private store: never written by doctor (run `fmnist verify --repair` on that workspace)")
        }
        let folderURL = url.deletingLastPathComponent()
        if finding.status == .staleCache {
            do {
                let aside = try ExportDirectory.openExisting(noSymlinkIn: folderURL).moveProcessedAside()
                return DoctorFix(action: .movedAside, message: "moved aside to \(folderURL.path)/\(aside) (renamed, nothing deleted)", fetchCommand: nil)
            } catch {
                return Self.refused("not moved: \(error)")
            }
        }
        if let artifact = finding.artifact, let dataset = finding.expectedDataset, let manifest = try? registry.manifest(named: dataset) {
            return repairArtifact(artifact, at: url, manifest: manifest, loader: finding.loader)
        }
        guard let dataset = finding.expectedDataset, let role = finding.expectedRole, let form = finding.form,
            let manifest = try? registry.manifest(named: dataset)
        else {
            return Self.refused("cannot tell which dataset belongs here (the folder does not say and its files do not agree); nothing written")
        }
        let fetch = "fmnist fetch \(dataset) --root \(layout.root.path)"
        let source: ExportSource
        switch self.source(manifest) {
        case .success(let live): source = live
        case .failure(let error as ExportError):
            if case .notPresent = error {
                return DoctorFix(action: .needsFetch, message: "the workspace has no verified \(manifest.title): run `\(fetch)`, then `fmnist doctor --fix` again", fetchCommand: fetch)
            }
            return Self.refused("the workspace cannot serve \(manifest.title): \(error)")
        case .failure(let error): return Self.refused("the workspace cannot serve \(manifest.title): \(error)")
        }
        let record = source.file(role)
        let place = LoaderPlace(loader: finding.loader, form: form, role: role, dataset: dataset)
        if place.needsPublishedContainer, KnownFileIndex(registry: registry).identify(containerSHA256: record.containerSHA256) == nil {
            return DoctorFix(action: .needsFetch, message: "the workspace holds \(manifest.title) re-compressed, and \(finding.loader.rawValue) needs the published .gz: run `\(fetch)`", fetchCommand: fetch)
        }
        do {
            let folder = try ExportDirectory.openExisting(noSymlinkIn: folderURL)
            try folder.writeFile(url.lastPathComponent, replacing: true) { file in
                switch form {
                case .gzip: try source.stream(role, container: { try file.write($0) })
                case .uncompressed: try source.stream(role, payload: { try file.write($0) })
                }
            }
        } catch {
            return Self.refused("not replaced (left as it was): \(error)")
        }
        let what = form == .gzip ? "the published .gz" : "the uncompressed payload"
        return DoctorFix(action: .replaced, message: "replaced with \(manifest.title)'s \(role.fileStem) \(source.version.shortID) (\(what), verified while copied)", fetchCommand: nil)
    }

    /// Replaces a loader's artifact (keras's `mnist.npz`) with the copy `fetch --artifact` stored,
    /// re-proven while it is copied; never with a self-made file.
    private mutating func repairArtifact(_ name: String, at url: URL, manifest: Manifest, loader: Loader) -> DoctorFix {
        let fetch = "fmnist fetch \(manifest.name) --artifact \(loader.rawValue) --root \(layout.root.path)"
        guard case .success(let source) = self.source(manifest), source.artifacts[loader.rawValue] != nil else {
            return DoctorFix(
                action: .needsFetch,
                message: "the workspace does not hold \(loader.rawValue)'s published \(name): run `\(fetch)`, then `fmnist doctor --fix` again",
                fetchCommand: fetch)
        }
        do {
            let folder = try ExportDirectory.openExisting(noSymlinkIn: url.deletingLastPathComponent())
            try folder.writeFile(url.lastPathComponent, replacing: true) { file in
                try source.streamArtifact(loader.rawValue) { try file.write($0) }
            }
        } catch {
            return Self.refused("not replaced (left as it was): \(error)")
        }
        return DoctorFix(action: .replaced, message: "replaced with \(loader.rawValue)'s published \(name) (proven by its SHA-256 pin while copied)", fetchCommand: nil)
    }

    private mutating func source(_ manifest: Manifest) -> Result<ExportSource, any Error> {
        if let known = sources[manifest.name] { return known }
        let result = Result { try ExportSource.live(dataset: manifest, layout: layout) }
        sources[manifest.name] = result
        return result
    }

    /// Why nothing is written through `link`, in the words of who made it: the link and its target.
    static func linkRefusal(_ link: String) -> String {
        let target = DoctorPaths.linkText(link)
        let resolved = URL(fileURLWithPath: link).resolvingSymlinksInPath().path
        if resolved.contains("/.fmnist/") || resolved.hasSuffix("/.fmnist") {
            return "reached through \(link) → \(target), a link into fmnist's workspace: never written through (`fmnist verify` checks those files; `fmnist switch` re-points the link)"
        }
        return "reached through the symlink \(link) → \(target), which fmnist did not make: not written through "
            + "(to repair the files there, give the real folder \(resolved) as PATH; or replace the link by a folder)"
    }
}
