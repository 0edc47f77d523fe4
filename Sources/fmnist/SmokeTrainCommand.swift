import ArgumentParser
import FMNISTCore
import FMNISTTraining
import Foundation

struct SmokeTrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smoke-train",
        abstract: "Train LeNet-5 on a dataset version to prove it is learnable and is what it claims to be.",
        discussion: """
            The default is a quick run: one epoch over the full training set (a few seconds), then the test accuracy is judged against the manifest's sanity band (Fashion-MNIST 0.80–0.95, MNIST ≥ 0.95). Each run is recorded in the catalog against the exact version id. A run whose loss blows up (NaN, infinite or above 1000: a learning rate far too large) is reported as diverged (exit 6).

            Examples:
              fmnist smoke-train                      # the active dataset (data/current)
              fmnist smoke-train mnist --epochs 5
              fmnist smoke-train fashion@2017-08-31 --json   # a stored version
              fmnist smoke-train --compare            # Fashion-MNIST and MNIST side by side

            The bands are calibrated for the default optimiser settings (sgd, --lr 0.01, momentum 0.9, --batch 64; any --seed, --threads and --epochs ≥ 1): a run with another --optimizer, --lr or --batch is "inconclusive" (exit 0): its accuracy neither passes nor blames the data.

            Exit codes: 0 pass or inconclusive, 6 accuracy outside the sanity band or training diverged, 4 data missing (or no workspace at --root), 3 data corrupt, 2 usage.
            """)

    @Argument(help: ArgumentHelp(
        "current (default: what data/current points at), fashion or mnist, optionally @VERSION: a stored version's id prefix or name (see `fmnist versions`).",
        valueName: "DATASET[@VERSION]"), completion: DatasetCompletion.kind(plus: ["current"]))
    var target: String?

    @Option(name: .long, help: ArgumentHelp("The same as the DATASET argument: current, fashion or mnist.", valueName: "DATASET"), completion: DatasetCompletion.kind(plus: ["current"]))
    var dataset: String?

    @Option(name: .customLong("dataset-version"), help: ArgumentHelp("The same as @VERSION: a stored version's id prefix or name.", valueName: "VERSION"))
    var datasetVersion: String?

    @Option(name: .long, parsing: .unconditional, help: "Passes over the training set (\(FlagBounds.epochs.rangeText)).")
    var epochs: Int = 1

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Train on the first N training images only (\(FlagBounds.trainingLimit.rangeText); more than the training set means all of it).", valueName: "N"))
    var limit: Int?

    @Option(name: .long, parsing: .unconditional, help: "Batch size (\(FlagBounds.batch.rangeText)).")
    var batch: Int = 64

    @Option(name: .long, parsing: .unconditional, help: "Seed of the weight initialisation and shuffling (0–\(UInt64.max)).")
    var seed: UInt64 = 0

    @Option(name: .long, parsing: .unconditional, help: "Worker threads (\(FlagBounds.threads.rangeText); results are reproducible for a given seed and thread count).")
    var threads: Int = 2

    @Option(name: .long, help: "Optimiser: sgd (momentum 0.9) or adam.")
    var optimizer: String = "sgd"

    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Learning rate (\(FlagBounds.learningRate.rangeText); default 0.01 for sgd, 0.001 for adam).")
    var learningRate: Double?

    @Flag(name: .long, help: "Also measure test accuracy after every epoch (slower; for learning curves and benchmarks).")
    var evaluateEachEpoch = false

    @Flag(name: .long, help: "Train the same LeNet-5 on the live version of both datasets and print them side by side (each run is recorded).")
    var compare = false

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        try validateFlags {
            try FlagBounds.epochs.check(epochs)
            try FlagBounds.trainingLimit.check(limit)
            try FlagBounds.batch.check(batch)
            try FlagBounds.threads.check(threads)
            try FlagBounds.learningRate.check(learningRate)
        }
    }

    func run() async throws {
        try await runReportingErrors(options) {
            let configuration = TrainingConfiguration(
                epochs: epochs, batchSize: batch, learningRate: learningRate, optimizer: try SmokeTrainService.optimizer(named: optimizer), seed: seed,
                threads: threads, limit: limit, evaluateEachEpoch: evaluateEachEpoch)
            let console = options.console
            let service = SmokeTrainService(context: try options.context())
            if compare {
                try SmokeTrainService.checkCompare(namesATarget: target != nil || dataset != nil || datasetVersion != nil)
                let comparison = try service.compare(
                    configuration: configuration,
                    progress: { console.info(SmokeTrainText.comparedEpoch($1, dataset: $0)) },
                    status: { console.info($0) })
                try options.printJSON(comparison)
                console.info(SmokeTrainText.comparison(comparison, configuration: configuration, console: console))
                return comparison.exitStatus
            }
            let named = try SmokeTrainService.target(argument: target, dataset: dataset, version: datasetVersion)
            let result = try service.run(
                dataset: named.dataset, version: named.version, configuration: configuration,
                progress: { console.info(SmokeTrainText.epoch($0)) },
                status: { console.info($0) })
            try options.printJSON(result)
            console.info(SmokeTrainText.summary(result, console: console))
            return result.exitStatus
        }
    }
}
