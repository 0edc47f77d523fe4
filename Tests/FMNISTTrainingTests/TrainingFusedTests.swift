import CKernels
import Testing
@testable import FMNISTTraining

/// The fused sparse pool+conv backward kernels must equal pool backward followed by the GEMM-based
/// convolution backward (which the gradient checks validate), for every implementation.
@Suite struct TrainingFusedTests {
    /// Random pooled gradients with about half of the outputs clipped by the ReLU.
    static func pooled(_ count: Int, seed: UInt64) -> (dout: Tensor, out: Tensor, arg: ByteBuffer) {
        var g = SeededGenerator(seed: seed)
        let dout = Tensor([count]), out = Tensor([count]), arg = ByteBuffer(count)
        for i in 0..<count {
            dout[i] = g.nextSymmetric(1)
            out[i] = max(0, g.nextSymmetric(1))
            arg.pointer[i] = UInt8(g.nextIndex(below: 4))
        }
        return (dout, out, arg)
    }

    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    @Test(arguments: TrainingFixtures.gemms.map(\.name))
    func lenetConv2(kernelName: String) {
        let gemm = TrainingFixtures.gemms.first { $0.name == kernelName }!  // each path, not only the best
        let x = Tensor([14 * 14 * 6], values: TrainingFixtures.randomFloats(1176, seed: 1))
        let w = Tensor([16, 150], values: TrainingFixtures.randomFloats(2400, seed: 2))
        let wPadded = Tensor([16, 5, 32])
        for r in 0..<80 { for t in 0..<30 { wPadded[r * 32 + t] = w[r * 30 + t] } }
        let (dout, out, arg) = Self.pooled(400, seed: 3)

        // Reference: dense dz, then the GEMM backward.
        let dz = Tensor([100, 16]), dBiasRef = Tensor([16])
        Layers.biasReluPoolBackward(dout: dout.pointer, out: out.pointer, argmax: arg.pointer, hwc: true,
                                    channels: 16, height: 10, width: 10, dz: dz.pointer, dBias: dBiasRef.pointer)
        let col = Tensor([100, 150]), zScratch = Tensor([100, 16]), wt = Tensor([150, 16])
        fmnist_transpose(w.pointer, 16, 150, wt.pointer)
        Layers.convHWCForward(gemm, x: x.pointer, height: 14, width: 14, channels: 6, kernel: 5, pad: 0,
                              weightsT: wt.pointer, outChannels: 16, col: col.pointer, z: zScratch.pointer)
        let dWtRef = Tensor([150, 16]), dxRef = Tensor([1176]), dcol = Tensor([100, 150])
        Layers.convHWCBackward(gemm, dz: dz.pointer, col: col.pointer, height: 14, width: 14, channels: 6,
                               kernel: 5, pad: 0, weights: w.pointer, outChannels: 16, dWeightsT: dWtRef.pointer,
                               accumulate: false, dx: dxRef.pointer, dcol: dcol.pointer)

        // Fused, accumulating onto a non-zero start to check the += contract.
        let dwPadded = Tensor([16, 5, 32]), dBias = Tensor([16]), dx = Tensor([1176])
        dwPadded.fill(0.5)
        dBias.fill(0.25)
        fmnist_lenet_conv2_pool_bwd(gemm.impl, x.pointer, wPadded.pointer, dout.pointer, out.pointer, arg.pointer,
                                    dwPadded.pointer, dBias.pointer, dx.pointer)
        var fusedWt = [Float](repeating: 0, count: 2400)
        for co in 0..<16 { for tap in 0..<150 { fusedWt[tap * 16 + co] = dwPadded[co * 160 + (tap / 30) * 32 + tap % 30] - 0.5 } }
        #expect(Self.maxDifference(fusedWt, dWtRef.array) < 1e-4)
        #expect(Self.maxDifference(dx.array, dxRef.array) < 1e-4)
        #expect(Self.maxDifference(dBias.array.map { $0 - 0.25 }, dBiasRef.array) < 1e-4)
        #expect(dx[1176] == 0 && dx[1177] == 0, "slack only ever receives +0")
    }

