@testable import FMNISTCore
import FMNISTTraining
import Foundation
import TestSupport
import Testing

/// The audit's parts, each alone: confident learning on known probabilities, the near-duplicate
/// search against brute force, the fold assignment, the card's text.
@Suite struct AuditTests {
    /// Probabilities with a clear favourite per image.
    static func probabilities(_ favourites: [Int], confidence: Float = 0.9) -> [Float] {
        favourites.flatMap { f in (0..<10).map { $0 == f ? confidence : (1 - confidence) / 9 } }
    }

    @Test func confidentLearningFindsTheDisagreementsAndEstimatesNoise() {
        // 100 images: 10 per class, the models agree except images 3 and 17 (labelled 0 and 1, believed 5).
        let labels = (0..<100).map { UInt8($0 / 10) }
        var favourites = labels.map(Int.init)
        favourites[3] = 5
        favourites[17] = 5
        let cl = ConfidentLearning(probabilities: Self.probabilities(favourites), labels: labels, classes: 10)
        #expect(cl.confidentIssueCount == 2)
        #expect(Array(cl.ranking().prefix(2)) == [3, 17])
        #expect(cl.suggested[3] == 5 && cl.suggested[17] == 5)
        #expect(abs(cl.selfConfidence[3] - Double(Float(0.1) / 9)) < 1e-6)
        // t_0 = mean self-confidence of class 0: (9 × 0.9 + 0.1/9) / 10.
        #expect(abs(cl.thresholds[0]! - (9 * 0.9 + 0.1 / 9) / 10) < 1e-6)
        #expect(cl.confidentJoint[0][5] == 1 && cl.confidentJoint[1][5] == 1 && cl.confidentJoint[0][0] == 9)
        #expect(abs(cl.noiseRates[0] - 0.1) < 1e-9 && abs(cl.noiseRates[1] - 0.1) < 1e-9 && cl.noiseRates[2] == 0)
        #expect(cl.labelCounts == [Int](repeating: 10, count: 10))
    }

    @Test func anEmptyClassHasNoThresholdAndCountsNothing() {
        let labels: [UInt8] = [0, 0, 1, 1]
        let cl = ConfidentLearning(probabilities: Self.probabilities([0, 9, 1, 1]), labels: labels, classes: 10)
        #expect(cl.thresholds[9] == nil && cl.thresholds[0] != nil)
        #expect(cl.confidentJoint[0][9] == 0)
        #expect(cl.suggested[1] == 9)
        #expect(cl.ranking().first == 1)
    }

    /// Random 28 × 28 images (noise plus a bright block) with some planted neighbours.
    static func images(_ count: Int, seed: UInt64) -> [UInt8] {
        var random = SeededRandom(seed: seed)
        return (0..<count).flatMap { _ -> [UInt8] in
            var pixels = (0..<784).map { _ in UInt8(random.int(0..<60)) }
            let top = random.int(0..<20), left = random.int(0..<20)
            for r in 0..<8 { for c in 0..<8 { pixels[(top + r) * 28 + left + c] = 230 } }
            return pixels
        }
    }

    /// Brute force over all pairs, with the search's distance.
    static func bruteForce(_ train: [UInt8], _ test: [UInt8], threshold: Double) -> Set<String> {
        var pooled: [[Float]] = []
        for (split, pixels) in [("train", train), ("test", test)] {
            for i in 0..<(pixels.count / 784) {
                var v = [Float](repeating: 0, count: 196)
                for r in 0..<14 { for c in 0..<14 {
                    let at = i * 784 + 2 * r * 28 + 2 * c
                    v[r * 14 + c] = Float(Int(pixels[at]) + Int(pixels[at + 1]) + Int(pixels[at + 28]) + Int(pixels[at + 29])) / 4
                } }
                _ = split
                pooled.append(v)
            }
        }
        let trainCount = train.count / 784
        func name(_ i: Int) -> String { i < trainCount ? "train \(i)" : "test \(i - trainCount)" }
        var found = Set<String>()
        for i in 0..<pooled.count {
            for j in (i + 1)..<pooled.count {
                var sum: Float = 0
                for d in 0..<196 { let x = pooled[i][d] - pooled[j][d]; sum += x * x }
                if Double(sum.squareRoot()) / 14 <= threshold { found.insert([name(i), name(j)].sorted().joined(separator: " ~ ")) }
            }
        }
        return found
    }

