/* What the GEMM paths share: their declarations (one macro per path), the K-block and column-
 * panel loop every C (+)= A·B path runs, and the 3x4 A·Bᵀ tile walk with its edge rows, its
 * k step and its write-back, which the AVX2 and AVX-512 paths instantiate with their own vector
 * type and intrinsics. The loops are always_inline and take their path's tile as a constant
 * function, so each path compiles to the same direct calls and registers as a hand-written loop,
 * and the operations run in the same order (results are bit-identical). E.g.
 *
 *     TGT void fmnist_sgemm_avx2(...) {
 *         fmnist_gemm_blocked(M, N, K, KC, NR, A, rsa, csa, B, ldb, C, ldc, accumulate, nn_panel);
 *     }
 */
#ifndef FMNIST_GEMM_INTERNAL_H
#define FMNIST_GEMM_INTERNAL_H
#include <stddef.h>
#include <string.h>

/* One path's two entry points: C (+)= A·B (A strided by rsa, csa) and C (+)= A·Bᵀ. */
#define FMNIST_GEMM_PATH(path)                                                                   \
    void fmnist_sgemm_##path(int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa,   \
                             const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc,             \
                             int accumulate);                                                    \
    void fmnist_sgemm_nt_##path(int M, int N, int K, const float *A, ptrdiff_t lda,              \
                                const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc,          \
                                int accumulate);

FMNIST_GEMM_PATH(portable)
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FMNIST_HAVE_AVX2_PATH 1
FMNIST_GEMM_PATH(avx2)
/* AVX-512 (F, VL, DQ, BW): gemm_avx512.c. */
#define FMNIST_HAVE_AVX512_PATH 1
FMNIST_GEMM_PATH(avx512)
#endif

#define FMNIST_GEMM_INLINE __attribute__((always_inline)) static inline

FMNIST_GEMM_INLINE int fmnist_gemm_min(int a, int b) { return a < b ? a : b; }

/* One column panel of C (+)= A·B: C[M x nr] (+)= A[M x kc] · B[kc x nr], nr <= the path's panel
 * width, the A, B and C pointers already at the panel's origin. */
typedef void (*fmnist_gemm_panel)(int M, int kc, int nr, const float *A, ptrdiff_t rsa,
                                  ptrdiff_t csa, const float *B, ptrdiff_t ldb, float *C,
                                  ptrdiff_t ldc, int acc);

/* C (+)= A·B in K blocks of kcap and column panels of ncap; K <= 0 zeroes C unless accumulating.
 * Only the first K block honours `accumulate`: the later ones add to what it wrote. */
FMNIST_GEMM_INLINE void fmnist_gemm_blocked(int M, int N, int K, int kcap, int ncap,
                                            const float *A, ptrdiff_t rsa, ptrdiff_t csa,
                                            const float *B, ptrdiff_t ldb, float *C,
                                            ptrdiff_t ldc, int accumulate,
                                            fmnist_gemm_panel panel) {
    if (K <= 0) {
        if (!accumulate)
            for (int i = 0; i < M; i++) memset(C + (ptrdiff_t)i * ldc, 0, sizeof(float) * (size_t)N);
        return;
    }
    for (int k0 = 0; k0 < K; k0 += kcap) {
        const int kc = fmnist_gemm_min(K - k0, kcap);
        const int acc = accumulate || k0 > 0;
        for (int j0 = 0; j0 < N; j0 += ncap)
            panel(M, kc, fmnist_gemm_min(N - j0, ncap), A + k0 * csa, rsa, csa,
                  B + (ptrdiff_t)k0 * ldb + j0, ldb, C + j0, ldc, acc);
    }
}

/* ---- A·Bᵀ in 3x4 tiles of dot products along contiguous K (the SIMD paths) ---------------- */

/* The dot products of rows a[0..2] with rows b[0..3] over K: r[i][j] = a[i]·b[j]. */
typedef void (*fmnist_gemm_nt_tile)(int K, const float *const a[3], const float *const b[4],
                                    float r[3][4]);

/* Row `r` of a tile whose first row is `first` and which has `valid` rows inside the matrix:
 * rows past the edge repeat the last valid row; their results are dropped. */
FMNIST_GEMM_INLINE const float *fmnist_gemm_edge_row(const float *X, ptrdiff_t ld, int first,
                                                     int r, int valid) {
    if (valid < 1) __builtin_unreachable(); /* a tile has a row: lets r = 0 and 1 fold away */
    return X + (ptrdiff_t)(first + (r < valid ? r : valid - 1)) * ld;
}

