/// A contiguous, 64-byte aligned, zero-initialised buffer of `Float`s in row-major order.
///
/// Owned by the class and freed in `deinit`; the pointer is stable for the object's lifetime.
/// Sixteen zeroed floats of slack follow the elements, so vector kernels may read (never use) a
/// little past the end.
/// Not thread-safe by itself: the trainer only ever writes disjoint regions from different threads.
final class Tensor: @unchecked Sendable {
    let shape: [Int]
    let count: Int
    let pointer: UnsafeMutablePointer<Float>

    init(_ shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative tensor dimension")
        self.shape = shape
        count = shape.reduce(1, *)
        let allocated = count + Self.slack
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: allocated * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: allocated)
        pointer.initialize(repeating: 0, count: allocated)
    }

    static let slack = 16

    convenience init(_ shape: [Int], values: [Float]) {
        self.init(shape)
        precondition(values.count == count, "value count does not match shape")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    deinit { pointer.deallocate() }

    subscript(index: Int) -> Float {
        get { pointer[index] }
        set { pointer[index] = newValue }
    }

    var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    func fill(_ value: Float) { pointer.update(repeating: value, count: count) }
}

/// A contiguous buffer of bytes (pool arg-max indices, labels, predictions).
final class ByteBuffer: @unchecked Sendable {
    let count: Int
    let pointer: UnsafeMutablePointer<UInt8>

    init(_ count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }
}
