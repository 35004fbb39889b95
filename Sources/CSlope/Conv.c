// Direct stride-1 convolution kernels (AVX-512), without a column matrix.
//
// The image is copied once into a zero-padded buffer whose rows are wide enough for whole
// 16-lane vectors, so every tap of the kernel is one unaligned load at a constant offset:
//
//   forward:       8 output channels x 2 row segments of 16 outputs per tile, 16 accumulators;
//                  for each input channel and tap, 2 loads feed 16 FMAs (weights broadcast)
//   weight grad:   3 output channels x 9 taps (3x3) per input channel, 27 accumulators over all
//                  positions of a chunk of images, reduced once; other kernels one row of taps
//                  for 4 output channels at a time
//   input grad:    the forward kernel on the output gradient, with the weights transposed and
//                  rotated by 180 degrees and padding dilation*(k-1) - padding
//
// Lanes past the end of a row compute on padding or on the next row's values and are never
// stored (forward) or are multiplied by a masked-out zero gradient (weight grad).

#include "CSlope.h"
#include "unrolled.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

enum { LANES = 16, BLOCK = 8, MAX_TAPS = 64 };

int slope_conv_direct_supported(void) {
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx512f") ? 1 : 0;
#else
    return 0;
#endif
}

/// Vectors per output row.
static ptrdiff_t row_vectors(const slope_conv_shape *s) { return (s->output_width + LANES - 1) / LANES; }
/// Rows and row stride of the padded image.
static ptrdiff_t padded_height(const slope_conv_shape *s) { return s->height + 2 * s->padding_height; }
static ptrdiff_t padded_width(const slope_conv_shape *s) {
    ptrdiff_t reach = row_vectors(s) * LANES + (s->kernel_width - 1) * s->dilation_width;
    ptrdiff_t plain = s->width + 2 * s->padding_width;
    return reach > plain ? reach : plain;
}

ptrdiff_t slope_conv_padded_size(const slope_conv_shape *s) {
    return s->channels * padded_height(s) * padded_width(s);
}

ptrdiff_t slope_conv_packed_weight_size(const slope_conv_shape *s) {
    ptrdiff_t blocks = (s->output_channels + BLOCK - 1) / BLOCK;
    return blocks * BLOCK * s->channels * s->kernel_height * s->kernel_width;
}

void slope_conv_pack_weights(const slope_conv_shape *s, const float *weight, int flipped, float *packed) {
    const ptrdiff_t C = s->channels, O = s->output_channels, kh = s->kernel_height, kw = s->kernel_width;
    const ptrdiff_t taps = kh * kw, blocks = (O + BLOCK - 1) / BLOCK;
    // packed[block][c][tap][q] = w(o = block*8 + q, c, tap), 0 past the last output channel.
    for (ptrdiff_t b = 0; b < blocks; b++)
        for (ptrdiff_t c = 0; c < C; c++)
            for (ptrdiff_t t = 0; t < taps; t++)
                for (ptrdiff_t q = 0; q < BLOCK; q++) {
                    ptrdiff_t o = b * BLOCK + q;
                    float value = 0;
                    if (o < O) {
                        if (flipped) // weight is [C_out_of_original = our C][O][kh][kw], rotated
                            value = weight[(c * O + o) * taps + (taps - 1 - t)];
                        else
                            value = weight[(o * C + c) * taps + t];
                    }
                    packed[((b * C + c) * taps + t) * BLOCK + q] = value;
                }
}

void slope_conv_pad(const slope_conv_shape *s, const float *images, ptrdiff_t count, float *padded) {
    const ptrdiff_t C = s->channels, H = s->height, W = s->width;
    const ptrdiff_t Hp = padded_height(s), Wp = padded_width(s), size = C * Hp * Wp;
    for (ptrdiff_t n = 0; n < count; n++) {
        float *dst = padded + n * size;
        const float *src = images + n * C * H * W;
        memset(dst, 0, (size_t)size * sizeof(float));
        for (ptrdiff_t c = 0; c < C; c++)
            for (ptrdiff_t y = 0; y < H; y++)
                memcpy(dst + (c * Hp + y + s->padding_height) * Wp + s->padding_width, src + (c * H + y) * W,
                       (size_t)W * sizeof(float));
    }
}

/// Offsets of the taps in the padded image, row-major over (i, j).
static void tap_offsets(const slope_conv_shape *s, ptrdiff_t *offsets) {
    const ptrdiff_t Wp = padded_width(s);
    for (ptrdiff_t i = 0; i < s->kernel_height; i++)
        for (ptrdiff_t j = 0; j < s->kernel_width; j++)
            offsets[i * s->kernel_width + j] = i * s->dilation_height * Wp + j * s->dilation_width;
}

