import Foundation

extension SplitReport {
    /// Reads and identifies one exported split: `layout` is `png` (a split folder) or `hf` (a
    /// Parquet file); `named` is the split its name says (checked against the content),
    /// `workspace` where a known version's files may be found to name the image that differs. A
    /// split that matches no known one is named where it differs: when one payload is a known
    /// version's and that version is in the workspace, the first image (file or row) that differs.
    public static func identify(
        _ url: URL, layout: String, named: String?, registry: ManifestRegistry, workspace: WorkspaceLayout?
    ) -> SplitReport {
        let limits = ExportReadLimits(registry: registry)
        let split: CSVSplit
        do {
            split = layout == "png" ? try PNGSplitFolder.read(url, limits: limits) : try ParquetSplitFile.read(url, limits: limits)
        } catch let fault as ExportReadFault {
            return failed(url, layout: layout, at: fault.at.isEmpty ? nil : fault.at,
                          message: fault.at.isEmpty ? fault.problem : "\(fault.at): \(fault.problem)")
        } catch let error as FileAccessError {
            return failed(url, layout: layout, message: error.problem, status: error.exitStatus == .missing ? .missing : .integrity)
        } catch {
            return failed(url, layout: layout, message: "\(error)")
        }
        let rebuilt = Rebuilt(split, url: url, layout: layout)
        let what = layout == "png" ? "as PNG files" : "as Parquet (Hugging Face)"
        let match = rebuilt.match(registry)
        if match == nil, let recorded = rebuilt.recorded(registry, workspace: workspace) {
            let wrong = named.map { $0 != recorded.split } ?? false
            return rebuilt.report(
                wrong
                    ? "WRONG SPLIT: named \(named ?? "") but holds \(recorded.description)"
                    : "this is \(recorded.description), \(what): no manifest knows this version; this workspace recorded it "
                        + "(accepted as unknown on request)",
                wrong ? .integrity : .success, recorded.identity)
        }
        guard let match else {
            let difference = SplitDifference.locate(
                split, images: rebuilt.images, labels: rebuilt.labels, registry: registry, workspace: workspace,
                place: { index, label in layout == "png" ? "\(url.lastPathComponent)/\(label)/\(index).png" : "row \(index)" })
            return rebuilt.report(
                "\(split.count) images, valid, but they match no known split: \(difference.text); class histogram \(split.classHistogram)",
                .integrity, nil, at: difference.at)
        }
        if let named, named != match.split {
            return rebuilt.report("WRONG SPLIT: named \(named) but holds \(match.description)", .integrity, match.identity)
        }
        return rebuilt.report("this is \(match.description), \(what)", .success, match.identity)
    }
}

/// A split of a version that the workspace recorded though no manifest knows it (fetched or
/// imported with `--accept-unknown`): both payloads are that version's, by the catalog's digests.
struct RecordedSplitMatch {
    let dataset: String
    let title: String
    let versionID: String
    let shortID: String
    let split: String

    /// "Toy-DS UNKNOWN (3f1a0c9be2d4)'s train split (images and labels)".
    var description: String { "\(title) UNKNOWN (\(shortID))'s \(split) split (images and labels)" }

    var identity: SplitReport.Identity {
        SplitReport.Identity(dataset: dataset, versionName: "unknown", versionShortID: shortID, split: split, description: description)
    }

    static func find(
        images: String, imagesSize: Int, labels: String, labelsSize: Int, registry: ManifestRegistry, workspace: WorkspaceLayout?
    ) -> RecordedSplitMatch? {
        guard let workspace, RegularFile.kind(at: workspace.catalogFile.path) == .regular,
            let catalog = try? Catalog.openReadOnly(workspace)
        else { return nil }
        defer { catalog.close() }
        for version in (try? catalog.versions()) ?? [] where !version.known {
            guard let files = try? catalog.files(versionID: version.id) else { continue }
            for (split, imageRole, labelRole) in [("train", FileRole.trainImages, FileRole.trainLabels), ("test", .testImages, .testLabels)] {
                guard let i = files.first(where: { $0.role == imageRole }), let l = files.first(where: { $0.role == labelRole }),
                    i.payloadSHA256 == images, i.payloadSize == Int64(imagesSize), l.payloadSHA256 == labels, l.payloadSize == Int64(labelsSize)
                else { continue }
                let title = (try? registry.manifest(named: version.dataset).title) ?? version.dataset
                return RecordedSplitMatch(dataset: version.dataset, title: title, versionID: version.id, shortID: version.shortID, split: split)
            }
        }
        return nil
    }
}

