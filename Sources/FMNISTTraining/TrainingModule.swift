import CKernels

/// Namespace for facts about the training module's numeric kernels.
public enum TrainingModule {
    /// Whether this CPU runs the AVX2/FMA GEMM micro-kernel.
    public static var usesAVX2: Bool { fmnist_kernels_has_avx2_fma() != 0 }

    /// Number of trainable parameters of LeNet-5 as built here (same as PyTorch's 61,706).
    public static var lenetParameterCount: Int { LeNetLayout.parameterCount }
}