#if defined(__x86_64__)

/// The lanes of an output-row vector that starting at column x0 holds outputs.
__attribute__((target("avx512f"), always_inline))
static inline __mmask16 row_mask(ptrdiff_t width, ptrdiff_t x0) {
    ptrdiff_t valid = width - x0;
    return (__mmask16)(valid >= LANES ? 0xFFFF : (1u << valid) - 1);
}

__attribute__((target("avx512f")))
static void forward_avx512(const slope_conv_shape *s, const float *padded, const float *packed,
                           const float *bias, float *output) {
    const ptrdiff_t C = s->channels, O = s->output_channels, taps = s->kernel_height * s->kernel_width;
    const ptrdiff_t Ho = s->output_height, Wo = s->output_width, vectors = row_vectors(s);
    const ptrdiff_t plane = padded_height(s) * padded_width(s), Wp = padded_width(s);
    const ptrdiff_t segments = Ho * vectors, blocks = (O + BLOCK - 1) / BLOCK;
    ptrdiff_t offsets[MAX_TAPS];
    tap_offsets(s, offsets);
    for (ptrdiff_t b = 0; b < blocks; b++) {
        const float *wb = packed + b * C * taps * BLOCK;
        const ptrdiff_t count = O - b * BLOCK < BLOCK ? O - b * BLOCK : BLOCK;
        for (ptrdiff_t seg = 0; seg < segments; seg += 2) {
            const ptrdiff_t y0 = seg / vectors, x0 = (seg % vectors) * LANES;
            const int two = seg + 1 < segments;
            const ptrdiff_t y1 = two ? (seg + 1) / vectors : y0, x1 = two ? ((seg + 1) % vectors) * LANES : x0;
            const ptrdiff_t base0 = y0 * Wp + x0, base1 = y1 * Wp + x1;
            __m512 acc[BLOCK][2];
            UNROLLED
            for (int q = 0; q < BLOCK; q++) acc[q][0] = acc[q][1] = _mm512_setzero_ps();
            for (ptrdiff_t c = 0; c < C; c++) {
                const float *pc = padded + c * plane;
                const float *wc = wb + c * taps * BLOCK;
                for (ptrdiff_t t = 0; t < taps; t++) {
                    const __m512 v0 = _mm512_loadu_ps(pc + base0 + offsets[t]);
                    const __m512 v1 = _mm512_loadu_ps(pc + base1 + offsets[t]);
                    const float *wt = wc + t * BLOCK;
                    UNROLLED
                    for (int q = 0; q < BLOCK; q++) {
                        const __m512 w = _mm512_set1_ps(wt[q]);
                        acc[q][0] = _mm512_fmadd_ps(w, v0, acc[q][0]);
                        acc[q][1] = _mm512_fmadd_ps(w, v1, acc[q][1]);
                    }
                }
            }
            const __mmask16 m0 = row_mask(Wo, x0), m1 = two ? row_mask(Wo, x1) : 0;
            UNROLLED
            for (int q = 0; q < BLOCK; q++) {
                if (q >= count) break;
                const ptrdiff_t o = b * BLOCK + q;
                const __m512 shift = _mm512_set1_ps(bias ? bias[o] : 0.0f);
                float *out = output + o * Ho * Wo;
                _mm512_mask_storeu_ps(out + y0 * Wo + x0, m0, _mm512_add_ps(acc[q][0], shift));
                if (two) _mm512_mask_storeu_ps(out + y1 * Wo + x1, m1, _mm512_add_ps(acc[q][1], shift));
            }
        }
    }
}

/// Weight gradient of kernel row i, one tap at a time (kernels wider than 3).
__attribute__((target("avx512f")))
static void one_tap_at_a_time(const slope_conv_shape *s, const float *padded, const float *gradient,
                              ptrdiff_t images, ptrdiff_t o, ptrdiff_t count, ptrdiff_t c, ptrdiff_t i,
                              float *weight_grad) {
    const ptrdiff_t C = s->channels, O = s->output_channels, kh = s->kernel_height, kw = s->kernel_width;
    const ptrdiff_t Ho = s->output_height, Wo = s->output_width, vectors = row_vectors(s), area = Ho * Wo;
    const ptrdiff_t Wp = padded_width(s), plane = padded_height(s) * Wp, image = C * plane;
    for (ptrdiff_t q = 0; q < count; q++)
        for (ptrdiff_t j = 0; j < kw; j++) {
            __m512 acc = _mm512_setzero_ps();
            for (ptrdiff_t n = 0; n < images; n++) {
                const float *pc = padded + n * image + c * plane + i * s->dilation_height * Wp + j * s->dilation_width;
                const float *g = gradient + (n * O + o + q) * area;
                for (ptrdiff_t y = 0; y < Ho; y++)
                    for (ptrdiff_t v = 0; v < vectors; v++) {
                        const __mmask16 m = row_mask(Wo, v * LANES);
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, g + y * Wo + v * LANES),
                                              _mm512_loadu_ps(pc + y * Wp + v * LANES), acc);
                    }
            }
            weight_grad[(((o + q) * C + c) * kh + i) * kw + j] += _mm512_reduce_add_ps(acc);
        }
}