/// Where a rebuilt split differs from the known split it nearly is.
enum SplitDifference {
    /// A sentence saying what matches and what does not, and the first differing image when a
    /// version with one matching payload is in the `workspace` (its file is proven while loaded).
    static func locate(
        _ split: CSVSplit, images: String, labels: String, registry: ManifestRegistry, workspace: WorkspaceLayout?,
        place: (_ index: Int, _ label: UInt8) -> String
    ) -> (text: String, at: String?) {
        let index = KnownFileIndex(registry: registry)
        let knownImages = index.identify(payloadSHA256: images, size: Int64(split.imagesPayload.count))
        let knownLabels = index.identify(payloadSHA256: labels, size: Int64(split.labelsPayload.count))
        func named(_ known: KnownFile?) -> String { known.map { "\($0) (\($0.version))" } ?? "match no known file" }
        let summary = "images: \(named(knownImages)); labels: \(named(knownLabels))"
        // Exactly one payload known: the other is what changed.
        let (known, differing): (KnownFile, FileRole)
        if let l = knownLabels, knownImages == nil, !l.role.isImages {
            (known, differing) = (l, l.role.isTrain ? .trainImages : .testImages)
        } else if let i = knownImages, knownLabels == nil, i.role.isImages {
            (known, differing) = (i, i.role.isTrain ? .trainLabels : .testLabels)
        } else {
            return (summary, nil)
        }
        guard let manifest = try? registry.manifest(named: known.dataset),
            let version = manifest.versions.first(where: { $0.name == known.version })
        else { return (summary, nil) }
        let file = version.file(differing)
        guard let workspace,
            let reference = try? IDXLoader.load(
                url: workspace.versionDirectory(dataset: manifest.name, versionID: version.identity.full).appendingPathComponent(file.name),
                expected: file, classCount: manifest.classes.count)
        else {
            return (summary + " (import \(manifest.title) \(version.name) into the workspace to find which image differs)", nil)
        }
        let ours = Array(differing.isImages ? split.imagesPayload.dropFirst(16) : split.labelsPayload.dropFirst(8))
        let stride = differing.isImages ? ours.count / max(split.count, 1) : 1
        guard reference.elements.count == ours.count, stride > 0 else {
            return (summary + " (\(split.count) images; \(manifest.title) \(version.name)'s split has \(reference.dims.first ?? 0))", nil)
        }
        var differ: [Int] = []
        for image in 0..<split.count where ours[(image * stride)..<((image + 1) * stride)] != reference.elements[(image * stride)..<((image + 1) * stride)] {
            differ.append(image)
        }
        guard let first = differ.first else { return (summary, nil) }
        let label = split.labelsPayload[8 + first]
        let at = place(first, label)
        let what = differing.isImages ? "image" : "label"
        return (
            "\(summary); \(differ.count) \(what)\(differ.count == 1 ? " differs" : "s differ") from \(manifest.title) \(version.name)'s, "
                + "the first at \(at)", at
        )
    }
}

/// What `fmnist verify DIR` found in an export folder of PNG, Parquet or npz files (`export png`,
/// `export hf`, `export npz`): each part identified by content, and which versions it holds.
public struct ExportFolderReport: Sendable, Codable {
    public let path: String
    /// The layouts found: `png`, `hf`, `npz`.
    public let layouts: [String]
    /// PNG split folders and Parquet files.
    public let splits: [SplitReport]
    /// `.npz` files (each holds both splits).
    public let npz: [NPZFileReport]
    /// Kaggle-format CSVs beside them (`export csv` into the same folder), as `verify FILE.csv`.
    public let csv: [SplitReport]
    public let holds: [CSVFolderReport.Holding]
    public let verdict: String
    public let ok: Bool
    public let exitStatus: ExitStatus
    public let exitCode: Int32

    /// The parts of an export folder, by name: `[D/]{train,test}/<label>/` (png), `[D/]*.parquet`
    /// (hf), `*.npz`, where D is any folder directly inside. Anything else is ignored (a
    /// provenance `.json`, a README). Nil when none is there.
    struct Parts {
        var png: [(url: URL, split: String)] = []
        var parquet: [(url: URL, split: String?)] = []
        var npz: [URL] = []
        /// Only read when one of the others is there (a folder of CSVs alone is a ``CSVFolderReport``).
        var csv: [URL] = []
        var isEmpty: Bool { png.isEmpty && parquet.isEmpty && npz.isEmpty }
        var layouts: [String] {
            (png.isEmpty ? [] : ["png"]) + (parquet.isEmpty ? [] : ["hf"]) + (npz.isEmpty ? [] : ["npz"]) + (csv.isEmpty ? [] : ["csv"])
        }
    }

