#ifndef CSLOPE_H
#define CSLOPE_H

#include <stddef.h>
#include <stdint.h>

#include "slope_temporary_files.h"
#include "slope_drain.h"

/// Per-thread gradient recording switch used by `noGrad { }`.
/// Returns 1 when operations on this thread record a graph for backward.
int slope_grad_enabled(void);
/// Sets this thread's recording switch and returns the previous value.
int slope_set_grad_enabled(int enabled);

/// The training-step capture running on this thread (an opaque object), or NULL.
void *slope_capture_session(void);
/// Sets this thread's running capture (NULL when none).
void slope_set_capture_session(void *session);

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

/// The geometry of a stride-1 convolution of one [channels, height, width] image into
/// [outputChannels, outputHeight, outputWidth] (see Conv.c).
typedef struct {
    ptrdiff_t channels, height, width, output_channels;
    ptrdiff_t kernel_height, kernel_width, padding_height, padding_width;
    ptrdiff_t dilation_height, dilation_width, output_height, output_width;
} slope_conv_shape;

/// Whether this CPU runs the direct convolution kernels (AVX-512).
int slope_conv_direct_supported(void);
/// Floats of the zero-padded copy of one image `slope_conv_pad` writes.
ptrdiff_t slope_conv_padded_size(const slope_conv_shape *shape);
/// Floats of the packed weights `slope_conv_pack_weights` writes.
ptrdiff_t slope_conv_packed_weight_size(const slope_conv_shape *shape);
/// Packs weights [output_channels, channels, kH, kW] for `slope_conv_forward`; with `flipped`,
/// `weight` is [channels, output_channels, kH, kW] and is used transposed and rotated by 180
/// degrees (the input gradient of a convolution is this convolution of the output gradient).
void slope_conv_pack_weights(const slope_conv_shape *shape, const float *weight, int flipped, float *packed);
/// Copies `count` images into `padded` (one `slope_conv_padded_size` block each), zero-padded.
void slope_conv_pad(const slope_conv_shape *shape, const float *images, ptrdiff_t count, float *padded);
/// output[o] = bias[o] + sum over c, i, j of w[o, c, i, j] * image[c, y + i*dh - ph, x + j*dw - pw]
/// for one padded image; bias may be NULL.
void slope_conv_forward(const slope_conv_shape *shape, const float *padded, const float *packed,
                        const float *bias, float *output);
/// Adds sum over `count` images of gradient[n, o, y, x] * image[n, c, y + i*dh - ph, x + j*dw - pw]
/// into weight_grad[o, c, i, j] (`padded` holds the images from `slope_conv_pad`), and the sums
/// of gradient[n, o] into bias_grad[o] when it is not NULL.
void slope_conv_weight_grad(const slope_conv_shape *shape, const float *padded, const float *gradient,
                            ptrdiff_t count, float *weight_grad, float *bias_grad);

/// out[i] = x[i] <= 0 ? 0 : x[i] (NaN passes), for n values (Activation.c).
void slope_relu_forward(const float *x, float *out, ptrdiff_t n);
/// out[i] = x[i] <= 0 ? 0 : gradient[i] (a NaN input passes its gradient), for n values.
void slope_relu_backward(const float *gradient, const float *x, float *out, ptrdiff_t n);

/// Whether `slope_max_pool_2x2` has a kernel on this CPU (AVX-512).
int slope_max_pool_2x2_supported(void);
/// 2x2, stride-2 max pooling of one [height, width] plane into [height/2, width/2] values and the
/// plane-local index of each window's first maximum (MaxPool.c). Returns 0 when the plane holds a
/// NaN or no kernel runs on this CPU: then `out` and `index` are not a result.
int slope_max_pool_2x2(const float *source, float *out, int32_t *index, ptrdiff_t height, ptrdiff_t width);

/// Whether malloc keeps freed blocks for reuse (set at load on glibc unless SLOPE_MALLOC_DEFAULTS=1;
/// FreedMemory.c).
int slope_keeps_freed_memory(void);

/// Slope's version, e.g. "0.1.0", as Package.swift sets it.
const char *slope_version(void);

#endif
