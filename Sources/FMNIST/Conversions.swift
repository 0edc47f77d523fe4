/// How pixel bytes become `Float`s.
///
/// ```swift
/// split.floats(.unit)                   // 0…1
/// split.floats(data.normalization)      // (x/255 - mean) / std with the training statistics
/// ```
public enum PixelScaling: Sendable, Hashable {
    /// The raw byte value, 0…255.
    case raw
    /// Scaled to 0…1.
    case unit
    /// Scaled to 0…1, then `(x - mean) / std`.
    case normalized(mean: Float, std: Float)

    /// The `Float` for each of the 256 byte values.
    var table: [Float] {
        (0..<256).map { value in
            switch self {
            case .raw: return Float(value)
            case .unit: return Float(value) / 255
            case .normalized(let mean, let std): return (Float(value) / 255 - mean) / std
            }
        }
    }
}

/// The shape that converted images are described by. All three hold the same bytes in the
/// same order (the images have one channel); they differ in ``FloatImages/shape``.
public enum ImageLayout: Sendable, Hashable {
    /// `[count, rows × columns]`.
    case flat
    /// `[count, rows, columns, 1]` (TensorFlow, MLX).
    case nhwc
    /// `[count, 1, rows, columns]` (PyTorch).
    case nchw

    func shape(count: Int, rows: Int, columns: Int) -> [Int] {
        switch self {
        case .flat: return [count, rows * columns]
        case .nhwc: return [count, rows, columns, 1]
        case .nchw: return [count, 1, rows, columns]
        }
    }
}

/// Converted images: one contiguous `[Float]` and the shape it has.
///
/// ```swift
/// let x = data.train.floats(.unit, layout: .nhwc)
/// x.shape          // [60000, 28, 28, 1]
/// x.values.count   // 47_040_000
/// ```
public struct FloatImages: Sendable, Equatable {
    public let values: [Float]
    public let shape: [Int]
}

/// Converts `count` images of `pixels` through `scaling` into one new buffer (the only copy).
func convert(_ pixels: [UInt8], count: Int, rows: Int, columns: Int, scaling: PixelScaling, layout: ImageLayout)
    -> FloatImages
{
    let table = scaling.table
    let values = [Float](unsafeUninitializedCapacity: pixels.count) { out, initialized in
        table.withUnsafeBufferPointer { lut in
            pixels.withUnsafeBufferPointer { source in
                for i in 0..<source.count { out[i] = lut[Int(source[i])] }
            }
        }
        initialized = pixels.count
    }
    return FloatImages(values: values, shape: layout.shape(count: count, rows: rows, columns: columns))
}

extension Split {
    /// All images of the split as `Float`s: one new buffer, nothing else is copied.
    ///
    /// ```swift
    /// let x = data.train.floats(data.normalization, layout: .nchw)   // [60000, 1, 28, 28]
    /// let y = data.train.labels.map(Int.init)
    /// ```
    public func floats(_ scaling: PixelScaling = .unit, layout: ImageLayout = .flat) -> FloatImages {
        convert(images, count: count, rows: rows, columns: columns, scaling: scaling, layout: layout)
    }
}
