/* AVX-512 GEMM (F, VL, DQ, BW). Only called after fmnist_gemm_resolve() has
 * checked the CPU and that the OS saves the ZMM state (cpuid + xgetbv, see
 * dispatch.c); every function that uses AVX-512 instructions carries the
 * target attribute, so the rest of the library stays baseline x86-64 and no
 * compiler flag is needed. Column edges use lane masks instead of padded
 * copies: any N is handled in place. */
#include "gemm_internal.h"
#ifdef FMNIST_HAVE_AVX512_PATH
#include <immintrin.h>

#define TGT __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")))
#define AINLINE __attribute__((always_inline)) inline

#define MR1 12 /* rows of a one-vector (16-column) tile: 12 accumulators */
#define MR2 8  /* rows of a two-vector (32-column) tile: 16 accumulators */
#define KC 256

/* C[MRV x 16*NV] (+)= A[MRV x kc] * B[kc x 16*NV]; the last vector column is
 * masked by `last` (all ones for a full tile). MRV and NV are compile-time
 * constants, so the accumulators live in registers; the A value is broadcast
 * straight from memory into the FMA. */
TGT static AINLINE void nn_tile(const int MRV, const int NV, int kc, const float *A, ptrdiff_t rsa,
                                ptrdiff_t csa, const float *B, ptrdiff_t ldb, float *C,
                                ptrdiff_t ldc, int acc, __mmask16 last) {
    __m512 c0[MR1], c1[MR1];
    const __mmask16 m0 = NV == 1 ? last : (__mmask16)0xFFFF;
    for (int i = 0; i < MRV; i++) {
        if (acc) {
            c0[i] = _mm512_maskz_loadu_ps(m0, C + i * ldc);
            if (NV == 2) c1[i] = _mm512_maskz_loadu_ps(last, C + i * ldc + 16);
        } else {
            c0[i] = _mm512_setzero_ps();
            if (NV == 2) c1[i] = _mm512_setzero_ps();
        }
    }
    const float *a = A;
    const float *b = B;
    for (int k = 0; k < kc; k++) {
        const __m512 b0 = _mm512_maskz_loadu_ps(m0, b);
        const __m512 b1 = NV == 2 ? _mm512_maskz_loadu_ps(last, b + 16) : b0;
        for (int i = 0; i < MRV; i++) {
            const __m512 ai = _mm512_set1_ps(a[i * rsa]);
            c0[i] = _mm512_fmadd_ps(ai, b0, c0[i]);
            if (NV == 2) c1[i] = _mm512_fmadd_ps(ai, b1, c1[i]);
        }
        a += csa;
        b += ldb;
    }
    for (int i = 0; i < MRV; i++) {
        _mm512_mask_storeu_ps(C + i * ldc, m0, c0[i]);
        if (NV == 2) _mm512_mask_storeu_ps(C + i * ldc + 16, last, c1[i]);
    }
}

typedef void (*nn_tile_fn)(int, const float *, ptrdiff_t, ptrdiff_t, const float *, ptrdiff_t,
                           float *, ptrdiff_t, int, __mmask16);

#define NN_TILE_FN(nv, n)                                                                      \
    TGT static void nn_tile_##nv##_##n(int kc, const float *A, ptrdiff_t rsa, ptrdiff_t csa,    \
                                       const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc, \
                                       int acc, __mmask16 last) {                              \
        nn_tile(n, nv, kc, A, rsa, csa, B, ldb, C, ldc, acc, last);                            \
    }
NN_TILE_FN(1, 1)
NN_TILE_FN(1, 2)
NN_TILE_FN(1, 3)
NN_TILE_FN(1, 4)
NN_TILE_FN(1, 5)
NN_TILE_FN(1, 6)
NN_TILE_FN(1, 7)
NN_TILE_FN(1, 8)
NN_TILE_FN(1, 9)
NN_TILE_FN(1, 10)
NN_TILE_FN(1, 11)
NN_TILE_FN(1, 12)
NN_TILE_FN(2, 1)
NN_TILE_FN(2, 2)
NN_TILE_FN(2, 3)
NN_TILE_FN(2, 4)
NN_TILE_FN(2, 5)
NN_TILE_FN(2, 6)
NN_TILE_FN(2, 7)
NN_TILE_FN(2, 8)

static const nn_tile_fn tiles1[MR1 + 1] = {0,           nn_tile_1_1, nn_tile_1_2,  nn_tile_1_3,
                                           nn_tile_1_4, nn_tile_1_5, nn_tile_1_6,  nn_tile_1_7,
                                           nn_tile_1_8, nn_tile_1_9, nn_tile_1_10, nn_tile_1_11,
                                           nn_tile_1_12};
static const nn_tile_fn tiles2[MR2 + 1] = {0,           nn_tile_2_1, nn_tile_2_2,
                                           nn_tile_2_3, nn_tile_2_4, nn_tile_2_5,
                                           nn_tile_2_6, nn_tile_2_7, nn_tile_2_8};

static inline __mmask16 lanes(int n) { return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1u); }

/* One column panel of up to 32 columns: 17..32 run two vectors (the second masked), 1..16 one
 * (masked), in place. */
TGT static AINLINE void nn_panel(int M, int kc, int nr, const float *A, ptrdiff_t rsa,
                                 ptrdiff_t csa, const float *B, ptrdiff_t ldb, float *C,
                                 ptrdiff_t ldc, int acc) {
    const int two = nr > 16;
    const __mmask16 last = lanes(two ? nr - 16 : nr);
    const int mr = two ? MR2 : MR1;
    const nn_tile_fn *table = two ? tiles2 : tiles1;
    int i0 = 0;
    for (; i0 + mr <= M; i0 += mr)
        table[mr](kc, A + i0 * rsa, rsa, csa, B, ldb, C + (ptrdiff_t)i0 * ldc, ldc, acc, last);
    if (i0 < M)
        table[M - i0](kc, A + i0 * rsa, rsa, csa, B, ldb, C + (ptrdiff_t)i0 * ldc, ldc, acc, last);
}

TGT void fmnist_sgemm_avx512(int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa,
                             const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc,
                             int accumulate) {
    fmnist_gemm_blocked(M, N, K, KC, 32, A, rsa, csa, B, ldb, C, ldc, accumulate, nn_panel);
}

/* ---- A * B^T: 3x4 tiles of dot products along contiguous K ---------------- */

/* The four horizontal sums of v0..v3 as one 4-lane vector: the 256-bit sums of their halves. */
TGT static AINLINE __m128 hsum4_512(__m512 v0, __m512 v1, __m512 v2, __m512 v3) {
#define HALVES(v) _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1))
    return fmnist_gemm_hsum4_256(HALVES(v0), HALVES(v1), HALVES(v2), HALVES(v3));
#undef HALVES
}

TGT static AINLINE void nt_tile(int K, const float *const a[3], const float *const b[4],
                                float r[3][4]) {
    const __mmask16 tail = lanes(K & 15);
#define LOADU(p) _mm512_loadu_ps((p) + k)
#define LOADM(p) _mm512_maskz_loadu_ps(tail, (p) + k)
    FMNIST_NT_TILE(__m512, _mm512_setzero_ps(), _mm512_fmadd_ps, 16, LOADU, LOADM, hsum4_512);
#undef LOADU
#undef LOADM
}

TGT void fmnist_sgemm_nt_avx512(int M, int N, int K, const float *A, ptrdiff_t lda,
                                const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc,
                                int accumulate) {
    fmnist_gemm_nt_tiled(M, N, K, A, lda, B, ldb, C, ldc, accumulate, nt_tile);
}
#endif
