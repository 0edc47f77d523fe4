import Foundation
/// The outcome of checking one file against what a dataset expects.
public enum FileStatus: String, Sendable, Codable {
    /// Byte-identical to the published file.
    case ok
    /// Same payload, different gzip container: valid ("same data, different container").
    case recompressed
    /// Not present.
    case missing
    /// Not a valid file: see the fault.
    case corrupt
    /// Valid, but it is a different known file (another dataset, or another role).
    case wrongFile = "wrong_file"
    /// A valid IDX file that matches no known version.
    case unknown
    /// Valid and matching a version the user accepted as unknown earlier (recorded in the catalog).
    case acceptedUnknown = "accepted_unknown"

    /// Whether this status counts as verified.
    public var isValid: Bool { self == .ok || self == .recompressed || self == .acceptedUnknown }
}

/// One file's line in a verify report.
public struct FileReport: Sendable, Codable {
    public let role: FileRole
    public let name: String
    public let path: String
    public let status: FileStatus
    /// One human sentence: "ok", or what is wrong.
    public let message: String
    /// What the bytes really are, when recognised (e.g. "MNIST's t10k-images").
    public let identifiedAs: String?
    /// What was measured (absent when the file is missing).
    public let measurement: FileMeasurement?
    /// Extra observations, e.g. "same data, different container".
    public let notes: [String]
}

/// The verification of one dataset folder.
public struct DatasetReport: Sendable, Codable {
    /// The dataset the folder was expected to hold.
    public let dataset: String
    public let title: String
    public let path: String
    public let files: [FileReport]
    /// Version identity from the four payload digests, when all four are valid.
    public let versionID: String?
    public let versionShortID: String?
    /// The manifest's name for the version ("2017-08-31"), or "unknown".
    public let versionName: String?
    public let verdict: String
    public let exitStatus: ExitStatus

    public var isValid: Bool { exitStatus == .success }
}

extension FileReport {
    /// The same report for the same file name in another folder (a staging copy reported at its source).
    func relocated(to directory: URL) -> FileReport { relocated(toPath: directory.appendingPathComponent(name).path) }

    /// The same report at another path (a staged `.gz` reported at the file it was made from).
    func relocated(toPath path: String) -> FileReport {
        FileReport(
            role: role, name: name, path: path, status: status, message: message, identifiedAs: identifiedAs,
            measurement: measurement, notes: notes)
    }
}

extension DatasetReport {
    /// The same report as seen at another folder (a live link resolved once, reported at its live path).
    func relocated(to directory: URL) -> DatasetReport {
        DatasetReport(
            dataset: dataset, title: title, path: directory.path, files: files.map { $0.relocated(to: directory) },
            versionID: versionID, versionShortID: versionShortID, versionName: versionName,
            verdict: verdict.replacingOccurrences(of: path, with: directory.path), exitStatus: exitStatus)
    }
}