    /// conv2's weight and bias gradients run the same per-lane sums on the AVX2 and AVX-512
    /// paths (the AVX-512 one from an aligned copy of the patch rows): equal bit for bit.
    @Test(.enabled(if: TrainingModule.usesAVX512, "this CPU (or OS) has no AVX-512"))
    func lenetConv2WeightGradientSameOnAVX2AndAVX512() {
        for seed in UInt64(1)...3 {
            let x = Tensor([14 * 14 * 6], values: TrainingFixtures.randomFloats(1176, seed: seed))
            let wPadded = Tensor([16, 5, 32])
            let w = TrainingFixtures.randomFloats(2400, seed: seed + 10)
            for r in 0..<80 { for t in 0..<30 { wPadded[r * 32 + t] = w[r * 30 + t] } }
            let (dout, out, arg) = Self.pooled(400, seed: seed + 20)
            var results: [[UInt32]] = []
            for gemm in [GEMM.avx2, GEMM.avx512] {
                let dw = Tensor([16, 5, 32]), dBias = Tensor([16]), dx = Tensor([1176])
                dw.fill(0.5)
                dBias.fill(0.25)
                fmnist_lenet_conv2_pool_bwd(gemm.impl, x.pointer, wPadded.pointer, dout.pointer, out.pointer,
                                            arg.pointer, dw.pointer, dBias.pointer, dx.pointer)
                let taps = (0..<2560).filter { $0 % 32 < 30 }.map { dw[$0].bitPattern }
                results.append(taps + dBias.array.map(\.bitPattern))
            }
            #expect(results[0] == results[1], "seed \(seed)")
        }
    }

    @Test(arguments: TrainingFixtures.gemms.map(\.name))
    func lenetConv1(kernelName: String) {
        let gemm = TrainingFixtures.gemms.first { $0.name == kernelName }!  // each path, not only the best
        let x = Tensor([32 * 32], values: TrainingFixtures.randomFloats(1024, seed: 4))
        let (dout, out, arg) = Self.pooled(6 * 196, seed: 5)
        let dz = Tensor([6, 784]), dBiasRef = Tensor([6])
        Layers.biasReluPoolBackward(dout: dout.pointer, out: out.pointer, argmax: arg.pointer, hwc: false,
                                    channels: 6, height: 28, width: 28, dz: dz.pointer, dBias: dBiasRef.pointer)
        let w = Tensor([6, 25]), col = Tensor([25, 784]), zScratch = Tensor([6, 784])
        Layers.convCHWForward(gemm, x: x.pointer, channels: 1, height: 32, width: 32, kernel: 5,
                              weights: w.pointer, outChannels: 6, col: col.pointer, z: zScratch.pointer)
        let dWRef = Tensor([6, 25])
        Layers.convCHWBackward(gemm, dz: dz.pointer, col: col.pointer, channels: 1, height: 32, width: 32,
                               kernel: 5, weights: w.pointer, outChannels: 6, dWeights: dWRef.pointer,
                               accumulate: false)
        let dwPadded = Tensor([6, 5, 8]), dBias = Tensor([6])
        fmnist_lenet_conv1_pool_bwd(gemm.impl, x.pointer, dout.pointer, out.pointer, arg.pointer,
                                    dwPadded.pointer, dBias.pointer)
        var fused = [Float](repeating: 0, count: 150)
        for co in 0..<6 { for tap in 0..<25 { fused[co * 25 + tap] = dwPadded[co * 40 + (tap / 5) * 8 + tap % 5] } }
        #expect(Self.maxDifference(fused, dWRef.array) < 1e-4)
        #expect(Self.maxDifference(dBias.array, dBiasRef.array) < 1e-4)
    }

