/* Fused backward of out = relu(maxpool2x2(conv(x) + bias)): only the arg-max
 * position of each pooling window whose output is positive receives gradient,
 * so instead of materialising dz (3/4 zeros or more) and running the weight-
 * and input-gradient GEMMs, each such position adds g * patch(x) to dW and
 * g * W[co] to the input-gradient patch. Same result, several times fewer
 * FLOPs. The generic kernels are compiled twice: portable and AVX2/FMA
 * (auto-vectorised); LeNet's two shapes also have hand-written AVX2 and
 * AVX-512 kernels. */
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
enum { HWC_N = 400 };

/* The gains (gain[400], 0 where the output was not positive), dbias and dW of LeNet's conv2. */
TGT static AINLINE void hwc_lenet_dw_avx2(const float *restrict x, const float *restrict dout,
                                          const float *restrict out, const uint8_t *restrict arg,
                                          float *restrict dwpad, float *restrict dbias,
                                          float *restrict gain) {
    enum { W = 14, C = 6, KP = 160, COUT = 16, PW = 5, NP = 25, N = NP * COUT };
    int offset[N];   /* patch origin in x per pooled output (window, channel) */
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
}

/* The list, per window q and arg-max code a, of the channels with a non-zero gain there. */
static AINLINE void hwc_lenet_lists(const uint8_t *restrict arg, const float *restrict gain,
                                    int list[25][4][16], int count[25][4]) {
    for (int q = 0; q < 25; q++) {
        const int base = q * 16;
        int *n = count[q];
        n[0] = n[1] = n[2] = n[3] = 0;
        for (int co = 0; co < 16; co++) {
            const int a = arg[base + co];
            list[q][a][n[a]] = co;
            n[a] += gain[base + co] != 0.0f;
        }
    }
}

