/// A dataset loaded from a ``Workspace`` and verified on the way in: both splits, the class
/// names, the version and the training statistics.
///
/// ```swift
/// let fashion = try Workspace(root: "data").load(.fashion)
/// print(fashion.title, fashion.version.short)       // Fashion-MNIST 0123456789ab
/// print(fashion.classes[Int(fashion.train.labels[0])]) // "Ankle boot"
/// let x = fashion.train.floats(fashion.normalization) // mean/std normalised, [60000, 784]
/// ```
public struct Dataset: Sendable {
    /// The dataset's short name, e.g. `.fashion`.
    public let name: DatasetName
    /// Display name, e.g. "Fashion-MNIST".
    public let title: String
    /// Class names in label order: `classes[Int(label)]`.
    public let classes: [String]
    /// The version that was loaded: the one the workspace catalog records as live, or the one
    /// ``Workspace/load(_:version:)`` named.
    public let version: DatasetVersion
    /// The training split (60,000 images for Fashion-MNIST and MNIST).
    public let train: Split
    /// The test split (10,000 images).
    public let test: Split
    /// Mean and standard deviation of the training pixels scaled to 0…1.
    public let statistics: TrainingStatistics

    /// The scaling that normalises pixels with this dataset's training statistics.
    ///
    /// ```swift
    /// let inputs = data.test.floats(data.normalization, layout: .nhwc)
    /// ```
    public var normalization: PixelScaling {
        .normalized(mean: Float(statistics.mean), std: Float(statistics.std))
    }
}

/// Which version of a dataset: the identity over its four payload digests.
///
/// ```swift
/// print(data.version.short, data.version.name)   // "3f1a0c9be2d4 2017-08-31"
/// ```
public struct DatasetVersion: Sendable, Hashable, CustomStringConvertible {
    /// 64 hex digits.
    public let full: String
    /// The first 12 hex digits, as `fmnist` shows them.
    public let short: String
    /// The manifest's name for the version (e.g. "2017-08-31"), or "unknown".
    public let name: String

    public var description: String { "\(name) (\(short))" }
}

/// Mean and standard deviation of all training pixels scaled to 0…1 (unbiased standard deviation).
///
/// ```swift
/// let stats = data.statistics     // Fashion-MNIST: mean 0.2860, std 0.3530
/// ```
public struct TrainingStatistics: Sendable, Hashable {
    public let mean: Double
    public let std: Double

    public init(mean: Double, std: Double) {
        self.mean = mean
        self.std = std
    }

    /// Exact statistics of `pixels` (via a histogram: one pass, no rounding drift).
    ///
    /// ```swift
    /// let stats = TrainingStatistics(pixels: data.train.images)
    /// ```
    public init(pixels: [UInt8]) {
        var histogram = [Int](repeating: 0, count: 256)
        pixels.withUnsafeBufferPointer { buffer in
            for value in buffer { histogram[Int(value)] += 1 }
        }
        let n = Double(pixels.count)
        var sum = 0.0
        for (value, count) in histogram.enumerated() { sum += Double(value) / 255 * Double(count) }
        let mean = n > 0 ? sum / n : 0
        var squares = 0.0
        for (value, count) in histogram.enumerated() {
            let d = Double(value) / 255 - mean
            squares += d * d * Double(count)
        }
        self.init(mean: mean, std: n > 1 ? (squares / (n - 1)).squareRoot() : 0)
    }
}

/// One split (train or test): `count` images of `rows × columns` bytes, contiguous, and their labels.
///
/// ```swift
/// let first = data.train.image(0)          // 784 bytes, row-major, 0 = background
/// let label = data.train.labels[0]         // 0…9
/// let counts = data.train.histogram()      // images per class
/// ```
public struct Split: Sendable {
    /// Number of images (and labels).
    public let count: Int
    /// Image height (28).
    public let rows: Int
    /// Image width (28).
    public let columns: Int
    /// `count × rows × columns` pixels, image after image, row-major.
    public let images: [UInt8]
    /// `count` labels, each below the dataset's class count.
    public let labels: [UInt8]
    /// How many classes labels range over.
    public let classCount: Int

    /// Bytes per image (784 for 28×28).
    public var pixelsPerImage: Int { rows * columns }

    /// The pixels of image `index`, a view into ``images`` (no copy).
    ///
    /// ```swift
    /// let pixels = split.image(41)   // ArraySlice of 784 bytes
    /// ```
    public func image(_ index: Int) -> ArraySlice<UInt8> {
        precondition(index >= 0 && index < count, "image index \(index) out of 0..<\(count)")
        return images[index * pixelsPerImage..<(index + 1) * pixelsPerImage]
    }

    /// Images per class, in label order (`classCount` entries).
    ///
    /// ```swift
    /// data.train.histogram()   // [6000, 6000, …] for Fashion-MNIST
    /// ```
    public func histogram() -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels where Int(label) < classCount { counts[Int(label)] += 1 }
        return counts
    }
}
