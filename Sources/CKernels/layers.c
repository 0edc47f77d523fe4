/* Portable element-wise and layout kernels for the LeNet-5 trainer. */
#include "CKernels.h"
#include <math.h>
#include <string.h>

void fmnist_pad_normalize_u8(const uint8_t *src, int H, int W, int pad, const float *lut,
                             float *dst) {
    const int PW = W + 2 * pad;
    memset(dst, 0, sizeof(float) * (size_t)pad * (size_t)PW);
    for (int y = 0; y < H; y++) {
        float *row = dst + (size_t)(y + pad) * (size_t)PW;
        for (int x = 0; x < pad; x++) row[x] = 0.0f;
        for (int x = 0; x < W; x++) row[pad + x] = lut[src[y * W + x]];
        for (int x = pad + W; x < PW; x++) row[x] = 0.0f;
    }
    memset(dst + (size_t)(H + pad) * (size_t)PW, 0, sizeof(float) * (size_t)pad * (size_t)PW);
}

void fmnist_im2col_chw(const float *x, int C, int H, int W, int kh, int kw, float *col) {
    const int OH = H - kh + 1, OW = W - kw + 1;
    for (int c = 0; c < C; c++)
        for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++) {
                float *dst = col + (size_t)((c * kh + ky) * kw + kx) * (size_t)(OH * OW);
                const float *src = x + (size_t)c * (size_t)(H * W) + ky * W + kx;
                for (int oy = 0; oy < OH; oy++)
                    memcpy(dst + oy * OW, src + oy * W, sizeof(float) * (size_t)OW);
            }
}

void fmnist_col2im_chw(const float *dcol, int C, int H, int W, int kh, int kw, float *dx) {
    const int OH = H - kh + 1, OW = W - kw + 1;
    memset(dx, 0, sizeof(float) * (size_t)C * (size_t)H * (size_t)W);
    for (int c = 0; c < C; c++)
        for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++) {
                const float *src = dcol + (size_t)((c * kh + ky) * kw + kx) * (size_t)(OH * OW);
                float *dst = dx + (size_t)c * (size_t)(H * W) + ky * W + kx;
                for (int oy = 0; oy < OH; oy++)
                    for (int ox = 0; ox < OW; ox++) dst[oy * W + ox] += src[oy * OW + ox];
            }
}

void fmnist_im2col_hwc(const float *x, int H, int W, int C, int kh, int kw, int pad, float *col) {
    const int OH = H + 2 * pad - kh + 1, OW = W + 2 * pad - kw + 1;
    const int K = kh * kw * C;
    for (int oy = 0; oy < OH; oy++)
        for (int ox = 0; ox < OW; ox++) {
            float *dst = col + (size_t)(oy * OW + ox) * (size_t)K;
            for (int ky = 0; ky < kh; ky++) {
                const int iy = oy + ky - pad;
                float *d = dst + ky * kw * C;
                if (iy < 0 || iy >= H) {
                    memset(d, 0, sizeof(float) * (size_t)(kw * C));
                    continue;
                }
                const int x0 = ox - pad;
                if (x0 >= 0 && x0 + kw <= W) {
                    memcpy(d, x + ((size_t)iy * W + x0) * C, sizeof(float) * (size_t)(kw * C));
                } else {
                    for (int kx = 0; kx < kw; kx++) {
                        const int ix = x0 + kx;
                        if (ix < 0 || ix >= W) memset(d + kx * C, 0, sizeof(float) * (size_t)C);
                        else memcpy(d + kx * C, x + ((size_t)iy * W + ix) * C, sizeof(float) * (size_t)C);
                    }
                }
            }
        }
}

void fmnist_col2im_hwc(const float *dcol, int H, int W, int C, int kh, int kw, int pad,
                       float *dx) {
    const int OH = H + 2 * pad - kh + 1, OW = W + 2 * pad - kw + 1;
    const int K = kh * kw * C;
    memset(dx, 0, sizeof(float) * (size_t)H * (size_t)W * (size_t)C);
    for (int oy = 0; oy < OH; oy++)
        for (int ox = 0; ox < OW; ox++) {
            const float *src = dcol + (size_t)(oy * OW + ox) * (size_t)K;
            for (int ky = 0; ky < kh; ky++) {
                const int iy = oy + ky - pad;
                if (iy < 0 || iy >= H) continue;
                const float *s = src + ky * kw * C;
                const int x0 = ox - pad;
                if (x0 >= 0 && x0 + kw <= W) {
                    float *d = dx + ((size_t)iy * W + x0) * C;
                    for (int t = 0; t < kw * C; t++) d[t] += s[t];
                } else {
                    for (int kx = 0; kx < kw; kx++) {
                        const int ix = x0 + kx;
                        if (ix < 0 || ix >= W) continue;
                        float *d = dx + ((size_t)iy * W + ix) * C;
                        for (int c = 0; c < C; c++) d[c] += s[kx * C + c];
                    }
                }
            }
        }
}

