#include "CKernels.h"
#include "gemm_internal.h"

int fmnist_kernels_has_avx2_fma(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

int fmnist_gemm_resolve(int impl) {
    if (impl == FMNIST_GEMM_PORTABLE) return FMNIST_GEMM_PORTABLE;
#ifdef FMNIST_HAVE_AVX2_PATH
    /* Cached: the answer never changes; a benign race writes the same value. */
    static volatile int cached = -1;
    int has = cached;
    if (has < 0) { has = fmnist_kernels_has_avx2_fma(); cached = has; }
    return has ? FMNIST_GEMM_AVX2 : FMNIST_GEMM_PORTABLE;
#else
    return FMNIST_GEMM_PORTABLE;
#endif
}

void fmnist_sgemm(int impl, int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa,
                  const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc, int accumulate) {
    if (M <= 0 || N <= 0) return;
#ifdef FMNIST_HAVE_AVX2_PATH
    if (fmnist_gemm_resolve(impl) == FMNIST_GEMM_AVX2) {
        fmnist_sgemm_avx2(M, N, K, A, rsa, csa, B, ldb, C, ldc, accumulate);
        return;
    }
#endif
    fmnist_sgemm_portable(M, N, K, A, rsa, csa, B, ldb, C, ldc, accumulate);
}

void fmnist_sgemm_nt(int impl, int M, int N, int K, const float *A, ptrdiff_t lda,
                     const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc, int accumulate) {
    if (M <= 0 || N <= 0) return;
#ifdef FMNIST_HAVE_AVX2_PATH
    if (fmnist_gemm_resolve(impl) == FMNIST_GEMM_AVX2) {
        fmnist_sgemm_nt_avx2(M, N, K, A, lda, B, ldb, C, ldc, accumulate);
        return;
    }
#endif
    fmnist_sgemm_nt_portable(M, N, K, A, lda, B, ldb, C, ldc, accumulate);
}

int32_t fmnist_atomic_fetch_add(int32_t *counter, int32_t value) {
    return __atomic_fetch_add(counter, value, __ATOMIC_RELAXED);
}