/// Weight gradient of one kernel row i for 4 output channels (o..o+3, `count` of them real) and
/// one input channel c, KW taps along the row (KW is a constant at every call, so the 4 x KW
/// accumulators stay in registers).
__attribute__((target("avx512f"), always_inline))
static inline void weight_grad_row(const slope_conv_shape *s, const float *padded, const float *gradient,
                                   ptrdiff_t images, ptrdiff_t o, ptrdiff_t count, ptrdiff_t c, ptrdiff_t i,
                                   float *weight_grad, const int KW) {
    const ptrdiff_t C = s->channels, O = s->output_channels, kh = s->kernel_height, dw = s->dilation_width;
    const ptrdiff_t Ho = s->output_height, Wo = s->output_width, vectors = row_vectors(s), area = Ho * Wo;
    const ptrdiff_t Wp = padded_width(s), plane = padded_height(s) * Wp, image = C * plane;
    __m512 acc[4][3];
    UNROLLED
    for (int q = 0; q < 4; q++)
        UNROLLED
        for (int j = 0; j < KW; j++) acc[q][j] = _mm512_setzero_ps();
    // Missing channels (past O) read channel o through an all-zero mask: no branch in the loop.
    __mmask16 keep[4];
    ptrdiff_t shift[4];
    UNROLLED
    for (int q = 0; q < 4; q++) {
        keep[q] = q < count ? 0xFFFF : 0;
        shift[q] = q < count ? q * area : 0;
    }
    const __mmask16 last = row_mask(Wo, (vectors - 1) * LANES);
    for (ptrdiff_t n = 0; n < images; n++) {
        const float *pc = padded + n * image + c * plane + i * s->dilation_height * Wp;
        const float *g = gradient + (n * O + o) * area;
        for (ptrdiff_t y = 0; y < Ho; y++)
            for (ptrdiff_t v = 0; v < vectors; v++) {
                const __mmask16 m = v + 1 < vectors ? (__mmask16)0xFFFF : last;
                const float *gy = g + y * Wo + v * LANES, *r = pc + y * Wp + v * LANES;
                __m512 a[4];
                UNROLLED
                for (int q = 0; q < 4; q++) a[q] = _mm512_maskz_loadu_ps(m & keep[q], gy + shift[q]);
                UNROLLED
                for (int j = 0; j < KW; j++) {
                    const __m512 in = _mm512_loadu_ps(r + j * dw);
                    UNROLLED
                    for (int q = 0; q < 4; q++) acc[q][j] = _mm512_fmadd_ps(a[q], in, acc[q][j]);
                }
            }
    }
    UNROLLED
    for (int q = 0; q < 4; q++) {
        if (q >= count) break;
        float *row = weight_grad + (((o + q) * C + c) * kh + i) * KW;
        UNROLLED
        for (int j = 0; j < KW; j++) row[j] += _mm512_reduce_add_ps(acc[q][j]);
    }
}

