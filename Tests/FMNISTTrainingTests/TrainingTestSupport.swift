@testable import FMNISTTraining

/// Small deterministic helpers shared by the Training* test files.
enum TrainingFixtures {
    /// Uniform values in [-1, 1) from a seeded generator.
    static func randomFloats(_ count: Int, seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in g.nextSymmetric(1) }
    }

    /// A learnable synthetic 28×28 set: class k is a bright 6×6 square at one of ten positions plus
    /// noise. With `shuffleLabels`, the labels are a random permutation unrelated to the images.
    static func synthetic(count: Int, seed: UInt64, shuffleLabels: Bool = false) -> LabeledImages {
        var g = SeededGenerator(seed: seed)
        var pixels = [UInt8](repeating: 0, count: count * 784)
        var labels = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            let label = i % 10
            labels[i] = UInt8(label)
            let top = 3 + (label / 5) * 14 + g.nextIndex(below: 3)
            let left = 1 + (label % 5) * 5 + g.nextIndex(below: 2)
            for y in 0..<28 {
                for x in 0..<28 {
                    var v = g.nextIndex(below: 60)
                    if y >= top, y < top + 6, x >= left, x < min(28, left + 6) { v += 180 }
                    pixels[i * 784 + y * 28 + x] = UInt8(min(255, v))
                }
            }
        }
        if shuffleLabels {
            var order = (0..<count).map { Int32($0) }
            order.withUnsafeMutableBufferPointer { g.shuffle($0) }
            labels = order.map { labels[Int($0)] }
        }
        return LabeledImages(count: count, rows: 28, columns: 28, pixels: pixels, labels: labels)
    }

    /// The GEMM implementations available on this machine (portable always; AVX2 and AVX-512
    /// when supported).
    static var gemms: [GEMM] {
        [GEMM.portable] + (TrainingModule.usesAVX2 ? [GEMM.avx2] : [])
            + (TrainingModule.usesAVX512 ? [GEMM.avx512] : [])
    }
}
