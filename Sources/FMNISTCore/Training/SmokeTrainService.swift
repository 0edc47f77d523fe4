import FMNISTTraining
import Foundation

/// The library side of `fmnist smoke-train`: find the version, load and verify its files,
/// train LeNet-5, judge the accuracy against the manifest's band, and record the run.
public struct SmokeTrainService: WorkspaceService {
    public let context: WorkspaceContext

    public init(context: WorkspaceContext) {
        self.context = context
    }

    /// The full result of a run, as `--json` prints it.
    public struct Result: Sendable, Codable {
        public let dataset: String
        public let title: String
        public let versionID: String
        public let versionShortID: String
        public let versionName: String
        public let source: String
        public let configuration: TrainingConfiguration
        public let report: TrainingReport
        public let classes: [String]
        public let verdict: SanityVerdict
        /// Whether the run was recorded in the catalog (false when it cannot be written).
        public let recorded: Bool
        public let exitStatus: ExitStatus
    }

    /// What `fmnist smoke-train [DATASET[@VERSION]] [--dataset D] [--dataset-version V]` names:
    /// the dataset (`current` when nothing is given) and an optional version selector.
    ///
    /// The argument and the options may each be given once; saying the dataset or the version two
    /// different ways is a usage error, and so is `current@VERSION` (name the dataset instead).
    public static func target(argument: String?, dataset: String?, version: String?) throws -> SwitchTarget {
        let parsed = try argument.map { try SwitchTarget(parsing: $0) }
        if let parsed, let dataset, parsed.dataset.lowercased() != dataset.lowercased() {
            throw UsageError("the dataset is given twice: \"\(parsed.dataset)\" and --dataset \(dataset)",
                             hint: "give it once, e.g. fmnist smoke-train \(dataset)")
        }
        if let parsed, let selector = parsed.version, let version, selector != version {
            throw UsageError("the version is given twice: @\(selector) and --dataset-version \(version)",
                             hint: "give it once, e.g. fmnist smoke-train \(parsed.dataset)@\(version)")
        }
        let name = parsed?.dataset ?? dataset ?? "current"
        let selector = parsed?.version ?? version
        if let selector, name.lowercased() == "current" {
            throw UsageError("a version (\(selector)) needs a dataset name, not current",
                             hint: "e.g. fmnist smoke-train fashion@\(selector) (see `fmnist versions`)")
        }
        if let selector, selector.isEmpty || selector.contains(where: { $0.isWhitespace || $0.isNewline }) {
            throw UsageError("\"\(selector)\" is not a version id prefix or name", hint: "list them with `fmnist versions`")
        }
        return SwitchTarget(dataset: name, version: selector)
    }

    /// The optimiser a `--optimizer` value names (any case): sgd or adam, else a usage error.
    public static func optimizer(named name: String) throws -> TrainingConfiguration.Optimizer {
        guard let chosen = TrainingConfiguration.Optimizer(rawValue: name.lowercased()) else {
            throw UsageError("unknown optimizer \"\(name)\"", hint: "use --optimizer sgd or --optimizer adam")
        }
        return chosen
    }

    /// `--compare` trains on every dataset's live version: naming a dataset or version with it is a usage error.
    public static func checkCompare(namesATarget: Bool) throws {
        if namesATarget {
            throw UsageError("--compare trains on every dataset's live version; it takes no DATASET or version",
                             hint: "e.g. fmnist smoke-train --compare --epochs 2")
        }
    }

    /// The error for the old spelling `fmnist smoke-train --version V` (renamed: `--version` is the
    /// tool's version), which would otherwise print the tool's version and exit 0; nil otherwise.
    /// `arguments` are the process arguments after the executable name.
    public static func renamedVersionOption(in arguments: [String]) -> UsageError? {
        guard arguments.first == "smoke-train", let index = arguments.firstIndex(of: "--version"),
            index + 1 < arguments.count, !arguments[index + 1].hasPrefix("-")
        else { return nil }
        let value = arguments[index + 1]
        return UsageError("smoke-train's --version \(value) was renamed: --version prints the tool's version",
                          hint: "name the stored version as DATASET@VERSION (fmnist smoke-train fashion@\(value)) or pass --dataset-version \(value)")
    }