    @Test func nearDuplicateSearchFindsExactlyWhatBruteForceFinds() {
        var train = Self.images(300, seed: 1), test = Self.images(100, seed: 2)
        // Planted: an exact copy within train, a noisy copy test ← train, a shifted-by-noise copy within test.
        train.replaceSubrange((299 * 784)..<(300 * 784), with: train[0..<784])
        var random = SeededRandom(seed: 3)
        test.replaceSubrange(0..<784, with: train[(5 * 784)..<(6 * 784)].map { UInt8(max(0, min(255, Int($0) + random.int(-4..<5)))) })
        test.replaceSubrange((99 * 784)..<(100 * 784), with: test[(50 * 784)..<(51 * 784)].map { $0 / 2 + 10 })
        for threshold in [3.0, 6.0, 12.0, 20.0] {
            let outcome = NearDuplicateSearch(threshold: threshold, maxPairs: 100_000).run(train: train, test: test)
            let found = Set(outcome.pairs.map { [$0.a, $0.b].map { "\($0.split.rawValue) \($0.index)" }.sorted().joined(separator: " ~ ") })
            #expect(found == Self.bruteForce(train, test, threshold: threshold), "threshold \(threshold)")
            #expect(outcome.counts.values.reduce(0, +) == found.count)
            // The pruning does its job: far fewer full distances than pairs.
            #expect(outcome.fullDistances < 400 * 399 / 2 / 4, "\(outcome.fullDistances) full distances")
        }
        let outcome = NearDuplicateSearch(threshold: 6).run(train: train, test: test, trainLabels: [UInt8](repeating: 1, count: 300),
                                                             testLabels: [UInt8](repeating: 2, count: 100))
        let exact = outcome.pairs.first { $0.exact }
        #expect(exact?.a == ImageReference(split: .train, index: 0) && exact?.b == ImageReference(split: .train, index: 299))
        #expect(exact?.distance == 0)
        let leak = outcome.pairs.first { $0.kind == .testTrain }
        #expect(leak?.a == ImageReference(split: .test, index: 0) && leak?.b == ImageReference(split: .train, index: 5))
        #expect(outcome.differentLabelCounts[.testTrain] == 1 && outcome.differentLabelCounts[.trainTrain] == 0)
        #expect(outcome.exactCounts[.trainTrain] == 1)
    }

    @Test func theListIsCappedButTheCountsAreNot() {
        // 40 identical images: 780 pairs.
        let same = [UInt8]((0..<40).flatMap { _ in Self.images(1, seed: 9) })
        let outcome = NearDuplicateSearch(threshold: 1, maxPairs: 50).run(train: same, test: Self.images(3, seed: 4))
        #expect(outcome.pairs.count == 50)
        #expect(outcome.counts[.trainTrain] == 780 && outcome.exactCounts[.trainTrain] == 780)
    }

    @Test func foldsAreBalancedAndSeeded() {
        let folds = OutOfSamplePredictions.foldAssignment(count: 103, folds: 5, seed: 0)
        let sizes = (0..<5).map { k in folds.filter { $0 == k }.count }
        #expect(sizes.max()! - sizes.min()! <= 1 && sizes.reduce(0, +) == 103)
        #expect(folds == OutOfSamplePredictions.foldAssignment(count: 103, folds: 5, seed: 0))
        #expect(folds != OutOfSamplePredictions.foldAssignment(count: 103, folds: 5, seed: 1))
    }

    @Test func outOfSamplePredictionsCoverEveryImage() throws {
        let data = PlantedAuditData(train: 600, test: 100, seed: 2, flipsTrain: 0, flipsTest: 0)
        let train = LabeledImages(count: 600, rows: 28, columns: 28, pixels: data.trainPixels, labels: data.trainLabels)
        let test = LabeledImages(count: 100, rows: 28, columns: 28, pixels: data.testPixels, labels: data.testLabels)
        var seen: [Int] = []
        let result = try OutOfSamplePredictions.compute(
            train: train, test: test, folds: 3, configuration: TrainingConfiguration(epochs: 1, seed: 1, limit: nil),
            progress: { fold, _ in seen.append(fold) })
        #expect(seen == [1, 2, 3])
        #expect(result.train.count == 6000 && result.test.count == 1000)
        for i in 0..<600 { #expect(abs(result.train[(i * 10)..<(i * 10 + 10)].reduce(0, +) - 1) < 1e-3) }
        #expect(throws: AuditError.interrupted) {
            try OutOfSamplePredictions.compute(train: train, test: test, folds: 3, configuration: TrainingConfiguration(epochs: 1),
                                               isCancelled: { true })
        }
    }

    @Test func theCardReadsAsTextAndMarkdown() {
        let card = BenchmarkCard(
            dataset: "toy", title: "Toy", versionId: String(repeating: "a", count: 64), versionShortId: "aaaaaaaaaaaa", versionName: "v1",
            classes: (0..<10).map { ClassCard(label: $0, name: $0 == 3 ? "A|B" : "c\($0)", trainImages: 6, testImages: 1,
                                              trainNoiseRate: $0 == 3 ? 0.5 : 0, testNoiseRate: 0) },
            trainImages: 60, testImages: 10, trainLabelIssues: 3, testLabelIssues: 1, nearDuplicatesTrain: 2, nearDuplicatesTest: 0,
            nearDuplicatesTestTrain: 1, nearDuplicatesTestTrainDifferentLabel: 1, nearThreshold: 6, exactDuplicatesTrain: 1,
            exactDuplicatesTest: 0, leaks: 0, crossValidatedAccuracy: 0.9, testAccuracy: 0.8)
        let lines = card.summaryLines
        #expect(lines[0] == "Toy v1 (aaaaaaaaaaaa): 60 training and 10 test images")
        #expect(lines.contains("noisiest class: 3 A|B (estimated noise 50.00% train, 0.00% test)"))
        #expect(lines.contains("exact duplicates: 1 in train, 0 in test; leaks (test images in train): 0"))
        let markdown = card.markdown(settings: AuditSettings())
        #expect(markdown.contains("| 3 | A\\|B | 6 | 1 | 50.00% | 0.00% |"))
        #expect(markdown.contains("`fmnist audit toy@aaaaaaaaaaaa --folds 5"))
    }
}
