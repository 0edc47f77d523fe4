import Foundation

extension SplitReport {
    /// `fmnist verify FILE.csv`: reads, parses and identifies the Kaggle-format CSV at `url`.
    public static func identify(url: URL, registry: ManifestRegistry) -> SplitReport {
        let split: CSVSplit
        do {
            split = try KaggleCSVFile.read(url, limits: CSVLimits(registry: registry))
        } catch let fault as CSVFault {
            return failed(url, layout: nil, fault: fault, message: fault.location.isEmpty ? fault.problem : "\(fault.location): \(fault.problem)")
        } catch let error as FileAccessError {
            return failed(url, layout: nil, message: error.problem, status: error.exitStatus)
        } catch {
            return failed(url, layout: nil, message: "\(error)")
        }
        return identify(split, url: url, registry: registry)
    }

    /// Identifies a parsed CSV split; `url` is only named (and its Kaggle name checked against the content).
    static func identify(_ split: CSVSplit, url: URL, registry: ManifestRegistry) -> SplitReport {
        let rebuilt = Rebuilt(split, url: url, layout: nil)
        guard let match = rebuilt.match(registry) else {
            let index = KnownFileIndex(registry: registry)
            func named(_ sha: String, _ size: Int) -> String {
                index.identify(payloadSHA256: sha, size: Int64(size)).map { "\($0) (\($0.version))" } ?? "match no known file"
            }
            let parts = "images: \(named(rebuilt.images, split.imagesPayload.count)); labels: \(named(rebuilt.labels, split.labelsPayload.count))"
            return rebuilt.report(
                "valid CSV of \(split.count) rows but matches no known split (\(parts)); class histogram \(split.classHistogram)",
                .integrity, nil)
        }
        if let named = KaggleCSVName(url.lastPathComponent, registry: registry),
            named.dataset != match.manifest.name || named.split != match.split
        {
            let title = (try? registry.manifest(named: named.dataset).title) ?? named.dataset
            return rebuilt.report(
                "WRONG SPLIT: named as \(title)'s \(named.split) split but holds \(match.description)", .integrity, match.identity)
        }
        return rebuilt.report("this is \(match.description), as Kaggle-format CSV", .success, match.identity)
    }
}

/// The known split (dataset, version, train or test) whose two payloads a CSV's rows rebuild.
struct CSVSplitMatch {
    let manifest: Manifest
    let version: ManifestVersion
    let split: String

    /// "Fashion-MNIST 2017-08-31's train split (images and labels)".
    var description: String { "\(manifest.title) \(version.name)'s \(split) split (images and labels)" }

    var identity: SplitReport.Identity {
        SplitReport.Identity(dataset: manifest.name, versionName: version.name, versionShortID: version.identity.short, split: split,
                             description: description)
    }

    /// Both payloads must be one version's split (a version may share one file with another).
    static func find(images: String, imagesSize: Int, labels: String, labelsSize: Int, registry: ManifestRegistry) -> CSVSplitMatch? {
        for manifest in registry.manifests {
            for version in manifest.versions {
                for (split, imageRole, labelRole) in [("train", FileRole.trainImages, FileRole.trainLabels), ("test", .testImages, .testLabels)] {
                    let i = version.file(imageRole).payload
                    let l = version.file(labelRole).payload
                    if i.sha256 == images, i.size == Int64(imagesSize), l.sha256 == labels, l.size == Int64(labelsSize) {
                        return CSVSplitMatch(manifest: manifest, version: version, split: split)
                    }
                }
            }
        }
        return nil
    }
}

/// What a Kaggle CSV file name says: `fashion-mnist_train.csv` → (fashion, train); nil for other names.
struct KaggleCSVName: Equatable {
    let dataset: String
    let split: String

    init?(_ name: String, registry: ManifestRegistry) {
        for manifest in registry.manifests {
            for split in ["train", "test"] where name == Self.fileName(manifest, split) {
                dataset = manifest.name
                self.split = split
                return
            }
        }
        return nil
    }

