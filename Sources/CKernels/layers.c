/* Portable element-wise and layout kernels for the LeNet-5 trainer. */
#include "CKernels.h"
#include <math.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

void fmnist_pad_normalize_u8(const uint8_t *src, int H, int W, int pad, const float *lut,
                             float *dst) {
    const int PW = W + 2 * pad;
    memset(dst, 0, sizeof(float) * (size_t)pad * (size_t)PW);
    for (int y = 0; y < H; y++) {
        float *row = dst + (size_t)(y + pad) * (size_t)PW;
        const uint8_t *s = src + y * W;
        for (int x = 0; x < pad; x++) row[x] = 0.0f;
        for (int x = 0; x < W; x++) row[pad + x] = lut[s[x]];
        for (int x = pad + W; x < PW; x++) row[x] = 0.0f;
    }
    memset(dst + (size_t)(H + pad) * (size_t)PW, 0, sizeof(float) * (size_t)pad * (size_t)PW);
}

void fmnist_prefetch(const void *p, size_t bytes) {
    for (size_t o = 0; o < bytes; o += 64) __builtin_prefetch((const char *)p + o);
    if (bytes) __builtin_prefetch((const char *)p + bytes - 1);
}

/* Small fixed-size copies/adds as plain loops: the compiler vectorises them inline, where a
 * memcpy call per 28..30 floats would cost more than the copy itself. */
static inline void copy_floats(float *restrict d, const float *restrict s, int n) {
    for (int i = 0; i < n; i++) d[i] = s[i];
}
static inline void add_floats(float *restrict d, const float *restrict s, int n) {
    for (int i = 0; i < n; i++) d[i] += s[i];
}

static inline void im2col_chw_impl(const float *restrict x, int C, int H, int W, int kh, int kw,
                                   float *restrict col) {
    const int OH = H - kh + 1, OW = W - kw + 1;
    for (int c = 0; c < C; c++)
        for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++) {
                float *dst = col + (size_t)((c * kh + ky) * kw + kx) * (size_t)(OH * OW);
                const float *src = x + (size_t)c * (size_t)(H * W) + ky * W + kx;
                for (int oy = 0; oy < OH; oy++) copy_floats(dst + oy * OW, src + oy * W, OW);
            }
}

/* Asks clang to unroll a loop of constant trip count completely (clang's -O3 did it on its own;
 * SwiftPM compiles C at -O2, and a versioned dependency may not carry -O3). */
#if defined(__clang__)
#define FMNIST_UNROLL_FULL _Pragma("clang loop unroll(full)")
#else
#define FMNIST_UNROLL_FULL
#endif

/* LeNet conv1: a 1×32×32 input, 5×5 kernel, 28×28 output: per tap, 28 rows of 28 floats, all
 * unrolled into straight copies at constant offsets. */
static void im2col_chw_lenet_conv1(const float *restrict x, float *restrict col) {
    for (int ky = 0; ky < 5; ky++)
        for (int kx = 0; kx < 5; kx++) {
            float *restrict dst = col + (size_t)(ky * 5 + kx) * 784;
            const float *restrict src = x + ky * 32 + kx;
            FMNIST_UNROLL_FULL
            for (int oy = 0; oy < 28; oy++) {
                FMNIST_UNROLL_FULL
                for (int i = 0; i < 28; i++) dst[oy * 28 + i] = src[oy * 32 + i];
            }
        }
}

void fmnist_im2col_chw(const float *x, int C, int H, int W, int kh, int kw, float *col) {
    if (C == 1 && H == 32 && W == 32 && kh == 5 && kw == 5)
        im2col_chw_lenet_conv1(x, col);
    else
        im2col_chw_impl(x, C, H, W, kh, kw, col);
}

void fmnist_col2im_chw(const float *dcol, int C, int H, int W, int kh, int kw, float *dx) {
    const int OH = H - kh + 1, OW = W - kw + 1;
    memset(dx, 0, sizeof(float) * (size_t)C * (size_t)H * (size_t)W);
    for (int c = 0; c < C; c++)
        for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++) {
                const float *src = dcol + (size_t)((c * kh + ky) * kw + kx) * (size_t)(OH * OW);
                float *dst = dx + (size_t)c * (size_t)(H * W) + ky * W + kx;
                for (int oy = 0; oy < OH; oy++) add_floats(dst + oy * W, src + oy * OW, OW);
            }
}

