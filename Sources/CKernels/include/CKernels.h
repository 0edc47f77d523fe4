#ifndef FMNIST_CKERNELS_H
#define FMNIST_CKERNELS_H
/*
 * Numeric kernels for the LeNet-5 trainer (FMNISTTraining).
 *
 * GEMM: register-blocked AVX-512 and AVX2/FMA micro-kernels selected at run
 * time (cpuid + xgetbv for AVX-512, `__builtin_cpu_supports` for AVX2), plus
 * a portable C fallback that compilers auto-vectorise for the baseline ISA.
 * The environment variable FMNIST_KERNELS=portable|avx2|avx512 forces what
 * AUTO picks (a path the CPU lacks falls back to the next one it has).
 * The fused convolution backward kernels have AVX2 and portable versions;
 * LeNet's two shapes of them, and of the bias/ReLU/pool forward, also have
 * AVX-512 ones. Everything else (im2col, generic pooling, softmax,
 * optimisers) is portable C.
 *
 * All matrices are row-major Float32. No kernel allocates on the heap, uses
 * global mutable state, or spawns threads: callers own every buffer, so the
 * kernels are safe to call concurrently on disjoint outputs. Threads come
 * only from the explicit worker team below (team.c).
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Relaxed atomic fetch-and-add (work sharing between threads). */
int32_t fmnist_atomic_fetch_add(int32_t *counter, int32_t value);

/* Publishes one finished piece of work: adds 1 to *done with release order, so a thread
 * that sees the new count in fmnist_wait_until also sees everything written before. */
void fmnist_work_done(int32_t *done);
/* Spins until *done >= target (acquire order); after a while it yields the CPU, and after
 * 0.1 ms it naps 20 us at a time, so that a descheduled thread still finishing a piece can
 * run (a loaded machine, or more threads than cores). Only waits for pieces already taken. */
void fmnist_wait_until(const int32_t *done, int32_t target);

/* ---- worker team -------------------------------------------------------------
 * threads - 1 persistent worker threads plus the calling thread. run() calls
 * fn(ctx, part) once for every part 0..threads-1 and returns when all have
 * returned: part 0 on the caller; part i on worker i, or on the caller when
 * worker i has not picked it up by the time the caller is done with its own
 * parts (so a descheduled worker never delays a job it has not started). Idle
 * workers spin about 0.2 ms, then sleep. One caller at a time per team. */
typedef struct fmnist_team fmnist_team;
typedef void (*fmnist_team_fn)(void *ctx, int part);
/* NULL when out of memory; a team whose threads cannot start runs every part on the caller. */
fmnist_team *fmnist_team_create(int threads);
int fmnist_team_threads(const fmnist_team *team);
void fmnist_team_run(fmnist_team *team, fmnist_team_fn fn, void *ctx);
/* Stops and joins the workers; NULL is ignored. */
void fmnist_team_destroy(fmnist_team *team);

/* 1 when this CPU supports AVX2 and FMA (the fast GEMM path), else 0. */
int fmnist_kernels_has_avx2_fma(void);

/* 1 when this CPU supports AVX-512 F, VL, DQ and BW (plus AVX2 and FMA) and
 * the OS saves the opmask and ZMM registers (XCR0), else 0. */
int fmnist_kernels_has_avx512(void);

/* Which GEMM implementation to use. AVX512 falls back to AVX2, and AVX2 to
 * PORTABLE, on CPUs without them. AUTO is what FMNIST_KERNELS names, else
 * the best this CPU has. */
enum {
    FMNIST_GEMM_AUTO = 0,
    FMNIST_GEMM_PORTABLE = 1,
    FMNIST_GEMM_AVX2 = 2,
    FMNIST_GEMM_AVX512 = 3,
};

/* What FMNIST_KERNELS requests (read once): FMNIST_GEMM_PORTABLE, _AVX2 or
 * _AVX512, or FMNIST_GEMM_AUTO when unset or not one of those names. */
int fmnist_kernels_env_request(void);

/* Resolves a request to the implementation that actually runs
 * (FMNIST_GEMM_AVX512, FMNIST_GEMM_AVX2 or FMNIST_GEMM_PORTABLE). */
int fmnist_gemm_resolve(int impl);

/* 1 when `impl` resolves to AVX2 or AVX-512 (both run the AVX2 fused kernels). */
int fmnist_kernels_use_avx2(int impl);

/*
 * C[M x N] = A * B            (accumulate == 0)
 * C[M x N] += A * B           (accumulate != 0)
 * with A(i,k) = A[i*rsa + k*csa] (arbitrary strides: row-major A is
 * rsa = lda, csa = 1; a transposed operand is rsa = 1, csa = lda) and
 * B(k,j) = B[k*ldb + j], C(i,j) = C[i*ldc + j].
 */