TGT static void hwc_lenet_avx2(const float *restrict x, const float *restrict wpad,
                               const float *restrict dout, const float *restrict out,
                               const uint8_t *restrict arg, float *restrict dwpad,
                               float *restrict dbias, float *restrict dx) {
    enum { W = 14, C = 6, KH = 5, KP = 160, COUT = 16, PW = 5, NP = 25 };
    float gain[HWC_N];
    hwc_lenet_dw_avx2(x, dout, out, arg, dwpad, dbias, gain);
    /* dx: per window, the channels whose arg-max is at (dy, dx) add g * w[co] to the 5x5
     * patch there. Patches of the two rows dy = 0, 1 with the same dx overlap row-aligned,
     * so each input row r = dy + ky of the window's 6x6 area is summed in registers over
     * both dy and all their channels, and read-modify-written once per column parity.
     * The blocks go column by column (c = 2 px + parity) and top to bottom within a column:
     * consecutive blocks then overlap only at the same addresses (store-to-load forwarding
     * works) and never half a vector apart (where forwarding fails and the load waits for
     * the store to reach the cache). */
    int list[NP][4][COUT], count[NP][4];
    hwc_lenet_lists(arg, gain, list, count);
    memset(dx, 0, sizeof(float) * W * W * C);
    for (int c = 0; c < 2 * PW; c++)
        for (int py = 0; py < PW; py++) {
            const int px = c >> 1, parity = c & 1, q = py * PW + px, base = q * COUT;
            {
                const int *top = list[q][parity], *bottom = list[q][2 + parity];
                const int ntop = count[q][parity], nbottom = count[q][2 + parity];
                if (ntop + nbottom == 0) continue;
                float *d = dx + ((2 * py) * W + c) * C;
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

#ifdef FMNIST_HAVE_AVX512_PATH
#define TGT512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")))

/* LeNet conv1 dW, AVX-512: lanes are the 14 windows of a pooled row (px), not the 5 taps of a
 * kernel row, so every FMA does 14 useful multiply-adds instead of 5. The input is split once
 * per image into its even and odd columns (planes[p][r][j] = x[r][2j + p]): the value tap kx of
 * window px reads, x[2py + dy + ky][2px + dx + kx], is then lane px of
 * planes[(dx + kx) & 1][2py + dy + ky][px + ((dx + kx) >> 1) ...], i.e. one of two unaligned
 * loads chosen per lane by dx (mask blend), then one of two rows chosen by dy. Per channel the
 * 25 taps stay in registers over the 14 pooled rows and are summed across lanes at the end.
 * Lanes 14, 15 carry a zero gain (their plane values are finite), so they add nothing. */
TGT512 static AINLINE void chw_lenet_avx512_rows(const float *restrict planes, int co,
                                                 const float *restrict dout,
                                                 const float *restrict out,
                                                 const uint8_t *restrict arg, int ky0, int nky,
                                                 __m512 *restrict acc, __m512 *restrict bsum) {
    enum { PS = 33 * 16 }; /* one plane: 32 rows of 16 plus a zero row (shifted reads) */
    const __mmask16 live = 0x3FFF;
    for (int py = 0; py < 14; py++) {
        const int o = (co * 14 + py) * 14;
        const __m512 ov = _mm512_maskz_loadu_ps(live, out + o);
        const __m512 g = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(ov, _mm512_setzero_ps(), _CMP_GT_OQ),
                                             _mm512_maskz_loadu_ps(live, dout + o));
        if (bsum) *bsum = _mm512_add_ps(*bsum, g);
        const __m128i a = _mm_maskz_loadu_epi8(live, arg + o);
        const __mmask16 mdx = _mm_test_epi8_mask(a, _mm_set1_epi8(1));
        const __mmask16 mdy = _mm_test_epi8_mask(a, _mm_set1_epi8(2));
        __m512 prev[5];
        for (int r = 0; r <= nky; r++) {
            const int row = 2 * py + ky0 + r;
            __m512 v[6], sel[5];
            for (int c = 0; c < 6; c++) v[c] = _mm512_loadu_ps(planes + (c & 1) * PS + row * 16 + (c >> 1));
            for (int kx = 0; kx < 5; kx++) sel[kx] = _mm512_mask_blend_ps(mdx, v[kx], v[kx + 1]);
            if (r > 0)
                for (int kx = 0; kx < 5; kx++)
                    acc[(r - 1) * 5 + kx] = _mm512_fmadd_ps(
                        g, _mm512_mask_blend_ps(mdy, prev[kx], sel[kx]), acc[(r - 1) * 5 + kx]);
            for (int kx = 0; kx < 5; kx++) prev[kx] = sel[kx];
        }
    }
}

/* LeNet conv2 gains, dbias and dW, AVX-512. A patch row (30 floats) starts anywhere in x, and a
 * 64-byte load from there splits cache lines; so the 140 distinct rows (input row Y, start
 * column X) are first copied once into an aligned table seg[Y][X][32], and each (channel,
 * window) then costs 10 aligned 16-lane loads and FMAs. Per lane the sums run in the same order
 * as on the AVX2 path (bit-identical). */
TGT512 static AINLINE void hwc_lenet_dw_avx512(const float *restrict x, const float *restrict dout,
                                               const float *restrict out,
                                               const uint8_t *restrict arg, float *restrict dwpad,
                                               float *restrict dbias, float *restrict gain) {
    enum { W = 14, C = 6, KP = 160, COUT = 16, PW = 5, NP = 25, SX = 10 };
    __attribute__((aligned(64))) float seg[W * SX * 32];
    __attribute__((aligned(64))) int offset[NP * COUT]; /* into seg, per (window, channel) */
    for (int y = 0; y < W; y++)
        for (int xx = 0; xx < SX; xx++) {
            const float *src = x + (y * W + xx) * C;
            float *dst = seg + (y * SX + xx) * 32;
            _mm512_store_ps(dst, _mm512_loadu_ps(src));
            _mm512_store_ps(dst + 16, _mm512_loadu_ps(src + 16));
        }
    __m512 bsum = _mm512_setzero_ps();
    for (int py = 0; py < PW; py++)
        for (int px = 0; px < PW; px++) {
            const int q = py * PW + px;
            const __m512 ov = _mm512_loadu_ps(out + q * COUT);
            const __m512 g = _mm512_maskz_loadu_ps(
                _mm512_cmp_ps_mask(ov, _mm512_setzero_ps(), _CMP_GT_OQ), dout + q * COUT);
            _mm512_store_ps(gain + q * COUT, g);
            bsum = _mm512_add_ps(bsum, g);
            const __m512i a = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(arg + q * COUT)));
            /* ((2 py + dy) * SX + 2 px + dx) * 32 with dy = a >> 1, dx = a & 1 */
            const __m512i dy = _mm512_srli_epi32(a, 1), dx = _mm512_and_si512(a, _mm512_set1_epi32(1));
            const __m512i off = _mm512_add_epi32(
                _mm512_set1_epi32((2 * py * SX + 2 * px) * 32),
                _mm512_add_epi32(_mm512_mullo_epi32(dy, _mm512_set1_epi32(SX * 32)),
                                 _mm512_slli_epi32(dx, 5)));
            _mm512_store_si512((__m512i *)(offset + q * COUT), off);
        }
    _mm512_storeu_ps(dbias, _mm512_add_ps(_mm512_loadu_ps(dbias), bsum));
    for (int co = 0; co < COUT; co++) {
        __m512 acc[10];
        for (int i = 0; i < 10; i++) acc[i] = _mm512_setzero_ps();
        for (int q = 0; q < NP; q++) {
            const int o = q * COUT + co;
            const __m512 g = _mm512_set1_ps(gain[o]);
            const float *src = seg + offset[o];
            for (int ky = 0; ky < 5; ky++) {
                acc[2 * ky] = _mm512_fmadd_ps(g, _mm512_load_ps(src + ky * SX * 32), acc[2 * ky]);
                acc[2 * ky + 1] =
                    _mm512_fmadd_ps(g, _mm512_load_ps(src + ky * SX * 32 + 16), acc[2 * ky + 1]);
            }
        }
        float *d = dwpad + co * KP;
        for (int i = 0; i < 10; i++)
            _mm512_storeu_ps(d + i * 16, _mm512_add_ps(_mm512_loadu_ps(d + i * 16), acc[i]));
    }
}

