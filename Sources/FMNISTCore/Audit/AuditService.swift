import FMNISTTraining
import Foundation

/// Why an audit stopped.
public enum AuditError: FMNISTError, Equatable {
    /// Ctrl-C or SIGTERM between two fold models.
    case interrupted

    public var exitStatus: ExitStatus { .interrupted }

    public var description: String { "the audit was interrupted; nothing was written" }

    public var hint: String? { "run it again (the same --seed gives the same result)" }
}

/// The library side of `fmnist audit`: is the benchmark itself sound, beyond its bytes?
///
/// Read-only. Loads the four files of a version with the proven read `smoke-train` uses
/// (``VersionFiles``), then:
/// 1. out-of-sample probabilities from LeNet-5 (``OutOfSamplePredictions``: K-fold
///    cross-validation for the training split, the fold models' ensemble for the test split);
/// 2. confident learning per split (``ConfidentLearning``): suspects ranked by self-confidence;
/// 3. near-duplicates (``NearDuplicateSearch``) and exact duplicates and leaks (``ImageDigest``,
///    counted as `fmnist diff` counts them);
/// 4. the benchmark card.
///
/// ```swift
/// let report = try AuditService(layout: layout, registry: registry)
///     .run(dataset: "mnist", version: nil, settings: AuditSettings(folds: 5, epochs: 5))
/// report.labelIssues.first   // the most suspicious training image
/// ```
public struct AuditService: WorkspaceService {
    public let context: WorkspaceContext

    public init(context: WorkspaceContext) {
        self.context = context
    }

    /// Checks the settings' ranges (exit 2 on a bad one).
    public static func validate(_ settings: AuditSettings) throws {
        try FlagBounds.folds.check(settings.folds)
        try FlagBounds.auditEpochs.check(settings.epochs)
        try FlagBounds.top.check(settings.top)
        try FlagBounds.nearThreshold.check(settings.nearThreshold)
        try FlagBounds.maxPairs.check(settings.maxPairs)
        try FlagBounds.threads.check(settings.threads)
    }