    /// Runs a smoke-train of `dataset` (`current`, a dataset name) or `version` (a catalog
    /// selector: short id prefix or version name).
    public func run(
        dataset: String, version: String?, configuration: TrainingConfiguration,
        progress: (EpochReport) -> Void = { _ in }, status: (String) -> Void = { _ in }
    ) throws -> Result {
        do {
            try configuration.validate()
        } catch let error as TrainingError {
            throw UsageError(error.description)
        }
        let loaded = try loadSplits(dataset: dataset, version: version, purpose: "train on", status: status)
        let (source, manifest, identity, versionName) = (loaded.source, loaded.source.manifest, loaded.identity, loaded.versionName)
        let (train, test) = (loaded.train, loaded.test)

        status("training LeNet-5 on \(manifest.title) \(versionName) (\(identity.short)): "
               + "\(min(configuration.limit ?? train.count, train.count)) images × \(configuration.epochs) epoch(s), "
               + "batch \(configuration.batchSize), \(configuration.threads) thread(s)")
        let report: TrainingReport
        do {
            report = try LeNetTrainer(configuration: configuration).train(train: train, test: test, progress: progress)
        } catch let error as TrainingError {
            throw IDXLoader.LoadError(path: source.description, problem: error.description)
        }
        let seen = min(configuration.limit ?? train.count, train.count) * configuration.epochs
        let verdict = SanityVerdict.judge(
            accuracy: report.testAccuracy, manifest: manifest, allManifests: registry.manifests, shortRun: seen < train.count,
            diverged: report.diverged, learningRate: configuration.learningRate, configuration: configuration)
        let recorded = record(manifest: manifest, identity: identity, report: report, verdict: verdict, configuration: configuration)
        return Result(
            dataset: manifest.name, title: manifest.title, versionID: identity.full, versionShortID: identity.short,
            versionName: versionName, source: source.description, configuration: configuration, report: report,
            classes: manifest.classes, verdict: verdict, recorded: recorded,
            exitStatus: verdict.exitStatus)
    }

    /// Records the run against its exact version id; returns false when the catalog cannot be written.
    func record(manifest: Manifest, identity: VersionIdentity, report: TrainingReport, verdict: SanityVerdict,
                configuration: TrainingConfiguration) -> Bool {
        do {
            try layout.createPrivateDirectories()
            let catalog = try Catalog.open(layout)
            defer { catalog.close() }
            try catalog.recordSmokeTrain(
                dataset: manifest.name, versionID: identity.full, accuracy: report.testAccuracy, loss: report.testLoss,
                imagesPerSecond: report.trainImagesPerSecond, epochs: report.epochs.count, verdict: verdict.message,
                passed: verdict.passed, report: report)
            return true
        } catch {
            return false
        }
    }

    /// Both splits of a stored version, its four files proven while read.
    struct LoadedSplits {
        let source: VersionFiles
        let identity: VersionIdentity
        /// The manifest's name for the version, or `unknown`.
        let versionName: String
        let train: LabeledImages
        let test: LabeledImages
    }

    /// The one read of a version that `smoke-train` and `audit` train on: the workspace is
    /// required, `dataset`/`version` resolved (``VersionFiles/resolve(dataset:version:layout:registry:)``),
    /// the four files loaded and proven, and images paired with labels per split.
    func loadSplits(dataset: String, version: String?, purpose: String, status: (String) -> Void) throws -> LoadedSplits {
        try WorkspaceBoundary(layout: layout).requireWorkspace(registry: registry)
        let source = try VersionFiles.resolve(dataset: dataset, version: version, layout: layout, registry: registry)
        status("loading \(source.manifest.title) from \(source.description)")
        let byRole = try source.load(FileRole.allCases, purpose: purpose, index: nil)
        let identity = VersionIdentity(payloadDigests: byRole.mapValues { $0.measurement.payloadSHA256 })
        return LoadedSplits(
            source: source, identity: identity,
            versionName: source.manifest.versions.first { $0.identity == identity }?.name ?? "unknown",
            train: try labeledImages(byRole[.trainImages]!, byRole[.trainLabels]!, split: "training", source: source),
            test: try labeledImages(byRole[.testImages]!, byRole[.testLabels]!, split: "test", source: source))
    }

    func labeledImages(_ images: LoadedIDX, _ labels: LoadedIDX, split: String, source: VersionFiles) throws -> LabeledImages {
        guard images.dims.count == 3, labels.dims.count == 1, images.dims[0] == labels.dims[0] else {
            throw IDXLoader.LoadError(
                path: source.description,
                problem: "\(split) images \(images.dims) and labels \(labels.dims) do not pair up")
        }
        return LabeledImages(count: images.dims[0], rows: images.dims[1], columns: images.dims[2],
                             pixels: images.elements, labels: labels.elements)
    }
}
