import CKernels

/// The GEMM implementation a computation runs on (resolved against the CPU).
struct GEMM: Sendable, Equatable {
    let impl: Int32

    /// What `FMNIST_KERNELS` names, else the best path the CPU has (AVX-512, AVX2/FMA, portable).
    static let automatic = GEMM(requested: Int32(FMNIST_GEMM_AUTO))
    /// The portable C fallback, whatever the CPU.
    static let portable = GEMM(requested: Int32(FMNIST_GEMM_PORTABLE))
    /// AVX2/FMA when the CPU has it, else portable.
    static let avx2 = GEMM(requested: Int32(FMNIST_GEMM_AVX2))
    /// AVX-512 when the CPU has it, else the AVX2 fallback.
    static let avx512 = GEMM(requested: Int32(FMNIST_GEMM_AVX512))

    init(requested: Int32) { impl = fmnist_gemm_resolve(requested) }

    /// The implementation a configuration asks for, resolved against the CPU.
    init(_ kernel: TrainingConfiguration.Kernel) {
        switch kernel {
        case .automatic: self = .automatic
        case .portable: self = .portable
        case .avx2: self = .avx2
        case .avx512: self = .avx512
        }
    }

    /// "avx512", "avx2-fma" or "portable".
    var name: String {
        switch impl {
        case Int32(FMNIST_GEMM_AVX512): "avx512"
        case Int32(FMNIST_GEMM_AVX2): "avx2-fma"
        default: "portable"
        }
    }

    /// C[M×N] (+)= A·B with A(i,k) = A[i*rsa + k*csa], B(k,j) = B[k*ldb + j].
    @inline(__always)
    func gemm(
        _ m: Int, _ n: Int, _ k: Int,
        _ a: UnsafePointer<Float>, rsa: Int, csa: Int,
        _ b: UnsafePointer<Float>, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        fmnist_sgemm(
            impl, Int32(m), Int32(n), Int32(k), a, rsa, csa, b, ldb, c, ldc, accumulate ? 1 : 0)
    }

    /// C[M×N] (+)= A·Bᵀ with A(i,k) = A[i*lda + k], B(j,k) = B[j*ldb + k].
    @inline(__always)
    func gemmNT(
        _ m: Int, _ n: Int, _ k: Int,
        _ a: UnsafePointer<Float>, lda: Int,
        _ b: UnsafePointer<Float>, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        fmnist_sgemm_nt(impl, Int32(m), Int32(n), Int32(k), a, lda, b, ldb, c, ldc, accumulate ? 1 : 0)
    }
}