void fmnist_sgemm(int impl, int M, int N, int K,
                  const float *A, ptrdiff_t rsa, ptrdiff_t csa,
                  const float *B, ptrdiff_t ldb,
                  float *C, ptrdiff_t ldc, int accumulate);

/*
 * C[M x N] (+)= A * B^T with A(i,k) = A[i*lda + k], B(j,k) = B[j*ldb + k]:
 * dot products along contiguous rows.
 */
void fmnist_sgemm_nt(int impl, int M, int N, int K,
                     const float *A, ptrdiff_t lda,
                     const float *B, ptrdiff_t ldb,
                     float *C, ptrdiff_t ldc, int accumulate);

/* ---- convolution helpers ------------------------------------------------ */

/* dst[(H+2p) x (W+2p)] = lut[src[H x W]] with a zero border of width p. */
void fmnist_pad_normalize_u8(const uint8_t *src, int H, int W, int pad,
                             const float *lut, float *dst);

/* Hints the cache to fetch the `bytes` bytes at p (a later image of a shuffled batch). */
void fmnist_prefetch(const void *p, size_t bytes);

/* im2col, channel-major ("CHW"): x[C][H][W] (already padded: no padding is
 * applied), kernel kh x kw, stride 1, output OH = H-kh+1, OW = W-kw+1.
 * col[(c*kh + ky)*kw + kx][oy*OW + ox] = x[c][oy+ky][ox+kx]. */
void fmnist_im2col_chw(const float *x, int C, int H, int W, int kh, int kw,
                       float *col);

/* im2col, channel-last ("HWC"): x[H][W][C], zero padding pad, stride 1.
 * col[oy*OW + ox][(ky*kw + kx)*C + c] = x[oy+ky-pad][ox+kx-pad][c]. */
void fmnist_im2col_hwc(const float *x, int H, int W, int C, int kh, int kw,
                       int pad, float *col);

/* LeNet-5's conv1 forward: z[6][28*28] = w[6][25] · im2col_chw(xpad[32][32]) (5x5, valid).
 * The AVX-512 path reads xpad directly, bit-identical to im2col + fmnist_sgemm there; other
 * paths run exactly that, with `col` ([25][784] floats) as the im2col matrix. */
void fmnist_lenet_conv1_fwd(int impl, const float *xpad, const float *w, float *col, float *z);

/* LeNet-5's conv2 forward: z[100][16] = im2col_hwc(x[14][14][6]) · wt[150][16] (5x5, valid);
 * the same contract, `col` [100][150] floats. */
void fmnist_lenet_conv2_fwd(int impl, const float *x, const float *wt, float *col, float *z);

/* fmnist_bias_relu_maxpool2_fwd on LeNet's two shapes, bit-identical to it on every path (the
 * AVX-512 one runs it 14 or 16 lanes at a time): conv1 z[6][28][28] channel-major -> [6][14][14],
 * conv2 z[10][10][16] channel-last -> [5][5][16]. */
void fmnist_lenet_pool1_fwd(int impl, const float *z, const float *bias, float *out, uint8_t *arg);
void fmnist_lenet_pool2_fwd(int impl, const float *z, const float *bias, float *out, uint8_t *arg);

/* Adjoint of fmnist_im2col_hwc: dx[H][W][C] = sum of dcol (dx is overwritten). */
void fmnist_col2im_hwc(const float *dcol, int H, int W, int C, int kh, int kw,
                       int pad, float *dx);

/* Adjoint of fmnist_im2col_chw (dx is overwritten). */
void fmnist_col2im_chw(const float *dcol, int C, int H, int W, int kh, int kw,
                       float *dx);

/* ---- fused bias + ReLU + 2x2 max-pool (stride 2) --------------------------
 * z: pre-activation without bias, channel-major [C][H][W] (hwc == 0) or
 * channel-last [H][W][C] (hwc != 0), H and W even. out and arg use the same
 * layout at half resolution: out = max(max4(z) + bias[c], 0) and arg = index
 * 0..3 (dy*2+dx) of the window maximum (the first one wins ties). */
void fmnist_bias_relu_maxpool2_fwd(const float *z, int hwc, int C, int H, int W,
                                   const float *bias, float *out, uint8_t *arg);

/* Backward of the above (dout, out, arg in the pooled layout): dz (overwritten,
 * every element) gets dout at the arg-max position where out > 0, zero
 * elsewhere; dbias[c] += the routed gradients (dbias may be NULL). */
void fmnist_bias_relu_maxpool2_bwd(const float *dout, const float *out,
                                   const uint8_t *arg, int hwc, int C, int H, int W,
                                   float *dz, float *dbias);

