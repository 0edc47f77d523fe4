import Foundation

/// A learnable synthetic dataset with planted faults, for the audit's tests: each class is a
/// bright 6 × 6 block at its own place (jittered by a pixel) on strong noise, so LeNet-5 learns
/// it in a few epochs, and any two images differ by far more than the audit's near-duplicate
/// threshold — except the planted pairs.
///
/// Planted: label flips (the label moved by 5 classes) in both splits; a training image copied
/// exactly into the training split; a training image copied with ±2 noise into the test split
/// (a near-duplicate leak); a test image copied with ±2 noise within the test split.
///
/// ```swift
/// let data = PlantedAuditData(train: 3000, test: 600, seed: 1)
/// let toy = try SyntheticDataset(name: "planted", title: "Planted", trainPixels: data.trainPixels, trainLabels: data.trainLabels,
///                                testPixels: data.testPixels, testLabels: data.testLabels, in: base)
/// ```
public struct PlantedAuditData {
    public private(set) var trainPixels: [UInt8]
    public private(set) var trainLabels: [UInt8]
    public private(set) var testPixels: [UInt8]
    public private(set) var testLabels: [UInt8]
    /// Indices whose labels were flipped.
    public let flippedTrain: [Int]
    public let flippedTest: [Int]
    /// (copy, original) training indices with equal bytes.
    public let exactTrainCopy: (copy: Int, original: Int)
    /// (test index, training index) of the near-duplicate leak.
    public let nearLeak: (test: Int, train: Int)
    /// (copy, original) test indices of the near-duplicate within the test split.
    public let nearTestCopy: (copy: Int, original: Int)

    public init(train: Int, test: Int, seed: UInt64, flipsTrain: Int = 12, flipsTest: Int = 6) {
        var random = SeededRandom(seed: seed)
        func image(_ label: Int) -> [UInt8] {
            var pixels = (0..<784).map { _ in UInt8(random.int(0..<90)) }
            let top = (label / 4) * 9 + 2 + random.int(-1..<2), left = (label % 4) * 7 + 1 + random.int(-1..<2)
            for r in 0..<6 { for c in 0..<6 { pixels[(top + r) * 28 + left + c] = UInt8(random.int(200..<256)) } }
            return pixels
        }
        func noisy(_ pixels: ArraySlice<UInt8>) -> [UInt8] {
            pixels.map { UInt8(max(0, min(255, Int($0) + random.int(-2..<3)))) }
        }
        trainLabels = (0..<train).map { _ in UInt8(random.int(0..<10)) }
        testLabels = (0..<test).map { _ in UInt8(random.int(0..<10)) }
        trainPixels = trainLabels.flatMap { image(Int($0)) }
        testPixels = testLabels.flatMap { image(Int($0)) }
        // Duplicates first (their originals are never flipped, so the flips stay the only label faults).
        exactTrainCopy = (copy: train - 1, original: 0)
        trainPixels.replaceSubrange((train - 1) * 784..<train * 784, with: trainPixels[0..<784])
        trainLabels[train - 1] = trainLabels[0]
        nearLeak = (test: test - 1, train: 1)
        testPixels.replaceSubrange((test - 1) * 784..<test * 784, with: noisy(trainPixels[784..<1568]))
        testLabels[test - 1] = trainLabels[1]
        nearTestCopy = (copy: test - 2, original: 0)
        testPixels.replaceSubrange((test - 2) * 784..<(test - 1) * 784, with: noisy(testPixels[0..<784]))
        testLabels[test - 2] = testLabels[0]
        // Flips: evenly spread, away from the planted duplicates.
        flippedTrain = (0..<flipsTrain).map { 10 + $0 * (train - 20) / flipsTrain }
        flippedTest = (0..<flipsTest).map { 10 + $0 * (test - 20) / flipsTest }
        for index in flippedTrain { trainLabels[index] = (trainLabels[index] + 5) % 10 }
        for index in flippedTest { testLabels[index] = (testLabels[index] + 5) % 10 }
    }
}
