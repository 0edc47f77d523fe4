/// A set of grey-scale images with their class labels: the payloads of an IDX image file and its
/// label file, without the headers.
public struct LabeledImages: Sendable, Equatable {
    /// Number of images (and labels).
    public let count: Int
    /// Image height in pixels (LeNet-5 needs 28).
    public let rows: Int
    /// Image width in pixels (LeNet-5 needs 28).
    public let columns: Int
    /// `count × rows × columns` bytes, image after image, row-major, 0 = background.
    public let pixels: [UInt8]
    /// `count` labels, each in 0...9.
    public let labels: [UInt8]

    /// Wraps the payloads; nothing is checked until `validate(name:)` or training.
    public init(count: Int, rows: Int, columns: Int, pixels: [UInt8], labels: [UInt8]) {
        self.count = count
        self.rows = rows
        self.columns = columns
        self.pixels = pixels
        self.labels = labels
    }

    /// Checks the shape, the buffer sizes and the label range.
    /// - Parameter name: how errors refer to this set (e.g. "training set").
    public func validate(name: String) throws {
        guard rows == 28, columns == 28 else {
            throw TrainingError.invalidImageSize(set: name, rows: rows, columns: columns)
        }
        guard count >= 1 else { throw TrainingError.emptyDataset(set: name) }
        guard pixels.count == count * rows * columns, labels.count == count else {
            throw TrainingError.inconsistentCounts(
                set: name, count: count, pixelBytes: pixels.count, labels: labels.count)
        }
        if let bad = labels.firstIndex(where: { $0 >= 10 }) {
            throw TrainingError.labelOutOfRange(set: name, index: bad, label: labels[bad])
        }
    }
}

/// Why a training run could not start.
public enum TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A configuration value is out of range.
    case invalidConfiguration(String)
    /// Images are not 28 × 28.
    case invalidImageSize(set: String, rows: Int, columns: Int)
    /// The pixel or label buffer does not match `count`.
    case inconsistentCounts(set: String, count: Int, pixelBytes: Int, labels: Int)
    /// A label is not a class index 0...9.
    case labelOutOfRange(set: String, index: Int, label: UInt8)
    /// The set holds no image.
    case emptyDataset(set: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message):
            return "invalid training configuration: \(message)"
        case let .invalidImageSize(set, rows, columns):
            return "\(set): images are \(rows)×\(columns) pixels; LeNet-5 needs 28×28"
        case let .inconsistentCounts(set, count, pixelBytes, labels):
            return "\(set): \(count) images need \(count * 784) pixel bytes and \(count) labels, "
                + "got \(pixelBytes) pixel bytes and \(labels) labels"
        case let .labelOutOfRange(set, index, label):
            return "\(set): label \(label) at index \(index) is not a class 0–9"
        case .emptyDataset(let set):
            return "\(set): no images"
        }
    }
}
