import CKernels
import Testing

@testable import FMNISTTraining

@Suite struct TrainingIm2colTests {
    /// im2col by its definition: column (c, ky, kx) row (oy, ox) holds x[c, oy + ky, ox + kx].
    static func reference(_ x: [Float], c channels: Int, h: Int, w: Int, k: Int) -> [Float] {
        let oh = h - k + 1, ow = w - k + 1
        var col = [Float](repeating: 0, count: channels * k * k * oh * ow)
        for c in 0..<channels {
            for ky in 0..<k {
                for kx in 0..<k {
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            col[((c * k + ky) * k + kx) * oh * ow + oy * ow + ox] = x[c * h * w + (oy + ky) * w + ox + kx]
                        }
                    }
                }
            }
        }
        return col
    }

    /// The LeNet conv1 shape takes the unrolled fast path; another shape the generic one.
    @Test(arguments: [(1, 32, 32, 5), (3, 12, 10, 3)])
    func im2colMatchesItsDefinition(shape: (Int, Int, Int, Int)) {
        let (c, h, w, k) = shape
        var g = SeededGenerator(seed: 11)
        let x = (0..<(c * h * w)).map { _ in Float(g.nextIndex(below: 10_000)) }
        var col = [Float](repeating: .nan, count: c * k * k * (h - k + 1) * (w - k + 1))
        fmnist_im2col_chw(x, Int32(c), Int32(h), Int32(w), Int32(k), Int32(k), &col)
        #expect(col == Self.reference(x, c: c, h: h, w: w, k: k))
    }
}
