import CKernels

/// Namespace for facts about the training module's numeric kernels.
public enum TrainingModule {
    /// Whether this CPU runs the AVX2/FMA GEMM micro-kernel.
    public static var usesAVX2: Bool { fmnist_kernels_has_avx2_fma() != 0 }

    /// Whether this CPU (and OS) runs the AVX-512 GEMM micro-kernel.
    public static var usesAVX512: Bool { fmnist_kernels_has_avx512() != 0 }

    /// The kernel path a default training run dispatches to: "avx512", "avx2-fma" or "portable"
    /// (`FMNIST_KERNELS=portable|avx2|avx512` in the environment forces a path the CPU has).
    ///
    /// ```swift
    /// print(TrainingModule.dispatchedKernel)   // "avx512" on a Zen 4/5 machine
    /// ```
    public static var dispatchedKernel: String { GEMM.automatic.name }

    /// Number of trainable parameters of LeNet-5 as built here (same as PyTorch's 61,706).
    public static var lenetParameterCount: Int { LeNetLayout.parameterCount }
}
