/* Fused backward of out = relu(maxpool2x2(conv(x) + bias)): only the arg-max
 * position of each pooling window whose output is positive receives gradient,
 * so instead of materialising dz (3/4 zeros or more) and running the weight-
 * and input-gradient GEMMs, each such position adds g * patch(x) to dW and
 * g * W[co] to the input-gradient patch. Same result, several times fewer
 * FLOPs. Compiled twice: portable and AVX2/FMA (auto-vectorised). */
#include "CKernels.h"
#include "gemm_internal.h"
#include <string.h>

#define AINLINE __attribute__((always_inline)) inline

/* The input row and column of window (py, px) that a pooled output's arg-max code `a` names
 * (a = 2 * dy + dx). */
static AINLINE int argmax_row(int py, int a) { return 2 * py + (a >> 1); }
static AINLINE int argmax_col(int px, int a) { return 2 * px + (a & 1); }

static AINLINE void axpy(float *restrict y, const float *restrict x, float a, int n) {
    for (int i = 0; i < n; i++) y[i] += a * x[i];
}

/* Channel-last: x[H][W][C], conv kh x kw (valid), pooled dout/out/arg[PH][PW][Cout],
 * w and dw [Cout][kh*kw*C] with taps ordered (ky, kx, c). */
static AINLINE void conv_pool_bwd_hwc_impl(const float *restrict x, int H, int W, int C, int kh,
                                           int kw, const float *restrict w, int Cout,
                                           const float *restrict dout, const float *restrict out,
                                           const uint8_t *restrict arg, float *restrict dw,
                                           float *restrict dbias, float *restrict dx) {
    const int OH = H - kh + 1, OW = W - kw + 1, PH = OH / 2, PW = OW / 2;
    const int K = kh * kw * C, row = kw * C;
    if (dx) memset(dx, 0, sizeof(float) * (size_t)H * (size_t)W * (size_t)C);
    for (int py = 0; py < PH; py++)
        for (int px = 0; px < PW; px++)
            for (int co = 0; co < Cout; co++) {
                const size_t o = ((size_t)py * PW + px) * Cout + co;
                if (!(out[o] > 0.0f)) continue;
                const float g = dout[o];
                const int y = argmax_row(py, arg[o]), xx = argmax_col(px, arg[o]);
                dbias[co] += g;
                for (int ky = 0; ky < kh; ky++) {
                    const size_t at = ((size_t)(y + ky) * W + xx) * C;
                    axpy(dw + (size_t)co * K + ky * row, x + at, g, row);
                    if (dx) axpy(dx + at, w + (size_t)co * K + ky * row, g, row);
                }
            }
}

/* Channel-major: x[C][H][W] (already padded), pooled dout/out/arg[Cout][PH][PW],
 * dw [Cout][C*kh*kw]. No input gradient (the first layer does not need one). */
static AINLINE void conv_pool_bwd_chw_impl(const float *restrict x, int C, int H, int W, int kh,
                                           int kw, int Cout, const float *restrict dout,
                                           const float *restrict out, const uint8_t *restrict arg,
                                           float *restrict dw, float *restrict dbias) {
    const int OH = H - kh + 1, OW = W - kw + 1, PH = OH / 2, PW = OW / 2;
    const int K = C * kh * kw;
    for (int co = 0; co < Cout; co++) {
        float sum = 0.0f;
        float *dwc = dw + (size_t)co * K;
        for (int py = 0; py < PH; py++)
            for (int px = 0; px < PW; px++) {
                const size_t o = ((size_t)co * PH + py) * PW + px;
                if (!(out[o] > 0.0f)) continue;
                const float g = dout[o];
                const int y = argmax_row(py, arg[o]), xx = argmax_col(px, arg[o]);
                sum += g;
                for (int c = 0; c < C; c++)
                    for (int ky = 0; ky < kh; ky++)
                        axpy(dwc + (c * kh + ky) * kw, x + ((size_t)c * H + y + ky) * W + xx, g, kw);
            }
        dbias[co] += sum;
    }
}

