/* AVX-512 GEMM (F, VL, DQ, BW). Only called after fmnist_gemm_resolve() has
 * checked the CPU and that the OS saves the ZMM state (cpuid + xgetbv, see
 * dispatch.c); every function that uses AVX-512 instructions carries the
 * target attribute, so the rest of the library stays baseline x86-64 and no
 * compiler flag is needed. Column edges use lane masks instead of padded
 * copies: any N is handled in place. */
#include "gemm_internal.h"
#ifdef FMNIST_HAVE_AVX512_PATH
#include <immintrin.h>
#include <string.h>

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

TGT void fmnist_sgemm_avx512(int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa,
                             const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc,
                             int accumulate) {
    if (K <= 0) {
        if (!accumulate)
            for (int i = 0; i < M; i++) memset(C + (ptrdiff_t)i * ldc, 0, sizeof(float) * (size_t)N);
        return;
    }
    for (int k0 = 0; k0 < K; k0 += KC) {
        const int kc = K - k0 < KC ? K - k0 : KC;
        const int acc = accumulate || k0 > 0;
        for (int j0 = 0; j0 < N; j0 += 32) {
            const int nr = N - j0 < 32 ? N - j0 : 32;
            const float *Bp = B + (ptrdiff_t)k0 * ldb + j0;
            /* 17..32 columns: two vectors (the second masked); 1..16: one (masked). */
            const int two = nr > 16;
            const __mmask16 last = lanes(two ? nr - 16 : nr);
            const int mr = two ? MR2 : MR1;
            const nn_tile_fn *table = two ? tiles2 : tiles1;
            int i0 = 0;
            for (; i0 + mr <= M; i0 += mr)
                table[mr](kc, A + i0 * rsa + k0 * csa, rsa, csa, Bp, ldb,
                          C + (ptrdiff_t)i0 * ldc + j0, ldc, acc, last);
            if (i0 < M)
                table[M - i0](kc, A + i0 * rsa + k0 * csa, rsa, csa, Bp, ldb,
                              C + (ptrdiff_t)i0 * ldc + j0, ldc, acc, last);
        }
    }
}

/* ---- A * B^T: 3x4 tiles of dot products along contiguous K ---------------- */

/* The four horizontal sums of v0..v3 as one 4-lane vector. */
TGT static AINLINE __m128 hsum4_512(__m512 v0, __m512 v1, __m512 v2, __m512 v3) {
#define HALVES(v) _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1))
    const __m256 h0 = HALVES(v0), h1 = HALVES(v1), h2 = HALVES(v2), h3 = HALVES(v3);
#undef HALVES
    const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(h0, h1), _mm256_hadd_ps(h2, h3));
    return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
}

TGT void fmnist_sgemm_nt_avx512(int M, int N, int K, const float *A, ptrdiff_t lda,
                                const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc,
                                int accumulate) {
    const int kv = K & ~15;
    const __mmask16 tail = lanes(K - kv);
    for (int i0 = 0; i0 < M; i0 += 3) {
        const int mr = M - i0 < 3 ? M - i0 : 3;
        /* Rows past the edge repeat the last valid row; their results are dropped. */
        const float *a0 = A + (ptrdiff_t)i0 * lda;
        const float *a1 = A + (ptrdiff_t)(i0 + (mr > 1 ? 1 : 0)) * lda;
        const float *a2 = A + (ptrdiff_t)(i0 + (mr > 2 ? 2 : mr - 1)) * lda;
        for (int j0 = 0; j0 < N; j0 += 4) {
            const int nr = N - j0 < 4 ? N - j0 : 4;
            const float *b0 = B + (ptrdiff_t)j0 * ldb;
            const float *b1 = B + (ptrdiff_t)(j0 + (nr > 1 ? 1 : 0)) * ldb;
            const float *b2 = B + (ptrdiff_t)(j0 + (nr > 2 ? 2 : nr - 1)) * ldb;
            const float *b3 = B + (ptrdiff_t)(j0 + (nr > 3 ? 3 : nr - 1)) * ldb;
            __m512 s00 = _mm512_setzero_ps(), s01 = s00, s02 = s00, s03 = s00;
            __m512 s10 = s00, s11 = s00, s12 = s00, s13 = s00;
            __m512 s20 = s00, s21 = s00, s22 = s00, s23 = s00;
#define NT_STEP(LOAD)                                                                      \
    {                                                                                      \
        const __m512 x0 = LOAD(a0), x1 = LOAD(a1), x2 = LOAD(a2);                          \
        __m512 y = LOAD(b0);                                                               \
        s00 = _mm512_fmadd_ps(x0, y, s00);                                                 \
        s10 = _mm512_fmadd_ps(x1, y, s10);                                                 \
        s20 = _mm512_fmadd_ps(x2, y, s20);                                                 \
        y = LOAD(b1);                                                                      \
        s01 = _mm512_fmadd_ps(x0, y, s01);                                                 \
        s11 = _mm512_fmadd_ps(x1, y, s11);                                                 \
        s21 = _mm512_fmadd_ps(x2, y, s21);                                                 \
        y = LOAD(b2);                                                                      \
        s02 = _mm512_fmadd_ps(x0, y, s02);                                                 \
        s12 = _mm512_fmadd_ps(x1, y, s12);                                                 \
        s22 = _mm512_fmadd_ps(x2, y, s22);                                                 \
        y = LOAD(b3);                                                                      \
        s03 = _mm512_fmadd_ps(x0, y, s03);                                                 \
        s13 = _mm512_fmadd_ps(x1, y, s13);                                                 \
        s23 = _mm512_fmadd_ps(x2, y, s23);                                                 \
    }
#define LOADU(p) _mm512_loadu_ps((p) + k)
#define LOADM(p) _mm512_maskz_loadu_ps(tail, (p) + k)
            int k = 0;
            for (; k < kv; k += 16) NT_STEP(LOADU)
            if (K > kv) NT_STEP(LOADM)
#undef LOADU
#undef LOADM
#undef NT_STEP
            float r[3][4];
            _mm_storeu_ps(r[0], hsum4_512(s00, s01, s02, s03));
            _mm_storeu_ps(r[1], hsum4_512(s10, s11, s12, s13));
            _mm_storeu_ps(r[2], hsum4_512(s20, s21, s22, s23));
            for (int i = 0; i < mr; i++) {
                float *c = C + (ptrdiff_t)(i0 + i) * ldc + j0;
                if (accumulate)
                    for (int j = 0; j < nr; j++) c[j] += r[i][j];
                else
                    for (int j = 0; j < nr; j++) c[j] = r[i][j];
            }
        }
    }
}
#endif
