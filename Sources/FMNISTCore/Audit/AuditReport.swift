/// What `fmnist audit` found in one version, as `--json` prints it (snake_case keys).
public struct AuditReport: Sendable, Codable {
    public let dataset: String
    public let title: String
    public let versionId: String
    public let versionShortId: String
    /// The manifest's name for the version, or "unknown".
    public let versionName: String
    /// Where the files were read (the live folder or "version <id>").
    public let source: String
    public let classes: [String]
    public let settings: AuditSettings
    /// How well the fold models predict: held-out training accuracy and test ensemble accuracy.
    public let model: AuditModelQuality
    /// The `top` most suspicious training images, then the `top` most suspicious test images.
    public let labelIssues: [LabelIssue]
    /// Confident learning's per-split figures (thresholds, confident joint, issue counts).
    public let confidentLearning: [SplitConfidentLearning]
    /// The closest pairs within the threshold (at most ``AuditSettings/maxPairs``).
    public let nearDuplicates: [NearDuplicate]
    public let nearDuplicateSearch: NearDuplicateSummary
    public let card: BenchmarkCard
    /// Seconds per phase, in order.
    public let phases: [AuditPhase]
}

/// The settings an audit ran with (what makes it reproducible).
public struct AuditSettings: Sendable, Codable, Equatable {
    /// Cross-validation folds of the training split (default 5).
    public var folds: Int
    /// Training epochs of each fold model.
    public var epochs: Int
    /// Seed of the fold assignment and of every fold model (fold k uses seed + k).
    public var seed: UInt64
    /// Suspects listed per split.
    public var top: Int
    /// Near-duplicate threshold: RMS grey-level distance of the 14 × 14 mean-pooled images.
    public var nearThreshold: Double
    /// Near-duplicate pairs listed at most (the closest); the counts cover all.
    public var maxPairs: Int
    /// Worker threads for training and the near-duplicate search.
    public var threads: Int

    /// The defaults of `fmnist audit`.
    public static let defaultFolds = 5
    public static let defaultEpochs = 5
    public static let defaultTop = 20
    public static let defaultNearThreshold = 6.0
    public static let defaultMaxPairs = 1000

    public init(folds: Int = defaultFolds, epochs: Int = defaultEpochs, seed: UInt64 = 0, top: Int = defaultTop,
                nearThreshold: Double = defaultNearThreshold, maxPairs: Int = defaultMaxPairs, threads: Int = 2) {
        self.folds = folds
        self.epochs = epochs
        self.seed = seed
        self.top = top
        self.nearThreshold = nearThreshold
        self.maxPairs = maxPairs
        self.threads = threads
    }
}

/// Accuracy of the out-of-sample predictions the label audit rests on.
public struct AuditModelQuality: Sendable, Codable, Equatable {
    /// Training images whose held-out fold model predicts their label.
    public let crossValidatedAccuracy: Double
    /// Test images whose fold-model ensemble predicts their label.
    public let testAccuracy: Double
}

/// One image whose given label the models doubt.
public struct LabelIssue: Sendable, Codable, Equatable {
    public let split: AuditSplit
    /// 0-based, in file order.
    public let index: Int
    public let givenLabel: Int
    public let givenClass: String
    /// The class with the highest out-of-sample probability.
    public let suggestedLabel: Int
    public let suggestedClass: String
    /// Self-confidence: the out-of-sample probability of the given label (low = suspicious).
    public let score: Double
    /// The suggested class's probability.
    public let suggestedProbability: Double
    /// Whether confident learning counts it as a label error (off the confident joint's diagonal).
    public let confidentIssue: Bool
    /// 1 = the most suspicious of its split.
    public let rank: Int
}

/// Confident learning's figures for one split.
public struct SplitConfidentLearning: Sendable, Codable, Equatable {
    public let split: AuditSplit
    public let images: Int
    /// `t_j`: the mean self-confidence of the images labelled `j` (null for an empty class).
    public let thresholds: [Double?]
    /// `C[given][estimated true]`.
    public let confidentJoint: [[Int]]
    /// Images off the confident joint's diagonal: confident learning's count of label errors.
    public let confidentIssues: Int
}

/// One image of a near-duplicate pair.
public struct PairMember: Sendable, Codable, Equatable {
    public let split: AuditSplit
    public let index: Int
    public let label: Int
    public let className: String
}

/// Two images closer than the threshold.
public struct NearDuplicate: Sendable, Codable, Equatable {
    /// `train-train`, `test-test` or `test-train` (then `a` is the test image).
    public let kind: NearDuplicateSearch.Kind
    public let a: PairMember
    public let b: PairMember
    /// RMS grey-level difference of the 14 × 14 mean-pooled images.
    public let distance: Double
    /// The 784 bytes are equal.
    public let exact: Bool
    public let sameLabel: Bool
}

/// How the near-duplicates were searched, and how many there are.
public struct NearDuplicateSummary: Sendable, Codable, Equatable {
    public let distance: String
    public let method: String
    public let threshold: Double
    /// All pairs within the threshold, by kind.
    public let pairs: [String: Int]
    /// Pairs with equal bytes, by kind.
    public let exactPairs: [String: Int]
    /// Pairs left out of `near_duplicates` (beyond the cap).
    public let notListed: Int
    /// Pairs compared on the first projected coordinate, and full distances computed.
    public let candidates: Int
    public let fullDistances: Int
}

/// The benchmark card: what a project's docs should say about the version it trains on.
public struct BenchmarkCard: Sendable, Codable, Equatable {
    public let dataset: String
    public let title: String
    public let versionId: String
    public let versionShortId: String
    public let versionName: String
    public let classes: [ClassCard]
    public let trainImages: Int
    public let testImages: Int
    /// Confident learning's label-error counts (off the confident joint's diagonal).
    public let trainLabelIssues: Int
    public let testLabelIssues: Int
    /// Near-duplicate pairs at ``nearThreshold``, by kind.
    public let nearDuplicatesTrain: Int
    public let nearDuplicatesTest: Int
    public let nearDuplicatesTestTrain: Int
    /// Test–train near-duplicate pairs whose labels differ.
    public let nearDuplicatesTestTrainDifferentLabel: Int
    public let nearThreshold: Double
    /// Exact duplicates as `fmnist diff` counts them: extra copies within a split, and test
    /// images whose bytes also occur in the training split (leaks).
    public let exactDuplicatesTrain: Int
    public let exactDuplicatesTest: Int
    public let leaks: Int
    public let crossValidatedAccuracy: Double
    public let testAccuracy: Double
}

/// One class's line of the card.
public struct ClassCard: Sendable, Codable, Equatable {
    public let label: Int
    public let name: String
    public let trainImages: Int
    public let testImages: Int
    /// Confident learning's estimated share of the images labelled with this class whose true class is another.
    public let trainNoiseRate: Double
    public let testNoiseRate: Double
}

/// The wall time of one phase of the audit.
public struct AuditPhase: Sendable, Codable, Equatable {
    public let name: String
    public let seconds: Double
}
