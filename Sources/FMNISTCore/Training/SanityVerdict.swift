import FMNISTTraining
import Foundation

/// Whether a smoke-train accuracy is what a healthy copy of the dataset gives, and if not,
/// what that most likely means.
public struct SanityVerdict: Sendable, Codable, Equatable {
    /// What the run says, in one word (`--json`: `verdict.outcome`).
    public enum Outcome: String, Sendable, Codable, Equatable, CaseIterable {
        /// Accuracy inside the band.
        case pass
        /// Accuracy below the band after a run shorter than one epoch (`--limit`): says little about the data.
        case shortRun = "short_run"
        /// Accuracy about chance level: labels and images do not belong together.
        case chanceLevel = "chance_level"
        /// Accuracy above the band: probably another, easier dataset.
        case aboveBand = "above_band"
        /// Accuracy below the band.
        case belowBand = "below_band"
        /// The training diverged (a loss became NaN, infinite or above 1000, e.g. a learning rate far too large):
        /// the accuracy says nothing about the data.
        case diverged
        /// The run used optimiser settings the band was not calibrated for (another --lr, --batch,
        /// --optimizer or momentum): the accuracy says nothing about the data either way (exit 0).
        case inconclusive
    }

    public let passed: Bool
    /// One word for scripts: pass, short_run, chance_level, above_band, below_band, diverged or inconclusive.
    public let outcome: Outcome
    /// One line: "pass: 0.851 inside Fashion-MNIST's band 0.80–0.95" or what went wrong.
    public let message: String
    public let band: SanityBand

    /// The exit status of a run with this verdict: 0 for a pass and for an inconclusive run (it
    /// judged nothing, so it blames nothing), 6 otherwise.
    public var exitStatus: ExitStatus { passed || outcome == .inconclusive ? .success : .sanityFailed }

    /// The optimiser settings the manifests' sanity bands were measured with (the defaults, as the
    /// PyTorch reference): SGD, learning rate 0.01, momentum 0.9, batch 64. The seed (weight
    /// initialisation and shuffling), the thread count, the kernel and more epochs (accuracy only
    /// rises with them) stay inside the bands; another optimiser, learning rate, momentum or batch
    /// size moves the accuracy by more than the bands allow (MNIST at --lr 0.001 lands inside
    /// Fashion-MNIST's band), so a run with them judges nothing.
    public static let calibrated = TrainingConfiguration()

    /// The settings of `configuration` the bands were not calibrated for, as flags
    /// (e.g. `["--lr 0.001"]`); empty when the run can be judged.
    public static func uncalibratedSettings(_ configuration: TrainingConfiguration) -> [String] {
        var settings: [String] = []
        if configuration.optimizer != calibrated.optimizer { settings.append("--optimizer \(configuration.optimizer.rawValue)") }
        if configuration.learningRate != calibrated.learningRate { settings.append("--lr \(configuration.learningRate)") }
        if configuration.momentum != calibrated.momentum { settings.append("momentum \(configuration.momentum)") }
        if configuration.batchSize != calibrated.batchSize { settings.append("--batch \(configuration.batchSize)") }
        return settings
    }

    /// The calibrated settings in words, for messages.
    static var calibratedText: String {
        "\(calibrated.optimizer.rawValue) --lr \(calibrated.learningRate), momentum \(calibrated.momentum), --batch \(calibrated.batchSize) "
            + "(any --seed and --threads, --epochs 1 or more)"
    }

    /// Judges `accuracy` of a run on `manifest`'s data.
    ///
    /// - Parameter shortRun: the run saw less than one full epoch of the training set (`--limit`):
    ///   a low accuracy then says little about the data, and the message says so.
    /// - Parameter diverged: a loss became NaN, infinite or absurd during the run (see
    ///   `TrainingReport.diverged`); the verdict is then ``Outcome/diverged`` whatever the accuracy.
    /// - Parameter learningRate: the run's learning rate, named in the message of a diverged run.
    /// - Parameter configuration: the run's settings; off the ``calibrated`` ones (see
    ///   ``uncalibratedSettings(_:)``) the verdict is ``Outcome/inconclusive`` whatever the accuracy
    ///   (a diverged run stays diverged). nil: judged as calibrated.
    public static func judge(
        accuracy: Double, manifest: Manifest, allManifests: [Manifest] = [], shortRun: Bool = false,
        diverged: Bool = false, learningRate: Double? = nil, configuration: TrainingConfiguration? = nil
    ) -> SanityVerdict {
        let band = manifest.sanity
        if diverged || !accuracy.isFinite {
            let rate = learningRate.map { " (learning rate \($0))" } ?? ""
            return SanityVerdict(
                passed: false, outcome: .diverged,
                message: "FAIL: the training diverged\(rate): the loss became NaN, infinite or absurdly large, so the accuracy says nothing "
                    + "about the data; rerun with a smaller --lr (default 0.01 for sgd, 0.001 for adam)",
                band: band)
        }
        let shown = String(format: "%.4f", accuracy)
        let range = String(format: "%.2f–%.2f", band.minAccuracy, band.maxAccuracy)
        if let configuration, case let off = uncalibratedSettings(configuration), !off.isEmpty {
            return SanityVerdict(
                passed: false, outcome: .inconclusive,
                message: "inconclusive: accuracy \(shown) is not judged: \(manifest.title)'s band \(range) is calibrated for "
                    + "\(calibratedText), and this run used \(off.joined(separator: ", ")); the data is neither passed nor blamed. "
                    + "Rerun without \(off.map { $0.split(separator: " ").first.map(String.init) ?? $0 }.joined(separator: "/")) to judge the data",
                band: band)
        }
        if band.contains(accuracy) {
            return SanityVerdict(passed: true, outcome: .pass, message: "pass: accuracy \(shown) inside \(manifest.title)'s band \(range)", band: band)
        }
        if shortRun && accuracy < band.minAccuracy {
            return SanityVerdict(
                passed: false, outcome: .shortRun,
                message: "FAIL: accuracy \(shown) is below \(manifest.title)'s band \(range), but this run saw less than one "
                    + "epoch of the training set (--limit): the band is meant for a full epoch; rerun without --limit to judge "
                    + "the data (if it stays near chance, labels and images are misaligned or corrupt)",
                band: band)
        }
        let chance = 1.0 / Double(max(manifest.classes.count, 2))
        if accuracy <= chance * 2 {
            return SanityVerdict(
                passed: false, outcome: .chanceLevel,
                message: "FAIL: accuracy \(shown) is about chance level (\(String(format: "%.2f", chance))): "
                    + "labels and images are misaligned, shuffled or corrupt",
                band: band)
        }
        if accuracy > band.maxAccuracy {
            // Too easy for this dataset: which other dataset's band does it fit?
            let other = allManifests.first { $0.name != manifest.name && $0.sanity.contains(accuracy) && $0.sanity.minAccuracy > band.maxAccuracy - 0.05 }
            let guess = other.map { "the data is probably \($0.title), not \(manifest.title)" }
                ?? "the data is easier than \(manifest.title) should be: is it really \(manifest.title)?"
            return SanityVerdict(passed: false, outcome: .aboveBand, message: "FAIL: accuracy \(shown) is above \(manifest.title)'s band \(range): \(guess)", band: band)
        }
        return SanityVerdict(
            passed: false, outcome: .belowBand,
            message: "FAIL: accuracy \(shown) is below \(manifest.title)'s band \(range): the data may be damaged, "
                + "or the run too short (--limit/--epochs) to judge",
            band: band)
    }
}