    static func parts(in folder: URL) -> Parts? {
        let manager = FileManager.default
        func names(_ url: URL) -> [String] {
            ((try? manager.contentsOfDirectory(atPath: url.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        }
        func isDirectory(_ url: URL) -> Bool { RegularFile.kind(at: url.path) == .directory }
        var parts = Parts()
        let top = names(folder)
        for name in top where name.lowercased().hasSuffix(".npz") && RegularFile.kind(at: folder.appendingPathComponent(name).path) == .regular {
            parts.npz.append(folder.appendingPathComponent(name))
        }
        parts.csv = CSVFolderReport.csvFiles(in: folder)?.filter { RegularFile.kind(at: $0.path) == .regular } ?? []
        for candidate in [folder] + top.map({ folder.appendingPathComponent($0) }).filter(isDirectory) {
            for split in ["train", "test"] {
                let url = candidate.appendingPathComponent(split)
                // A split folder: it holds at least one class folder named by a decimal label.
                if isDirectory(url), names(url).contains(where: { PNGSplitFolder.decimal(Substring($0), below: 1 << 16) != nil }) {
                    parts.png.append((url, split))
                }
            }
            for name in names(candidate) where name.lowercased().hasSuffix(".parquet") {
                let url = candidate.appendingPathComponent(name)
                guard RegularFile.kind(at: url.path) != .directory else { continue }
                parts.parquet.append((url, parquetSplitName(name)))
            }
        }
        return parts.isEmpty ? nil : parts
    }

    /// Identifies every part (PNG folders and Parquet files two at a time) and says what the folder holds.
    static func verify(folder: URL, parts: Parts, registry: ManifestRegistry, workspace: WorkspaceLayout?) -> ExportFolderReport {
        let jobs = parts.png.map { (url: $0.url, layout: "png", named: Optional($0.split)) } + parts.parquet.map { (url: $0.url, layout: "hf", named: $0.split) }
        let splits = jobs.parallelMap(threads: 2) { SplitReport.identify($0.url, layout: $0.layout, named: $0.named, registry: registry, workspace: workspace) }
        let npz = parts.npz.map { NPZFileReport.identify(url: $0, registry: registry) }
        let csv = parts.csv.map { SplitReport.identify(url: $0, registry: registry) }
        var found = splits.compactMap(\.foundSplit) + csv.compactMap(\.foundSplit)
        for report in npz where report.exitStatus == .success {
            guard let first = report.arrays.first, let dataset = first.dataset, let version = first.version,
                let manifest = try? registry.manifest(named: dataset), let known = manifest.versions.first(where: { $0.name == version })
            else { continue }
            let roles = Set(report.arrays.compactMap(\.role))
            if roles.contains(.trainImages) && roles.contains(.trainLabels) { found.append((dataset, version, known.identity.short, "train")) }
            if roles.contains(.testImages) && roles.contains(.testLabels) { found.append((dataset, version, known.identity.short, "test")) }
        }
        let holds = CSVFolderReport.Holding.collect(found, registry: registry)
        let statuses = splits.map(\.exitStatus) + npz.map(\.exitStatus) + csv.map(\.exitStatus)
        var status = ExitStatus.combine(statuses)
        let total = splits.count + npz.count + csv.count
        let kinds = parts.layouts.map { ["hf": "Parquet (hf)", "png": "PNG", "csv": "Kaggle-format CSV"][$0] ?? $0 }.joined(separator: ", ")
        let datasets = holds.map(\.dataset)
        let verdict: String
        if status != .success {
            verdict = "FAILED: \(statuses.filter { $0 != .success }.count) of \(total) parts (\(kinds)) did not verify"
        } else if let twice = datasets.first(where: { d in datasets.filter { $0 == d }.count > 1 }) {
            // Stale files of another version beside the new ones: an export is exactly one version.
            status = .integrity
            verdict = "FAILED: holds two versions of \(holds.first { $0.dataset == twice }!.title) ("
                + holds.filter { $0.dataset == twice }.map { "\($0.versionName) \($0.versionShortID)" }.joined(separator: ", ")
                + "): an export is one version"
        } else if let partial = holds.first(where: { !$0.complete }) {
            status = .missing
            let missing = partial.splits == ["train"] ? "test" : "train"
            verdict = "incomplete: \(partial.title) \(partial.versionName)'s \(missing) split is missing"
        } else {
            verdict = "holds " + holds.map(\.label).joined(separator: " and ") + ", as \(kinds)"
        }
        return ExportFolderReport(
            path: folder.path, layouts: parts.layouts, splits: splits, npz: npz, csv: csv, holds: holds, verdict: verdict, ok: status == .success,
            exitStatus: status, exitCode: status.rawValue)
    }
}

/// The split a Parquet file's name says: `train-00000-of-00001.parquet` → train; nil for other names.
func parquetSplitName(_ name: String) -> String? {
    let lowered = name.lowercased()
    for split in ["train", "test"] where lowered.hasPrefix(split + "-") || lowered == split + ".parquet" { return split }
    return nil
}
