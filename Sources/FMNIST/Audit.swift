internal import FMNISTCore

/// The settings of ``Workspace/audit(_:version:options:)``; the defaults are `fmnist audit`'s.
///
/// ```swift
/// let quick = AuditOptions(folds: 2, epochs: 1)   // rough, a few seconds
/// ```
public struct AuditOptions: Sendable, Hashable {
    /// Cross-validation folds of the training split (2…20).
    public var folds: Int
    /// Training epochs of each fold model (1…50).
    public var epochs: Int
    /// Seed of the folds and the models: the same seed gives the same audit.
    public var seed: UInt64
    /// Suspects listed per split (1…10000).
    public var top: Int
    /// Near-duplicate threshold: RMS grey-level distance of the 14 × 14 mean-pooled images (0…64).
    public var nearThreshold: Double
    /// Near-duplicate pairs listed at most, closest first (the counts cover all).
    public var maxPairs: Int

    public init(folds: Int = 5, epochs: Int = 5, seed: UInt64 = 0, top: Int = 20, nearThreshold: Double = 6, maxPairs: Int = 1000) {
        self.folds = folds
        self.epochs = epochs
        self.seed = seed
        self.top = top
        self.nearThreshold = nearThreshold
        self.maxPairs = maxPairs
    }

    /// Refuses an option outside its range (the command line's table, ``FlagBounds``), naming the
    /// property, not the flag.
    func check() throws(DatasetError) {
        func within<Value>(_ name: String, _ value: Value, _ bounds: FlagBounds<Value>) throws(DatasetError) {
            guard !bounds.allows(value) else { return }
            throw .operationFailed(
                operation: "audit", message: "AuditOptions.\(name) \(value) is out of range: it must be \(bounds.rangeText) (\(bounds.unit))",
                hint: "give AuditOptions.\(name) a value in that range")
        }
        try within("folds", folds, FlagBounds.folds)
        try within("epochs", epochs, FlagBounds.auditEpochs)
        try within("top", top, FlagBounds.top)
        try within("nearThreshold", nearThreshold, FlagBounds.nearThreshold)
        try within("maxPairs", maxPairs, FlagBounds.maxPairs)
    }
}

/// Which split an image is in.
public enum ImageSplit: String, Sendable, Hashable {
    case train
    case test
}

/// An image whose given label the out-of-sample models doubt.
public struct LabelSuspect: Sendable, Hashable {
    public let split: ImageSplit
    /// 0-based, in file order (the index into ``Split/labels``).
    public let index: Int
    public let givenLabel: Int
    /// The class the models prefer.
    public let suggestedLabel: Int
    /// The out-of-sample probability of the given label (lower = more suspicious).
    public let score: Double
    /// Whether confident learning counts it as a label error.
    public let confidentIssue: Bool
}

/// One image of a ``NearDuplicatePair``.
public struct PairedImage: Sendable, Hashable {
    public let split: ImageSplit
    /// 0-based, in file order.
    public let index: Int
    public let label: Int
}

/// Two images closer than the threshold (for a test–train pair, `a` is the test image).
public struct NearDuplicatePair: Sendable, Hashable {
    public let a: PairedImage
    public let b: PairedImage
    /// RMS grey-level difference of the 14 × 14 mean-pooled images.
    public let distance: Double
    /// The 784 bytes are equal.
    public let exact: Bool
}

/// The outcome of ``Workspace/audit(_:version:options:)``.
public struct AuditSummary: Sendable {
    public let dataset: DatasetName
    public let version: DatasetVersion
    /// The most suspicious training images (at most `top`), most suspicious first.
    public let trainSuspects: [LabelSuspect]
    /// The most suspicious test images (at most `top`), most suspicious first.
    public let testSuspects: [LabelSuspect]
    /// The closest pairs within the threshold (at most `maxPairs`).
    public let nearDuplicates: [NearDuplicatePair]
    /// Estimated share of mislabelled images per class (confident learning), training and test split.
    public let trainNoiseRates: [Double]
    public let testNoiseRates: [Double]
    /// Confident learning's label-error counts per split.
    public let trainLabelIssues: Int
    public let testLabelIssues: Int
    /// All near-duplicate pairs, by kind: `"train-train"`, `"test-test"`, `"test-train"`.
    public let nearDuplicateCounts: [String: Int]
    /// Exact duplicates as `fmnist diff` counts them, and test images whose bytes are in train.
    public let exactDuplicatesTrain: Int
    public let exactDuplicatesTest: Int
    public let leaks: Int
    /// The benchmark card as a Markdown page (what `fmnist audit --card` writes).
    public let cardMarkdown: String
    /// The card in a few lines of text.
    public let summary: [String]
    /// Seconds per phase, in order.
    public let phases: [(name: String, seconds: Double)]
}

