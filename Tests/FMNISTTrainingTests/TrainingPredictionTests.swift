import Testing
@testable import FMNISTTraining

/// `LeNetTrainer.fit` and `TrainedLeNet.probabilities`: what the audit's out-of-sample
/// predictions rest on.
@Suite struct TrainingPredictionTests {
    static let train = TrainingFixtures.synthetic(count: 600, seed: 1)
    static let test = TrainingFixtures.synthetic(count: 200, seed: 2)

    @Test func probabilitiesAreADistributionPerImageAndAgreeWithEvaluation() throws {
        let config = TrainingConfiguration(epochs: 3, batchSize: 32, seed: 5, threads: 2)
        var epochs: [EpochReport] = []
        let model = try LeNetTrainer(configuration: config).fit(train: Self.train) { epochs.append($0) }
        #expect(epochs.map(\.epoch) == [1, 2, 3] && epochs.allSatisfy { $0.testAccuracy == nil })
        let p = try model.probabilities(for: Self.test)
        #expect(p.count == Self.test.count * 10)
        var correct = 0
        for i in 0..<Self.test.count {
            let row = p[(i * 10)..<(i * 10 + 10)]
            #expect(abs(row.reduce(0, +) - 1) < 1e-4)
            #expect(row.allSatisfy { $0 >= 0 && $0 <= 1 })
            let best = row.indices.max { row[$0] < row[$1] }! - i * 10
            if best == Int(Self.test.labels[i]) { correct += 1 }
        }
        // The same network's accuracy as `train` reports it (same seed, same settings).
        let report = try LeNetTrainer(configuration: config).train(train: Self.train, test: Self.test)
        #expect(Double(correct) / Double(Self.test.count) == report.testAccuracy)
        #expect(report.testAccuracy > 0.9)
    }

    @Test(arguments: [1, 2])
    func predictionsAreReproducibleAndIndependentOfTheBatch(threads: Int) throws {
        let config = TrainingConfiguration(epochs: 1, seed: 3, threads: threads, limit: 256)
        let a = try LeNetTrainer(configuration: config).fit(train: Self.train)
        let b = try LeNetTrainer(configuration: config).fit(train: Self.train)
        let all = try a.probabilities(for: Self.test)
        #expect(all == (try b.probabilities(for: Self.test)))
        // One image alone gets the same probabilities as within the set.
        let one = LabeledImages(count: 1, rows: 28, columns: 28, pixels: Array(Self.test.pixels[(5 * 784)..<(6 * 784)]),
                                labels: [Self.test.labels[5]])
        #expect(try a.probabilities(for: one) == Array(all[50..<60]))
    }

    @Test func invalidImagesAreRefused() throws {
        let model = try LeNetTrainer(configuration: TrainingConfiguration(epochs: 1, seed: 1, limit: 64)).fit(train: Self.train)
        let wrong = LabeledImages(count: 1, rows: 14, columns: 14, pixels: [UInt8](repeating: 0, count: 196), labels: [0])
        #expect(throws: TrainingError.invalidImageSize(set: "images to predict", rows: 14, columns: 14)) {
            try model.probabilities(for: wrong)
        }
    }
}
