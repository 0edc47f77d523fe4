import Foundation

/// What a class label means, e.g. `0 = T-shirt/top`.
public struct ClassLabel: Sendable, Codable, Equatable, CustomStringConvertible {
    public let label: Int
    public let name: String

    /// The labels of a dataset, in order.
    public static func of(_ manifest: Manifest) -> [ClassLabel] {
        manifest.classes.enumerated().map { ClassLabel(label: $0.offset, name: $0.element) }
    }

    public var description: String { "\(label) = \(name)" }
}

/// A drop-in link and what it points at now.
public struct LinkState: Sendable, Codable, Equatable {
    /// Absolute path of the link.
    public let path: String
    /// The symlink's text, nil when the path is not a symlink.
    public let target: String?
    /// The dataset whose live folder it points at, if any.
    public let dataset: String?
    /// Whether it is `data/current` (false for links registered with `--link`).
    public let isDefault: Bool
    /// Why a registered link is skipped by `switch` (its folder is gone, the user replaced it…), or nil.
    public var problem: String? = nil
    /// The layout of the registered link this symlink belongs to (nil for `data/current`).
    public var layout: LinkLayout? = nil
    /// The path registered with `--link` (PATH; for a framework layout the symlink is below it), nil for `data/current`.
    public var registeredPath: String? = nil
}

/// A version as listed by `status` and `versions`; unknown versions carry `known: false` and
/// a label starting with "UNKNOWN".
public struct VersionSummary: Sendable, Codable, Equatable {
    public let id: String
    public let shortID: String
    public let dataset: String
    public let name: String
    public let known: Bool
    /// e.g. "2017-08-31 (3f1a0c9be2d4)" or "UNKNOWN (3f1a0c9be2d4)".
    public let label: String
    public let source: VersionSource
    public let firstSeen: Date
    /// How an unknown version was admitted (`accept_unknown`, `lock`, `recovered`); absent for a
    /// known version or when the catalog did not record it.
    public let admitted: UnknownAdmission?
    /// For an unknown version: "matches no manifest (…how it got here…)"; nil when known.
    public var unknownNote: String? { UnknownAdmission.note(known: known, admitted: admitted) }

    public init(_ version: CatalogVersion) {
        id = version.id
        shortID = version.shortID
        dataset = version.dataset
        name = version.name
        known = version.known
        label = version.label
        source = version.source
        firstSeen = version.firstSeen
        admitted = version.admitted
    }
}

/// One link flipped by a switch.
public struct FlippedLink: Sendable, Codable, Equatable {
    public let path: String
    /// The new symlink text.
    public let target: String
    /// The symlink text before, nil when the link did not exist.
    public let previousTarget: String?
    /// The layout of the registered link it belongs to (nil for `data/current`).
    public var layout: LinkLayout? = nil
    /// The path registered with `--link`, nil for `data/current`.
    public var registeredPath: String? = nil
}

/// The outcome of `fmnist switch DATASET`.
public struct SwitchResult: Sendable, Codable {
    public let dataset: String
    public let title: String
    public let version: VersionSummary
    /// "fast" (sizes and recorded digests) or "deep" (full re-hash).
    public let verification: String
    /// How each live file was placed, by name.
    public let placement: [String: PlacementMethod]
    public let links: [FlippedLink]
    /// What the labels of the new dataset mean.
    public let classes: [ClassLabel]
    /// The dataset `data/current` pointed at before, if any.
    public let previousDataset: String?
    /// The dataset's live version before the switch, when it was another one.
    public let previousVersionID: String?
    /// Whether `data/<dataset>` changed (another version of the dataset is now live).
    public let liveFolderChanged: Bool
    /// Files found damaged and restored from a verified copy before switching.
    public let restored: [String]
    /// Registered links that were skipped, and why.
    public let warnings: [String]
}

/// What is active (`fmnist switch` without an argument).
public struct ActiveState: Sendable, Codable {
    /// The dataset `data/current` points at, nil when none.
    public let dataset: String?
    public let title: String?
    /// The version placed in that dataset's live folder.
    public let version: VersionSummary?
    public let classes: [ClassLabel]
    /// `data/current` first, then every registered link.
    public let links: [LinkState]
}

/// One dataset's line in `fmnist status`.
public struct DatasetStatus: Sendable, Codable {
    public let dataset: String
    public let title: String
    /// Whether the live folder holds all four files of its recorded version.
    public let present: Bool
    /// The version in the live folder.
    public let version: VersionSummary?
    /// How many versions the store keeps.
    public let versionsKept: Int
    /// The last time this version was checked, and the result.
    public let lastVerified: Date?
    public let lastVerifyResult: EventResult?
    /// Links that point at this dataset's live folder.
    public let activeLinks: [String]
    /// Whether `data/current` points here.
    public let active: Bool
    /// Live folder path.
    public let path: String
    /// Files in the live folder that no recorded version accounts for (copied in by hand):
    /// `fmnist verify` checks them, `fmnist import` records them.
    public let unrecordedFiles: [String]
    /// The live version's last smoke-train (absent when it was never trained).
    public var lastSmokeTrain: SmokeTrainStamp? = nil
}

/// `fmnist status`.
public struct WorkspaceStatus: Sendable, Codable {
    public let root: String
    /// Whether a catalog exists yet.
    public let catalogExists: Bool
    public let datasets: [DatasetStatus]
    public let links: [LinkState]
    /// The process holding the workspace lock now, if any.
    public let lockHolder: LockHolder?
}

/// One version's line in `fmnist versions`.
public struct VersionListing: Sendable, Codable {
    public let version: VersionSummary
    /// Whether it is the version in the dataset's live folder.
    public let live: Bool
    /// Whether `data/current` points at its dataset while it is live.
    public let active: Bool
    /// Whether the store holds all four files (a switch to it needs no download).
    public let stored: Bool
    public let lastVerified: Date?
    public let lastVerifyResult: EventResult?
    public let files: [CatalogFile]
    /// The version's last smoke-train (absent when it was never trained).
    public var lastSmokeTrain: SmokeTrainStamp? = nil
}
