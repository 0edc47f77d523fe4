/* Portable GEMM: plain C with a small register/array tile that compilers
 * auto-vectorise for the baseline ISA (SSE2 on x86-64, NEON on arm64). */
#include "gemm_internal.h"
#include <string.h>

#define PMR 4
#define PNR 16
#define PKC 256

static void tile_generic(int mr, int nr, int kc, const float *A, ptrdiff_t rsa, ptrdiff_t csa,
                         const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc, int acc) {
    float c[PMR][PNR];
    memset(c, 0, sizeof c);
    if (mr == PMR && nr == PNR) {
        for (int k = 0; k < kc; k++) {
            const float *b = B + (ptrdiff_t)k * ldb;
            const float a0 = A[k * csa], a1 = A[rsa + k * csa];
            const float a2 = A[2 * rsa + k * csa], a3 = A[3 * rsa + k * csa];
            for (int j = 0; j < PNR; j++) {
                c[0][j] += a0 * b[j];
                c[1][j] += a1 * b[j];
                c[2][j] += a2 * b[j];
                c[3][j] += a3 * b[j];
            }
        }
    } else {
        for (int k = 0; k < kc; k++) {
            const float *b = B + (ptrdiff_t)k * ldb;
            for (int i = 0; i < mr; i++) {
                const float a = A[i * rsa + k * csa];
                for (int j = 0; j < nr; j++) c[i][j] += a * b[j];
            }
        }
    }
    for (int i = 0; i < mr; i++) {
        float *ci = C + (ptrdiff_t)i * ldc;
        if (acc) for (int j = 0; j < nr; j++) ci[j] += c[i][j];
        else for (int j = 0; j < nr; j++) ci[j] = c[i][j];
    }
}

/* One column panel (nr <= PNR) in tiles of PMR rows. */
static void panel_generic(int M, int kc, int nr, const float *A, ptrdiff_t rsa, ptrdiff_t csa,
                          const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc, int acc) {
    for (int i0 = 0; i0 < M; i0 += PMR)
        tile_generic(fmnist_gemm_min(M - i0, PMR), nr, kc, A + i0 * rsa, rsa, csa, B, ldb,
                     C + (ptrdiff_t)i0 * ldc, ldc, acc);
}

void fmnist_sgemm_portable(int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa,
                           const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc, int accumulate) {
    fmnist_gemm_blocked(M, N, K, PKC, PNR, A, rsa, csa, B, ldb, C, ldc, accumulate, panel_generic);
}

void fmnist_sgemm_nt_portable(int M, int N, int K, const float *A, ptrdiff_t lda,
                              const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc,
                              int accumulate) {
    /* Dot products in 8 interleaved partial sums so the compiler vectorises
     * them the same way on every ISA. */
    for (int i = 0; i < M; i++) {
        const float *a = A + (ptrdiff_t)i * lda;
        for (int j = 0; j < N; j++) {
            const float *b = B + (ptrdiff_t)j * ldb;
            float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            int k = 0;
            for (; k + 8 <= K; k += 8)
                for (int l = 0; l < 8; l++) s[l] += a[k + l] * b[k + l];
            float t = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
            for (; k < K; k++) t += a[k] * b[k];
            if (accumulate) C[(ptrdiff_t)i * ldc + j] += t;
            else C[(ptrdiff_t)i * ldc + j] = t;
        }
    }
}
