import Foundation
import Testing
@testable import FMNISTTraining

/// The SIMD and portable GEMM kernels against a naive Double reference on odd shapes, covering
/// every edge path (partial row and column tiles, K tails, K larger than one cache block).
@Suite struct TrainingGEMMTests {
    static let ms = [1, 2, 5, 6, 7, 13]
    static let ns = [1, 3, 8, 15, 16, 17, 33]
    static let ks = [0, 1, 7, 8, 9, 31, 300]

    @Test func bestPathIsSelectedWhenSupported() {
        #expect(GEMM.portable.name == "portable")
        let best = TrainingModule.usesAVX512 ? "avx512" : TrainingModule.usesAVX2 ? "avx2-fma" : "portable"
        #expect(GEMM.avx512.name == best)
        #expect(GEMM.avx2.name == (TrainingModule.usesAVX2 ? "avx2-fma" : "portable"))
        let forced = ["portable": GEMM.portable, "avx2": GEMM.avx2, "avx512": GEMM.avx512]
        let request = ProcessInfo.processInfo.environment["FMNIST_KERNELS"] ?? ""
        #expect(GEMM.automatic == (forced[request] ?? GEMM.avx512), "FMNIST_KERNELS=\(request)")
    }

    @Test(arguments: [false, true])
    func nnMatchesReference(transposedA: Bool) {
        for gemm in TrainingFixtures.gemms {
            for m in Self.ms { for n in Self.ns { for k in Self.ks {
                let a = TrainingFixtures.randomFloats(m * k, seed: UInt64(m * 1000 + k))
                let b = TrainingFixtures.randomFloats(k * n + 5, seed: UInt64(n * 1000 + k + 7))
                let c0 = TrainingFixtures.randomFloats(m * (n + 2), seed: 99)
                // C has a leading dimension larger than N so overruns would show up.
                let ldc = n + 2, ldb = n
                let (rsa, csa) = transposedA ? (1, m) : (k, 1)
                for accumulate in [false, true] {
                    var c = c0
                    a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
                        c.withUnsafeMutableBufferPointer { cp in
                            gemm.gemm(m, n, k, ap.baseAddress!, rsa: rsa, csa: csa, bp.baseAddress!, ldb: ldb,
                                      cp.baseAddress!, ldc: ldc, accumulate: accumulate)
                        }
                    } }
                    var worst = 0.0
                    for i in 0..<m {
                        for j in 0..<(n + 2) {
                            let got = Double(c[i * ldc + j])
                            guard j < n else {
                                #expect(c[i * ldc + j] == c0[i * ldc + j], "wrote past N")
                                continue
                            }
                            var want = accumulate ? Double(c0[i * ldc + j]) : 0
                            for p in 0..<k { want += Double(a[i * rsa + p * csa]) * Double(b[p * ldb + j]) }
                            worst = max(worst, abs(got - want))
                        }
                    }
                    #expect(worst < 1e-4 * Double(max(k, 1)), "\(gemm.name) m=\(m) n=\(n) k=\(k) acc=\(accumulate)")
                }
            } } }
        }
    }

    @Test func ntMatchesReference() {
        for gemm in TrainingFixtures.gemms {
            for m in Self.ms { for n in Self.ns { for k in Self.ks {
                let lda = k + 1, ldb = k + 3
                let a = TrainingFixtures.randomFloats(m * lda, seed: UInt64(m * 77 + k))
                let b = TrainingFixtures.randomFloats(n * ldb, seed: UInt64(n * 91 + k))
                let c0 = TrainingFixtures.randomFloats(m * n, seed: 5)
                for accumulate in [false, true] {
                    var c = c0
                    a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
                        c.withUnsafeMutableBufferPointer { cp in
                            gemm.gemmNT(m, n, k, ap.baseAddress!, lda: lda, bp.baseAddress!, ldb: ldb,
                                        cp.baseAddress!, ldc: n, accumulate: accumulate)
                        }
                    } }
                    var worst = 0.0
                    for i in 0..<m {
                        for j in 0..<n {
                            var want = accumulate ? Double(c0[i * n + j]) : 0
                            for p in 0..<k { want += Double(a[i * lda + p]) * Double(b[j * ldb + p]) }
                            worst = max(worst, abs(Double(c[i * n + j]) - want))
                        }
                    }
                    #expect(worst < 1e-4 * Double(max(k, 1)), "\(gemm.name) NT m=\(m) n=\(n) k=\(k) acc=\(accumulate)")
                }
            } } }
        }
    }

    @Test(.enabled(if: TrainingModule.usesAVX2, "this CPU has no AVX2/FMA: only the portable path runs"))
    func lenetShapesAgreeAcrossImplementations() {
        // conv2 forward: [100×150]·[150×16]
        let a = TrainingFixtures.randomFloats(100 * 150, seed: 1)
        let b = TrainingFixtures.randomFloats(150 * 16, seed: 2)
        var fast = [Float](repeating: 0, count: 1600), slow = fast
        for (gemm, out) in [(GEMM.avx2, 0), (GEMM.portable, 1)] {
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
                if out == 0 {
                    fast.withUnsafeMutableBufferPointer { cp in
                        gemm.gemm(100, 16, 150, ap.baseAddress!, rsa: 150, csa: 1, bp.baseAddress!, ldb: 16,
                                  cp.baseAddress!, ldc: 16, accumulate: false)
                    }
                } else {
                    slow.withUnsafeMutableBufferPointer { cp in
                        gemm.gemm(100, 16, 150, ap.baseAddress!, rsa: 150, csa: 1, bp.baseAddress!, ldb: 16,
                                  cp.baseAddress!, ldc: 16, accumulate: false)
                    }
                }
            } }
        }
        let worst = zip(fast, slow).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 1e-4)
    }
}