/* ---- fused conv + bias + ReLU + max-pool backward (sparse) ---------------
 * Given the pooled gradient dout and the forward's pooled out/arg, adds the
 * weight gradient to dw and the bias gradient to dbias, touching only the
 * arg-max positions with out > 0; equivalent to pool backward followed by the
 * dense conv backward. `impl` selects portable or AVX2 code (AVX2 also for
 * an AVX-512 request), except the LeNet-shaped entry points below, which
 * have AVX-512 kernels of their own. */

/* Channel-last, valid conv: x[H][W][C]; w, dw [Cout][kh*kw*C] (taps ky,kx,c);
 * dout/out/arg [(H-kh+1)/2][(W-kw+1)/2][Cout]; dx[H][W][C] overwritten with the
 * input gradient when not NULL. */
void fmnist_conv_pool_bwd_hwc(int impl, const float *x, int H, int W, int C, int kh, int kw,
                              const float *w, int Cout, const float *dout, const float *out,
                              const uint8_t *arg, float *dw, float *dbias, float *dx);

/* Channel-major, valid conv on an already padded x[C][H][W]; dw [Cout][C*kh*kw];
 * dout/out/arg [Cout][(H-kh+1)/2][(W-kw+1)/2]. No input gradient. */
void fmnist_conv_pool_bwd_chw(int impl, const float *x, int C, int H, int W, int kh, int kw,
                              int Cout, const float *dout, const float *out, const uint8_t *arg,
                              float *dw, float *dbias);

/* LeNet's two shapes, with kernel rows padded for unmasked vector access.
 * conv2: x[14][14][6]; wpad and dwpad [16][5][32] (rows of 30 taps (kx, c), lanes
 * 30..31 zero in wpad, junk in dwpad); pooled [5][5][16]; dx[14][14][6]
 * overwritten. conv1: xpad[32][32]; pooled [6][14][14]; dwpad [6][5][8] (5 taps
 * per row, lanes 5..7 junk). The AVX2 code reads up to 8 floats past x / xpad
 * and writes +0 up to 2 floats past dx: give those buffers 8 floats of slack. */
void fmnist_lenet_conv2_pool_bwd(int impl, const float *x, const float *wpad, const float *dout,
                                 const float *out, const uint8_t *arg, float *dwpad, float *dbias,
                                 float *dx);
void fmnist_lenet_conv1_pool_bwd(int impl, const float *xpad, const float *dout, const float *out,
                                 const uint8_t *arg, float *dwpad, float *dbias);

/* ---- dense-layer helpers -------------------------------------------------- */

/* y[rows x cols] += bias (per column); then max(.,0) if relu != 0. */
void fmnist_bias_act_fwd(float *y, int rows, int cols, const float *bias, int relu);

/* dy[rows x cols] *= (y > 0) if relu != 0; dbias[c] += column sums of dy. */
void fmnist_bias_act_bwd(float *dy, const float *y, int rows, int cols,
                         float *dbias, int relu);

/* Softmax cross-entropy over rows of `logits` (rows x classes). Returns the
 * summed loss (double); *correct += number of rows whose arg-max (first
 * maximum) equals the label; predicted[r] = arg-max when predicted != NULL.
 * When grad != NULL: grad = (softmax - onehot) * scale. */
double fmnist_softmax_xent(const float *logits, const uint8_t *labels, int rows,
                           int classes, float scale, float *grad,
                           int64_t *correct, uint8_t *predicted);

/* out = softmax of each row of `logits` (rows x classes), in double precision
 * like fmnist_softmax_xent, stored as float: each row sums to 1. */
void fmnist_softmax_rows(const float *logits, int rows, int classes, float *out);

/* ---- optimisers --------------------------------------------------------
 * The gradient is the ordered sum g = ((grads[0] + grads[1]) + ...) over
 * ngrads per-chunk buffers; the summation order is fixed and element-wise, so
 * results are bit-for-bit reproducible and independent of how callers split
 * the vector (p, v, m and every grads[t] may be offset to a slice). */

/* PyTorch SGD: v = momentum*v + g (v = g on the first step); p -= lr*v. */
void fmnist_sgd_momentum(float *p, float *v, const float *const *grads, int ngrads,
                         size_t n, float lr, float momentum, int first_step);

/* PyTorch Adam (no weight decay, no amsgrad); step starts at 1. */
void fmnist_adam(float *p, float *m, float *v, const float *const *grads, int ngrads,
                 size_t n, float lr, float beta1, float beta2, float eps, int64_t step);

/* counts[v] = number of bytes equal to v in data[0..n). */
void fmnist_histogram_u8(const uint8_t *data, size_t n, uint64_t counts[256]);

/* dst[cols x rows] = src[rows x cols]^T. */
void fmnist_transpose(const float *src, int rows, int cols, float *dst);

#ifdef __cplusplus
}
#endif
#endif
