import CKernels
import Testing
@testable import FMNISTTraining

/// The SIMD paths (AVX2/FMA, AVX-512) against the portable kernels on many shapes — every edge of
/// the vector widths (8, 16), the row tiles (3, 6, 8, 12) and the K blocking (256) — and a whole
/// training run per path. A path this CPU lacks is skipped (and reported so), never run on a
/// fallback and counted as passed.
@Suite struct TrainingKernelPathTests {
    static let ms = [1, 2, 3, 5, 6, 7, 8, 9, 11, 12, 13, 24, 25]
    static let ns = [1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 49, 84, 120]
    static let ks = [0, 1, 5, 15, 16, 17, 25, 150, 257, 400]

    /// |got − portable| ≤ tolerance on every element, and the padding column left alone.
    private static func nnAgrees(_ fast: GEMM, m: Int, n: Int, k: Int, transposedA: Bool, accumulate: Bool) -> Bool {
        let a = TrainingFixtures.randomFloats(m * k, seed: UInt64(m * 1009 + k))
        let b = TrainingFixtures.randomFloats(k * (n + 3), seed: UInt64(n * 917 + k))
        let ldb = n + 3, ldc = n + 1
        let c0 = TrainingFixtures.randomFloats(m * ldc, seed: UInt64(m + n + k))
        let (rsa, csa) = transposedA ? (1, m) : (k, 1)
        func run(_ gemm: GEMM) -> [Float] {
            var c = c0
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                gemm.gemm(m, n, k, ap.baseAddress!, rsa: rsa, csa: csa, bp.baseAddress!, ldb: ldb,
                          cp.baseAddress!, ldc: ldc, accumulate: accumulate)
            } } }
            return c
        }
        let want = run(.portable), got = run(fast)
        let tolerance = 2e-6 * Float(max(k, 1)) + 1e-6
        for i in 0..<m {
            for j in 0..<ldc {
                let at = i * ldc + j
                if j == n { if got[at] != c0[at] { return false } } else if abs(got[at] - want[at]) > tolerance { return false }
            }
        }
        return true
    }

    private static func ntAgrees(_ fast: GEMM, m: Int, n: Int, k: Int, accumulate: Bool) -> Bool {
        let lda = k + 1, ldb = k + 2
        let a = TrainingFixtures.randomFloats(m * lda, seed: UInt64(m * 31 + k))
        let b = TrainingFixtures.randomFloats(n * ldb, seed: UInt64(n * 37 + k))
        let c0 = TrainingFixtures.randomFloats(m * n, seed: 3)
        func run(_ gemm: GEMM) -> [Float] {
            var c = c0
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                gemm.gemmNT(m, n, k, ap.baseAddress!, lda: lda, bp.baseAddress!, ldb: ldb, cp.baseAddress!, ldc: n,
                            accumulate: accumulate)
            } } }
            return c
        }
        let want = run(.portable), got = run(fast)
        let tolerance = 2e-6 * Float(max(k, 1)) + 1e-6
        return zip(got, want).allSatisfy { abs($0 - $1) <= tolerance }
    }

    @Test(.enabled(if: TrainingModule.usesAVX2, "this CPU has no AVX2/FMA"), arguments: [false, true])
    func avx2MatchesPortable(transposedA: Bool) {
        Self.checkAllShapes(.avx2, transposedA: transposedA)
    }

    @Test(.enabled(if: TrainingModule.usesAVX512, "this CPU (or OS) has no AVX-512"), arguments: [false, true])
    func avx512MatchesPortable(transposedA: Bool) {
        #expect(GEMM.avx512.name == "avx512")
        Self.checkAllShapes(.avx512, transposedA: transposedA)
    }

    private static func checkAllShapes(_ gemm: GEMM, transposedA: Bool) {
        var failures: [String] = []
        for m in ms { for n in ns { for k in ks { for accumulate in [false, true] {
            if !nnAgrees(gemm, m: m, n: n, k: k, transposedA: transposedA, accumulate: accumulate) {
                failures.append("NN m=\(m) n=\(n) k=\(k) acc=\(accumulate)")
            }
            if !transposedA, !ntAgrees(gemm, m: m, n: n, k: k, accumulate: accumulate) {
                failures.append("NT m=\(m) n=\(n) k=\(k) acc=\(accumulate)")
            }
        } } } }
        #expect(failures.isEmpty, "\(gemm.name) differs from portable: \(failures.prefix(10))")
    }

    /// LeNet's two forward convolutions (`fmnist_lenet_conv1_fwd`, `_conv2_fwd`: direct on the
    /// AVX-512 path) give exactly, bit for bit, what im2col + the same path's GEMM gives
    /// (`Layers.convCHWForward`, `convHWCForward`), on random inputs and weights of both signs.
    @Test(arguments: [("portable", GEMM.portable), ("avx2", GEMM.avx2), ("avx512", GEMM.avx512)])
    func lenetConvolutionsMatchIm2colGEMM(path: String, gemm: GEMM) {
        for seed in UInt64(1)...4 {
            let xpad = TrainingFixtures.randomFloats(32 * 32, seed: seed)
            let w1 = TrainingFixtures.randomFloats(6 * 25, seed: seed + 10)
            let x2 = TrainingFixtures.randomFloats(14 * 14 * 6, seed: seed + 20)
            let w2t = TrainingFixtures.randomFloats(150 * 16, seed: seed + 30)
            var col1 = [Float](repeating: 0, count: 25 * 784), col2 = [Float](repeating: 0, count: 100 * 150)
            var want1 = [Float](repeating: 0, count: 6 * 784), got1 = [Float](repeating: .nan, count: 6 * 784)
            var want2 = [Float](repeating: 0, count: 100 * 16), got2 = [Float](repeating: .nan, count: 100 * 16)
            Layers.convCHWForward(gemm, x: xpad, channels: 1, height: 32, width: 32, kernel: 5, weights: w1, outChannels: 6,
                                  col: &col1, z: &want1)
            Layers.convHWCForward(gemm, x: x2, height: 14, width: 14, channels: 6, kernel: 5, pad: 0, weightsT: w2t,
                                  outChannels: 16, col: &col2, z: &want2)
            fmnist_lenet_conv1_fwd(gemm.impl, xpad, w1, &col1, &got1)
            fmnist_lenet_conv2_fwd(gemm.impl, x2, w2t, &col2, &got2)
            #expect(got1.map(\.bitPattern) == want1.map(\.bitPattern), "\(path) (runs \(gemm.name)): conv1, seed \(seed)")
            #expect(got2.map(\.bitPattern) == want2.map(\.bitPattern), "\(path) (runs \(gemm.name)): conv2, seed \(seed)")
        }
    }

    /// LeNet's two bias/ReLU/pool steps (`fmnist_lenet_pool1_fwd`, `_pool2_fwd`: 14 or 16 lanes at
    /// a time on the AVX-512 path) give exactly what `fmnist_bias_relu_maxpool2_fwd` gives, pooled
    /// values and arg-max codes, ties included (half the inputs are rounded to quarters).
    @Test(arguments: [("portable", GEMM.portable), ("avx2", GEMM.avx2), ("avx512", GEMM.avx512)])
    func lenetPoolsMatchGenericPool(path: String, gemm: GEMM) {
        for seed in UInt64(1)...4 {
            func inputs(_ count: Int, _ seed: UInt64) -> [Float] {
                TrainingFixtures.randomFloats(count, seed: seed).enumerated().map { i, v in
                    i % 2 == 0 ? (v * 4).rounded() / 4 : v
                }
            }
            let z1 = inputs(6 * 784, seed), z2 = inputs(100 * 16, seed + 10)
            let b1 = TrainingFixtures.randomFloats(6, seed: seed + 20)
            let b2 = TrainingFixtures.randomFloats(16, seed: seed + 30)
            var want1 = [Float](repeating: 0, count: 6 * 196), got1 = [Float](repeating: .nan, count: 6 * 196)
            var want2 = [Float](repeating: 0, count: 400), got2 = [Float](repeating: .nan, count: 400)
            var wantArg1 = [UInt8](repeating: 0, count: 6 * 196), gotArg1 = [UInt8](repeating: 9, count: 6 * 196)
            var wantArg2 = [UInt8](repeating: 0, count: 400), gotArg2 = [UInt8](repeating: 9, count: 400)
            fmnist_bias_relu_maxpool2_fwd(z1, 0, 6, 28, 28, b1, &want1, &wantArg1)
            fmnist_bias_relu_maxpool2_fwd(z2, 1, 16, 10, 10, b2, &want2, &wantArg2)
            fmnist_lenet_pool1_fwd(gemm.impl, z1, b1, &got1, &gotArg1)
            fmnist_lenet_pool2_fwd(gemm.impl, z2, b2, &got2, &gotArg2)
            #expect(got1.map(\.bitPattern) == want1.map(\.bitPattern), "\(path): pool1 values, seed \(seed)")
            #expect(gotArg1 == wantArg1, "\(path): pool1 arg-max, seed \(seed)")
            #expect(got2.map(\.bitPattern) == want2.map(\.bitPattern), "\(path): pool2 values, seed \(seed)")
            #expect(gotArg2 == wantArg2, "\(path): pool2 arg-max, seed \(seed)")
        }
    }

    /// A path the CPU lacks resolves to the next one it has, never to a path it cannot run.
    @Test func requestsFallBackToWhatTheCPUHas() {
        #expect(GEMM.avx512.name == (TrainingModule.usesAVX512 ? "avx512" : GEMM.avx2.name))
        #expect(GEMM.avx2.name == (TrainingModule.usesAVX2 ? "avx2-fma" : "portable"))
        if TrainingModule.usesAVX512 { #expect(TrainingModule.usesAVX2, "AVX-512 here implies AVX2/FMA") }
    }

    /// Two epochs of training (20 SGD steps, 2 threads) end in parameters within floating-point
    /// tolerance of the portable path's, with the same loss and accuracy to a few digits.
    @Test(.enabled(if: TrainingModule.usesAVX2, "this CPU has no AVX2/FMA"))
    func avx2TrainingMatchesPortable() {
        Self.trainingMatchesPortable(.avx2, name: "avx2-fma")
    }

    @Test(.enabled(if: TrainingModule.usesAVX512, "this CPU (or OS) has no AVX-512"))
    func avx512TrainingMatchesPortable() {
        Self.trainingMatchesPortable(.avx512, name: "avx512")
    }

    private static func trainingMatchesPortable(_ kernel: TrainingConfiguration.Kernel, name: String) {
        let train = TrainingFixtures.synthetic(count: 640, seed: 11)
        let test = TrainingFixtures.synthetic(count: 100, seed: 12)
        func run(_ kernel: TrainingConfiguration.Kernel) -> (TrainingSession, Double, Int) {
            let config = TrainingConfiguration(epochs: 1, batchSize: 64, seed: 3, threads: 2, kernel: kernel)
            let session = TrainingSession(configuration: config, trainPixels: train.pixels)
            var loss = 0.0, correct = 0
            for _ in 0..<2 {
                let (l, c) = session.runEpoch(train: train, count: train.count)
                loss = l; correct = c
            }
            return (session, loss / Double(train.count), correct)
        }
        let (reference, refLoss, refCorrect) = run(.portable)
        let (fast, fastLoss, fastCorrect) = run(kernel)
        #expect(fast.gemm.name == name)
        #expect(abs(fastLoss - refLoss) < 1e-3 * max(1, abs(refLoss)), "loss \(fastLoss) vs \(refLoss)")
        #expect(abs(fastCorrect - refCorrect) <= 3, "correct \(fastCorrect) vs \(refCorrect)")
        var worst: Float = 0
        for i in 0..<LeNetLayout.storageCount {
            worst = max(worst, abs(fast.parameters.values[i] - reference.parameters.values[i]))
        }
        #expect(worst < 1e-3, "largest parameter difference \(worst)")
        let a = reference.evaluate(test), b = fast.evaluate(test)
        #expect(abs(a.accuracy - b.accuracy) <= 0.02, "test accuracy \(b.accuracy) vs \(a.accuracy)")
    }
}
