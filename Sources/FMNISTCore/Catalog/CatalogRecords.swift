import FMNISTTraining
import Foundation

/// Where a version's bytes came from when it was first recorded.
public enum VersionSource: String, Sendable, Codable {
    case fetch
    case `import`
    /// Rebuilt from verified files found in the workspace after the catalog lost it.
    case recovered
}

/// How a version no manifest knows got into the catalog (migration 6, `versions.admitted`), so
/// that messages say what really happened instead of guessing a flag.
public enum UnknownAdmission: String, Sendable, Codable, Equatable {
    /// `fetch --accept-unknown` or `import --accept-unknown`.
    case acceptUnknown = "accept_unknown"
    /// `fetch --locked`: a lock file pinned it (no flag needed).
    case lock
    /// Recorded again from its verified version directory after the catalog lost it.
    case recovered

    /// Why an unknown version is here, for messages: "accepted as unknown on request", …; nil
    /// (a catalog from before migration 6 did not record it): "recorded as unknown".
    public static func phrase(_ admission: UnknownAdmission?) -> String {
        switch admission {
        case .acceptUnknown?: return "accepted as unknown on request"
        case .lock?: return "pinned by a lock file, which admitted it"
        case .recovered?: return "recorded again from its verified files after the catalog was lost"
        case nil: return "recorded as unknown (how it was admitted was not recorded)"
        }
    }

    /// For an unknown version, one line saying so and how it got here
    /// ("matches no manifest (pinned by a lock file …)"); nil for a known version.
    public static func note(known: Bool, admitted: UnknownAdmission?) -> String? {
        known ? nil : "matches no manifest (\(phrase(admitted)))"
    }
}

/// A dataset version recorded in the catalog.
public struct CatalogVersion: Sendable, Codable, Equatable {
    /// Full 64-hex version identity (see ``VersionIdentity``).
    public let id: String
    /// The first 12 hex digits, as shown to people.
    public let shortID: String
    /// Dataset short name, e.g. "fashion".
    public let dataset: String
    /// The manifest's name for the version (e.g. "2017-08-31"), or "unknown".
    public let name: String
    /// Whether a manifest knows this version; how an unknown one got here is `admitted`.
    public let known: Bool
    public let source: VersionSource
    public let firstSeen: Date
    /// How an unknown version was admitted (nil for a known version, or when not recorded).
    public let admitted: UnknownAdmission?

    public init(
        id: String, dataset: String, name: String, known: Bool, source: VersionSource, firstSeen: Date,
        admitted: UnknownAdmission? = nil
    ) {
        self.id = id
        self.shortID = String(id.prefix(12))
        self.dataset = dataset
        self.name = name
        self.known = known
        self.source = source
        self.firstSeen = firstSeen
        self.admitted = known ? nil : admitted
    }

    /// For an unknown version, one line saying so and how it got here; nil for a known version.
    public var unknownNote: String? { UnknownAdmission.note(known: known, admitted: admitted) }

    public var identity: VersionIdentity { VersionIdentity(full: id) }

    /// e.g. "2017-08-31 (3f1a0c9be2d4)" or "UNKNOWN (3f1a0c9be2d4)": unknown versions are flagged.
    public var label: String { identity.label(knownAs: known ? name : nil) }
}

/// One file of a recorded version: both digests, sizes and IDX shape.
public struct CatalogFile: Sendable, Codable, Equatable {
    public let role: FileRole
    /// File name in the live folder, e.g. `train-images-idx3-ubyte.gz`.
    public let name: String
    public let containerSize: Int64
    public let containerMD5: String
    public let containerSHA256: String
    public let payloadSize: Int64
    public let payloadSHA256: String
    public let idx: IDXShape

    public init(
        role: FileRole, name: String, containerSize: Int64, containerMD5: String, containerSHA256: String,
        payloadSize: Int64, payloadSHA256: String, idx: IDXShape
    ) {
        self.role = role
        self.name = name
        self.containerSize = containerSize
        self.containerMD5 = containerMD5
        self.containerSHA256 = containerSHA256
        self.payloadSize = payloadSize
        self.payloadSHA256 = payloadSHA256
        self.idx = idx
    }

    /// The file as a manifest pins it.
    public init(_ file: ManifestFile) {
        self.init(
            role: file.role, name: file.name, containerSize: file.container.size, containerMD5: file.container.md5,
            containerSHA256: file.container.sha256, payloadSize: file.payload.size, payloadSHA256: file.payload.sha256,
            idx: file.idx)
    }