    /// Audits `dataset` (`current` or a dataset name) at `version` (a stored version's id prefix
    /// or name; nil: the live version).
    /// - Parameters:
    ///   - status: one line per phase, for a progress display.
    ///   - isCancelled: polled between fold models.
    public func run(
        dataset: String, version: String?, settings: AuditSettings,
        status: (String) -> Void = { _ in }, isCancelled: () -> Bool = { false }
    ) throws -> AuditReport {
        try Self.validate(settings)
        if let version, dataset.lowercased() == "current" {
            throw UsageError("a version (\(version)) needs a dataset name, not current",
                             hint: "e.g. fmnist audit fashion@\(version) (see `fmnist versions`)")
        }
        var phases: [AuditPhase] = []
        var clock = Date()
        func lap(_ name: String) {
            phases.append(AuditPhase(name: name, seconds: Date().timeIntervalSince(clock)))
            clock = Date()
        }
        let loaded = try SmokeTrainService(context: context).loadSplits(dataset: dataset, version: version, purpose: "audit", status: status)
        let (source, manifest, identity, versionName) = (loaded.source, loaded.source.manifest, loaded.identity, loaded.versionName)
        let (train, test) = (loaded.train, loaded.test)
        for (set, name) in [(train, "training"), (test, "test")] {
            do {
                try set.validate(name: "\(name) set")
            } catch let error as TrainingError {
                throw IDXLoader.LoadError(path: source.description, problem: error.description)
            }
        }
        guard train.count >= settings.folds else {
            throw UsageError("--folds \(settings.folds) needs at least as many training images; \(source.description) has \(train.count)",
                             hint: "pass a smaller --folds")
        }
        lap("load")

        status("label pass: LeNet-5, \(settings.folds)-fold cross-validation × \(settings.epochs) epoch(s) on \(train.count) training images, "
               + "the fold ensemble on \(test.count) test images")
        let configuration = TrainingConfiguration(epochs: settings.epochs, seed: settings.seed, threads: settings.threads)
        let predictions: OutOfSamplePredictions
        do {
            predictions = try OutOfSamplePredictions.compute(
                train: train, test: test, folds: settings.folds, configuration: configuration,
                progress: { fold, accuracy in
                    status("  fold \(fold)/\(settings.folds): held-out accuracy \(String(format: "%.2f", accuracy * 100))%")
                }, isCancelled: isCancelled)
        } catch let error as TrainingError {
            throw IDXLoader.LoadError(path: source.description, problem: error.description)
        }
        lap("label pass (cross-validation + test ensemble)")

        let classes = manifest.classes
        func name(_ label: Int) -> String { label < classes.count ? classes[label] : "\(label)" }
        let learning = [
            (AuditSplit.train, ConfidentLearning(probabilities: predictions.train, labels: train.labels, classes: 10), predictions.train),
            (AuditSplit.test, ConfidentLearning(probabilities: predictions.test, labels: test.labels, classes: 10), predictions.test),
        ]
        var issues: [LabelIssue] = []
        for (split, cl, probabilities) in learning {
            let labels = split == .train ? train.labels : test.labels
            for (rank, index) in cl.ranking().prefix(settings.top).enumerated() {
                let given = Int(labels[index]), suggested = cl.suggested[index]
                issues.append(LabelIssue(
                    split: split, index: index, givenLabel: given, givenClass: name(given), suggestedLabel: suggested,
                    suggestedClass: name(suggested), score: cl.selfConfidence[index],
                    suggestedProbability: Double(probabilities[index * 10 + suggested]),
                    confidentIssue: cl.isConfidentIssue[index], rank: rank + 1))
            }
        }
        lap("confident learning")

        status("near-duplicates: 14×14 mean-pooled images, RMS distance ≤ \(settings.nearThreshold) grey levels, sorted-projection search")
        let search = NearDuplicateSearch(threshold: settings.nearThreshold, maxPairs: settings.maxPairs, threads: settings.threads)
            .run(train: train.pixels, test: test.pixels, trainLabels: train.labels, testLabels: test.labels)
        func member(_ image: ImageReference) -> PairMember {
            let label = Int((image.split == .train ? train.labels : test.labels)[image.index])
            return PairMember(split: image.split, index: image.index, label: label, className: name(label))
        }
        let pairs = search.pairs.map { pair in
            NearDuplicate(kind: pair.kind, a: member(pair.a), b: member(pair.b), distance: pair.distance, exact: pair.exact,
                          sameLabel: member(pair.a).label == member(pair.b).label)
        }
        let totalPairs = search.counts.values.reduce(0, +)
        let summary = NearDuplicateSummary(
            distance: "RMS difference of the 14×14 mean-pooled images (2×2 blocks), in grey levels 0–255",
            method: "exact threshold search: images sorted by their first principal coordinate; candidates within the threshold on it, "
                + "pruned by the distance over the top \(NearDuplicateSearch.directions) principal coordinates, then the full distance",
            threshold: settings.nearThreshold,
            pairs: Dictionary(uniqueKeysWithValues: search.counts.map { ($0.key.rawValue, $0.value) }),
            exactPairs: Dictionary(uniqueKeysWithValues: search.exactCounts.map { ($0.key.rawValue, $0.value) }),
            notListed: totalPairs - pairs.count, candidates: search.candidates, fullDistances: search.fullDistances)
        lap("near-duplicates")

        let trainDigests = Self.digests(train.pixels, count: train.count)
        let testDigests = Self.digests(test.pixels, count: test.count)
        let exactTrain = VersionDiffer.duplicates(trainDigests).duplicates
        let exactTest = VersionDiffer.duplicates(testDigests).duplicates
        let leaks = VersionDiffer.shared(trainDigests, testDigests)
        lap("exact duplicates and leaks")

        let trainCL = learning[0].1, testCL = learning[1].1
        let card = BenchmarkCard(
            dataset: manifest.name, title: manifest.title, versionId: identity.full, versionShortId: identity.short,
            versionName: versionName,
            classes: (0..<10).map { k in
                ClassCard(label: k, name: name(k), trainImages: trainCL.labelCounts[k], testImages: testCL.labelCounts[k],
                          trainNoiseRate: trainCL.noiseRates[k], testNoiseRate: testCL.noiseRates[k])
            },
            trainImages: train.count, testImages: test.count,
            trainLabelIssues: trainCL.confidentIssueCount, testLabelIssues: testCL.confidentIssueCount,
            nearDuplicatesTrain: search.counts[.trainTrain] ?? 0, nearDuplicatesTest: search.counts[.testTest] ?? 0,
            nearDuplicatesTestTrain: search.counts[.testTrain] ?? 0,
            nearDuplicatesTestTrainDifferentLabel: search.differentLabelCounts[.testTrain] ?? 0, nearThreshold: settings.nearThreshold,
            exactDuplicatesTrain: exactTrain, exactDuplicatesTest: exactTest, leaks: leaks,
            crossValidatedAccuracy: predictions.crossValidatedAccuracy, testAccuracy: predictions.testAccuracy)
        return AuditReport(
            dataset: manifest.name, title: manifest.title, versionId: identity.full, versionShortId: identity.short,
            versionName: versionName, source: source.description, classes: classes, settings: settings,
            model: AuditModelQuality(crossValidatedAccuracy: predictions.crossValidatedAccuracy, testAccuracy: predictions.testAccuracy),
            labelIssues: issues,
            confidentLearning: learning.map { split, cl, _ in
                SplitConfidentLearning(split: split, images: cl.selfConfidence.count, thresholds: cl.thresholds,
                                       confidentJoint: cl.confidentJoint, confidentIssues: cl.confidentIssueCount)
            },
            nearDuplicates: pairs, nearDuplicateSearch: summary, card: card, phases: phases)
    }

    /// Refuses a `--card` path inside the workspace's own folders, or in a folder that does not
    /// exist (exit 2), or one that is a symlink (exit 7, never written through), before any work is done.
    public func checkCardDestination(_ path: String) throws {
        try WorkspaceBoundary(layout: layout).checkOutput(path, option: "--card", registry: registry)
        try WorkspaceBoundary.checkFolder(of: path, option: "--card", createsMissing: false)
        try AtomicFile.checkTarget(path, what: "the card")
    }

    /// Writes the report's card as Markdown to `path` (checked again, then written atomically;
    /// a symlink at `path` is refused, never written through).
    public func writeCard(_ report: AuditReport, to path: String) throws {
        try checkCardDestination(path)
        try AtomicFile.write(Array(report.card.markdown(settings: report.settings).utf8), to: path, what: "the card")
    }

    /// One ``ImageDigest`` per 784-byte image.
    static func digests(_ pixels: [UInt8], count: Int) -> [ImageDigest] {
        pixels.withUnsafeBytes { raw in
            (0..<count).map { ImageDigest(of: UnsafeRawBufferPointer(rebasing: raw[($0 * 784)..<(($0 + 1) * 784)])) }
        }
    }
}
