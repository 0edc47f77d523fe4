import Foundation

/// Why one mirror was not used for a file.
public struct MirrorSkip: Sendable, Codable, Equatable, CustomStringConvertible {
    /// The file URL tried (mirror base + file name).
    public let url: String
    /// A short machine-readable reason, e.g. `http_404`, `html_page`, `wrong_file`, `unknown_content`,
    /// `timeout`, `redirect_refused`, `offline`.
    public let code: SkipCode
    /// What happened, phrased to follow "mirror URL …", e.g. "served MNIST's t10k-images for Fashion-MNIST".
    public let reason: String
    /// Requests made to this mirror for the file.
    public let attempts: Int
    /// With `unreachable`: the host's name could not be resolved (not in `--json`, which says it
    /// in `reason`). The diagnosis reads this, never the words of `reason`.
    public private(set) var hostNotFound = false

    private enum CodingKeys: String, CodingKey { case url, code, reason, attempts }

    public init(url: String, code: SkipCode, reason: String, attempts: Int, hostNotFound: Bool = false) {
        self.url = RedactedURL.redact(url)
        self.code = code
        self.reason = RedactedURL.redact(reason)
        self.attempts = attempts
        self.hostNotFound = hostNotFound
    }

    /// e.g. "mirror http://host/t10k-images-idx3-ubyte.gz answered HTTP 404 Not Found".
    public var description: String { "mirror \(url) \(reason)" }
}

/// What happened to one file in a fetch.
public enum FileFetchStatus: String, Sendable, Codable {
    /// Transferred (possibly resumed) and verified.
    case downloaded
    /// The live file was already present and verified: nothing transferred.
    case present
    /// Taken from the workspace's store or a complete partial download: nothing transferred.
    case reused
    /// Every mirror failed.
    case failed
}

/// One file's line in a fetch report.
public struct FileFetchReport: Sendable, Codable {
    public let dataset: String
    public let role: FileRole
    public let name: String
    public let status: FileFetchStatus
    /// The URL the bytes came from (nil when nothing was transferred or everything failed).
    public let mirror: String?
    /// Mirrors tried before (or instead of) the one used, and why each was skipped.
    public let skipped: [MirrorSkip]
    /// Bytes transferred for this file in this run, over all attempts and mirrors.
    public let bytesDownloaded: Int64
    /// The offset the successful transfer resumed from (0 for a fresh download).
    public let resumedFrom: Int64
    /// Wall time spent on this file, in seconds.
    public let seconds: Double
    /// The verification verdict of the bytes kept (nil when the file failed).
    public let verdict: FileStatus?
    /// One human sentence about the file.
    public let message: String
    /// Extra observations, e.g. "same data, different container".
    public let notes: [String]
    /// HTTP status, ETag and Last-Modified of the transfer kept (absent for file:// and reused files).
    public let httpStatus: Int?
    public let etag: String?
    public let lastModified: String?
    /// Sizes and digests of the bytes kept.
    public let measurement: FileMeasurement?

    public init(
        dataset: String, role: FileRole, name: String, status: FileFetchStatus, mirror: String?, skipped: [MirrorSkip],
        bytesDownloaded: Int64, resumedFrom: Int64, seconds: Double, verdict: FileStatus?, message: String, notes: [String],
        httpStatus: Int?, etag: String?, lastModified: String?, measurement: FileMeasurement?
    ) {
        self.dataset = dataset
        self.role = role
        self.name = name
        self.status = status
        self.mirror = mirror.map(RedactedURL.redact)
        self.skipped = skipped
        self.bytesDownloaded = bytesDownloaded
        self.resumedFrom = resumedFrom
        self.seconds = seconds
        self.verdict = verdict
        self.message = message
        self.notes = notes
        self.httpStatus = httpStatus
        self.etag = etag
        self.lastModified = lastModified
        self.measurement = measurement
    }
}

/// What happened to one dataset in a fetch.
public enum DatasetFetchStatus: String, Sendable, Codable {
    /// Already present and verified: nothing transferred.
    case present
    /// Fetched (or completed from local copies), verified, stored and placed live.
    case fetched
    /// At least one file could not be fetched: nothing placed.
    case failed
    /// Valid data that matches no known version, refused without `--accept-unknown`: nothing placed.
    case unknownRefused = "unknown_refused"
    /// `fetch --locked`: the mirrors served something other than the version the lock pins: nothing placed (exit 3).
    case notPinned = "not_pinned"
    /// Stopped by Ctrl-C or SIGTERM before its files were complete: nothing placed, partial files kept.
    case interrupted
}

/// A partial download kept when a fetch was interrupted; the next run resumes it.
public struct KeptPartial: Sendable, Codable, Equatable {
    public let dataset: String
    public let name: String
    /// The `.part` file.
    public let path: String
    /// Bytes held (already verified as a prefix of the file as they arrived).
    public let bytes: Int64
    /// The published file's size.
    public let expectedBytes: Int64
}