    /// Kaggle's name of a split's CSV: `fashion-mnist_train.csv`, `mnist_test.csv` (what `export csv` writes).
    static func fileName(_ manifest: Manifest, _ split: String) -> String { LoaderLayout.kaggleCSV(manifest, split: split) }
}

/// `fmnist verify DIR` of a folder of Kaggle-format CSVs (what `fmnist export csv DEST` writes):
/// each `*.csv` identified by content, and which dataset and version the folder holds.
public struct CSVFolderReport: Sendable, Codable {
    /// A dataset version the folder holds, with the splits found.
    public struct Holding: Sendable, Codable {
        public let dataset: String
        public let title: String
        public let versionName: String
        public let versionShortID: String
        /// "train", "test" (in that order) of those found.
        public let splits: [String]
        /// Both splits are there.
        public let complete: Bool
        /// e.g. "Fashion-MNIST 2017-08-31 (3f1a0c9be2d4)".
        var label: String { "\(title) \(versionName) (\(versionShortID))" }

        /// The versions the found splits make up, in the order first found; two splits of one
        /// version (by id: two unknown versions are both named "unknown") make it complete.
        static func collect(_ found: [FoundSplit], registry: ManifestRegistry) -> [Holding] {
            var holds: [Holding] = []
            for item in found {
                guard let manifest = try? registry.manifest(named: item.dataset) else { continue }
                let at = holds.firstIndex { $0.dataset == item.dataset && $0.versionShortID == item.id }
                let splits = Set((at.map { holds[$0].splits } ?? []) + [item.split])
                let holding = Holding(
                    dataset: item.dataset, title: manifest.title, versionName: item.version, versionShortID: item.id,
                    splits: ["train", "test"].filter(splits.contains), complete: splits.count == 2)
                if let at { holds[at] = holding } else { holds.append(holding) }
            }
            return holds
        }
    }

    /// One split a file holds: (dataset, version name, short id, train or test).
    typealias FoundSplit = (dataset: String, version: String, id: String, split: String)

    public let path: String
    public let files: [SplitReport]
    public let holds: [Holding]
    public let verdict: String
    public let ok: Bool
    public let exitStatus: ExitStatus
    public let exitCode: Int32

    /// The `*.csv` regular files in `folder` (names sorted), or nil when it holds none.
    public static func csvFiles(in folder: URL) -> [URL]? {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.lowercased().hasSuffix(".csv") }.sorted()
        return names.isEmpty ? nil : names.map { folder.appendingPathComponent($0) }
    }

    /// Identifies every file (two at a time) and says what the folder holds.
    public static func verify(folder: URL, files: [URL], registry: ManifestRegistry) -> CSVFolderReport {
        let sizes = files.map { (try? FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int64) ?? 0 }
        let reports = Array(zip(files, sizes)).parallelMap(threads: 2, cost: { $0.1 }) { SplitReport.identify(url: $0.0, registry: registry) }
        let holds = Holding.collect(reports.compactMap(\.foundSplit), registry: registry)
        var status = ExitStatus.combine(reports.map(\.exitStatus))
        let verdict: String
        if status != .success {
            verdict = "FAILED: \(reports.filter { $0.exitStatus != .success }.count) of \(reports.count) CSV files did not verify"
        } else if let partial = holds.first(where: { !$0.complete }) {
            status = .missing
            let missing = partial.splits == ["train"] ? "test" : "train"
            verdict = "incomplete: \(partial.title) \(partial.versionName)'s \(missing) split is missing "
                + "(\(registry.manifests.first { $0.name == partial.dataset }.map { KaggleCSVName.fileName($0, missing) } ?? missing))"
        } else {
            verdict = "holds " + holds.map(\.label).joined(separator: " and ")
                + ", as Kaggle-format CSV"
        }
        return CSVFolderReport(path: folder.path, files: reports, holds: holds, verdict: verdict, ok: status == .success,
                               exitStatus: status, exitCode: status.rawValue)
    }
}
