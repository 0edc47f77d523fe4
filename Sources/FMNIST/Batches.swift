internal import FMNISTTraining

/// One mini-batch: the images and labels of `indices`, gathered into buffers of their own.
///
/// ```swift
/// for batch in data.train.batches(size: 64, seed: 1) {
///     let x = batch.floats(data.normalization, layout: .nhwc)   // [64, 28, 28, 1]
///     let y = batch.labels                                        // 64 labels
/// }
/// ```
public struct Batch: Sendable {
    /// Positions of the batch's images in the split, in batch order.
    public let indices: [Int]
    /// `count × rows × columns` pixels.
    public let images: [UInt8]
    /// `count` labels.
    public let labels: [UInt8]
    public let rows: Int
    public let columns: Int

    /// Images in this batch (the last one may be short unless `dropLast`).
    public var count: Int { indices.count }

    /// The batch's images as `Float`s.
    ///
    /// ```swift
    /// let x = batch.floats(.unit)   // [count, 784], 0…1
    /// ```
    public func floats(_ scaling: PixelScaling = .unit, layout: ImageLayout = .flat) -> FloatImages {
        convert(images, count: count, rows: rows, columns: columns, scaling: scaling, layout: layout)
    }
}

/// The batches of one pass over a split, in a fixed (or seeded shuffled) order. Making the
/// sequence copies nothing; each batch gathers only its own images.
///
/// ```swift
/// for epoch in 0..<5 {
///     for batch in data.train.batches(size: 64, seed: 42 &+ UInt64(epoch)) { … }
/// }
/// ```
public struct Batches: Sequence, Sendable {
    /// The split the batches come from (shared, not copied).
    public let split: Split
    /// Images per batch.
    public let size: Int
    /// The order in which images are visited: a permutation of `0..<split.count`.
    public let order: [Int]
    /// Whether a last, short batch is left out.
    public let dropLast: Bool

    /// How many batches one pass yields.
    public var count: Int { dropLast ? order.count / size : (order.count + size - 1) / size }

    public struct Iterator: IteratorProtocol {
        let batches: Batches
        var position = 0

        public mutating func next() -> Batch? {
            guard position < batches.count else { return nil }
            defer { position += 1 }
            return batches.batch(position)
        }
    }

    public func makeIterator() -> Iterator { Iterator(batches: self) }

    /// Batch number `index` (0-based) of this pass.
    ///
    /// ```swift
    /// let third = data.test.batches(size: 100).batch(2)   // images 200..<300
    /// ```
    public func batch(_ index: Int) -> Batch {
        precondition(index >= 0 && index < count, "batch \(index) out of 0..<\(count)")
        let indices = Array(order[index * size..<Swift.min(order.count, (index + 1) * size)])
        let width = split.pixelsPerImage
        var images = [UInt8](repeating: 0, count: indices.count * width)
        var labels = [UInt8](repeating: 0, count: indices.count)
        split.images.withUnsafeBufferPointer { source in
            images.withUnsafeMutableBufferPointer { target in
                for (slot, image) in indices.enumerated() {
                    let from = source.baseAddress! + image * width
                    (target.baseAddress! + slot * width).update(from: from, count: width)
                    labels[slot] = split.labels[image]
                }
            }
        }
        return Batch(indices: indices, images: images, labels: labels, rows: split.rows, columns: split.columns)
    }
}

extension Split {
    /// Mini-batches of `size` images: in split order, or shuffled reproducibly when `seed` is
    /// given (the same seed gives the same order on every platform).
    ///
    /// ```swift
    /// let batches = data.train.batches(size: 64, seed: 7)
    /// print(batches.count)   // 938
    /// ```
    public func batches(size: Int, seed: UInt64? = nil, dropLast: Bool = false) -> Batches {
        precondition(size > 0, "batch size must be positive")
        var order = Array(0..<count)
        if let seed {
            var generator = SeededGenerator(seed: seed)
            var i = order.count - 1
            while i > 0 {
                order.swapAt(i, generator.nextIndex(below: i + 1))
                i -= 1
            }
        }
        return Batches(split: self, size: size, order: order, dropLast: dropLast)
    }
}