static void hwc_portable(const float *x, int H, int W, int C, int kh, int kw, const float *w,
                         int Cout, const float *dout, const float *out, const uint8_t *arg,
                         float *dw, float *dbias, float *dx) {
    if (H == 14 && W == 14 && C == 6 && kh == 5 && kw == 5 && Cout == 16)
        conv_pool_bwd_hwc_impl(x, 14, 14, 6, 5, 5, w, 16, dout, out, arg, dw, dbias, dx);
    else
        conv_pool_bwd_hwc_impl(x, H, W, C, kh, kw, w, Cout, dout, out, arg, dw, dbias, dx);
}

static void chw_portable(const float *x, int C, int H, int W, int kh, int kw, int Cout,
                         const float *dout, const float *out, const uint8_t *arg, float *dw,
                         float *dbias) {
    if (C == 1 && H == 32 && W == 32 && kh == 5 && kw == 5 && Cout == 6)
        conv_pool_bwd_chw_impl(x, 1, 32, 32, 5, 5, 6, dout, out, arg, dw, dbias);
    else
        conv_pool_bwd_chw_impl(x, C, H, W, kh, kw, Cout, dout, out, arg, dw, dbias);
}

#ifdef FMNIST_HAVE_AVX2_PATH
#include <immintrin.h>
#define TGT __attribute__((target("avx2,fma")))

/* g = dout where out > 0, else 0, for n values (branch-free). */
TGT static void relu_gains_avx2(const float *restrict dout, const float *restrict out, int n,
                                float *restrict gain) {
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(gain + i, _mm256_and_ps(_mm256_cmp_ps(_mm256_loadu_ps(out + i),
                                                               _mm256_setzero_ps(), _CMP_GT_OQ),
                                                 _mm256_loadu_ps(dout + i)));
    for (; i < n; i++) gain[i] = out[i] > 0.0f ? dout[i] : 0.0f;
}

/* a0..a3 += g · the 32 floats at p (four vectors). */
TGT static AINLINE void fma32(__m256 g, const float *p, __m256 *a0, __m256 *a1, __m256 *a2,
                              __m256 *a3) {
    *a0 = _mm256_fmadd_ps(g, _mm256_loadu_ps(p), *a0);
    *a1 = _mm256_fmadd_ps(g, _mm256_loadu_ps(p + 8), *a1);
    *a2 = _mm256_fmadd_ps(g, _mm256_loadu_ps(p + 16), *a2);
    *a3 = _mm256_fmadd_ps(g, _mm256_loadu_ps(p + 24), *a3);
}

/* LeNet conv2: x[14][14][6], pooled [5][5][16].
 * wpad: conv2 weights as [16][5][32] (kernel rows of 30 zero-padded to 32);
 * dwpad: gradient accumulator in the same padded layout (lanes 30, 31 are junk).
 * Reads run up to 2 floats past x (callers provide slack); dx gets 2 floats of slack written
 * with +0 (the padded weight lanes are zero), so dx needs 2 floats of slack too. */