/// Weight gradient of a whole 3x3 kernel for 3 output channels (o..o+2, `count` of them real)
/// and one input channel c: 27 accumulators, and per 16 positions 3 gradient loads and 9 input
/// loads (3 rows x 3 shifts) feed 27 FMAs (the row kernel above: 7 loads per 12 FMAs, and three
/// passes over the gradient instead of one).
__attribute__((target("avx512f")))
static void weight_grad_3x3(const slope_conv_shape *s, const float *padded, const float *gradient,
                            ptrdiff_t images, ptrdiff_t o, ptrdiff_t count, ptrdiff_t c, float *weight_grad) {
    enum { Q = 3 };
    const ptrdiff_t C = s->channels, O = s->output_channels, dw = s->dilation_width;
    const ptrdiff_t Ho = s->output_height, Wo = s->output_width, vectors = row_vectors(s), area = Ho * Wo;
    const ptrdiff_t Wp = padded_width(s), plane = padded_height(s) * Wp, image = C * plane;
    const ptrdiff_t rowStep = s->dilation_height * Wp;
    __m512 acc[Q][9];
    UNROLLED
    for (int q = 0; q < Q; q++)
        UNROLLED
        for (int t = 0; t < 9; t++) acc[q][t] = _mm512_setzero_ps();
    __mmask16 keep[Q];
    ptrdiff_t shift[Q];
    UNROLLED
    for (int q = 0; q < Q; q++) {
        keep[q] = q < count ? 0xFFFF : 0;
        shift[q] = q < count ? q * area : 0;
    }
    const __mmask16 last = row_mask(Wo, (vectors - 1) * LANES);
    for (ptrdiff_t n = 0; n < images; n++) {
        const float *pc = padded + n * image + c * plane;
        const float *g = gradient + (n * O + o) * area;
        for (ptrdiff_t y = 0; y < Ho; y++)
            for (ptrdiff_t v = 0; v < vectors; v++) {
                const __mmask16 m = v + 1 < vectors ? (__mmask16)0xFFFF : last;
                const float *gy = g + y * Wo + v * LANES, *r = pc + y * Wp + v * LANES;
                __m512 a[Q];
                UNROLLED
                for (int q = 0; q < Q; q++) a[q] = _mm512_maskz_loadu_ps(m & keep[q], gy + shift[q]);
                UNROLLED
                for (int t = 0; t < 9; t++) {
                    const __m512 in = _mm512_loadu_ps(r + (t / 3) * rowStep + (t % 3) * dw);
                    UNROLLED
                    for (int q = 0; q < Q; q++) acc[q][t] = _mm512_fmadd_ps(a[q], in, acc[q][t]);
                }
            }
    }
    UNROLLED
    for (int q = 0; q < Q; q++) {
        if (q >= count) break;
        float *kernel = weight_grad + ((o + q) * C + c) * 9;
        UNROLLED
        for (int t = 0; t < 9; t++) kernel[t] += _mm512_reduce_add_ps(acc[q][t]);
    }
}

__attribute__((target("avx512f")))
static void weight_grad_avx512(const slope_conv_shape *s, const float *padded, const float *gradient,
                               ptrdiff_t images, float *weight_grad, float *bias_grad) {
    const ptrdiff_t C = s->channels, O = s->output_channels;
    const ptrdiff_t Ho = s->output_height, Wo = s->output_width;
    const ptrdiff_t kh = s->kernel_height, kw = s->kernel_width;
    if (kh == 3 && kw == 3) {
        for (ptrdiff_t o = 0; o < O; o += 3)
            for (ptrdiff_t c = 0; c < C; c++)
                weight_grad_3x3(s, padded, gradient, images, o, O - o < 3 ? O - o : 3, c, weight_grad);
    } else
    for (ptrdiff_t o = 0; o < O; o += 4) {
        const ptrdiff_t count = O - o < 4 ? O - o : 4;
        for (ptrdiff_t c = 0; c < C; c++)
            for (ptrdiff_t i = 0; i < kh; i++) {
                if (kw == 3) weight_grad_row(s, padded, gradient, images, o, count, c, i, weight_grad, 3);
                else if (kw == 2) weight_grad_row(s, padded, gradient, images, o, count, c, i, weight_grad, 2);
                else if (kw == 1) weight_grad_row(s, padded, gradient, images, o, count, c, i, weight_grad, 1);
                else one_tap_at_a_time(s, padded, gradient, images, o, count, c, i, weight_grad);
            }
    }
    if (bias_grad) {
        const ptrdiff_t area = Ho * Wo;
        for (ptrdiff_t o = 0; o < O; o++) {
            __m512 sum = _mm512_setzero_ps();
            for (ptrdiff_t n = 0; n < images; n++) {
                const float *g = gradient + (n * O + o) * area;
                ptrdiff_t p = 0;
                for (; p + LANES <= area; p += LANES) sum = _mm512_add_ps(sum, _mm512_loadu_ps(g + p));
                if (p < area) sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps((__mmask16)((1u << (area - p)) - 1), g + p));
            }
            bias_grad[o] += _mm512_reduce_add_ps(sum);
        }
    }
}

#endif

void slope_conv_forward(const slope_conv_shape *s, const float *padded, const float *packed, const float *bias,
                        float *output) {
#if defined(__x86_64__)
    forward_avx512(s, padded, packed, bias, output);
#else
    (void)s, (void)padded, (void)packed, (void)bias, (void)output;
#endif
}

void slope_conv_weight_grad(const slope_conv_shape *s, const float *padded, const float *gradient, ptrdiff_t count,
                            float *weight_grad, float *bias_grad) {
#if defined(__x86_64__)
    weight_grad_avx512(s, padded, gradient, count, weight_grad, bias_grad);
#else
    (void)s, (void)padded, (void)gradient, (void)count, (void)weight_grad, (void)bias_grad;
#endif
}
