/// Statistics of one training epoch.
public struct EpochReport: Sendable, Equatable, Codable {
    /// 1-based epoch number.
    public let epoch: Int
    /// Mean softmax cross-entropy over the epoch's training images (as seen during the epoch).
    public let trainLoss: Double
    /// Fraction of the epoch's training images classified correctly during the epoch.
    public let trainAccuracy: Double
    /// Training images per second of wall time (evaluation excluded).
    public let imagesPerSecond: Double
    /// Wall time of the epoch's training, in seconds.
    public let seconds: Double
    /// Test-set accuracy after this epoch, when `evaluateEachEpoch` is set.
    public let testAccuracy: Double?
    /// Mean test-set loss after this epoch, when `evaluateEachEpoch` is set.
    public let testLoss: Double?

    /// Memberwise initialiser (the trainer creates these; useful for formatting tests).
    public init(
        epoch: Int, trainLoss: Double, trainAccuracy: Double, imagesPerSecond: Double, seconds: Double,
        testAccuracy: Double? = nil, testLoss: Double? = nil
    ) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.imagesPerSecond = imagesPerSecond
        self.seconds = seconds
        self.testAccuracy = testAccuracy
        self.testLoss = testLoss
    }
}

/// The outcome of `LeNetTrainer.train`.
public struct TrainingReport: Sendable, Equatable, Codable {
    /// One report per epoch, in order.
    public let epochs: [EpochReport]
    /// Accuracy of the final network on the test set.
    public let testAccuracy: Double
    /// Mean softmax cross-entropy of the final network on the test set.
    public let testLoss: Double
    /// 10 × 10 counts over the test set: row = true label, column = predicted label.
    public let confusion: [[Int]]
    /// Training images per second over all epochs (total images / total training time).
    public let trainImagesPerSecond: Double
    /// Wall time of the whole call (normalisation, training and evaluation), in seconds.
    public let totalSeconds: Double
    /// Wall time spent evaluating the test set, in seconds.
    public let evaluationSeconds: Double
    /// Worker threads used.
    public let threads: Int
    /// GEMM implementation that ran: "avx2-fma" or "portable".
    public let kernel: String
    /// Training images per epoch (after `limit`).
    public let trainingImages: Int
    /// Test images evaluated.
    public let testImages: Int
    /// Mean of pixel/255 over the whole training set, used to normalise.
    public let normalizationMean: Double
    /// Unbiased standard deviation of pixel/255 over the whole training set, used to normalise.
    public let normalizationStd: Double

    /// Memberwise initialiser (the trainer creates these; useful for formatting tests).
    public init(
        epochs: [EpochReport], testAccuracy: Double, testLoss: Double, confusion: [[Int]],
        trainImagesPerSecond: Double, totalSeconds: Double, evaluationSeconds: Double, threads: Int,
        kernel: String, trainingImages: Int, testImages: Int, normalizationMean: Double,
        normalizationStd: Double
    ) {
        self.epochs = epochs
        self.testAccuracy = testAccuracy
        self.testLoss = testLoss
        self.confusion = confusion
        self.trainImagesPerSecond = trainImagesPerSecond
        self.totalSeconds = totalSeconds
        self.evaluationSeconds = evaluationSeconds
        self.threads = threads
        self.kernel = kernel
        self.trainingImages = trainingImages
        self.testImages = testImages
        self.normalizationMean = normalizationMean
        self.normalizationStd = normalizationStd
    }
}