static inline void im2col_hwc_impl(const float *restrict x, int H, int W, int C, int kh, int kw,
                                   int pad, float *restrict col) {
    const int OH = H + 2 * pad - kh + 1, OW = W + 2 * pad - kw + 1;
    const int K = kh * kw * C;
    for (int oy = 0; oy < OH; oy++)
        for (int ox = 0; ox < OW; ox++) {
            float *dst = col + (size_t)(oy * OW + ox) * (size_t)K;
            for (int ky = 0; ky < kh; ky++) {
                const int iy = oy + ky - pad;
                float *d = dst + ky * kw * C;
                if (iy < 0 || iy >= H) {
                    for (int t = 0; t < kw * C; t++) d[t] = 0.0f;
                    continue;
                }
                const int x0 = ox - pad;
                if (x0 >= 0 && x0 + kw <= W) {
                    copy_floats(d, x + ((size_t)iy * W + x0) * C, kw * C);
                } else {
                    for (int kx = 0; kx < kw; kx++) {
                        const int ix = x0 + kx;
                        if (ix < 0 || ix >= W)
                            for (int c = 0; c < C; c++) d[kx * C + c] = 0.0f;
                        else
                            copy_floats(d + kx * C, x + ((size_t)iy * W + ix) * C, C);
                    }
                }
            }
        }
}

void fmnist_im2col_hwc(const float *x, int H, int W, int C, int kh, int kw, int pad, float *col) {
    if (H == 14 && W == 14 && C == 6 && kh == 5 && kw == 5 && pad == 0)
        im2col_hwc_impl(x, 14, 14, 6, 5, 5, 0, col); /* LeNet conv2 */
    else
        im2col_hwc_impl(x, H, W, C, kh, kw, pad, col);
}

static inline void col2im_hwc_impl(const float *restrict dcol, int H, int W, int C, int kh, int kw,
                                   int pad, float *restrict dx) {
    const int OH = H + 2 * pad - kh + 1, OW = W + 2 * pad - kw + 1;
    const int K = kh * kw * C;
    for (int t = 0; t < H * W * C; t++) dx[t] = 0.0f;
    for (int oy = 0; oy < OH; oy++)
        for (int ox = 0; ox < OW; ox++) {
            const float *src = dcol + (size_t)(oy * OW + ox) * (size_t)K;
            for (int ky = 0; ky < kh; ky++) {
                const int iy = oy + ky - pad;
                if (iy < 0 || iy >= H) continue;
                const float *s = src + ky * kw * C;
                const int x0 = ox - pad;
                if (x0 >= 0 && x0 + kw <= W) {
                    add_floats(dx + ((size_t)iy * W + x0) * C, s, kw * C);
                } else {
                    for (int kx = 0; kx < kw; kx++) {
                        const int ix = x0 + kx;
                        if (ix < 0 || ix >= W) continue;
                        add_floats(dx + ((size_t)iy * W + ix) * C, s + kx * C, C);
                    }
                }
            }
        }
}

void fmnist_col2im_hwc(const float *dcol, int H, int W, int C, int kh, int kw, int pad,
                       float *dx) {
    if (H == 14 && W == 14 && C == 6 && kh == 5 && kw == 5 && pad == 0)
        col2im_hwc_impl(dcol, 14, 14, 6, 5, 5, 0, dx); /* LeNet conv2 */
    else
        col2im_hwc_impl(dcol, H, W, C, kh, kw, pad, dx);
}

/* ---- pooling, channel-major: z[C][H][W] -> out/arg[C][H/2][W/2] ---------- */

static inline void pool_fwd_chw_scalar(const float *restrict r0, const float *restrict r1,
                                       float b, int px, float *restrict out,
                                       uint8_t *restrict arg) {
    const float v0 = r0[2 * px], v1 = r0[2 * px + 1], v2 = r1[2 * px], v3 = r1[2 * px + 1];
    const int g01 = v1 > v0, g23 = v3 > v2;
    const float m01 = g01 ? v1 : v0, m23 = g23 ? v3 : v2;
    const int hi = m23 > m01;
    const float m = (hi ? m23 : m01) + b;
    out[px] = m > 0.0f ? m : 0.0f;
    arg[px] = (uint8_t)(hi ? 2 + g23 : g01);
}

#ifdef __SSE2__
/* Four 2×2 windows at once: v0..v3 hold the window's top-left, top-right, bottom-left and
   bottom-right values. Writes max + bias through ReLU, and the arg-max position (0–3) as bytes. */
