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

/* out = max(max4(v) + b, 0), arg = the window's arg-max code, as pool2x2_bias_relu_sse in
 * layers.c computes them (same comparisons and max operand order: bit-identical), for the
 * lanes in k. */
TGT static inline __attribute__((always_inline)) void pool4_avx512(__m512 v0, __m512 v1, __m512 v2,
                                                                  __m512 v3, __m512 b, __mmask16 k,
                                                                  float *out, uint8_t *arg) {
    const __mmask16 g01 = _mm512_cmp_ps_mask(v1, v0, _CMP_GT_OS), g23 = _mm512_cmp_ps_mask(v3, v2, _CMP_GT_OS);
    const __m512 m01 = _mm512_max_ps(v0, v1), m23 = _mm512_max_ps(v2, v3);
    const __mmask16 hi = _mm512_cmp_ps_mask(m23, m01, _CMP_GT_OS);
    const __m512 m = _mm512_add_ps(_mm512_max_ps(m01, m23), b);
    _mm512_mask_storeu_ps(out, k, _mm512_max_ps(m, _mm512_setzero_ps()));
    const __m512i one = _mm512_set1_epi32(1);
    const __m512i i01 = _mm512_maskz_mov_epi32(g01, one);
    const __m512i i23 = _mm512_add_epi32(_mm512_set1_epi32(2), _mm512_maskz_mov_epi32(g23, one));
    _mm512_mask_cvtepi32_storeu_epi8(arg, k, _mm512_mask_blend_epi32(hi, i01, i23));
}

/* conv1: z[6][28][28] -> out, arg [6][14][14]: one pooled row (14 lanes) per step, the two
 * input rows split into even and odd columns by permutes. */
TGT static void pool1_fwd_avx512(const float *restrict z, const float *restrict bias, float *restrict out,
                                 uint8_t *restrict arg) {
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    const __mmask16 tail = (__mmask16)0x0FFF, live = (__mmask16)0x3FFF;
    for (int c = 0; c < 6; c++) {
        const __m512 b = _mm512_set1_ps(bias[c]);
        for (int py = 0; py < 14; py++) {
            const float *r0 = z + (c * 28 + 2 * py) * 28, *r1 = r0 + 28;
            const __m512 a0 = _mm512_loadu_ps(r0), a1 = _mm512_maskz_loadu_ps(tail, r0 + 16);
            const __m512 c0 = _mm512_loadu_ps(r1), c1 = _mm512_maskz_loadu_ps(tail, r1 + 16);
            pool4_avx512(_mm512_permutex2var_ps(a0, even, a1), _mm512_permutex2var_ps(a0, odd, a1),
                         _mm512_permutex2var_ps(c0, even, c1), _mm512_permutex2var_ps(c0, odd, c1), b, live,
                         out + (c * 14 + py) * 14, arg + (c * 14 + py) * 14);
        }
    }
}

/* conv2: z[10][10][16] -> out, arg [5][5][16]: one window (16 channels) per step. */
TGT static void pool2_fwd_avx512(const float *restrict z, const float *restrict bias, float *restrict out,
                                 uint8_t *restrict arg) {
    const __m512 b = _mm512_loadu_ps(bias);
    for (int py = 0; py < 5; py++)
        for (int px = 0; px < 5; px++) {
            const float *p = z + (2 * py * 10 + 2 * px) * 16;
            pool4_avx512(_mm512_loadu_ps(p), _mm512_loadu_ps(p + 16), _mm512_loadu_ps(p + 160),
                         _mm512_loadu_ps(p + 176), b, (__mmask16)0xFFFF, out + (py * 5 + px) * 16,
                         arg + (py * 5 + px) * 16);
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

void fmnist_lenet_pool1_fwd(int impl, const float *z, const float *bias, float *out, uint8_t *arg) {
    DIRECT_ON_AVX512(impl, pool1_fwd_avx512(z, bias, out, arg))
    fmnist_bias_relu_maxpool2_fwd(z, 0, 6, 28, 28, bias, out, arg);
}

void fmnist_lenet_pool2_fwd(int impl, const float *z, const float *bias, float *out, uint8_t *arg) {
    DIRECT_ON_AVX512(impl, pool2_fwd_avx512(z, bias, out, arg))
    fmnist_bias_relu_maxpool2_fwd(z, 1, 16, 10, 10, bias, out, arg);
}
