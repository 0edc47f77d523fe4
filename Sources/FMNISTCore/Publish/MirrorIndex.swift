import Foundation

/// The layout of a tree `fmnist publish` writes, and its index (`fmnist-mirror.json` at the root).
///
/// Each version lives in its own folder, `<dataset>/<version-id>/`, holding its four `.gz` under
/// the names its catalog record (and so every lock and manifest) gives them. That folder is a
/// complete fmnist mirror base for the version: `fetch` asks a mirror for `BASE + file name`, so
/// `https://team.example/fmnist/fashion/9156…c46/` works as `--mirror`, in a manifest, or in
/// `fmnist.lock` (`lock --mirror https://team.example/fmnist/` records exactly it). The full
/// 64-hex id is used, not the name: it never changes meaning, and unknown versions have no name.
///
/// ```json
/// {
///   "datasets" : [ { "dataset" : "fashion",
///                    "versions" : [ { "files" : [ … as in fmnist.lock … ], "known" : true, "name" : "2017-08-31",
///                                     "path" : "fashion/915659908dce…/", "version_id" : "915659908dce…" } ] } ],
///   "format" : "fmnist-mirror",
///   "index_version" : 1
/// }
/// ```
///
/// Each version's folder is ``PublishedTree/folder(dataset:versionID:)``.
///
/// ```swift
/// let index = MirrorIndex.merged(previous: MirrorIndex.parse(old), published: versions)
/// let text = try index.text()   // sorted keys: the same versions give the same bytes
/// ```
public struct MirrorIndex: Sendable, Codable, Equatable {
    public static let formatName = "fmnist-mirror"
    public static let currentVersion = 1
    /// The index's name at the root of a published tree.
    public static let fileName = "fmnist-mirror.json"
    /// The largest index read back (thousands of versions fit in a few MB).
    public static let maxBytes = 16 << 20

    public let format: String
    public let indexVersion: Int
    /// Sorted by dataset name; each dataset's versions sorted by id.
    public let datasets: [MirrorIndexDataset]

    public init(versions: [MirrorIndexVersion]) {
        format = Self.formatName
        indexVersion = Self.currentVersion
        var byDataset: [String: [MirrorIndexVersion]] = [:]
        for version in versions { byDataset[version.dataset, default: []].append(version) }
        datasets = byDataset.keys.sorted().map { name in
            MirrorIndexDataset(dataset: name, versions: byDataset[name]!.sorted { $0.versionId < $1.versionId })
        }
    }

    /// Every version of the index, dataset by dataset.
    public var versions: [MirrorIndexVersion] { datasets.flatMap(\.versions) }

    /// The index text (sorted keys, one field per line, ends with a newline): the same versions give
    /// the same bytes, so an unchanged tree's index is not rewritten.
    public func text() throws -> String { try JSONOutput.encode(self) + "\n" }

    /// `previous`'s versions that `published` does not hold, plus `published`: what a tree holds
    /// after a publish that never deletes (a version published earlier stays, with its entry).
    public static func merged(previous: MirrorIndex?, published: [MirrorIndexVersion]) -> MirrorIndex {
        let ids = Set(published.map { "\($0.dataset)/\($0.versionId)" })
        let kept = (previous?.versions ?? []).filter { !ids.contains("\($0.dataset)/\($0.versionId)") }
        return MirrorIndex(versions: kept + published)
    }

    /// Decodes an index, or nil when the bytes are not one this fmnist writes (an index is replaced,
    /// never trusted: a kept entry is re-checked against the files present).
    public static func parse(_ data: Data) -> MirrorIndex? {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let index = try? decoder.decode(MirrorIndex.self, from: data), index.format == formatName,
            index.indexVersion == currentVersion
        else { return nil }
        for version in index.versions {
            guard ProjectLock.isHex(version.versionId, count: 64), (try? VersionStore.checkName(version.dataset)) != nil,
                version.path == PublishedTree.folder(dataset: version.dataset, versionID: version.versionId),
                version.files.map(\.role).sorted() == FileRole.allCases,
                version.files.allSatisfy({ (try? VersionStore.checkName($0.name)) != nil })
            else { return nil }
        }
        return index
    }
}

/// One dataset of a ``MirrorIndex``.
public struct MirrorIndexDataset: Sendable, Codable, Equatable {
    public let dataset: String
    public let versions: [MirrorIndexVersion]
}

/// One published version: where its folder is and what its four files are (sizes, MD5, SHA-256,
/// payload digests and IDX shape, as `fmnist.lock` pins them).
public struct MirrorIndexVersion: Sendable, Codable, Equatable {
    public let dataset: String
    /// Full 64-hex version id.
    public let versionId: String
    /// The manifest's name for it, or "unknown".
    public let name: String
    public let known: Bool
    /// ``PublishedTree/folder(dataset:versionID:)``.
    public let path: String
    /// The four files, in role order.
    public let files: [ManifestFile]

    public init(dataset: String, versionId: String, name: String, known: Bool, files: [ManifestFile]) {
        self.dataset = dataset
        self.versionId = versionId
        self.name = name
        self.known = known
        self.path = PublishedTree.folder(dataset: dataset, versionID: versionId)
        self.files = files.sorted { FileRole.allCases.firstIndex(of: $0.role)! < FileRole.allCases.firstIndex(of: $1.role)! }
    }
}