extension Workspace {
    /// Audits `dataset` as a benchmark (what `fmnist audit` does; read-only): likely label errors
    /// by confident learning on out-of-sample LeNet-5 probabilities, near-duplicates within and
    /// across the splits, exact duplicates and leaks, and the benchmark card. `version` is a stored
    /// version's id prefix or name (nil: the live version).
    ///
    /// ```swift
    /// let audit = try workspace.audit(.mnist)
    /// for suspect in audit.testSuspects.prefix(5) {
    ///     print(suspect.index, suspect.givenLabel, "→", suspect.suggestedLabel, suspect.score)
    /// }
    /// print(audit.summary.joined(separator: "\n"))
    /// ```
    public func audit(_ dataset: DatasetName, version: String? = nil, options: AuditOptions = AuditOptions()) throws(DatasetError)
        -> AuditSummary
    {
        let manifest = try manifest(dataset)
        try options.check()
        let settings = AuditSettings(
            folds: options.folds, epochs: options.epochs, seed: options.seed, top: options.top,
            nearThreshold: options.nearThreshold, maxPairs: options.maxPairs)
        let report: AuditReport
        do {
            report = try AuditService(layout: layout, registry: registry).run(dataset: manifest.name, version: version, settings: settings)
        } catch {
            throw DatasetError(operation: "audit \(manifest.name)", error)
        }
        func split(_ split: AuditSplit) -> ImageSplit { split == .train ? .train : .test }
        let suspects = report.labelIssues.map {
            LabelSuspect(split: split($0.split), index: $0.index, givenLabel: $0.givenLabel, suggestedLabel: $0.suggestedLabel,
                         score: $0.score, confidentIssue: $0.confidentIssue)
        }
        let card = report.card
        return AuditSummary(
            dataset: DatasetName(manifest.name),
            version: DatasetVersion(full: report.versionId, short: report.versionShortId, name: report.versionName),
            trainSuspects: suspects.filter { $0.split == .train }, testSuspects: suspects.filter { $0.split == .test },
            nearDuplicates: report.nearDuplicates.map {
                NearDuplicatePair(a: PairedImage(split: split($0.a.split), index: $0.a.index, label: $0.a.label),
                                  b: PairedImage(split: split($0.b.split), index: $0.b.index, label: $0.b.label),
                                  distance: $0.distance, exact: $0.exact)
            },
            trainNoiseRates: card.classes.map(\.trainNoiseRate), testNoiseRates: card.classes.map(\.testNoiseRate),
            trainLabelIssues: card.trainLabelIssues, testLabelIssues: card.testLabelIssues,
            nearDuplicateCounts: report.nearDuplicateSearch.pairs,
            exactDuplicatesTrain: card.exactDuplicatesTrain, exactDuplicatesTest: card.exactDuplicatesTest, leaks: card.leaks,
            cardMarkdown: card.markdown(settings: report.settings), summary: card.summaryLines,
            phases: report.phases.map { ($0.name, $0.seconds) })
    }

    /// ``audit(_:version:options:)`` off the calling task's thread.
    ///
    /// ```swift
    /// let audit = try await workspace.audit(.fashion, options: AuditOptions(folds: 2, epochs: 1))
    /// ```
    public func audit(_ dataset: DatasetName, version: String? = nil, options: AuditOptions = AuditOptions()) async throws(DatasetError)
        -> AuditSummary
    {
        try await offload { () throws(DatasetError) in try self.audit(dataset, version: version, options: options) }
    }
}
