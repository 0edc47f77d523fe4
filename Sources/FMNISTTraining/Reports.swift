/// Statistics of one training epoch.
public struct EpochReport: Sendable, Equatable, Codable {
    /// 1-based epoch number.
    public let epoch: Int
    /// Mean softmax cross-entropy over the epoch's training images (as seen during the epoch).
    @FiniteOrNull public private(set) var trainLoss: Double
    /// Fraction of the epoch's training images classified correctly during the epoch.
    @FiniteOrNull public private(set) var trainAccuracy: Double
    /// Training images per second of wall time (evaluation excluded).
    @FiniteOrNull public private(set) var imagesPerSecond: Double
    /// Wall time of the epoch's training, in seconds.
    @FiniteOrNull public private(set) var seconds: Double
    /// Test-set accuracy after this epoch, when `evaluateEachEpoch` is set.
    @FiniteOrNull public private(set) var testAccuracy: Double?
    /// Mean test-set loss after this epoch, when `evaluateEachEpoch` is set.
    @FiniteOrNull public private(set) var testLoss: Double?

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
    @FiniteOrNull public private(set) var testAccuracy: Double
    /// Mean softmax cross-entropy of the final network on the test set.
    @FiniteOrNull public private(set) var testLoss: Double
    /// 10 × 10 counts over the test set: row = true label, column = predicted label.
    public let confusion: [[Int]]
    /// Training images per second over all epochs (total images / total training time).
    @FiniteOrNull public private(set) var trainImagesPerSecond: Double
    /// Wall time of the whole call (normalisation, training and evaluation), in seconds.
    @FiniteOrNull public private(set) var totalSeconds: Double
    /// Wall time spent evaluating the test set, in seconds.
    @FiniteOrNull public private(set) var evaluationSeconds: Double
    /// Worker threads used.
    public let threads: Int
    /// GEMM implementation that ran: "avx512", "avx2-fma" or "portable".
    public let kernel: String
    /// Training images per epoch (after `limit`).
    public let trainingImages: Int
    /// Test images evaluated.
    public let testImages: Int
    /// Mean of pixel/255 over the whole training set, used to normalise.
    @FiniteOrNull public private(set) var normalizationMean: Double
    /// Unbiased standard deviation of pixel/255 over the whole training set, used to normalise.
    @FiniteOrNull public private(set) var normalizationStd: Double

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

/// A figure written to JSON as a number when it is finite, and as `null` when it is NaN,
/// infinite or absent: a diverged run (e.g. a learning rate far too large) has NaN or infinite
/// losses, which JSON cannot hold. `null`, or a missing key, reads back as NaN (a `Double`) or nil
/// (a `Double?`). Every report with such figures marks them and keeps synthesised `Codable`
/// (FMNISTCore's catalog records and event details too):
///
/// ```swift
/// struct Summary: Codable {
///     @FiniteOrNull var loss: Double        // .nan → "loss": null
///     @FiniteOrNull var testLoss: Double?   // nil  → "test_loss": null
///     let epochs: Int                       // written as it is
/// }
/// ```
@propertyWrapper
public struct FiniteOrNull<Value: FiniteOrNullFigure>: Sendable, Equatable, Codable {
    public var wrappedValue: Value

    public init(wrappedValue: Value) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = Value(finiteJSONNumber: container.decodeNil() ? nil : try container.decode(Double.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let number = wrappedValue.finiteJSONNumber { try container.encode(number) } else { try container.encodeNil() }
    }
}

/// What ``FiniteOrNull`` wraps: `Double` (`null` reads as NaN) or `Double?` (`null` reads as nil).
public protocol FiniteOrNullFigure: Sendable, Equatable {
    /// The number JSON holds: nil when the figure is NaN, infinite or absent.
    var finiteJSONNumber: Double? { get }
    /// The figure a JSON number, or `null` (nil), stands for.
    init(finiteJSONNumber: Double?)
}

extension Double: FiniteOrNullFigure {
    public var finiteJSONNumber: Double? { isFinite ? self : nil }
    public init(finiteJSONNumber: Double?) { self = finiteJSONNumber ?? .nan }
}

extension Optional: FiniteOrNullFigure where Wrapped == Double {
    public var finiteJSONNumber: Double? { self?.finiteJSONNumber }
    public init(finiteJSONNumber: Double?) { self = finiteJSONNumber }
}

extension KeyedDecodingContainer {
    /// A ``FiniteOrNull`` figure whose key is missing reads as `null` does (synthesised
    /// `init(from:)` calls this overload).
    public func decode<Value>(_ type: FiniteOrNull<Value>.Type, forKey key: Key) throws -> FiniteOrNull<Value> {
        try decodeIfPresent(type, forKey: key) ?? FiniteOrNull(wrappedValue: Value(finiteJSONNumber: nil))
    }
}

extension EpochReport {
    /// A mean cross-entropy above this means the weights blew up: a network that only guesses
    /// scores ln 10 ≈ 2.3, and a sane run ends far below that.
    public static let divergedLoss = 1000.0

    /// Whether `loss` says the training diverged: NaN, infinite, or above ``divergedLoss``.
    public static func isDiverged(_ loss: Double) -> Bool { !loss.isFinite || loss > divergedLoss }

    /// Whether a loss of this epoch says the training diverged (see ``isDiverged(_:)``).
    public var diverged: Bool { Self.isDiverged(trainLoss) || (testLoss.map(Self.isDiverged) ?? false) }
}

extension TrainingReport {
    /// Whether training diverged: a loss of some epoch, or the final test loss, is NaN, infinite or
    /// above ``EpochReport/divergedLoss``.
    public var diverged: Bool { EpochReport.isDiverged(testLoss) || epochs.contains(where: \.diverged) }
}
