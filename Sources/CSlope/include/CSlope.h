#ifndef CSLOPE_H
#define CSLOPE_H

#include <stddef.h>

#include "slope_temporary_files.h"

/// Per-thread gradient recording switch used by `noGrad { }`.
/// Returns 1 when operations on this thread record a graph for backward.
int slope_grad_enabled(void);
/// Sets this thread's recording switch and returns the previous value.
int slope_set_grad_enabled(int enabled);

/// Built-in single-precision matrix product, row-major: C = alpha * op(A) * op(B) + beta * C.
/// op(X) is X, or its transpose when `transpose_x` is nonzero; op(A) is m x k, op(B) is k x n,
/// C is m x n; `ldx` is the row stride of the stored matrix. beta == 0 overwrites C (NaNs ignored).
void slope_sgemm(int transpose_a, int transpose_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, float alpha,
                 const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float beta, float *c,
                 ptrdiff_t ldc);
/// Instruction set of the micro-kernel `slope_sgemm` uses on this CPU, e.g. "AVX-512".
const char *slope_sgemm_kernel_name(void);
/// Threads `slope_sgemm` splits large products over (default: the online cores).
int slope_sgemm_threads(void);
/// Sets the thread count for `slope_sgemm`; values below 1 mean 1.
void slope_sgemm_set_threads(int threads);

/// Slope's version, e.g. "0.1.0", as Package.swift sets it.
const char *slope_version(void);

#endif