    @Test(arguments: TrainingFixtures.gemms.map(\.name))
    func genericShapes(kernelName: String) {
        let gemm = TrainingFixtures.gemms.first { $0.name == kernelName }!  // each path, not only the best
        // Channel-last: x[7][7][2], kernel 2 → conv 6×6 → pooled 3×3×3.
        let (h, c, k, cout) = (7, 2, 2, 3)
        let taps = k * k * c
        let x = Tensor([h * h * c], values: TrainingFixtures.randomFloats(h * h * c, seed: 6))
        let w = Tensor([cout, taps], values: TrainingFixtures.randomFloats(cout * taps, seed: 7))
        let wt = Tensor([taps, cout])
        fmnist_transpose(w.pointer, Int32(cout), Int32(taps), wt.pointer)
        let (dout, out, arg) = Self.pooled(9 * cout, seed: 8)
        let dz = Tensor([36, cout]), dBiasRef = Tensor([cout])
        Layers.biasReluPoolBackward(dout: dout.pointer, out: out.pointer, argmax: arg.pointer, hwc: true,
                                    channels: cout, height: 6, width: 6, dz: dz.pointer, dBias: dBiasRef.pointer)
        let col = Tensor([36, taps]), zScratch = Tensor([36, cout])
        Layers.convHWCForward(gemm, x: x.pointer, height: h, width: h, channels: c, kernel: k, pad: 0,
                              weightsT: wt.pointer, outChannels: cout, col: col.pointer, z: zScratch.pointer)
        let dWtRef = Tensor([taps, cout]), dxRef = Tensor([h * h * c]), dcol = Tensor([36, taps])
        Layers.convHWCBackward(gemm, dz: dz.pointer, col: col.pointer, height: h, width: h, channels: c, kernel: k,
                               pad: 0, weights: w.pointer, outChannels: cout, dWeightsT: dWtRef.pointer,
                               accumulate: false, dx: dxRef.pointer, dcol: dcol.pointer)
        let dW = Tensor([cout, taps]), dBias = Tensor([cout]), dx = Tensor([h * h * c])
        Layers.convPoolBackwardHWC(gemm, x: x.pointer, height: h, width: h, channels: c, kernel: k,
                                   weights: w.pointer, outChannels: cout, dout: dout.pointer, out: out.pointer,
                                   argmax: arg.pointer, dWeights: dW.pointer, dBias: dBias.pointer, dx: dx.pointer)
        let dWt = Tensor([taps, cout])
        fmnist_transpose(dW.pointer, Int32(cout), Int32(taps), dWt.pointer)
        #expect(Self.maxDifference(dWt.array, dWtRef.array) < 1e-5)
        #expect(Self.maxDifference(dx.array, dxRef.array) < 1e-5)
        #expect(Self.maxDifference(dBias.array, dBiasRef.array) < 1e-5)

        // Channel-major: x[2][7][7], kernel 2, 3 outputs.
        let xc = Tensor([c * h * h], values: TrainingFixtures.randomFloats(c * h * h, seed: 9))
        let (dout2, out2, arg2) = Self.pooled(cout * 9, seed: 10)
        let dz2 = Tensor([cout, 36]), dBias2Ref = Tensor([cout])
        Layers.biasReluPoolBackward(dout: dout2.pointer, out: out2.pointer, argmax: arg2.pointer, hwc: false,
                                    channels: cout, height: 6, width: 6, dz: dz2.pointer, dBias: dBias2Ref.pointer)
        let col2 = Tensor([taps, 36]), z2 = Tensor([cout, 36])
        Layers.convCHWForward(gemm, x: xc.pointer, channels: c, height: h, width: h, kernel: k, weights: w.pointer,
                              outChannels: cout, col: col2.pointer, z: z2.pointer)
        let dW2Ref = Tensor([cout, taps])
        Layers.convCHWBackward(gemm, dz: dz2.pointer, col: col2.pointer, channels: c, height: h, width: h,
                               kernel: k, weights: w.pointer, outChannels: cout, dWeights: dW2Ref.pointer,
                               accumulate: false)
        let dW2 = Tensor([cout, taps]), dBias2 = Tensor([cout])
        Layers.convPoolBackwardCHW(gemm, x: xc.pointer, channels: c, height: h, width: h, kernel: k,
                                   outChannels: cout, dout: dout2.pointer, out: out2.pointer, argmax: arg2.pointer,
                                   dWeights: dW2.pointer, dBias: dBias2.pointer)
        #expect(Self.maxDifference(dW2.array, dW2Ref.array) < 1e-5)
        #expect(Self.maxDifference(dBias2.array, dBias2Ref.array) < 1e-5)
    }
}