static inline void pool2x2_bias_relu_sse(__m128 v0, __m128 v1, __m128 v2, __m128 v3, __m128 bias,
                                         float *restrict out, uint8_t *restrict arg) {
    const __m128 zero = _mm_setzero_ps();
    const __m128i one = _mm_set1_epi32(1), two = _mm_set1_epi32(2);
    const __m128 g01 = _mm_cmpgt_ps(v1, v0), g23 = _mm_cmpgt_ps(v3, v2);
    const __m128 m01 = _mm_max_ps(v0, v1), m23 = _mm_max_ps(v2, v3);
    const __m128 hi = _mm_cmpgt_ps(m23, m01);
    const __m128 m = _mm_add_ps(_mm_max_ps(m01, m23), bias);
    _mm_storeu_ps(out, _mm_max_ps(m, zero));
    const __m128i i01 = _mm_and_si128(_mm_castps_si128(g01), one);
    const __m128i i23 = _mm_add_epi32(two, _mm_and_si128(_mm_castps_si128(g23), one));
    const __m128i hm = _mm_castps_si128(hi);
    const __m128i idx = _mm_or_si128(_mm_and_si128(hm, i23), _mm_andnot_si128(hm, i01));
    const __m128i packed = _mm_packus_epi16(_mm_packs_epi32(idx, idx), _mm_setzero_si128());
    const int word = _mm_cvtsi128_si32(packed);
    memcpy(arg, &word, 4);
}

/* Backward of four pooled outputs: the incoming gradient where the ReLU passed (out > 0), else 0. */
static inline __m128 pool_relu_gate_sse(const float *restrict out, const float *restrict dout) {
    return _mm_and_ps(_mm_cmpgt_ps(_mm_loadu_ps(out), _mm_setzero_ps()), _mm_loadu_ps(dout));
}

/* The four arg-max bytes (0–3) written by the forward pass, widened to 32-bit lanes. */
static inline __m128i pool_argmax_lanes_sse(const uint8_t *restrict arg) {
    int word;
    memcpy(&word, arg, 4);
    const __m128i b8 = _mm_cvtsi32_si128(word);
    return _mm_unpacklo_epi16(_mm_unpacklo_epi8(b8, _mm_setzero_si128()), _mm_setzero_si128());
}
#endif

static void pool_fwd_chw(const float *restrict z, int C, int H, int W, const float *restrict bias,
                         float *restrict out, uint8_t *restrict arg) {
    const int PH = H / 2, PW = W / 2;
    for (int c = 0; c < C; c++)
        for (int py = 0; py < PH; py++) {
            const float *r0 = z + ((size_t)c * H + 2 * py) * W, *r1 = r0 + W;
            float *o = out + ((size_t)c * PH + py) * PW;
            uint8_t *a = arg + ((size_t)c * PH + py) * PW;
            int px = 0;
#ifdef __SSE2__
            const __m128 b = _mm_set1_ps(bias[c]);
            for (; px + 4 <= PW; px += 4) {
                const __m128 a0 = _mm_loadu_ps(r0 + 2 * px), a1 = _mm_loadu_ps(r0 + 2 * px + 4);
                const __m128 c0 = _mm_loadu_ps(r1 + 2 * px), c1 = _mm_loadu_ps(r1 + 2 * px + 4);
                const __m128 v0 = _mm_shuffle_ps(a0, a1, _MM_SHUFFLE(2, 0, 2, 0));
                const __m128 v1 = _mm_shuffle_ps(a0, a1, _MM_SHUFFLE(3, 1, 3, 1));
                const __m128 v2 = _mm_shuffle_ps(c0, c1, _MM_SHUFFLE(2, 0, 2, 0));
                const __m128 v3 = _mm_shuffle_ps(c0, c1, _MM_SHUFFLE(3, 1, 3, 1));
                pool2x2_bias_relu_sse(v0, v1, v2, v3, b, o + px, a + px);
            }
#endif
            for (; px < PW; px++) pool_fwd_chw_scalar(r0, r1, bias[c], px, o, a);
        }
}