TGT static void hwc_lenet_avx2(const float *restrict x, const float *restrict wpad,
                               const float *restrict dout, const float *restrict out,
                               const uint8_t *restrict arg, float *restrict dwpad,
                               float *restrict dbias, float *restrict dx) {
    enum { W = 14, C = 6, KH = 5, KP = 160, COUT = 16, PW = 5, NP = 25, N = NP * COUT };
    int offset[N];   /* patch origin in x per pooled output (window, channel) */
    float gain[N];   /* gradient, 0 where the output was not positive */
    relu_gains_avx2(dout, out, N, gain);
    for (int py = 0, o = 0; py < PW; py++)
        for (int px = 0; px < PW; px++)
            for (int co = 0; co < COUT; co++, o++) {
                const int a = arg[o];
                offset[o] = (argmax_row(py, a) * W + argmax_col(px, a)) * C;
            }
    /* dW: per channel, kernel rows 0-2 then 3-4 in one pass each over the 25 windows:
     * 12 (8) independent accumulators keep the FMA pipes busy; branch-free. */
    for (int co = 0; co < COUT; co++) {
        float bsum = 0.0f;
        for (int q = 0; q < NP; q++) bsum += gain[q * COUT + co];
        dbias[co] += bsum;
        float *d = dwpad + co * KP;
        {
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            __m256 b0 = a0, b1 = a0, b2 = a0, b3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0;
            for (int q = 0; q < NP; q++) {
                const int o = q * COUT + co;
                const __m256 g = _mm256_broadcast_ss(gain + o);
                const float *src = x + offset[o];
                fma32(g, src, &a0, &a1, &a2, &a3);
                fma32(g, src + W * C, &b0, &b1, &b2, &b3);
                fma32(g, src + 2 * W * C, &c0, &c1, &c2, &c3);
            }
            const __m256 r[12] = {a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3};
            for (int i = 0; i < 12; i++) {
                float *di = d + (i / 4) * 32 + (i % 4) * 8;
                _mm256_storeu_ps(di, _mm256_add_ps(_mm256_loadu_ps(di), r[i]));
            }
        }
        {
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            __m256 b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (int q = 0; q < NP; q++) {
                const int o = q * COUT + co;
                const __m256 g = _mm256_broadcast_ss(gain + o);
                const float *src = x + offset[o] + 3 * W * C;
                fma32(g, src, &a0, &a1, &a2, &a3);
                fma32(g, src + W * C, &b0, &b1, &b2, &b3);
            }
            const __m256 r[8] = {a0, a1, a2, a3, b0, b1, b2, b3};
            for (int i = 0; i < 8; i++) {
                float *di = d + (3 + i / 4) * 32 + (i % 4) * 8;
                _mm256_storeu_ps(di, _mm256_add_ps(_mm256_loadu_ps(di), r[i]));
            }
        }
    }
    /* dx: per window, the channels whose arg-max is at (dy, dx) add g * w[co] to the 5x5
     * patch there. Patches of the two rows dy = 0, 1 with the same dx overlap row-aligned,
     * so each input row r = dy + ky of the window's 6x6 area is summed in registers over
     * both dy and all their channels, and read-modify-written once per column parity. */
    memset(dx, 0, sizeof(float) * W * W * C);
    for (int py = 0; py < PW; py++)
        for (int px = 0; px < PW; px++) {
            const int base = (py * PW + px) * COUT;
            int list[4][COUT], count[4] = {0, 0, 0, 0};
            for (int co = 0; co < COUT; co++) {
                const int a = arg[base + co];
                list[a][count[a]] = co;
                count[a] += gain[base + co] != 0.0f;
            }
            for (int parity = 0; parity < 2; parity++) {
                const int *top = list[parity], *bottom = list[2 + parity];
                const int ntop = count[parity], nbottom = count[2 + parity];
                if (ntop + nbottom == 0) continue;
                float *d = dx + ((2 * py) * W + 2 * px + parity) * C;
                for (int r = 0; r < KH + 1; r++, d += W * C) {
                    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
                    if (r < KH)
                        for (int i = 0; i < ntop; i++) {
                            const int co = top[i];
                            const __m256 g = _mm256_broadcast_ss(gain + base + co);
                            const float *wr = wpad + co * KP + r * 32;
                            fma32(g, wr, &a0, &a1, &a2, &a3);
                        }
                    if (r > 0)
                        for (int i = 0; i < nbottom; i++) {
                            const int co = bottom[i];
                            const __m256 g = _mm256_broadcast_ss(gain + base + co);
                            const float *wr = wpad + co * KP + (r - 1) * 32;
                            fma32(g, wr, &a0, &a1, &a2, &a3);
                        }
                    _mm256_storeu_ps(d, _mm256_add_ps(_mm256_loadu_ps(d), a0));
                    _mm256_storeu_ps(d + 8, _mm256_add_ps(_mm256_loadu_ps(d + 8), a1));
                    _mm256_storeu_ps(d + 16, _mm256_add_ps(_mm256_loadu_ps(d + 16), a2));
                    _mm256_storeu_ps(d + 24, _mm256_add_ps(_mm256_loadu_ps(d + 24), a3));
                }
            }
        }
}

