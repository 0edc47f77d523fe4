import Foundation

/// `DEST/<Class>/raw/`: the four uncompressed IDX payloads that `torchvision.datasets.MNIST` /
/// `FashionMNIST(root=DEST)` read, plus the `.gz` so that `download=True` also works offline.
/// With the workspace's proven copies at hand (``ExportSource/proven``: the version's `.gz` copies
/// and the payload store's uncompressed files, proven under the lock), each file is a plain copy.
/// Without them each `.gz` is read once: its container bytes and its inflated payload are written
/// while the pass verifies them. Either way nothing is renamed into place before all four roles
/// were written and proved.
struct TorchvisionExporter: DatasetExporter {
    /// The class folder `FashionMNIST/` (raw/ inside; a stale processed/ goes with the old folder).
    func part(manifest: Manifest) -> ExportPart { ExportPart(parent: [], shape: .folder(manifest.frameworkNames.torchvision)) }

    func export(_ source: ExportSource, into target: ExportTarget) throws {
        let className = source.manifest.frameworkNames.torchvision
        let raw = try target.directory.subdirectory(LoaderLayout.torchvisionRawFolder)
        // All four files are streamed and proved first (on both cores, largest first); only then
        // is anything renamed into place.
        var staged: [StagedPair] = []
        do {
            for role in FileRole.allCases {
                let name = source.file(role).name
                let container = try raw.create(name, replacing: target.replacing)
                staged.append(StagedPair(role: role, container: container, payload: nil))
                staged[staged.count - 1].payload = try raw.create(LoaderLayout.uncompressedName(name), replacing: target.replacing)
            }
            let failures = staged.parallelMap(cost: { source.file($0.role).payloadSize }) { pair -> (any FMNISTError)? in
                do {
                    if let proven = source.proven, !proven.payloads.isEmpty {
                        try proven.copy(pair.role, form: .gzip, into: pair.container)
                        try proven.copy(pair.role, form: .uncompressed, into: pair.payload!)
                    } else {
                        try source.stream(pair.role, container: { try pair.container.write($0) }, payload: { try pair.payload!.write($0) })
                    }
                    return nil
                } catch let error as any FMNISTError {
                    return error
                } catch {
                    return ExportError.sourceMismatch(path: source.url(pair.role).path, problem: "\(error)")
                }
            }
            if let failure = failures.compactMap({ $0 }).first { throw failure }
            try target.placeAll(staged.flatMap { [$0.payload!, $0.container] })
        } catch {
            staged.forEach { $0.container.abandon(); $0.payload?.abandon() }
            throw error
        }
        tally(target, className)
    }

    private func tally(_ target: ExportTarget, _ className: String) {
        target.tally.path = target.destination
        target.tally.usage = ["torchvision.datasets.\(className)(root=\"\(target.destination)\", train=True, download=False)"]
    }
}

/// A role's two temporaries, written by one worker thread only, then committed by the caller.
struct StagedPair: @unchecked Sendable {
    let role: FileRole
    let container: ExportFile
    var payload: ExportFile?
}
