/// What `fmnist export` wrote for one dataset.
public struct ExportedDataset: Sendable, Codable {
    public let dataset: String
    public let title: String
    public let versionID: String
    public let versionShortID: String
    public let versionName: String
    /// The folder or file a loader is pointed at (absolute).
    public let path: String
    /// Files written (renamed into place).
    public let files: Int
    public let bytes: Int64
    /// Warnings and remarks (e.g. a stale torchvision `processed/` folder).
    public let notes: [String]
    /// How to load it: one line per framework call.
    public let usage: [String]
    /// The export's provenance file (``ExportProvenance``), absolute; nil when it was not written.
    public let provenance: String?
}

/// A dataset that was asked for (or present) but not written, and why.
public struct SkippedDataset: Sendable, Codable {
    public let dataset: String
    public let reason: String
}

/// The result of `fmnist export`.
public struct ExportResult: Sendable, Codable {
    public let layout: ExportLayout
    public let destination: String
    public let datasets: [ExportedDataset]
    public let skipped: [SkippedDataset]
    public let seconds: Double
    public let ok: Bool
    public let exitStatus: ExitStatus
    public let exitCode: Int32
}

/// Counts what a layout writer placed, and collects its notes and usage lines.
final class ExportTally {
    /// One file written: its path relative to ``base``, size and SHA-256.
    struct Written: Sendable {
        let path: String
        let size: Int64
        let sha256: String
    }

    var files = 0
    var bytes: Int64 = 0
    var notes: [String] = []
    var usage: [String] = []
    var path = ""
    /// The folder that the recorded paths are relative to (the part, or the folder of a files part).
    var base = ""
    var written: [Written] = []

    func placed(_ file: ExportFile) { placed(Self.entry(file, base: base)) }

    /// Counts a file that a worker thread wrote and committed (see ``entry(_:base:)``).
    func placed(_ file: Written) {
        files += 1
        bytes += file.size
        written.append(file)
    }

    /// What a committed file adds to the tally whose ``base`` is `base`.
    static func entry(_ file: ExportFile, base: String) -> Written {
        let prefix = base + "/"
        let relative = file.path.hasPrefix(prefix) ? String(file.path.dropFirst(prefix.count)) : file.path
        return Written(path: relative, size: file.size, sha256: file.sha256 ?? "")
    }
}

/// What one dataset's export occupies in DEST, replaced as a whole: a folder of its own (written
/// in a staging folder beside it, then exchanged with the old one), or files straight in a folder
/// shared with other datasets and tools (each written to a temporary and renamed over the old one).
package struct ExportPart: Equatable {
    enum Shape: Equatable {
        /// The dataset's own folder, e.g. `FashionMNIST`.
        case folder(String)
        /// Files of this dataset in the shared folder, e.g. `fashion.npz`.
        case files([String])
    }

    /// Folders from DEST to the part's folder (`["datasets"]` for keras), created as needed.
    let parent: [String]
    let shape: Shape
}

/// Where a layout writer writes one dataset: the part's staging folder (files committed at once;
/// the folder is swapped in later) or, for a files part, the shared folder (files staged, then
/// committed together with the provenance file by ``ExportService``).
package final class ExportTarget {
    /// The folder to write in; its `path` is the final path, for messages and usage lines.
    let directory: ExportDirectory
    /// DEST, as given (absolute), for usage lines.
    let destination: String
    let tally: ExportTally
    /// True for a files part: files wait in ``staged`` for the service to commit them.
    let defersCommit: Bool
    /// Worker threads the writer may format and encode on (its output is the same for any count).
    let threads: Int
    private(set) var staged: [ExportFile] = []

    init(directory: ExportDirectory, destination: String, tally: ExportTally, defersCommit: Bool, threads: Int = 1) {
        self.directory = directory
        self.destination = destination
        self.tally = tally
        self.defersCommit = defersCommit
        self.threads = max(1, threads)
        tally.base = directory.path
    }

    /// Whether a file may replace one of the same name: in a files part (checked before anything
    /// was written); never in a fresh staging folder.
    var replacing: Bool { defersCommit }

    /// Places a written file: committed now and counted, or staged until the service commits
    /// (and counts) the part's files together.
    func place(_ file: ExportFile) throws {
        if defersCommit {
            staged.append(file)
        } else {
            try file.commit()
            tally.placed(file)
        }
    }

    /// Commits the staged files in order, counting each (a files part, after its provenance was staged).
    func commitStaged() throws {
        let files = staged
        staged = []
        for (index, file) in files.enumerated() {
            do {
                try file.commit()
            } catch {
                files[(index + 1)...].forEach { $0.abandon() }
                throw error
            }
            tally.placed(file)
        }
    }

    /// Places files written together (each proved before any is placed).
    func placeAll(_ files: [ExportFile]) throws {
        for file in files { try place(file) }
    }

    /// Writes `bytes` as `name` in `folder` and places it.
    func write(_ name: String, _ bytes: [UInt8], in folder: ExportDirectory) throws {
        let file = try folder.create(name, replacing: replacing, bufferSize: 0)
        do {
            try file.write(bytes)
            try place(file)
        } catch {
            file.abandon()
            throw error
        }
    }

    /// The staged files as the provenance lists them (hashes finished: nothing more is written).
    func stagedWritten() -> [ExportTally.Written] {
        let prefix = directory.path + "/"
        return staged.map { file in
            let relative = file.path.hasPrefix(prefix) ? String(file.path.dropFirst(prefix.count)) : file.path
            return ExportTally.Written(path: relative, size: file.size, sha256: file.digest() ?? "")
        }
    }

    /// Abandons the staged files (their temporaries are removed; nothing was replaced).
    func abandonStaged() {
        staged.forEach { $0.abandon() }
        staged = []
    }
}

/// What every layout writer does for one dataset.
package protocol DatasetExporter: Sendable {
    /// What the dataset's export occupies in DEST (replaced as a whole by the next export); the
    /// shape and folder depend on the dataset alone, a file name may depend on the source.
    func part(manifest: Manifest) -> ExportPart
    func part(_ source: ExportSource) -> ExportPart
    /// Folders of the part whose files the provenance sums up instead of listing (png's splits).
    var summarizedFolders: [String] { get }
    /// Writes the dataset into the target.
    func export(_ source: ExportSource, into target: ExportTarget) throws
}

extension DatasetExporter {
    package var summarizedFolders: [String] { [] }
    package func part(_ source: ExportSource) -> ExportPart { part(manifest: source.manifest) }
}