/* C (+)= A·Bᵀ tile by tile: `tile` computes the 3x4 dot products, the valid part is written. */
FMNIST_GEMM_INLINE void fmnist_gemm_nt_tiled(int M, int N, int K, const float *A, ptrdiff_t lda,
                                             const float *B, ptrdiff_t ldb, float *C,
                                             ptrdiff_t ldc, int accumulate,
                                             fmnist_gemm_nt_tile tile) {
    for (int i0 = 0; i0 < M; i0 += 3) {
        const int mr = fmnist_gemm_min(M - i0, 3);
        const float *const a[3] = {fmnist_gemm_edge_row(A, lda, i0, 0, mr),
                                   fmnist_gemm_edge_row(A, lda, i0, 1, mr),
                                   fmnist_gemm_edge_row(A, lda, i0, 2, mr)};
        for (int j0 = 0; j0 < N; j0 += 4) {
            const int nr = fmnist_gemm_min(N - j0, 4);
            const float *const b[4] = {fmnist_gemm_edge_row(B, ldb, j0, 0, nr),
                                       fmnist_gemm_edge_row(B, ldb, j0, 1, nr),
                                       fmnist_gemm_edge_row(B, ldb, j0, 2, nr),
                                       fmnist_gemm_edge_row(B, ldb, j0, 3, nr)};
            float r[3][4];
            tile(K, a, b, r);
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

/* The body of a path's fmnist_gemm_nt_tile over K, a, b, r: WIDTH floats per vector of type
 * VEC (ZERO: all zeros; FMA(x, y, acc) = acc + x·y), LOADU(p) the full vector of row p at k and
 * LOADM(p) the K tail's vector (masked), HSUM4 the horizontal sums of four vectors as one
 * 4-lane vector. Twelve accumulators s<i><j> stay in registers. */
#define FMNIST_NT_TILE(VEC, ZERO, FMA, WIDTH, LOADU, LOADM, HSUM4)                                \
    const float *a0 = a[0], *a1 = a[1], *a2 = a[2], *b0 = b[0], *b1 = b[1], *b2 = b[2],         \
                *b3 = b[3];                                                                      \
    VEC s00 = ZERO, s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00, \
        s20 = s00, s21 = s00, s22 = s00, s23 = s00;                                              \
    const int kv = K & ~(WIDTH - 1);                                                             \
    int k = 0;                                                                                   \
    for (; k < kv; k += WIDTH) FMNIST_NT_STEP(VEC, FMA, LOADU)                                   \
    if (K > kv) FMNIST_NT_STEP(VEC, FMA, LOADM)                                                  \
    _mm_storeu_ps(r[0], HSUM4(s00, s01, s02, s03));                                              \
    _mm_storeu_ps(r[1], HSUM4(s10, s11, s12, s13));                                              \
    _mm_storeu_ps(r[2], HSUM4(s20, s21, s22, s23))
/* One k step of the tile: the A vectors x0..x2, then column by column b0..b3. */
#define FMNIST_NT_STEP(VEC, FMA, LOAD)                                                           \
    {                                                                                            \
        const VEC x0 = LOAD(a0), x1 = LOAD(a1), x2 = LOAD(a2);                                   \
        FMNIST_NT_COLUMN(VEC, FMA, LOAD, b0, 0)                                                  \
        FMNIST_NT_COLUMN(VEC, FMA, LOAD, b1, 1)                                                  \
        FMNIST_NT_COLUMN(VEC, FMA, LOAD, b2, 2)                                                  \
        FMNIST_NT_COLUMN(VEC, FMA, LOAD, b3, 3)                                                  \
    }
/* Column j of one k step: the vector of row b at k, times x0..x2, into s0j..s2j. */
#define FMNIST_NT_COLUMN(VEC, FMA, LOAD, b, j)                                                   \
    {                                                                                            \
        const VEC y = LOAD(b);                                                                   \
        s0##j = FMA(x0, y, s0##j);                                                               \
        s1##j = FMA(x1, y, s1##j);                                                               \
        s2##j = FMA(x2, y, s2##j);                                                               \
    }

#ifdef FMNIST_HAVE_AVX2_PATH
#include <immintrin.h>
/* The four horizontal sums of v0..v3 as one 4-lane vector (AVX2 and, on its halves, AVX-512). */
__attribute__((target("avx2,fma"))) FMNIST_GEMM_INLINE __m128 fmnist_gemm_hsum4_256(__m256 v0,
                                                                                   __m256 v1,
                                                                                   __m256 v2,
                                                                                   __m256 v3) {
    const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(v0, v1), _mm256_hadd_ps(v2, v3));
    return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
}
#endif
#endif
