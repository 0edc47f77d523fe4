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
    /// GEMM implementation that ran: "avx512", "avx2-fma" or "portable".
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

// MARK: - JSON of non-finite figures

/// A diverged run (e.g. a learning rate far too large) has NaN or infinite losses, which JSON
/// cannot hold: every figure of the reports below is written as `null` when it is not finite,
/// and read back as NaN. Counts and finite figures are written as they are.
extension KeyedEncodingContainer {
    /// Encodes `value`, or `null` when it is NaN or infinite.
    public mutating func encodeFiniteOrNull(_ value: Double, forKey key: Key) throws {
        if value.isFinite { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    /// Encodes `value` when present; `null` when it is absent, NaN or infinite.
    public mutating func encodeFiniteOrNull(_ value: Double?, forKey key: Key) throws {
        if let value, value.isFinite { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
}

extension KeyedDecodingContainer {
    /// Decodes a figure that ``KeyedEncodingContainer/encodeFiniteOrNull(_:forKey:)`` wrote: `null` is NaN.
    public func decodeFiniteOrNaN(forKey key: Key) throws -> Double {
        try decodeIfPresent(Double.self, forKey: key) ?? .nan
    }
}

extension EpochReport {
    enum CodingKeys: String, CodingKey {
        case epoch, trainLoss, trainAccuracy, imagesPerSecond, seconds, testAccuracy, testLoss
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            epoch: try container.decode(Int.self, forKey: .epoch),
            trainLoss: try container.decodeFiniteOrNaN(forKey: .trainLoss),
            trainAccuracy: try container.decodeFiniteOrNaN(forKey: .trainAccuracy),
            imagesPerSecond: try container.decodeFiniteOrNaN(forKey: .imagesPerSecond),
            seconds: try container.decodeFiniteOrNaN(forKey: .seconds),
            testAccuracy: try container.decodeIfPresent(Double.self, forKey: .testAccuracy),
            testLoss: try container.decodeIfPresent(Double.self, forKey: .testLoss))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(epoch, forKey: .epoch)
        try container.encodeFiniteOrNull(trainLoss, forKey: .trainLoss)
        try container.encodeFiniteOrNull(trainAccuracy, forKey: .trainAccuracy)
        try container.encodeFiniteOrNull(imagesPerSecond, forKey: .imagesPerSecond)
        try container.encodeFiniteOrNull(seconds, forKey: .seconds)
        try container.encodeFiniteOrNull(testAccuracy, forKey: .testAccuracy)
        try container.encodeFiniteOrNull(testLoss, forKey: .testLoss)
    }

    /// A mean cross-entropy above this means the weights blew up: a network that only guesses
    /// scores ln 10 ≈ 2.3, and a sane run ends far below that.
    public static let divergedLoss = 1000.0

    /// Whether `loss` says the training diverged: NaN, infinite, or above ``divergedLoss``.
    public static func isDiverged(_ loss: Double) -> Bool { !loss.isFinite || loss > divergedLoss }

    /// Whether a loss of this epoch says the training diverged (see ``isDiverged(_:)``).
    public var diverged: Bool { Self.isDiverged(trainLoss) || (testLoss.map(Self.isDiverged) ?? false) }
}

extension TrainingReport {
    enum CodingKeys: String, CodingKey {
        case epochs, testAccuracy, testLoss, confusion, trainImagesPerSecond, totalSeconds, evaluationSeconds, threads
        case kernel, trainingImages, testImages, normalizationMean, normalizationStd
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            epochs: try container.decode([EpochReport].self, forKey: .epochs),
            testAccuracy: try container.decodeFiniteOrNaN(forKey: .testAccuracy),
            testLoss: try container.decodeFiniteOrNaN(forKey: .testLoss),
            confusion: try container.decode([[Int]].self, forKey: .confusion),
            trainImagesPerSecond: try container.decodeFiniteOrNaN(forKey: .trainImagesPerSecond),
            totalSeconds: try container.decodeFiniteOrNaN(forKey: .totalSeconds),
            evaluationSeconds: try container.decodeFiniteOrNaN(forKey: .evaluationSeconds),
            threads: try container.decode(Int.self, forKey: .threads),
            kernel: try container.decode(String.self, forKey: .kernel),
            trainingImages: try container.decode(Int.self, forKey: .trainingImages),
            testImages: try container.decode(Int.self, forKey: .testImages),
            normalizationMean: try container.decodeFiniteOrNaN(forKey: .normalizationMean),
            normalizationStd: try container.decodeFiniteOrNaN(forKey: .normalizationStd))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(epochs, forKey: .epochs)
        try container.encodeFiniteOrNull(testAccuracy, forKey: .testAccuracy)
        try container.encodeFiniteOrNull(testLoss, forKey: .testLoss)
        try container.encode(confusion, forKey: .confusion)
        try container.encodeFiniteOrNull(trainImagesPerSecond, forKey: .trainImagesPerSecond)
        try container.encodeFiniteOrNull(totalSeconds, forKey: .totalSeconds)
        try container.encodeFiniteOrNull(evaluationSeconds, forKey: .evaluationSeconds)
        try container.encode(threads, forKey: .threads)
        try container.encode(kernel, forKey: .kernel)
        try container.encode(trainingImages, forKey: .trainingImages)
        try container.encode(testImages, forKey: .testImages)
        try container.encodeFiniteOrNull(normalizationMean, forKey: .normalizationMean)
        try container.encodeFiniteOrNull(normalizationStd, forKey: .normalizationStd)
    }

    /// Whether training diverged: a loss of some epoch, or the final test loss, is NaN, infinite or
    /// above ``EpochReport/divergedLoss``.
    public var diverged: Bool { EpochReport.isDiverged(testLoss) || epochs.contains(where: \.diverged) }
}
