import CKernels

/// Namespace marker for the training module; the LeNet-5 trainer lives beside it.
public enum TrainingModule {
    /// Whether this CPU runs the AVX2/FMA GEMM micro-kernel.
    public static var usesAVX2: Bool { fmnist_kernels_has_avx2_fma() != 0 }
}
