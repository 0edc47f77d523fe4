import FMNISTTraining
import Foundation

/// The human lines of `fmnist smoke-train`: each epoch's progress line, the summary of a run
/// (accuracy, confusion matrix with class names, timings, the verdict) and the side-by-side table
/// of `--compare`.
///
/// ```swift
/// let result = try service.run(dataset: "fashion", version: nil, configuration: configuration,
///                              progress: { console.info(SmokeTrainText.epoch($0)) })
/// console.info(SmokeTrainText.summary(result, console: console))   // "test accuracy 0.8712, test loss 0.3561 on 10000 images" …
/// ```
public enum SmokeTrainText {
    /// A training epoch's progress line: "epoch 1: loss 0.5123, train accuracy 0.8123, 41000 img/s, 1.46 s".
    public static func epoch(_ epoch: EpochReport) -> String {
        var line = "epoch \(epoch.epoch): loss \(figure(epoch.trainLoss))"
            + String(format: ", train accuracy %.4f, %.0f img/s, %.2f s", epoch.trainAccuracy, epoch.imagesPerSecond, epoch.seconds)
        if let accuracy = epoch.testAccuracy { line += String(format: ", test accuracy %.4f", accuracy) }
        return line
    }

    /// An epoch's line in `--compare`, named by its dataset: "fashion epoch 1: loss 0.5123, train accuracy 0.8123, 41000 img/s".
    public static func comparedEpoch(_ epoch: EpochReport, dataset: String) -> String {
        "\(dataset) epoch \(epoch.epoch): loss \(figure(epoch.trainLoss))"
            + String(format: ", train accuracy %.4f, %.0f img/s", epoch.trainAccuracy, epoch.imagesPerSecond)
    }

    /// A loss with four decimals, or "NaN (diverged)" / "infinite (diverged)".
    public static func figure(_ value: Double) -> String {
        if value.isNaN { return "NaN (diverged)" }
        if value.isInfinite { return "infinite (diverged)" }
        return String(format: "%.4f", value)
    }

    /// The side-by-side table of `--compare`: one column per dataset.
    public static func comparison(_ comparison: SmokeTrainComparison, configuration: TrainingConfiguration, console: Console) -> String {
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
    public static func style(_ verdict: SanityVerdict) -> String {
        verdict.passed ? "1;32" : verdict.outcome == .inconclusive ? "1;33" : "1;31"
    }

    public static func summary(_ result: SmokeTrainService.Result, console: Console) -> String {
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