void fmnist_bias_relu_maxpool2_fwd(const float *z, int z_hwc, int C, int H, int W,
                                   const float *bias, float *out, uint8_t *arg) {
    const int PH = H / 2, PW = W / 2;
    /* element (c, y, x) of z */
    const ptrdiff_t sc = z_hwc ? 1 : (ptrdiff_t)H * W;
    const ptrdiff_t sy = z_hwc ? (ptrdiff_t)W * C : W;
    const ptrdiff_t sx = z_hwc ? C : 1;
    for (int py = 0; py < PH; py++)
        for (int px = 0; px < PW; px++)
            for (int c = 0; c < C; c++) {
                const float *p = z + c * sc + (2 * py) * sy + (2 * px) * sx;
                const float v0 = p[0], v1 = p[sx], v2 = p[sy], v3 = p[sy + sx];
                float m = v0;
                uint8_t a = 0;
                if (v1 > m) { m = v1; a = 1; }
                if (v2 > m) { m = v2; a = 2; }
                if (v3 > m) { m = v3; a = 3; }
                m += bias[c];
                const size_t o = ((size_t)py * PW + px) * C + c;
                out[o] = m > 0.0f ? m : 0.0f;
                arg[o] = a;
            }
}

void fmnist_bias_relu_maxpool2_bwd(const float *dout, const float *out, const uint8_t *arg,
                                   int z_hwc, int C, int H, int W, float *dz, float *dbias) {
    const int PH = H / 2, PW = W / 2;
    const ptrdiff_t sc = z_hwc ? 1 : (ptrdiff_t)H * W;
    const ptrdiff_t sy = z_hwc ? (ptrdiff_t)W * C : W;
    const ptrdiff_t sx = z_hwc ? C : 1;
    memset(dz, 0, sizeof(float) * (size_t)C * (size_t)H * (size_t)W);
    for (int py = 0; py < PH; py++)
        for (int px = 0; px < PW; px++)
            for (int c = 0; c < C; c++) {
                const size_t o = ((size_t)py * PW + px) * C + c;
                if (!(out[o] > 0.0f)) continue;
                const float g = dout[o];
                const int a = arg[o];
                dz[c * sc + (2 * py + (a >> 1)) * sy + (2 * px + (a & 1)) * sx] = g;
                if (dbias) dbias[c] += g;
            }
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
        if (relu)
            for (int c = 0; c < cols; c++) d[c] = yr[c] > 0.0f ? d[c] : 0.0f;
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

static inline float grad_sum(const float *const *grads, int ngrads, size_t i) {
    float g = grads[0][i];
    for (int t = 1; t < ngrads; t++) g += grads[t][i];
    return g;
}

void fmnist_sgd_momentum(float *p, float *v, const float *const *grads, int ngrads, size_t n,
                         float lr, float momentum, int first_step) {
    if (ngrads == 2) {
        const float *g0 = grads[0], *g1 = grads[1];
        if (first_step)
            for (size_t i = 0; i < n; i++) { const float g = g0[i] + g1[i]; v[i] = g; p[i] -= lr * g; }
        else
            for (size_t i = 0; i < n; i++) {
                const float b = momentum * v[i] + (g0[i] + g1[i]);
                v[i] = b;
                p[i] -= lr * b;
            }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const float g = grad_sum(grads, ngrads, i);
        const float b = first_step ? g : momentum * v[i] + g;
        v[i] = b;
        p[i] -= lr * b;
    }
}

void fmnist_adam(float *p, float *m, float *v, const float *const *grads, int ngrads, size_t n,
                 float lr, float beta1, float beta2, float eps, int64_t step) {
    const double bc1 = 1.0 - pow((double)beta1, (double)step);
    const double bc2 = 1.0 - pow((double)beta2, (double)step);
    const float step_size = (float)((double)lr / bc1);
    const float bc2_sqrt = (float)sqrt(bc2);
    for (size_t i = 0; i < n; i++) {
        const float g = grad_sum(grads, ngrads, i);
        const float mi = beta1 * m[i] + (1.0f - beta1) * g;
        const float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        p[i] -= step_size * mi / (sqrtf(vi) / bc2_sqrt + eps);
    }
}

void fmnist_transpose(const float *src, int rows, int cols, float *dst) {
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) dst[(size_t)c * rows + r] = src[(size_t)r * cols + c];
}