static void pool_bwd_chw(const float *restrict dout, const float *restrict out,
                         const uint8_t *restrict arg, int C, int H, int W, float *restrict dz,
                         float *restrict dbias) {
    const int PH = H / 2, PW = W / 2;
    for (int c = 0; c < C; c++) {
        float sum = 0.0f;
        for (int py = 0; py < PH; py++) {
            const size_t o = ((size_t)c * PH + py) * PW;
            float *r0 = dz + ((size_t)c * H + 2 * py) * W, *r1 = r0 + W;
            int px = 0;
#ifdef __SSE2__
            __m128 acc = _mm_setzero_ps();
            for (; px + 4 <= PW; px += 4) {
                const __m128 g = pool_relu_gate_sse(out + o + px, dout + o + px);
                const __m128i a = pool_argmax_lanes_sse(arg + o + px);
                const __m128 w0 = _mm_and_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(a, _mm_set1_epi32(0))), g);
                const __m128 w1 = _mm_and_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(a, _mm_set1_epi32(1))), g);
                const __m128 w2 = _mm_and_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(a, _mm_set1_epi32(2))), g);
                const __m128 w3 = _mm_and_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(a, _mm_set1_epi32(3))), g);
                _mm_storeu_ps(r0 + 2 * px, _mm_unpacklo_ps(w0, w1));
                _mm_storeu_ps(r0 + 2 * px + 4, _mm_unpackhi_ps(w0, w1));
                _mm_storeu_ps(r1 + 2 * px, _mm_unpacklo_ps(w2, w3));
                _mm_storeu_ps(r1 + 2 * px + 4, _mm_unpackhi_ps(w2, w3));
                acc = _mm_add_ps(acc, g);
            }
            float lanes[4];
            _mm_storeu_ps(lanes, acc);
            sum += (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
#endif
            for (; px < PW; px++) {
                const float g = out[o + px] > 0.0f ? dout[o + px] : 0.0f;
                const int a = arg[o + px];
                r0[2 * px] = a == 0 ? g : 0.0f;
                r0[2 * px + 1] = a == 1 ? g : 0.0f;
                r1[2 * px] = a == 2 ? g : 0.0f;
                r1[2 * px + 1] = a == 3 ? g : 0.0f;
                sum += g;
            }
        }
        if (dbias) dbias[c] += sum;
    }
}

/* ---- pooling, channel-last: z[H][W][C] -> out/arg[H/2][W/2][C] ----------- */

static inline void pool_fwd_hwc(const float *restrict z, int C, int H, int W,
                                const float *restrict bias, float *restrict out,
                                uint8_t *restrict arg) {
    const int PH = H / 2, PW = W / 2;
    const ptrdiff_t sy = (ptrdiff_t)W * C, sx = C;
    for (int py = 0; py < PH; py++)
        for (int px = 0; px < PW; px++) {
            const float *p = z + (2 * py) * sy + (2 * px) * sx;
            float *o = out + ((size_t)py * PW + px) * C;
            uint8_t *a = arg + ((size_t)py * PW + px) * C;
            int c = 0;
#ifdef __SSE2__
            for (; c + 4 <= C; c += 4) {
                const __m128 v0 = _mm_loadu_ps(p + c), v1 = _mm_loadu_ps(p + sx + c);
                const __m128 v2 = _mm_loadu_ps(p + sy + c), v3 = _mm_loadu_ps(p + sy + sx + c);
                pool2x2_bias_relu_sse(v0, v1, v2, v3, _mm_loadu_ps(bias + c), o + c, a + c);
            }
#endif
            for (; c < C; c++) {
                const float v0 = p[c], v1 = p[sx + c], v2 = p[sy + c], v3 = p[sy + sx + c];
                const int g01 = v1 > v0, g23 = v3 > v2;
                const float m01 = g01 ? v1 : v0, m23 = g23 ? v3 : v2;
                const int hi = m23 > m01;
                const float m = (hi ? m23 : m01) + bias[c];
                o[c] = m > 0.0f ? m : 0.0f;
                a[c] = (uint8_t)(hi ? 2 + g23 : g01);
            }
        }
}

static inline void pool_bwd_hwc(const float *restrict dout, const float *restrict out,
                                const uint8_t *restrict arg, int C, int H, int W,
                                float *restrict dz, float *restrict dbias) {
    const int PH = H / 2, PW = W / 2;
    const ptrdiff_t sy = (ptrdiff_t)W * C, sx = C;
    for (int py = 0; py < PH; py++)
        for (int px = 0; px < PW; px++) {
            const size_t o = ((size_t)py * PW + px) * C;
            float *p = dz + (2 * py) * sy + (2 * px) * sx;
            int c = 0;
#ifdef __SSE2__
            for (; c + 4 <= C; c += 4) {
                const __m128 g = pool_relu_gate_sse(out + o + c, dout + o + c);
                const __m128i a = pool_argmax_lanes_sse(arg + o + c);
                _mm_storeu_ps(p + c, _mm_and_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(a, _mm_set1_epi32(0))), g));
                _mm_storeu_ps(p + sx + c, _mm_and_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(a, _mm_set1_epi32(1))), g));
                _mm_storeu_ps(p + sy + c, _mm_and_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(a, _mm_set1_epi32(2))), g));
                _mm_storeu_ps(p + sy + sx + c,
                              _mm_and_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(a, _mm_set1_epi32(3))), g));
                if (dbias) _mm_storeu_ps(dbias + c, _mm_add_ps(_mm_loadu_ps(dbias + c), g));
            }
