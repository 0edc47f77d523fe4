/* LeNet-5's two convolutions, forward, without an im2col matrix on the AVX-512 path.
 *
 * im2col + GEMM copies every input value 25 times into a matrix the GEMM then reads once; these
 * kernels broadcast the same values straight from the (L1-resident) input instead. Each output is
 * the same chain of FMAs over the taps in the same order, starting from zero, as the AVX-512
 * GEMM's (`nn_tile`, one K block): the results are bit-identical to im2col + fmnist_sgemm on that
 * path (TrainingKernelPathTests compares them with memcmp). Other paths run im2col + fmnist_sgemm. */
#include "CKernels.h"
#include "gemm_internal.h"

#ifdef FMNIST_HAVE_AVX512_PATH
#include <immintrin.h>

#define TGT __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")))

/* z[6][28][28] = W[6][25] · patches of xpad[32][32]: one output row (28 = 16 + 12 masked lanes)
 * of all six channels at a time, 12 accumulators, taps in order (ky, kx). */
TGT static void conv1_fwd_avx512(const float *restrict xpad, const float *restrict w, float *restrict z) {
    const __mmask16 tail = (__mmask16)0x0FFF;
    for (int oy = 0; oy < 28; oy++) {
        __m512 c0[6], c1[6];
        for (int co = 0; co < 6; co++) c0[co] = c1[co] = _mm512_setzero_ps();
        for (int k = 0; k < 25; k++) {
            const float *row = xpad + (oy + k / 5) * 32 + k % 5;
            const __m512 b0 = _mm512_loadu_ps(row);
            const __m512 b1 = _mm512_maskz_loadu_ps(tail, row + 16);
            for (int co = 0; co < 6; co++) {
                const __m512 a = _mm512_set1_ps(w[co * 25 + k]);
                c0[co] = _mm512_fmadd_ps(a, b0, c0[co]);
                c1[co] = _mm512_fmadd_ps(a, b1, c1[co]);
            }
        }
        for (int co = 0; co < 6; co++) {
            _mm512_storeu_ps(z + co * 784 + oy * 28, c0[co]);
            _mm512_mask_storeu_ps(z + co * 784 + oy * 28 + 16, tail, c1[co]);
        }
    }
}

/* z[10][10][16] = patches of x[14][14][6] · Wt[150][16]: one output row (10 positions, one vector
 * of 16 channels each) at a time, taps in order (ky, kx, c) = 30 contiguous inputs per ky. */
TGT static void conv2_fwd_avx512(const float *restrict x, const float *restrict wt, float *restrict z) {
    for (int oy = 0; oy < 10; oy++) {
        __m512 c[10];
        for (int i = 0; i < 10; i++) c[i] = _mm512_setzero_ps();
        for (int ky = 0; ky < 5; ky++) {
            const float *a = x + (oy + ky) * 14 * 6;
            const float *b = wt + ky * 30 * 16;
            for (int j = 0; j < 30; j++) {
                const __m512 bj = _mm512_loadu_ps(b + j * 16);
                for (int i = 0; i < 10; i++) c[i] = _mm512_fmadd_ps(_mm512_set1_ps(a[i * 6 + j]), bj, c[i]);
            }
        }
        for (int i = 0; i < 10; i++) _mm512_storeu_ps(z + (oy * 10 + i) * 16, c[i]);
    }
}
#endif

/* Runs `direct` and returns when `impl` resolves to the AVX-512 path. */
#ifdef FMNIST_HAVE_AVX512_PATH
#define DIRECT_ON_AVX512(impl, direct)                                                             \
    if (fmnist_gemm_resolve(impl) == FMNIST_GEMM_AVX512) {                                         \
        direct;                                                                                    \
        return;                                                                                    \
    }
#else
#define DIRECT_ON_AVX512(impl, direct)
#endif

void fmnist_lenet_conv1_fwd(int impl, const float *xpad, const float *w, float *col, float *z) {
    DIRECT_ON_AVX512(impl, conv1_fwd_avx512(xpad, w, z))
    fmnist_im2col_chw(xpad, 1, 32, 32, 5, 5, col);
    fmnist_sgemm(impl, 6, 784, 25, w, 25, 1, col, 784, z, 784, 0);
}

void fmnist_lenet_conv2_fwd(int impl, const float *x, const float *wt, float *col, float *z) {
    DIRECT_ON_AVX512(impl, conv2_fwd_avx512(x, wt, z))
    fmnist_im2col_hwc(x, 14, 14, 6, 5, 5, 0, col);
    fmnist_sgemm(impl, 100, 16, 150, col, 150, 1, wt, 16, z, 16, 0);
}