/* LeNet conv1: x[32][32] padded input, pooled [6][14][14], dwpad [6][5][8] (5 taps per
 * kernel row, lanes 5..7 junk). One vector load per kernel row (reads run up to 3 floats
 * past the image: callers provide slack). Two accumulator sets hide the FMA latency. */
TGT static void chw_lenet_avx2(const float *restrict x, const float *restrict dout,
                               const float *restrict out, const uint8_t *restrict arg,
                               float *restrict dwpad, float *restrict dbias) {
    enum { W = 32, COUT = 6, PW = 14, NP = 196 };
    float gain[COUT * NP];
    int offset[COUT * NP];
    relu_gains_avx2(dout, out, COUT * NP, gain);
    for (int co = 0, o = 0; co < COUT; co++)
        for (int py = 0; py < PW; py++)
            for (int px = 0; px < PW; px++, o++) {
                const int a = arg[o];
                offset[o] = argmax_row(py, a) * W + argmax_col(px, a);
            }
    for (int co = 0; co < COUT; co++) {
        __m256 e0 = _mm256_setzero_ps(), e1 = e0, e2 = e0, e3 = e0, e4 = e0;
        __m256 f0 = e0, f1 = e0, f2 = e0, f3 = e0, f4 = e0;
        __m256 bs = e0;
        const float *gq = gain + co * NP;
        const int *oq = offset + co * NP;
        for (int q = 0; q < NP; q += 2) {
            const __m256 G0 = _mm256_broadcast_ss(gq + q), G1 = _mm256_broadcast_ss(gq + q + 1);
            const float *s0 = x + oq[q], *s1 = x + oq[q + 1];
            e0 = _mm256_fmadd_ps(G0, _mm256_loadu_ps(s0), e0);
            e1 = _mm256_fmadd_ps(G0, _mm256_loadu_ps(s0 + W), e1);
            e2 = _mm256_fmadd_ps(G0, _mm256_loadu_ps(s0 + 2 * W), e2);
            e3 = _mm256_fmadd_ps(G0, _mm256_loadu_ps(s0 + 3 * W), e3);
            e4 = _mm256_fmadd_ps(G0, _mm256_loadu_ps(s0 + 4 * W), e4);
            f0 = _mm256_fmadd_ps(G1, _mm256_loadu_ps(s1), f0);
            f1 = _mm256_fmadd_ps(G1, _mm256_loadu_ps(s1 + W), f1);
            f2 = _mm256_fmadd_ps(G1, _mm256_loadu_ps(s1 + 2 * W), f2);
            f3 = _mm256_fmadd_ps(G1, _mm256_loadu_ps(s1 + 3 * W), f3);
            f4 = _mm256_fmadd_ps(G1, _mm256_loadu_ps(s1 + 4 * W), f4);
        }
        float bsum = 0.0f;
        for (int q = 0; q < NP; q++) bsum += gq[q];
        (void)bs;
        dbias[co] += bsum;
        float *d = dwpad + co * 40;
        _mm256_storeu_ps(d, _mm256_add_ps(_mm256_loadu_ps(d), _mm256_add_ps(e0, f0)));
        _mm256_storeu_ps(d + 8, _mm256_add_ps(_mm256_loadu_ps(d + 8), _mm256_add_ps(e1, f1)));
        _mm256_storeu_ps(d + 16, _mm256_add_ps(_mm256_loadu_ps(d + 16), _mm256_add_ps(e2, f2)));
        _mm256_storeu_ps(d + 24, _mm256_add_ps(_mm256_loadu_ps(d + 24), _mm256_add_ps(e3, f3)));
        _mm256_storeu_ps(d + 32, _mm256_add_ps(_mm256_loadu_ps(d + 32), _mm256_add_ps(e4, f4)));
    }
}