#endif
            for (; c < C; c++) {
                const float g = out[o + c] > 0.0f ? dout[o + c] : 0.0f;
                const int a = arg[o + c];
                p[c] = a == 0 ? g : 0.0f;
                p[sx + c] = a == 1 ? g : 0.0f;
                p[sy + c] = a == 2 ? g : 0.0f;
                p[sy + sx + c] = a == 3 ? g : 0.0f;
                if (dbias) dbias[c] += g;
            }
        }
}

void fmnist_bias_relu_maxpool2_fwd(const float *z, int z_hwc, int C, int H, int W,
                                   const float *bias, float *out, uint8_t *arg) {
    if (!z_hwc)
        pool_fwd_chw(z, C, H, W, bias, out, arg);
    else if (C == 16 && H == 10 && W == 10)
        pool_fwd_hwc(z, 16, 10, 10, bias, out, arg); /* LeNet conv2, constants propagated */
    else
        pool_fwd_hwc(z, C, H, W, bias, out, arg);
}

void fmnist_bias_relu_maxpool2_bwd(const float *dout, const float *out, const uint8_t *arg,
                                   int z_hwc, int C, int H, int W, float *dz, float *dbias) {
    if (!z_hwc)
        pool_bwd_chw(dout, out, arg, C, H, W, dz, dbias);
    else if (C == 16 && H == 10 && W == 10)
        pool_bwd_hwc(dout, out, arg, 16, 10, 10, dz, dbias);
    else
        pool_bwd_hwc(dout, out, arg, C, H, W, dz, dbias);
}

void fmnist_bias_act_fwd(float *y, int rows, int cols, const float *bias, int relu) {
    for (int r = 0; r < rows; r++) {
        float *yr = y + (size_t)r * (size_t)cols;
        if (relu)
            for (int c = 0; c < cols; c++) {
                const float v = yr[c] + bias[c];
                yr[c] = v > 0.0f ? v : 0.0f;
            }
        else
            for (int c = 0; c < cols; c++) yr[c] += bias[c];
    }
}

void fmnist_bias_act_bwd(float *dy, const float *y, int rows, int cols, float *dbias, int relu) {
    for (int r = 0; r < rows; r++) {
        float *d = dy + (size_t)r * (size_t)cols;
        const float *yr = y + (size_t)r * (size_t)cols;
        /* d = y > 0 ? d : +0 as a bit mask: the compiler vectorises it, where the select
         * compiled to a branch per element that mispredicted on about half of them */
        if (relu)
            for (int c = 0; c < cols; c++) {
                uint32_t bits;
                memcpy(&bits, d + c, sizeof bits);
                bits &= 0u - (uint32_t)(yr[c] > 0.0f);
                memcpy(d + c, &bits, sizeof bits);
            }
        if (dbias)
            for (int c = 0; c < cols; c++) dbias[c] += d[c];
    }
}

double fmnist_softmax_xent(const float *logits, const uint8_t *labels, int rows, int classes,
                           float scale, float *grad, int64_t *correct, uint8_t *predicted) {
    double total = 0.0;
    for (int r = 0; r < rows; r++) {
        const float *l = logits + (size_t)r * (size_t)classes;
        int best = 0;
        float mx = l[0];
        for (int c = 1; c < classes; c++)
            if (l[c] > mx) { mx = l[c]; best = c; }
        double sum = 0.0;
        for (int c = 0; c < classes; c++) sum += exp((double)(l[c] - mx));
        const int y = labels[r];
        const double lse = log(sum);
        total += lse - (double)(l[y] - mx);
        if (correct && best == y) (*correct)++;
        if (predicted) predicted[r] = (uint8_t)best;
        if (grad) {
            float *g = grad + (size_t)r * (size_t)classes;
            for (int c = 0; c < classes; c++) {
                const double p = exp((double)(l[c] - mx) - lse);
                g[c] = (float)(p - (c == y ? 1.0 : 0.0)) * scale;
            }
        }
    }
    return total;
}