/* hwc_lenet_lists 16 channels at a time (compress by arg-max code): no store-to-load chains
 * through the counters. */
TGT512 static AINLINE void hwc_lenet_lists_avx512(const uint8_t *restrict arg,
                                                  const float *restrict gain,
                                                  int list[25][4][16], int count[25][4]) {
    const __m512i iota = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    for (int q = 0; q < 25; q++) {
        const __mmask16 live =
            _mm512_cmp_ps_mask(_mm512_loadu_ps(gain + q * 16), _mm512_setzero_ps(), _CMP_NEQ_UQ);
        const __m512i a = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(arg + q * 16)));
        for (int k = 0; k < 4; k++) {
            const __mmask16 m = _mm512_mask_cmpeq_epi32_mask(live, a, _mm512_set1_epi32(k));
            _mm512_storeu_si512((__m512i *)list[q][k], _mm512_maskz_compress_epi32(m, iota));
            count[q][k] = __builtin_popcount((unsigned)m);
        }
    }
}

/* LeNet conv2 backward, AVX-512: dW and dbias from an aligned copy of the patch rows
 * (hwc_lenet_dw_avx512, bit-identical to the AVX2 path); dx with one 16-lane FMA per half
 * kernel row, whose padded weight rows (32 floats, 128 bytes) are aligned. */
