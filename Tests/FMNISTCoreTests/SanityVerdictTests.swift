import FMNISTTraining
import Foundation
import Testing

@testable import FMNISTCore

@Suite struct SanityVerdictTests {
    let registry = try! ManifestRegistry.builtin()

    @Test func insideTheBandPasses() throws {
        let fashion = try registry.manifest(named: "fashion")
        #expect(SanityVerdict.judge(accuracy: 0.85, manifest: fashion).passed)
        #expect(SanityVerdict.judge(accuracy: 0.99, manifest: try registry.manifest(named: "mnist")).passed)
    }

    @Test func tooGoodForFashionMeansMNIST() throws {
        let verdict = SanityVerdict.judge(accuracy: 0.98, manifest: try registry.manifest(named: "fashion"), allManifests: registry.manifests)
        #expect(!verdict.passed)
        #expect(verdict.message.contains("probably MNIST"))
    }

    @Test func chanceLevelMeansMisalignedLabels() throws {
        let verdict = SanityVerdict.judge(accuracy: 0.11, manifest: try registry.manifest(named: "mnist"), allManifests: registry.manifests)
        #expect(!verdict.passed)
        #expect(verdict.message.contains("chance level"))
        #expect(verdict.message.contains("misaligned"))
    }

    @Test func belowTheBandSaysSo() throws {
        let verdict = SanityVerdict.judge(accuracy: 0.6, manifest: try registry.manifest(named: "fashion"))
        #expect(!verdict.passed)
        #expect(verdict.message.contains("below"))
    }

    @Test func shortRunsSayTheBandNeedsAFullEpoch() throws {
        let verdict = SanityVerdict.judge(accuracy: 0.15, manifest: try registry.manifest(named: "fashion"), shortRun: true)
        #expect(!verdict.passed)
        #expect(verdict.message.contains("--limit"))
        #expect(verdict.message.contains("rerun without --limit"))
    }

    @Test func aDivergedRunIsDivergedWhateverItsAccuracy() throws {
        let fashion = try registry.manifest(named: "fashion")
        for accuracy in [0.1, 0.85, Double.nan] {
            let verdict = SanityVerdict.judge(accuracy: accuracy, manifest: fashion, diverged: true, learningRate: 100)
            #expect(!verdict.passed)
            #expect(verdict.outcome == .diverged)
            #expect(verdict.message.contains("diverged (learning rate 100.0)"))
            #expect(verdict.message.contains("smaller --lr"))
        }
        #expect(SanityVerdict.judge(accuracy: 0.85, manifest: fashion).outcome == .pass)
        #expect(SanityVerdict.judge(accuracy: 0.11, manifest: fashion).outcome == .chanceLevel)
    }