/// The fetch of one dataset.
public struct DatasetFetchReport: Sendable, Codable {
    public let dataset: String
    public let title: String
    public let status: DatasetFetchStatus
    /// One human sentence, e.g. "Fashion-MNIST 2017-08-31 (3f1a0c9be2d4): fetched and verified, 4 files".
    public let message: String
    /// The mirrors that were tried, and where that list came from.
    public let mirrors: MirrorList
    public let versionID: String?
    public let versionShortID: String?
    /// The manifest's name for the version, or "unknown".
    public let versionName: String?
    /// The live folder.
    public let path: String
    public let files: [FileFetchReport]
    /// The dataset's exit status, its artifacts' included.
    public var exitStatus: ExitStatus
    /// The artifacts `--artifact` asked for (keras's `mnist.npz`), each proven, cross-checked and stored, or why not.
    public var artifacts: [ArtifactFetchReport] = []
    /// Whether the fetched version is live (`data/<dataset>` shows it); false when another version
    /// of the dataset was live and stays so.
    public var activated: Bool = true
    /// When not activated: the exact command that makes the fetched version live.
    public var activateCommand: String? = nil
    /// Files found damaged (in the store or the version directory) and restored from verified bytes.
    public var repaired: [String] = []
}

/// The `--json` result of `fmnist fetch`.
public struct FetchReport: Sendable, Codable {
    public let datasets: [DatasetFetchReport]
    /// Bytes transferred in this run, all files together.
    public let bytesDownloaded: Int64
    public let seconds: Double
    /// Whether every dataset is present and verified.
    public let ok: Bool
    /// The process exit status: the worst of the datasets' (fetch failures before unknown content).
    public let exitStatus: ExitStatus
    /// The same, as the number the process exits with.
    public let exitCode: Int32
    /// True when Ctrl-C (SIGINT) or SIGTERM stopped the fetch: nothing was placed, partial files were kept.
    public let interrupted: Bool
    /// The partial downloads kept (when interrupted).
    public let kept: [KeptPartial]
    /// The command that resumes (when interrupted).
    public let resumeCommand: String?
    /// The dataset `data/current` was created for: set when the workspace had no `data/current`
    /// and this fetch left a dataset live (Fashion-MNIST first when both are); nil when
    /// `data/current` was already there (it is never changed by a fetch) or nothing is live.
    public var currentCreated: String? = nil
    /// The path of the `data/current` link created (with `currentCreated`).
    public var currentLinkPath: String? = nil

    public init(
        datasets: [DatasetFetchReport], bytesDownloaded: Int64, seconds: Double, exitStatus: ExitStatus, kept: [KeptPartial] = [],
        resumeCommand: String? = nil
    ) {
        self.interrupted = exitStatus == .interrupted
        self.kept = kept
        self.resumeCommand = resumeCommand
        self.datasets = datasets
        self.bytesDownloaded = bytesDownloaded
        self.seconds = seconds
        self.ok = exitStatus == .success
        self.exitStatus = exitStatus
        self.exitCode = exitStatus.rawValue
    }
}

/// A progress or status event of a running fetch, for displays.
public enum FetchEvent: Sendable {
    /// Another process holds the workspace lock (the message names it).
    case waitingForLock(message: String)
    /// A dataset is already present and verified: nothing will be transferred.
    case present(dataset: String, message: String)
    /// A transfer of a file starts (`offset` > 0 when it resumes).
    case started(FileTarget, url: String, offset: Int64)
    /// Bytes held for a file so far (including a resumed prefix), throttled to a few per second.
    case progress(FileTarget, bytes: Int64, total: Int64?, bytesPerSecond: Double, url: String)
    /// A transient failure; the same mirror is tried again after `delay` seconds.
    case retrying(FileTarget, url: String, reason: String, delay: Double, attempt: Int)
    /// The partial bytes held for a file were dropped and the download starts over.
    case restarted(FileTarget, url: String, reason: String)
    /// A mirror was given up for a file.
    case skipped(FileTarget, MirrorSkip)
    /// A file is done (verified or failed).
    case finished(FileTarget, FileFetchReport)
    /// A dataset's outcome is known.
    case datasetDone(DatasetFetchReport)
}

/// One file a fetch wants: which dataset and role, its name, and the expected size.
public struct FileTarget: Sendable, Hashable, Codable {
    public let dataset: String
    public let datasetTitle: String
    public let role: FileRole
    public let name: String
    /// The published container size of the default version.
    public let expectedSize: Int64

    /// e.g. "fashion/t10k-images-idx3-ubyte.gz".
    public var label: String { "\(dataset)/\(name)" }
}
