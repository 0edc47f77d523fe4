#ifndef FMNIST_GEMM_INTERNAL_H
#define FMNIST_GEMM_INTERNAL_H
#include <stddef.h>

void fmnist_sgemm_portable(int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa,
                           const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc, int accumulate);
void fmnist_sgemm_nt_portable(int M, int N, int K, const float *A, ptrdiff_t lda,
                              const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc,
                              int accumulate);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FMNIST_HAVE_AVX2_PATH 1
void fmnist_sgemm_avx2(int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa,
                       const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc, int accumulate);
void fmnist_sgemm_nt_avx2(int M, int N, int K, const float *A, ptrdiff_t lda,
                          const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc,
                          int accumulate);
/* AVX-512 (F, VL, DQ, BW): gemm_avx512.c. */
#define FMNIST_HAVE_AVX512_PATH 1
void fmnist_sgemm_avx512(int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa,
                         const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc, int accumulate);
void fmnist_sgemm_nt_avx512(int M, int N, int K, const float *A, ptrdiff_t lda,
                            const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc,
                            int accumulate);
#endif
#endif
