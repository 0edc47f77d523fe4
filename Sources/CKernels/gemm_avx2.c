/* AVX2/FMA GEMM. Only called after fmnist_gemm_resolve() has checked the CPU;
 * every function that uses AVX2 instructions carries the target attribute so
 * the rest of the library stays baseline x86-64. */
#include "gemm_internal.h"
#ifdef FMNIST_HAVE_AVX2_PATH
#include <immintrin.h>
#include <string.h>

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

TGT void fmnist_sgemm_avx2(int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa,
                           const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc,
                           int accumulate) {
    if (K <= 0) {
        if (!accumulate)
            for (int i = 0; i < M; i++) memset(C + (ptrdiff_t)i * ldc, 0, sizeof(float) * (size_t)N);
        return;
    }
    float bpack[KC * NR] __attribute__((aligned(32)));
    float ctmp[MR * NR] __attribute__((aligned(32)));
    for (int k0 = 0; k0 < K; k0 += KC) {
        const int kc = K - k0 < KC ? K - k0 : KC;
        const int acc = accumulate || k0 > 0;
        for (int j0 = 0; j0 < N; j0 += NR) {
            const int nr = N - j0 < NR ? N - j0 : NR;
            const float *Bp = B + (ptrdiff_t)k0 * ldb + j0;
            if (nr == NR) {
                int i0 = 0;
                for (; i0 + MR <= M; i0 += MR)
                    nn_tile_6(kc, A + i0 * rsa + k0 * csa, rsa, csa, Bp, ldb,
                              C + (ptrdiff_t)i0 * ldc + j0, ldc, acc);
                if (i0 < M)
                    nn_tiles[M - i0](kc, A + i0 * rsa + k0 * csa, rsa, csa, Bp, ldb,
                                     C + (ptrdiff_t)i0 * ldc + j0, ldc, acc);
            } else {
                /* Right edge: zero-padded copy of the B panel, C through a temp tile. */
                for (int k = 0; k < kc; k++) {
                    const float *src = Bp + (ptrdiff_t)k * ldb;
                    float *dst = bpack + k * NR;
                    int j = 0;
                    for (; j < nr; j++) dst[j] = src[j];
                    for (; j < NR; j++) dst[j] = 0.0f;
                }
                for (int i0 = 0; i0 < M; i0 += MR) {
                    const int mr = M - i0 < MR ? M - i0 : MR;
                    float *Cp = C + (ptrdiff_t)i0 * ldc + j0;
                    if (acc)
                        for (int i = 0; i < mr; i++)
                            for (int j = 0; j < NR; j++)
                                ctmp[i * NR + j] = j < nr ? Cp[i * ldc + j] : 0.0f;
                    nn_tiles[mr](kc, A + i0 * rsa + k0 * csa, rsa, csa, bpack, NR, ctmp, NR, acc);
                    for (int i = 0; i < mr; i++)
                        for (int j = 0; j < nr; j++) Cp[i * ldc + j] = ctmp[i * NR + j];
                }
            }
        }
    }
}

/* ---- A * B^T: 3x4 tiles of dot products along contiguous K ---------------- */

TGT static AINLINE __m128 hsum4(__m256 v0, __m256 v1, __m256 v2, __m256 v3) {
    const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(v0, v1), _mm256_hadd_ps(v2, v3));
    return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
}

TGT void fmnist_sgemm_nt_avx2(int M, int N, int K, const float *A, ptrdiff_t lda,
                              const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc,
                              int accumulate) {
    const int kv = K & ~7;
    const int rem = K - kv;
    static const int32_t mask_src[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    const __m256i tail = _mm256_loadu_si256((const __m256i *)(mask_src + 8 - rem));
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
            __m256 s00 = _mm256_setzero_ps(), s01 = s00, s02 = s00, s03 = s00;
            __m256 s10 = s00, s11 = s00, s12 = s00, s13 = s00;
            __m256 s20 = s00, s21 = s00, s22 = s00, s23 = s00;
#define NT_STEP(LOAD)                                                                      \
    {                                                                                      \
        const __m256 x0 = LOAD(a0), x1 = LOAD(a1), x2 = LOAD(a2);                          \
        __m256 y = LOAD(b0);                                                               \
        s00 = _mm256_fmadd_ps(x0, y, s00);                                                 \
        s10 = _mm256_fmadd_ps(x1, y, s10);                                                 \
        s20 = _mm256_fmadd_ps(x2, y, s20);                                                 \
        y = LOAD(b1);                                                                      \
        s01 = _mm256_fmadd_ps(x0, y, s01);                                                 \
        s11 = _mm256_fmadd_ps(x1, y, s11);                                                 \
        s21 = _mm256_fmadd_ps(x2, y, s21);                                                 \
        y = LOAD(b2);                                                                      \
        s02 = _mm256_fmadd_ps(x0, y, s02);                                                 \
        s12 = _mm256_fmadd_ps(x1, y, s12);                                                 \
        s22 = _mm256_fmadd_ps(x2, y, s22);                                                 \
        y = LOAD(b3);                                                                      \
        s03 = _mm256_fmadd_ps(x0, y, s03);                                                 \
        s13 = _mm256_fmadd_ps(x1, y, s13);                                                 \
        s23 = _mm256_fmadd_ps(x2, y, s23);                                                 \
    }
#define LOADU(p) _mm256_loadu_ps((p) + k)
#define LOADM(p) _mm256_maskload_ps((p) + k, tail)
            int k = 0;
            for (; k < kv; k += 8) NT_STEP(LOADU)
            if (rem) NT_STEP(LOADM)
#undef LOADU
#undef LOADM
#undef NT_STEP
            float r[3][4];
            _mm_storeu_ps(r[0], hsum4(s00, s01, s02, s03));
            _mm_storeu_ps(r[1], hsum4(s10, s11, s12, s13));
            _mm_storeu_ps(r[2], hsum4(s20, s21, s22, s23));
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