    /// The bands are calibrated for sgd, --lr 0.01, momentum 0.9, --batch 64: off them the verdict
    /// is inconclusive (exit 0) whatever the accuracy, even inside another dataset's band (MNIST at
    /// --lr 0.001 scores 0.894, inside Fashion-MNIST's band) or below this one's; seed, threads
    /// and epochs stay calibrated.
    @Test func offTheCalibratedSettingsTheVerdictIsInconclusive() throws {
        let fashion = try registry.manifest(named: "fashion")
        let mnist = try registry.manifest(named: "mnist")
        let off: [(TrainingConfiguration, String)] = [
            (TrainingConfiguration(learningRate: 0.001), "--lr 0.001"),
            (TrainingConfiguration(batchSize: 1024), "--batch 1024"),
            (TrainingConfiguration(optimizer: .adam), "--optimizer adam"),
            (TrainingConfiguration(momentum: 0.5), "momentum 0.5"),
        ]
        for (configuration, named) in off {
            #expect(SanityVerdict.uncalibratedSettings(configuration).contains(named))
            for (accuracy, manifest) in [(0.894, fashion), (0.894, mnist), (0.5, fashion), (0.11, mnist), (0.99, fashion)] {
                let verdict = SanityVerdict.judge(accuracy: accuracy, manifest: manifest, allManifests: registry.manifests,
                                                  configuration: configuration)
                #expect(verdict.outcome == .inconclusive)
                #expect(!verdict.passed)
                #expect(verdict.exitStatus == .success)
                #expect(verdict.message.hasPrefix("inconclusive:"))
                #expect(verdict.message.contains(named))
                #expect(!verdict.message.contains("damaged") && !verdict.message.contains("probably"))
            }
        }
        // A diverged run stays diverged (exit 6): that is a fact about the run, whatever the settings.
        let diverged = SanityVerdict.judge(accuracy: 0.1, manifest: fashion, diverged: true, learningRate: 100,
                                           configuration: TrainingConfiguration(batchSize: 4, learningRate: 100))
        #expect(diverged.outcome == .diverged && diverged.exitStatus == .sanityFailed)
        // Calibrated: any seed, threads or more epochs are judged as usual.
        for configuration in [TrainingConfiguration(), TrainingConfiguration(epochs: 5, seed: 42, threads: 1),
                              TrainingConfiguration(learningRate: 0.01)] {
            #expect(SanityVerdict.uncalibratedSettings(configuration).isEmpty)
            let pass = SanityVerdict.judge(accuracy: 0.85, manifest: fashion, configuration: configuration)
            #expect(pass.outcome == .pass && pass.exitStatus == .success)
            let mnistInFashion = SanityVerdict.judge(accuracy: 0.98, manifest: fashion, allManifests: registry.manifests,
                                                     configuration: configuration)
            #expect(mnistInFashion.outcome == .aboveBand && mnistInFashion.exitStatus == .sanityFailed)
            let low = SanityVerdict.judge(accuracy: 0.6, manifest: fashion, configuration: configuration)
            #expect(low.outcome == .belowBand && low.exitStatus == .sanityFailed)
        }
    }

    /// versions/status call a recorded inconclusive run what it is, never FAIL.
    @Test func anInconclusiveRunIsStampedInconclusive() throws {
        let stamp = SmokeTrainStamp(passed: false, accuracy: 0.894, epochs: 1, verdict: "inconclusive: accuracy 0.8940 is not judged", time: Date())
        #expect(stamp.text.hasPrefix("smoke-train inconclusive 89.4%"))
        let fail = SmokeTrainStamp(passed: false, accuracy: 0.6, epochs: 1, verdict: "FAIL: accuracy 0.6", time: Date())
        #expect(fail.text.hasPrefix("smoke-train FAIL"))
    }

    @Test func nonFiniteFiguresAreNullInJSONAndMarkTheRunDiverged() throws {
        let epoch = EpochReport(epoch: 1, trainLoss: .nan, trainAccuracy: 0.1, imagesPerSecond: .infinity, seconds: 0)
        let report = TrainingReport(
            epochs: [epoch], testAccuracy: 0.1, testLoss: -.infinity, confusion: [[1]], trainImagesPerSecond: 10,
            totalSeconds: 1, evaluationSeconds: 0.5, threads: 1, kernel: "portable", trainingImages: 1, testImages: 1,
            normalizationMean: 0.3, normalizationStd: 0.3)
        #expect(report.diverged && epoch.diverged)
        let text = try JSONOutput.encode(report)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["test_loss"] is NSNull)
        #expect(object["test_accuracy"] as? Double == 0.1)
        let epochs = try #require(object["epochs"] as? [[String: Any]])
        #expect(epochs[0]["train_loss"] is NSNull && epochs[0]["images_per_second"] is NSNull)
        // Read back, the nulls are NaN again and the run still counts as diverged.
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        #expect(try decoder.decode(TrainingReport.self, from: Data(text.utf8)).diverged)
        // A finite but absurd loss is divergence too; a sane one is not.
        #expect(EpochReport.isDiverged(1e15) && !EpochReport.isDiverged(2.3))
    }
}
