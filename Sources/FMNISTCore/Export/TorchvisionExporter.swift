import Foundation

/// `DEST/<Class>/raw/`: the four uncompressed IDX payloads that `torchvision.datasets.MNIST` /
/// `FashionMNIST(root=DEST)` read, plus the `.gz` so that `download=True` also works offline.
/// Each `.gz` is read once: its container bytes and its inflated payload are written while the
/// pass verifies them; both are renamed into place only once the pass proved them.
struct TorchvisionExporter: DatasetExporter {
    func plannedPaths(_ source: ExportSource) -> [String] {
        let raw = FrameworkNames.torchvision(source.manifest.name) + "/raw/"
        return FileRole.allCases.flatMap { role -> [String] in
            let name = source.file(role).name
            return [raw + name, raw + Self.payloadName(name)]
        }
    }

    static func payloadName(_ name: String) -> String { name.hasSuffix(".gz") ? String(name.dropLast(3)) : name + ".idx" }

    func export(_ source: ExportSource, into dest: ExportDirectory, force: Bool, tally: ExportTally) throws {
        let className = FrameworkNames.torchvision(source.manifest.name)
        let classDirectory = try dest.subdirectory(className)
        if classDirectory.kind(of: "processed") != .absent {
            if force {
                let aside = "processed.stale-\(Int(Date().timeIntervalSince1970))"
                try classDirectory.moveAside("processed", to: aside)
                tally.notes.append("moved the stale \(classDirectory.path(of: "processed")) aside to \(aside) (torchvision reads processed/ before raw/)")
            } else {
                tally.notes.append(
                    "warning: \(classDirectory.path(of: "processed")) exists; torchvision reads it instead of raw/, "
                        + "so the exported files are ignored until it is gone (re-run with --force to move it aside)")
            }
        }
        let raw = try classDirectory.subdirectory("raw")
        // All four files are streamed and proved first; only then is anything renamed into place.
        var staged: [ExportFile] = []
        do {
            for role in FileRole.allCases {
                let name = source.file(role).name
                let container = try raw.create(name, replacing: force)
                staged.append(container)
                let payload = try raw.create(Self.payloadName(name), replacing: force)
                staged.append(payload)
                try source.stream(role, container: { try container.write($0) }, payload: { try payload.write($0) })
            }
            try ExportFile.commitAll(staged)
        } catch {
            staged.forEach { $0.abandon() }
            throw error
        }
        staged.forEach { tally.placed($0) }
        tally.path = dest.path
        let root = dest.path
        tally.usage = ["torchvision.datasets.\(className)(root=\"\(root)\", train=True, download=False)"]
    }
}