void fmnist_softmax_rows(const float *logits, int rows, int classes, float *out) {
    for (int r = 0; r < rows; r++) {
        const float *l = logits + (size_t)r * (size_t)classes;
        float *o = out + (size_t)r * (size_t)classes;
        float mx = l[0];
        for (int c = 1; c < classes; c++)
            if (l[c] > mx) mx = l[c];
        double sum = 0.0;
        for (int c = 0; c < classes; c++) sum += exp((double)(l[c] - mx));
        const double lse = log(sum);
        for (int c = 0; c < classes; c++) o[c] = (float)exp((double)(l[c] - mx) - lse);
    }
}

/* g[0..n) = ((grads[0] + grads[1]) + grads[2]) + ... : a fixed order, so the sum does not
 * depend on how callers slice the vector. */
static inline void grad_sum_block(const float *const *grads, int ngrads, size_t at, size_t n,
                                  float *restrict g) {
    const float *g0 = grads[0] + at;
    for (size_t i = 0; i < n; i++) g[i] = g0[i];
    for (int t = 1; t < ngrads; t++) {
        const float *gt = grads[t] + at;
        for (size_t i = 0; i < n; i++) g[i] += gt[i];
    }
}

enum { OPT_BLOCK = 512 };

void fmnist_sgd_momentum(float *p, float *v, const float *const *grads, int ngrads, size_t n,
                         float lr, float momentum, int first_step) {
    float g[OPT_BLOCK];
    for (size_t at = 0; at < n; at += OPT_BLOCK) {
        const size_t m = n - at < OPT_BLOCK ? n - at : OPT_BLOCK;
        grad_sum_block(grads, ngrads, at, m, g);
        float *restrict pp = p + at, *restrict vv = v + at;
        if (first_step)
            for (size_t i = 0; i < m; i++) { vv[i] = g[i]; pp[i] -= lr * g[i]; }
        else
            for (size_t i = 0; i < m; i++) {
                const float b = momentum * vv[i] + g[i];
                vv[i] = b;
                pp[i] -= lr * b;
            }
    }
}

void fmnist_adam(float *p, float *m, float *v, const float *const *grads, int ngrads, size_t n,
                 float lr, float beta1, float beta2, float eps, int64_t step) {
    const double bc1 = 1.0 - pow((double)beta1, (double)step);
    const double bc2 = 1.0 - pow((double)beta2, (double)step);
    const float step_size = (float)((double)lr / bc1);
    const float bc2_sqrt = (float)sqrt(bc2);
    float g[OPT_BLOCK];
    for (size_t at = 0; at < n; at += OPT_BLOCK) {
        const size_t k = n - at < OPT_BLOCK ? n - at : OPT_BLOCK;
        grad_sum_block(grads, ngrads, at, k, g);
        float *restrict pp = p + at, *restrict mm = m + at, *restrict vv = v + at;
        for (size_t i = 0; i < k; i++) {
            const float mi = beta1 * mm[i] + (1.0f - beta1) * g[i];
            const float vi = beta2 * vv[i] + (1.0f - beta2) * g[i] * g[i];
            mm[i] = mi;
            vv[i] = vi;
            pp[i] -= step_size * mi / (sqrtf(vi) / bc2_sqrt + eps);
        }
    }
}

static inline void transpose_impl(const float *restrict src, int rows, int cols, float *restrict dst) {
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) dst[(size_t)c * rows + r] = src[(size_t)r * cols + c];
}

void fmnist_transpose(const float *src, int rows, int cols, float *dst) {
    /* LeNet's pooled conv1 output, channel-major to channel-last and back: constants propagated,
     * so the compiler unrolls the short side and vectorises the long one. */
    if (rows == 6 && cols == 196)
        transpose_impl(src, 6, 196, dst);
    else if (rows == 196 && cols == 6)
        transpose_impl(src, 196, 6, dst);
    else
        transpose_impl(src, rows, cols, dst);
}

void fmnist_histogram_u8(const uint8_t *data, size_t n, uint64_t counts[256]) {
    /* four interleaved tables hide store-to-load forwarding stalls on repeated values */
    uint64_t h[4][256];
    memset(h, 0, sizeof h);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        h[0][data[i]]++;
        h[1][data[i + 1]]++;
        h[2][data[i + 2]]++;
        h[3][data[i + 3]]++;
    }
    for (; i < n; i++) h[0][data[i]]++;
    for (int v = 0; v < 256; v++) counts[v] = h[0][v] + h[1][v] + h[2][v] + h[3][v];
}
