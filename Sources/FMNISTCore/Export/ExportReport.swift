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
    var files = 0
    var bytes: Int64 = 0
    var notes: [String] = []
    var usage: [String] = []
    var path = ""

    func placed(_ file: ExportFile) {
        files += 1
        bytes += file.size
    }

    func placed(bytes count: Int) {
        files += 1
        bytes += Int64(count)
    }
}

/// What every layout writer does for one dataset.
protocol DatasetExporter: Sendable {
    /// Paths relative to DEST that this export (re)places for the dataset; checked before anything
    /// is written (a symlink among them or their parents is refused; an existing one needs --force).
    func plannedPaths(_ source: ExportSource) -> [String]
    /// Writes the dataset into DEST.
    func export(_ source: ExportSource, into dest: ExportDirectory, force: Bool, tally: ExportTally) throws
}
