/* AVX2/FMA GEMM. Only called after fmnist_gemm_resolve() has checked the CPU;
 * every function that uses AVX2 instructions carries the target attribute so
 * the rest of the library stays baseline x86-64. */
#include "gemm_internal.h"
#ifdef FMNIST_HAVE_AVX2_PATH
#include <immintrin.h>

#define TGT __attribute__((target("avx2,fma")))
#define AINLINE __attribute__((always_inline)) inline

#define MR 6
#define NR 16
#define KC 256

/* C[mr x 16] (+)= A[mr x kc] * B[kc x 16]; MRV is a compile-time constant so
 * the accumulators live in registers (2*MRV <= 12 ymm). */
TGT static AINLINE void nn_tile(const int MRV, int kc, const float *A, ptrdiff_t rsa,
                                ptrdiff_t csa, const float *B, ptrdiff_t ldb, float *C,
                                ptrdiff_t ldc, int acc) {
    __m256 c0[MR], c1[MR];
    for (int i = 0; i < MRV; i++) {
        if (acc) {
            c0[i] = _mm256_loadu_ps(C + i * ldc);
            c1[i] = _mm256_loadu_ps(C + i * ldc + 8);
        } else {
            c0[i] = _mm256_setzero_ps();
            c1[i] = _mm256_setzero_ps();
        }
    }
    const float *a = A;
    const float *b = B;
    for (int k = 0; k < kc; k++) {
        const __m256 b0 = _mm256_loadu_ps(b);
        const __m256 b1 = _mm256_loadu_ps(b + 8);
        for (int i = 0; i < MRV; i++) {
            const __m256 ai = _mm256_broadcast_ss(a + i * rsa);
            c0[i] = _mm256_fmadd_ps(ai, b0, c0[i]);
            c1[i] = _mm256_fmadd_ps(ai, b1, c1[i]);
        }
        a += csa;
        b += ldb;
    }
    for (int i = 0; i < MRV; i++) {
        _mm256_storeu_ps(C + i * ldc, c0[i]);
        _mm256_storeu_ps(C + i * ldc + 8, c1[i]);
    }
}

#define NN_TILE_FN(n)                                                                      \
    TGT static void nn_tile_##n(int kc, const float *A, ptrdiff_t rsa, ptrdiff_t csa,       \
                                const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc,     \
                                int acc) {                                                  \
        nn_tile(n, kc, A, rsa, csa, B, ldb, C, ldc, acc);                                   \
    }
NN_TILE_FN(1)
NN_TILE_FN(2)
NN_TILE_FN(3)
NN_TILE_FN(4)
NN_TILE_FN(5)
NN_TILE_FN(6)

typedef void (*nn_tile_fn)(int, const float *, ptrdiff_t, ptrdiff_t, const float *, ptrdiff_t,
                           float *, ptrdiff_t, int);
static const nn_tile_fn nn_tiles[MR + 1] = {0,         nn_tile_1, nn_tile_2, nn_tile_3,
                                            nn_tile_4, nn_tile_5, nn_tile_6};

/* One column panel (nr <= NR). A full panel runs 6-row tiles straight from B and C; the right
 * edge runs on a zero-padded copy of the B panel, C through a temp tile. */
TGT static AINLINE void nn_panel(int M, int kc, int nr, const float *A, ptrdiff_t rsa,
                                 ptrdiff_t csa, const float *B, ptrdiff_t ldb, float *C,
                                 ptrdiff_t ldc, int acc) {
    if (nr == NR) {
        int i0 = 0;
        for (; i0 + MR <= M; i0 += MR)
            nn_tile_6(kc, A + i0 * rsa, rsa, csa, B, ldb, C + (ptrdiff_t)i0 * ldc, ldc, acc);
        if (i0 < M)
            nn_tiles[M - i0](kc, A + i0 * rsa, rsa, csa, B, ldb, C + (ptrdiff_t)i0 * ldc, ldc, acc);
        return;
    }
    float bpack[KC * NR] __attribute__((aligned(32)));
    float ctmp[MR * NR] __attribute__((aligned(32)));
    for (int k = 0; k < kc; k++) {
        const float *src = B + (ptrdiff_t)k * ldb;
        float *dst = bpack + k * NR;
        int j = 0;
        for (; j < nr; j++) dst[j] = src[j];
        for (; j < NR; j++) dst[j] = 0.0f;
    }
    for (int i0 = 0; i0 < M; i0 += MR) {
        const int mr = fmnist_gemm_min(M - i0, MR);
        float *Cp = C + (ptrdiff_t)i0 * ldc;
        if (acc)
            for (int i = 0; i < mr; i++)
                for (int j = 0; j < NR; j++) ctmp[i * NR + j] = j < nr ? Cp[i * ldc + j] : 0.0f;
        nn_tiles[mr](kc, A + i0 * rsa, rsa, csa, bpack, NR, ctmp, NR, acc);
        for (int i = 0; i < mr; i++)
            for (int j = 0; j < nr; j++) Cp[i * ldc + j] = ctmp[i * NR + j];
    }
}

TGT void fmnist_sgemm_avx2(int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa,
                           const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc,
                           int accumulate) {
    fmnist_gemm_blocked(M, N, K, KC, NR, A, rsa, csa, B, ldb, C, ldc, accumulate, nn_panel);
}

/* ---- A * B^T: 3x4 tiles of dot products along contiguous K ---------------- */

TGT static AINLINE void nt_tile(int K, const float *const a[3], const float *const b[4],
                                float r[3][4]) {
    static const int32_t mask_src[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    const __m256i tail = _mm256_loadu_si256((const __m256i *)(mask_src + 8 - (K & 7)));
#define LOADU(p) _mm256_loadu_ps((p) + k)
#define LOADM(p) _mm256_maskload_ps((p) + k, tail)
    FMNIST_NT_TILE(__m256, _mm256_setzero_ps(), _mm256_fmadd_ps, 8, LOADU, LOADM,
                   fmnist_gemm_hsum4_256);
#undef LOADU
#undef LOADM
}

TGT void fmnist_sgemm_nt_avx2(int M, int N, int K, const float *A, ptrdiff_t lda,
                              const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc,
                              int accumulate) {
    fmnist_gemm_nt_tiled(M, N, K, A, lda, B, ldb, C, ldc, accumulate, nt_tile);
}
#endif