TGT512 static void hwc_lenet_avx512(const float *restrict x, const float *restrict wpad,
                                    const float *restrict dout, const float *restrict out,
                                    const uint8_t *restrict arg, float *restrict dwpad,
                                    float *restrict dbias, float *restrict dx) {
    enum { W = 14, C = 6, KH = 5, KP = 160, COUT = 16, PW = 5, NP = 25 };
    __attribute__((aligned(64))) float gain[HWC_N];
    hwc_lenet_dw_avx512(x, dout, out, arg, dwpad, dbias, gain);
    int list[NP][4][COUT], count[NP][4];
    hwc_lenet_lists_avx512(arg, gain, list, count);
    memset(dx, 0, sizeof(float) * W * W * C);
    for (int c = 0; c < 2 * PW; c++)
        for (int py = 0; py < PW; py++) {
            const int px = c >> 1, parity = c & 1, q = py * PW + px, base = q * COUT;
            const int *top = list[q][parity], *bottom = list[q][2 + parity];
            const int ntop = count[q][parity], nbottom = count[q][2 + parity];
            if (ntop + nbottom == 0) continue;
            /* channels outer, the block's 6 rows (12 vectors) in registers: two loops of
             * data-dependent length per block rather than two per row (their exits mispredict) */
            __m512 lo[KH + 1], hi[KH + 1];
            for (int r = 0; r < KH + 1; r++) lo[r] = hi[r] = _mm512_setzero_ps();
            for (int i = 0; i < ntop; i++) {
                const int co = top[i];
                const __m512 g = _mm512_set1_ps(gain[base + co]);
                const float *wr = wpad + co * KP;
                for (int r = 0; r < KH; r++) {
                    lo[r] = _mm512_fmadd_ps(g, _mm512_loadu_ps(wr + r * 32), lo[r]);
                    hi[r] = _mm512_fmadd_ps(g, _mm512_loadu_ps(wr + r * 32 + 16), hi[r]);
                }
            }
            for (int i = 0; i < nbottom; i++) {
                const int co = bottom[i];
                const __m512 g = _mm512_set1_ps(gain[base + co]);
                const float *wr = wpad + co * KP;
                for (int r = 0; r < KH; r++) {
                    lo[r + 1] = _mm512_fmadd_ps(g, _mm512_loadu_ps(wr + r * 32), lo[r + 1]);
                    hi[r + 1] = _mm512_fmadd_ps(g, _mm512_loadu_ps(wr + r * 32 + 16), hi[r + 1]);
                }
            }
            float *d = dx + ((2 * py) * W + c) * C;
            for (int r = 0; r < KH + 1; r++, d += W * C) {
                _mm512_storeu_ps(d, _mm512_add_ps(_mm512_loadu_ps(d), lo[r]));
                _mm512_storeu_ps(d + 16, _mm512_add_ps(_mm512_loadu_ps(d + 16), hi[r]));
            }
        }
}

TGT512 static void chw_lenet_avx512(const float *restrict x, const float *restrict dout,
                                    const float *restrict out, const uint8_t *restrict arg,
                                    float *restrict dwpad, float *restrict dbias) {
    enum { PS = 33 * 16 };
    __attribute__((aligned(64))) float planes[2 * PS];
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    for (int r = 0; r < 32; r++) {
        const __m512 lo = _mm512_loadu_ps(x + r * 32), hi = _mm512_loadu_ps(x + r * 32 + 16);
        _mm512_store_ps(planes + r * 16, _mm512_permutex2var_ps(lo, even, hi));
        _mm512_store_ps(planes + PS + r * 16, _mm512_permutex2var_ps(lo, odd, hi));
    }
    _mm512_store_ps(planes + 32 * 16, _mm512_setzero_ps());
    _mm512_store_ps(planes + PS + 32 * 16, _mm512_setzero_ps());
    for (int co = 0; co < 6; co++) {
        __m512 acc[15], bsum = _mm512_setzero_ps();
        float *d = dwpad + co * 40;
        /* kernel rows 0-2, then 3-4: 15 and 10 accumulators plus the row blends fit the registers */
        for (int i = 0; i < 15; i++) acc[i] = _mm512_setzero_ps();
        chw_lenet_avx512_rows(planes, co, dout, out, arg, 0, 3, acc, &bsum);
        for (int i = 0; i < 15; i++) d[(i / 5) * 8 + i % 5] += _mm512_reduce_add_ps(acc[i]);
        for (int i = 0; i < 10; i++) acc[i] = _mm512_setzero_ps();
        chw_lenet_avx512_rows(planes, co, dout, out, arg, 3, 2, acc, NULL);
        for (int i = 0; i < 10; i++) d[(3 + i / 5) * 8 + i % 5] += _mm512_reduce_add_ps(acc[i]);
        dbias[co] += _mm512_reduce_add_ps(bsum);
    }
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
#ifdef FMNIST_HAVE_AVX512_PATH
    if (fmnist_gemm_resolve(impl) == FMNIST_GEMM_AVX512) {
        hwc_lenet_avx512(x, wpad, dout, out, arg, dwpad, dbias, dx);
        return;
    }
#endif
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
#ifdef FMNIST_HAVE_AVX512_PATH
    if (fmnist_gemm_resolve(impl) == FMNIST_GEMM_AVX512) {
        chw_lenet_avx512(xpad, dout, out, arg, dwpad, dbias);
        return;
    }
#endif
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
