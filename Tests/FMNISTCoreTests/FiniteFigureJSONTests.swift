import FMNISTTraining
import Foundation
import Testing

@testable import FMNISTCore

/// The exact JSON of every type whose figures may be NaN or infinite (a diverged run): each such
/// figure is `null`, absent optional figures are `null` too, finite ones are numbers, and reading
/// the JSON back gives NaN for `null`. The bytes are pinned: `smoke-train --json` and `log --json`
/// print these types.
@Suite struct FiniteFigureJSONTests {
    static let epoch = EpochReport(epoch: 2, trainLoss: .nan, trainAccuracy: 0.25, imagesPerSecond: .infinity, seconds: 1.5)
    static let evaluated = EpochReport(
        epoch: 3, trainLoss: 0.5, trainAccuracy: 0.75, imagesPerSecond: 10, seconds: 2, testAccuracy: -.infinity, testLoss: 0.125)
    static let report = TrainingReport(
        epochs: [epoch, evaluated], testAccuracy: 0.1, testLoss: -.infinity, confusion: [[1, 0], [0, 1]],
        trainImagesPerSecond: .nan, totalSeconds: 1, evaluationSeconds: 0.5, threads: 2, kernel: "portable",
        trainingImages: 4, testImages: 2, normalizationMean: 0.3, normalizationStd: .infinity)
    static let record = SmokeTrainRecord(
        id: 7, dataset: "fashion", versionID: "v1", accuracy: .infinity, loss: .nan, imagesPerSecond: 12.5, epochs: 3,
        verdict: "FAIL: diverged", report: .null, time: Date(timeIntervalSince1970: 1_700_000_000))

    @Test func trainingReportJSONIsPinned() throws {
        #expect(try JSONOutput.encode(Self.report) == Self.reportJSON)
    }

    @Test func smokeTrainRecordAndSummaryJSONArePinned() throws {
        #expect(try JSONOutput.encode(Self.record) == Self.recordJSON)
        let summary = SmokeTrainSummary(accuracy: .nan, loss: 0.5, imagesPerSecond: -.infinity, epochs: 1, verdict: "pass")
        #expect(try JSONOutput.encode(summary) == Self.summaryJSON)
    }

    @Test func nullFiguresReadBackAsNaN() throws {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        let report = try decoder.decode(TrainingReport.self, from: Data(Self.reportJSON.utf8))
        #expect(report.testLoss.isNaN && report.trainImagesPerSecond.isNaN && report.normalizationStd.isNaN)
        #expect(report.testAccuracy == 0.1 && report.totalSeconds == 1 && report.confusion == [[1, 0], [0, 1]])
        #expect(report.epochs[0].trainLoss.isNaN && report.epochs[0].imagesPerSecond.isNaN)
        #expect(report.epochs[0].testAccuracy == nil && report.epochs[0].testLoss == nil)
        #expect(report.epochs[1].testAccuracy == nil && report.epochs[1].testLoss == 0.125)
        #expect(try JSONOutput.encode(report) == Self.reportJSON)
        // A figure whose key is missing altogether reads as NaN (an older writer left it out).
        let partial = #"{"epoch": 1, "train_accuracy": 0.5, "images_per_second": 3, "seconds": 1}"#
        let epoch = try decoder.decode(EpochReport.self, from: Data(partial.utf8))
        #expect(epoch.trainLoss.isNaN && epoch.trainAccuracy == 0.5 && epoch.testLoss == nil)
        // (The catalog's own round trip: camelCase keys, which snake_case cannot restore for `versionID`.)
        let record = try JSONDecoder().decode(SmokeTrainRecord.self, from: try JSONEncoder().encode(Self.record))
        #expect(record.accuracy.isNaN && record.loss.isNaN && record.imagesPerSecond == 12.5 && record.id == 7)
    }
}

extension FiniteFigureJSONTests {
    // Written by the hand-coded encoders this project had before `@FiniteOrNull` replaced them.
    static let reportJSON = """
        {
          "confusion" : [
            [
              1,
              0
            ],
            [
              0,
              1
            ]
          ],
          "epochs" : [
            {
              "epoch" : 2,
              "images_per_second" : null,
              "seconds" : 1.5,
              "test_accuracy" : null,
              "test_loss" : null,
              "train_accuracy" : 0.25,
              "train_loss" : null
            },
            {
              "epoch" : 3,
              "images_per_second" : 10,
              "seconds" : 2,
              "test_accuracy" : null,
              "test_loss" : 0.125,
              "train_accuracy" : 0.75,
              "train_loss" : 0.5
            }
          ],
          "evaluation_seconds" : 0.5,
          "kernel" : "portable",
          "normalization_mean" : 0.3,
          "normalization_std" : null,
          "test_accuracy" : 0.1,
          "test_images" : 2,
          "test_loss" : null,
          "threads" : 2,
          "total_seconds" : 1,
          "train_images_per_second" : null,
          "training_images" : 4
        }
        """
    static let recordJSON = """
        {
          "accuracy" : null,
          "dataset" : "fashion",
          "epochs" : 3,
          "id" : 7,
          "images_per_second" : 12.5,
          "loss" : null,
          "report" : null,
          "time" : "2023-11-14T22:13:20Z",
          "verdict" : "FAIL: diverged",
          "version_id" : "v1"
        }
        """
    static let summaryJSON = """
        {
          "accuracy" : null,
          "epochs" : 1,
          "images_per_second" : null,
          "loss" : 0.5,
          "verdict" : "pass"
        }
        """
}