    /// The file as measured from its bytes.
    public init(role: FileRole, name: String, measurement m: FileMeasurement) {
        self.init(
            role: role, name: name, containerSize: m.containerSize, containerMD5: m.containerMD5,
            containerSHA256: m.containerSHA256, payloadSize: m.payloadSize, payloadSHA256: m.payloadSHA256,
            idx: IDXShape(dims: m.idxDims))
    }
}

/// Where one file of a version was fetched from.
public struct FileProvenance: Sendable, Codable, Equatable {
    public let role: FileRole
    public let containerSHA256: String
    /// The full URL the bytes came from (a mirror base plus the file name).
    public let mirrorURL: String
    public let httpStatus: Int?
    public let etag: String?
    public let lastModified: String?
    /// Bytes transferred by this fetch (not counting the resumed prefix).
    public let bytesTransferred: Int64
    /// Offset the download resumed from (0 for a fresh download).
    public let resumedFrom: Int64
    /// Seconds the transfer took.
    public let duration: Double
    public let time: Date

    public init(
        role: FileRole, containerSHA256: String, mirrorURL: String, httpStatus: Int?, etag: String?, lastModified: String?,
        bytesTransferred: Int64, resumedFrom: Int64 = 0, duration: Double, time: Date = Date()
    ) {
        self.role = role
        self.containerSHA256 = containerSHA256
        self.mirrorURL = RedactedURL.redact(mirrorURL)  // the catalog never holds a credential
        self.httpStatus = httpStatus
        self.etag = etag
        self.lastModified = lastModified
        self.bytesTransferred = bytesTransferred
        self.resumedFrom = resumedFrom
        self.duration = duration
        self.time = time
    }
}

/// What kind of thing happened.
public enum EventKind: String, Sendable, Codable, CaseIterable {
    case fetch
    case verify
    case `switch`
    case smokeTrain = "smoke-train"
    case `import`
}

/// Whether it worked.
public enum EventResult: String, Sendable, Codable {
    case ok
    case failed
}

/// One line of the catalog's history (`fmnist log`).
public struct CatalogEvent: Sendable, Codable, Equatable {
    public let id: Int64
    public let kind: EventKind
    public let dataset: String?
    public let versionID: String?
    public let result: EventResult
    /// A JSON object with kind-specific details.
    public let details: JSONValue
    public let time: Date
}

/// One link flipped by a switch.
public struct SwitchRecord: Sendable, Codable, Equatable {
    public let id: Int64
    public let eventID: Int64
    public let dataset: String
    public let versionID: String
    /// Absolute path of the link.
    public let linkPath: String
    /// What the link now points to, as written into the symlink.
    public let target: String
    public let time: Date
}

/// A smoke-train run of a version. The figures of a diverged run (stored as +infinity) are written as `null`.
public struct SmokeTrainRecord: Sendable, Codable, Equatable {
    public let id: Int64
    public let dataset: String
    public let versionID: String
    @FiniteOrNull public private(set) var accuracy: Double
    @FiniteOrNull public private(set) var loss: Double
    @FiniteOrNull public private(set) var imagesPerSecond: Double
    public let epochs: Int
    /// e.g. "pass" or "fail: accuracy 0.41 below 0.80".
    public let verdict: String
    /// The full run report as JSON.
    public let report: JSONValue
    public let time: Date
}

/// Which version of a dataset is placed in its live folder.
public struct LiveVersion: Sendable, Codable, Equatable {
    public let dataset: String
    public let versionID: String
    public let placedAt: Date
}

/// The last verification of a version (any fetch, import, verify or deep switch that checked it).
public struct VerificationStamp: Sendable, Codable, Equatable {
    public let kind: EventKind
    public let result: EventResult
    public let time: Date
}

extension ManifestFile {
    /// The file as the catalog records it (what `fmnist.lock` and a published mirror's index pin).
    public init(_ file: CatalogFile) {
        self.init(
            role: file.role, name: file.name,
            container: ContainerDigests(size: file.containerSize, md5: file.containerMD5, sha256: file.containerSHA256),
            payload: PayloadDigests(size: file.payloadSize, sha256: file.payloadSHA256), idx: file.idx)
    }
}
