#ifndef FMNIST_CKERNELS_H
#define FMNIST_CKERNELS_H
#include <stddef.h>
/* Filled in by the training work: SIMD GEMM with runtime AVX2/FMA dispatch. */
int fmnist_kernels_has_avx2_fma(void);
#endif
