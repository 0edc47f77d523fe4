import FMNISTTraining

/// Out-of-sample class probabilities for every image of a version, from LeNet-5:
/// the training split by K-fold cross-validation (each image predicted by the model that did not
/// see it), the test split by the ensemble of the K fold models (their probabilities averaged).
///
/// Folds are a seeded shuffle of the training indices dealt round-robin, so each fold holds
/// `n/K` images (±1) of every part of the file; fold `k`'s model trains with seed `seed + k`.
/// The result depends only on the images, the settings and the thread count of the trainer.
///
/// ```swift
/// let predictions = try OutOfSamplePredictions.compute(
///     train: train, test: test, folds: 5, configuration: TrainingConfiguration(epochs: 3, seed: 0))
/// ```
public struct OutOfSamplePredictions: Sendable {
    /// `train.count × 10` probabilities, image after image.
    public let train: [Float]
    /// `test.count × 10` probabilities (the fold models' mean).
    public let test: [Float]
    /// Share of training images whose held-out prediction equals their label.
    public let crossValidatedAccuracy: Double
    /// Share of test images whose ensemble prediction equals their label.
    public let testAccuracy: Double

    /// The fold (0..<folds) of each training image.
    static func foldAssignment(count: Int, folds: Int, seed: UInt64) -> [Int] {
        var order = Array(0..<count)
        var generator = SeededGenerator(seed: seed ^ 0xA0D1_7F01_D5EE_D000)
        var i = count - 1
        while i > 0 {  // Fisher-Yates with the trainer's generator: the same folds on every platform
            order.swapAt(i, generator.nextIndex(below: i + 1))
            i -= 1
        }
        var fold = [Int](repeating: 0, count: count)
        for (position, index) in order.enumerated() { fold[index] = position % folds }
        return fold
    }

    /// The images at `indices` (in that order) as a set of their own.
    static func subset(_ images: LabeledImages, _ indices: [Int]) -> LabeledImages {
        let size = images.rows * images.columns
        var pixels = [UInt8](repeating: 0, count: indices.count * size)
        pixels.withUnsafeMutableBufferPointer { target in
            images.pixels.withUnsafeBufferPointer { source in
                for (row, index) in indices.enumerated() {
                    (target.baseAddress! + row * size).update(from: source.baseAddress! + index * size, count: size)
                }
            }
        }
        return LabeledImages(count: indices.count, rows: images.rows, columns: images.columns,
                             pixels: pixels, labels: indices.map { images.labels[$0] })
    }

    /// Trains `folds` models and predicts as described above.
    /// - Parameters:
    ///   - progress: called after each fold with (fold number from 1, its held-out accuracy).
    ///   - isCancelled: checked between folds; when it returns true, ``AuditError/interrupted`` is thrown.
    /// - Throws: `TrainingError` for invalid settings or data, ``AuditError/interrupted``.
    public static func compute(
        train: LabeledImages, test: LabeledImages, folds: Int, configuration: TrainingConfiguration,
        progress: (Int, Double) -> Void = { _, _ in }, isCancelled: () -> Bool = { false }
    ) throws -> OutOfSamplePredictions {
        let classes = 10
        guard folds >= 2, folds <= train.count else {
            throw TrainingError.invalidConfiguration("folds must be between 2 and the \(train.count) training images, got \(folds)")
        }
        let assignment = foldAssignment(count: train.count, folds: folds, seed: configuration.seed)
        var trainProbabilities = [Float](repeating: 0, count: train.count * classes)
        var testSums = [Double](repeating: 0, count: test.count * classes)
        var heldCorrect = 0
        for k in 0..<folds {
            if isCancelled() { throw AuditError.interrupted }
            let held = assignment.indices.filter { assignment[$0] == k }
            let rest = assignment.indices.filter { assignment[$0] != k }
            var settings = configuration
            settings.seed = configuration.seed &+ UInt64(k)
            settings.limit = nil
            let model = try LeNetTrainer(configuration: settings).fit(train: subset(train, rest))
            let heldOut = subset(train, held)
            let p = try model.probabilities(for: heldOut)
            var correct = 0
            for (row, index) in held.enumerated() {
                var best = 0
                for c in 0..<classes {
                    trainProbabilities[index * classes + c] = p[row * classes + c]
                    if p[row * classes + c] > p[row * classes + best] { best = c }
                }
                if best == Int(train.labels[index]) { correct += 1 }
            }
            heldCorrect += correct
            let q = try model.probabilities(for: test)
            for i in 0..<q.count { testSums[i] += Double(q[i]) }
            progress(k + 1, held.isEmpty ? 0 : Double(correct) / Double(held.count))
        }
        let testProbabilities = testSums.map { Float($0 / Double(folds)) }
        var testCorrect = 0
        for i in 0..<test.count {
            var best = 0
            for c in 1..<classes where testProbabilities[i * classes + c] > testProbabilities[i * classes + best] { best = c }
            if best == Int(test.labels[i]) { testCorrect += 1 }
        }
        return OutOfSamplePredictions(
            train: trainProbabilities, test: testProbabilities,
            crossValidatedAccuracy: Double(heldCorrect) / Double(train.count),
            testAccuracy: Double(testCorrect) / Double(test.count))
    }
}
