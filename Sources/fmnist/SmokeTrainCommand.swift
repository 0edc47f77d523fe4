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
            guard let chosen = TrainingConfiguration.Optimizer(rawValue: optimizer.lowercased()) else {
                throw UsageError("unknown optimizer \"\(optimizer)\"", hint: "use --optimizer sgd or --optimizer adam")
            }
            let configuration = TrainingConfiguration(
                epochs: epochs, batchSize: batch, learningRate: learningRate, optimizer: chosen, seed: seed,
                threads: threads, limit: limit, evaluateEachEpoch: evaluateEachEpoch)
            let console = options.console
            let service = SmokeTrainService(layout: options.layout, registry: try options.registry())
            if compare {
                if target != nil || dataset != nil || datasetVersion != nil {
                    throw UsageError("--compare trains on every dataset's live version; it takes no DATASET or version",
                                     hint: "e.g. fmnist smoke-train --compare --epochs 2")
                }
                let comparison = try service.compare(
                    configuration: configuration,
                    progress: { name, epoch in
                        console.info("\(name) epoch \(epoch.epoch): loss \(SmokeTrainFormatter.figure(epoch.trainLoss))"
                            + String(format: ", train accuracy %.4f, %.0f img/s", epoch.trainAccuracy, epoch.imagesPerSecond))
                    },
                    status: { console.info($0) })
                if options.json { Console.writeStdout(try JSONOutput.encode(comparison)) }
                console.info(SmokeTrainFormatter.comparison(comparison, configuration: configuration, console: console))
                return comparison.exitStatus
            }
            let named = try SmokeTrainService.target(argument: target, dataset: dataset, version: datasetVersion)
            let result = try service.run(
                dataset: named.dataset, version: named.version, configuration: configuration,
                progress: { epoch in
                    var line = "epoch \(epoch.epoch): loss \(SmokeTrainFormatter.figure(epoch.trainLoss))"
                        + String(format: ", train accuracy %.4f, %.0f img/s, %.2f s", epoch.trainAccuracy, epoch.imagesPerSecond, epoch.seconds)
                    if let accuracy = epoch.testAccuracy { line += String(format: ", test accuracy %.4f", accuracy) }
                    console.info(line)
                },
                status: { console.info($0) })
            if options.json { Console.writeStdout(try JSONOutput.encode(result)) }
            console.info(SmokeTrainFormatter.summary(result, console: console))
            return result.exitStatus
        }
    }
}

/// Human rendering of a smoke-train result: accuracy, confusion matrix with class names, timings.
enum SmokeTrainFormatter {
    /// A loss with four decimals, or "NaN (diverged)" / "infinite (diverged)".
    static func figure(_ value: Double) -> String {
        if value.isNaN { return "NaN (diverged)" }
        if value.isInfinite { return "infinite (diverged)" }
        return String(format: "%.4f", value)
    }

    /// The side-by-side table of `--compare`: one column per dataset.
    static func comparison(_ comparison: SmokeTrainComparison, configuration: TrainingConfiguration, console: Console) -> String {
        let columns = comparison.columns
        let depth = columns.map(\.mostConfused.count).max() ?? 0
        var rows: [(String, [String])] = [
            ("", columns.map(\.run.title)),
            ("version", columns.map { "\($0.run.versionName) (\($0.run.versionShortID))" }),
            ("test accuracy", columns.map { String(format: "%.4f", $0.run.report.testAccuracy) }),
            ("test loss", columns.map { figure($0.run.report.testLoss) }),
            ("verdict", columns.map { $0.run.verdict.outcome.rawValue }),
        ]
        for index in 0..<depth {
            rows.append((index == 0 ? "most confused" : "", columns.map { column in
                guard index < column.mostConfused.count else { return "" }
                let pair = column.mostConfused[index]
                return "\(pair.firstName) ↔ \(pair.secondName) (\(pair.count))"
            }))
        }
        let labelWidth = rows.map(\.0.count).max()! + 2
        let widths = columns.indices.map { i in rows.map { $0.1[i].count }.max()! + 3 }
        var lines = ["LeNet-5, the same configuration on each dataset (\(configuration.epochs) epoch(s), seed \(configuration.seed), "
                     + "\(configuration.optimizer.rawValue), batch \(configuration.batchSize)):"]
        for (label, cells) in rows {
            var line = "  " + label.padding(toLength: labelWidth, withPad: " ", startingAt: 0)
            for (i, cell) in cells.enumerated() {
                line += i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }
            lines.append(line)
        }
        let recorded = columns.allSatisfy(\.run.recorded)
        lines.append(recorded ? "each run recorded in the catalog against its version" : "runs NOT all recorded (catalog not writable)")
        for column in columns where !column.run.verdict.passed {
            lines.append(console.style("\(column.run.title): \(column.run.verdict.message)", style(column.run.verdict)))
        }
        if columns.allSatisfy(\.run.verdict.passed) { lines.append(console.style("pass: every dataset inside its sanity band", "1;32")) }
        return lines.joined(separator: "\n")
    }

    /// Green for a pass, yellow for an inconclusive run (exit 0, nothing judged), red otherwise.
    static func style(_ verdict: SanityVerdict) -> String {
        verdict.passed ? "1;32" : verdict.outcome == .inconclusive ? "1;33" : "1;31"
    }

    static func summary(_ result: SmokeTrainService.Result, console: Console) -> String {
        let report = result.report
        var lines: [String] = []
        lines.append(String(format: "test accuracy %.4f, test loss ", report.testAccuracy) + figure(report.testLoss)
                     + " on \(report.testImages) images")
        lines.append("confusion matrix (rows: true class, columns: predicted):")
        let names = result.classes
        let width = max(6, (names.map(\.count).max() ?? 0) + 1)
        let header = String(repeating: " ", count: width + 4) + (0..<names.count).map { String(format: "%6d", $0) }.joined()
        lines.append(header)
        for (row, counts) in report.confusion.enumerated() {
            let label = String(format: "%2d ", row) + names[row].padding(toLength: width, withPad: " ", startingAt: 0)
            lines.append(label + " " + counts.map { String(format: "%6d", $0) }.joined())
        }
        lines.append(String(format: "throughput %.0f training img/s on %d thread(s) (%@ kernel); total %.2f s (evaluation %.2f s)",
                            report.trainImagesPerSecond, report.threads, report.kernel, report.totalSeconds, report.evaluationSeconds))
        lines.append("version \(result.versionShortID) (\(result.versionName)) of \(result.title)"
                     + (result.recorded ? "; run recorded in the catalog" : "; run NOT recorded (catalog not writable)"))
        lines.append(console.style(result.verdict.message, style(result.verdict)))
        return lines.joined(separator: "\n")
    }
}
