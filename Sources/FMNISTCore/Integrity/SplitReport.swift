import Foundation

/// One split read back by content, in whichever layout holds it: a Kaggle-format CSV
/// (`fashion-mnist_train.csv`), a PNG split folder (`DEST/<dataset>/train`) or a Parquet file
/// (`DEST/<hub name>/train-00000-of-00001.parquet`). Its rows are rebuilt into the split's two IDX
/// payloads (header and bytes, as the published files decompress to) and their SHA-256 compared
/// with every manifest's pinned payload digests, so "this is Fashion-MNIST 2017-08-31's train
/// split" means exactly those bytes. `fmnist verify FILE.csv`, `verify FILE.parquet` and the
/// folder reports (``CSVFolderReport``, ``ExportFolderReport``) print it.
///
/// ```swift
/// let report = SplitReport.identify(url: URL(fileURLWithPath: "out/fashion-mnist_test.csv"), registry: registry)
/// report.identifiedAs   // "Fashion-MNIST 2017-08-31's test split (images and labels)"
/// ```
public struct SplitReport: Sendable, Codable {
    /// The file (csv, hf) or folder (png) read.
    public let path: String
    /// `png` or `hf`; absent for a Kaggle CSV.
    public let layout: String?
    /// Rows (images) read; nil when it cannot be read.
    public let rows: Int?
    /// Images per class; nil when it cannot be read.
    public let classHistogram: [Int]?
    /// SHA-256 of the rebuilt IDX payloads (what the published `.gz` files decompress to).
    public let imagesPayloadSHA256: String?
    public let labelsPayloadSHA256: String?
    /// The known split these rows are, when both payloads match one version's.
    public let dataset: String?
    public let versionName: String?
    /// The version's 12-digit ID (of all four files; a split holds two of them).
    public let versionShortID: String?
    /// "train" or "test", by content.
    public let split: String?
    /// e.g. "Fashion-MNIST 2017-08-31's train split (images and labels)".
    public let identifiedAs: String?
    /// A CSV: where it is malformed (line, column, problem), when it is.
    public let fault: CSVFault?
    /// PNG or Parquet: where it fails, a file (`train/3/17.png`) or a row (`row 17`, from 0).
    public let at: String?
    public let message: String
    public let exitStatus: ExitStatus

    /// The known split this is, when it verified.
    var foundSplit: CSVFolderReport.FoundSplit? {
        guard exitStatus == .success, let dataset, let versionName, let versionShortID, let split else { return nil }
        return (dataset, versionName, versionShortID, split)
    }

    /// A split that could not be read: only where and why.
    static func failed(
        _ url: URL, layout: String?, fault: CSVFault? = nil, at: String? = nil, message: String, status: ExitStatus = .integrity
    ) -> SplitReport {
        SplitReport(
            path: url.path, layout: layout, rows: nil, classHistogram: nil, imagesPayloadSHA256: nil, labelsPayloadSHA256: nil,
            dataset: nil, versionName: nil, versionShortID: nil, split: nil, identifiedAs: nil, fault: fault, at: at, message: message,
            exitStatus: status)
    }

    /// The payloads a split was rebuilt into, with their digests, and the known split they are.
    struct Rebuilt {
        let url: URL
        let layout: String?
        let split: CSVSplit
        let images: String
        let labels: String

        init(_ split: CSVSplit, url: URL, layout: String?) {
            self.url = url
            self.layout = layout
            self.split = split
            images = MessageDigest.sha256(split.imagesPayload)
            labels = MessageDigest.sha256(split.labelsPayload)
        }

        /// The manifests' split with both payloads, if any.
        func match(_ registry: ManifestRegistry) -> CSVSplitMatch? {
            CSVSplitMatch.find(images: images, imagesSize: split.imagesPayload.count, labels: labels, labelsSize: split.labelsPayload.count,
                               registry: registry)
        }

        /// The split of a version no manifest knows that `workspace` recorded with both payloads, if any.
        func recorded(_ registry: ManifestRegistry, workspace: WorkspaceLayout?) -> RecordedSplitMatch? {
            RecordedSplitMatch.find(images: images, imagesSize: split.imagesPayload.count, labels: labels,
                                    labelsSize: split.labelsPayload.count, registry: registry, workspace: workspace)
        }

        /// The report of these rows: `identity` names the split they are, when one is known.
        func report(_ message: String, _ status: ExitStatus, _ identity: Identity?, at: String? = nil) -> SplitReport {
            SplitReport(
                path: url.path, layout: layout, rows: split.count, classHistogram: split.classHistogram, imagesPayloadSHA256: images,
                labelsPayloadSHA256: labels, dataset: identity?.dataset, versionName: identity?.versionName,
                versionShortID: identity?.versionShortID, split: identity?.split, identifiedAs: identity?.description, fault: nil, at: at,
                message: message, exitStatus: status)
        }
    }

    /// The known split rebuilt rows are: a manifest's (``CSVSplitMatch``) or one the workspace
    /// recorded (``RecordedSplitMatch``).
    struct Identity {
        let dataset: String
        let versionName: String
        let versionShortID: String
        let split: String
        /// e.g. "Fashion-MNIST 2017-08-31's train split (images and labels)".
        let description: String
    }
}
