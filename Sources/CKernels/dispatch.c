#include "CKernels.h"
#include "gemm_internal.h"
#include <stdlib.h>
#include <string.h>

int fmnist_kernels_has_avx2_fma(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

#ifdef FMNIST_HAVE_AVX512_PATH
#include <cpuid.h>
/* XCR0 through xgetbv (inline assembly: the intrinsic would need the xsave target). */
static unsigned long long read_xcr0(void) {
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}
#endif

int fmnist_kernels_has_avx512(void) {
#ifdef FMNIST_HAVE_AVX512_PATH
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    /* OSXSAVE (ecx 27): xgetbv is usable; FMA (ecx 12) for the shared AVX2 helpers. */
    if (!(c & (1u << 27)) || !(c & (1u << 12))) return 0;
    /* The OS must save XMM, YMM (bits 1, 2), opmask, ZMM0-15 upper halves and ZMM16-31
     * (bits 5, 6, 7): otherwise AVX-512 state is lost on a context switch. */
    if ((read_xcr0() & 0xE6u) != 0xE6u) return 0;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    const unsigned int need = (1u << 5)     /* AVX2 */
                              | (1u << 16)  /* AVX512F */
                              | (1u << 17)  /* AVX512DQ */
                              | (1u << 30)  /* AVX512BW */
                              | (1u << 31); /* AVX512VL */
    return (b & need) == need;
#else
    return 0;
#endif
}

/* FMNIST_KERNELS=portable|avx2|avx512 (read once): what AUTO requests; unset, empty, "auto"
 * or any other value: the best path this CPU has. A request the CPU cannot run falls back
 * like an explicit one does. */
static int env_request(void) {
    const char *v = getenv("FMNIST_KERNELS");
    if (!v) return FMNIST_GEMM_AUTO;
    if (!strcmp(v, "portable")) return FMNIST_GEMM_PORTABLE;
    if (!strcmp(v, "avx2")) return FMNIST_GEMM_AVX2;
    if (!strcmp(v, "avx512")) return FMNIST_GEMM_AVX512;
    return FMNIST_GEMM_AUTO;
}

int fmnist_kernels_env_request(void) {
    /* Cached: a benign race writes the same value. */
    static volatile int cached = -1;
    int r = cached;
    if (r < 0) { r = env_request(); cached = r; }
    return r;
}

int fmnist_gemm_resolve(int impl) {
    if (impl == FMNIST_GEMM_AUTO) {
        impl = fmnist_kernels_env_request();
        if (impl == FMNIST_GEMM_AUTO) impl = FMNIST_GEMM_AVX512;
    }
    if (impl == FMNIST_GEMM_PORTABLE) return FMNIST_GEMM_PORTABLE;
#ifdef FMNIST_HAVE_AVX2_PATH
    /* Cached: the answers never change; a benign race writes the same value. */
    static volatile int cached2 = -1, cached512 = -1;
    if (impl == FMNIST_GEMM_AVX512) {
        int has = cached512;
        if (has < 0) { has = fmnist_kernels_has_avx512(); cached512 = has; }
        if (has) return FMNIST_GEMM_AVX512;
    }
    int has = cached2;
    if (has < 0) { has = fmnist_kernels_has_avx2_fma(); cached2 = has; }
    return has ? FMNIST_GEMM_AVX2 : FMNIST_GEMM_PORTABLE;
#else
    return FMNIST_GEMM_PORTABLE;
#endif
}

int fmnist_kernels_use_avx2(int impl) {
#ifdef FMNIST_HAVE_AVX2_PATH
    return fmnist_gemm_resolve(impl) >= FMNIST_GEMM_AVX2;
#else
    (void)impl;
    return 0;
#endif
}

void fmnist_sgemm(int impl, int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa,
                  const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc, int accumulate) {
    if (M <= 0 || N <= 0) return;
#ifdef FMNIST_HAVE_AVX2_PATH
    switch (fmnist_gemm_resolve(impl)) {
    case FMNIST_GEMM_AVX512:
        fmnist_sgemm_avx512(M, N, K, A, rsa, csa, B, ldb, C, ldc, accumulate);
        return;
    case FMNIST_GEMM_AVX2:
        fmnist_sgemm_avx2(M, N, K, A, rsa, csa, B, ldb, C, ldc, accumulate);
        return;
    default:
        break;
    }
#endif
    fmnist_sgemm_portable(M, N, K, A, rsa, csa, B, ldb, C, ldc, accumulate);
}

void fmnist_sgemm_nt(int impl, int M, int N, int K, const float *A, ptrdiff_t lda,
                     const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc, int accumulate) {
    if (M <= 0 || N <= 0) return;
#ifdef FMNIST_HAVE_AVX2_PATH
    switch (fmnist_gemm_resolve(impl)) {
    case FMNIST_GEMM_AVX512:
        fmnist_sgemm_nt_avx512(M, N, K, A, lda, B, ldb, C, ldc, accumulate);
        return;
    case FMNIST_GEMM_AVX2:
        fmnist_sgemm_nt_avx2(M, N, K, A, lda, B, ldb, C, ldc, accumulate);
        return;
    default:
        break;
    }
#endif
    fmnist_sgemm_nt_portable(M, N, K, A, lda, B, ldb, C, ldc, accumulate);
}

int32_t fmnist_atomic_fetch_add(int32_t *counter, int32_t value) {
    return __atomic_fetch_add(counter, value, __ATOMIC_RELAXED);
}