TGT static void hwc_avx2(const float *x, int H, int W, int C, int kh, int kw, const float *w,
                         int Cout, const float *dout, const float *out, const uint8_t *arg,
                         float *dw, float *dbias, float *dx) {
    conv_pool_bwd_hwc_impl(x, H, W, C, kh, kw, w, Cout, dout, out, arg, dw, dbias, dx);
}

TGT static void chw_avx2(const float *x, int C, int H, int W, int kh, int kw, int Cout,
                         const float *dout, const float *out, const uint8_t *arg, float *dw,
                         float *dbias) {
    conv_pool_bwd_chw_impl(x, C, H, W, kh, kw, Cout, dout, out, arg, dw, dbias);
}
#endif

void fmnist_conv_pool_bwd_hwc(int impl, const float *x, int H, int W, int C, int kh, int kw,
                              const float *w, int Cout, const float *dout, const float *out,
                              const uint8_t *arg, float *dw, float *dbias, float *dx) {
#ifdef FMNIST_HAVE_AVX2_PATH
    if (fmnist_kernels_use_avx2(impl)) {
        hwc_avx2(x, H, W, C, kh, kw, w, Cout, dout, out, arg, dw, dbias, dx);
        return;
    }
#endif
    hwc_portable(x, H, W, C, kh, kw, w, Cout, dout, out, arg, dw, dbias, dx);
}

void fmnist_conv_pool_bwd_chw(int impl, const float *x, int C, int H, int W, int kh, int kw,
                              int Cout, const float *dout, const float *out, const uint8_t *arg,
                              float *dw, float *dbias) {
#ifdef FMNIST_HAVE_AVX2_PATH
    if (fmnist_kernels_use_avx2(impl)) {
        chw_avx2(x, C, H, W, kh, kw, Cout, dout, out, arg, dw, dbias);
        return;
    }
#endif
    chw_portable(x, C, H, W, kh, kw, Cout, dout, out, arg, dw, dbias);
}

/* ---- LeNet-shaped entry points (padded weight/gradient layouts) ---------- */

static void unpad_rows(const float *src, int rows, int width, int stride, float *dst) {
    for (int r = 0; r < rows; r++)
        for (int t = 0; t < width; t++) dst[r * width + t] = src[r * stride + t];
}

void fmnist_lenet_conv2_pool_bwd(int impl, const float *x, const float *wpad, const float *dout,
                                 const float *out, const uint8_t *arg, float *dwpad, float *dbias,
                                 float *dx) {
#ifdef FMNIST_HAVE_AVX2_PATH
    if (fmnist_kernels_use_avx2(impl)) {
        hwc_lenet_avx2(x, wpad, dout, out, arg, dwpad, dbias, dx);
        return;
    }
#endif
    /* portable: compact copies, generic kernel, scatter back into the padded layout */
    float w[16 * 150], dw[16 * 150];
    unpad_rows(wpad, 80, 30, 32, w);
    unpad_rows(dwpad, 80, 30, 32, dw);
    conv_pool_bwd_hwc_impl(x, 14, 14, 6, 5, 5, w, 16, dout, out, arg, dw, dbias, dx);
    for (int r = 0; r < 80; r++)
        for (int t = 0; t < 30; t++) dwpad[r * 32 + t] = dw[r * 30 + t];
}

void fmnist_lenet_conv1_pool_bwd(int impl, const float *xpad, const float *dout, const float *out,
                                 const uint8_t *arg, float *dwpad, float *dbias) {
#ifdef FMNIST_HAVE_AVX2_PATH
    if (fmnist_kernels_use_avx2(impl)) {
        chw_lenet_avx2(xpad, dout, out, arg, dwpad, dbias);
        return;
    }
#endif
    float dw[6 * 25];
    unpad_rows(dwpad, 30, 5, 8, dw);
    conv_pool_bwd_chw_impl(xpad, 1, 32, 32, 5, 5, 6, dout, out, arg, dw, dbias);
    for (int r = 0; r < 30; r++)
        for (int t = 0; t < 5; t++) dwpad[r * 8 + t] = dw[r * 5 + t];
}
