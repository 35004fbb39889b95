// Max pooling of one plane with 2x2 windows at stride 2 and no padding, sixteen outputs at a time.
//
// Two rows of 32 inputs are split into their even and odd columns (one permute each), giving the
// four values of sixteen windows in four vectors; the maximum and the plane-local index of its
// first occurrence (row-major order: top-left, top-right, bottom-left, bottom-right) follow from
// three strict comparisons, so ties keep the earlier value as PyTorch does. A NaN anywhere in the
// plane makes the function return 0 without a result the caller may use; the caller then takes
// its general path, which follows PyTorch's NaN rule.

#include "CSlope.h"

#if defined(__x86_64__)
#include <immintrin.h>

/// Loads 2*count floats from `row` (count <= 16) and splits them into even and odd columns.
__attribute__((target("avx512f"), always_inline))
static inline void split_pairs(const float *row, ptrdiff_t count, __m512 *even, __m512 *odd) {
    const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odds = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    const ptrdiff_t values = 2 * count;
    const __mmask16 low = (__mmask16)(values >= 16 ? 0xFFFF : (1u << values) - 1);
    const __mmask16 high = (__mmask16)(values >= 32 ? 0xFFFF : values <= 16 ? 0 : (1u << (values - 16)) - 1);
    const __m512 a = _mm512_maskz_loadu_ps(low, row), b = _mm512_maskz_loadu_ps(high, row + 16);
    *even = _mm512_permutex2var_ps(a, evens, b);
    *odd = _mm512_permutex2var_ps(a, odds, b);
}

__attribute__((target("avx512f")))
static int max_pool_2x2_avx512(const float *source, float *out, int32_t *index, ptrdiff_t height, ptrdiff_t width) {
    const ptrdiff_t output_height = height / 2, output_width = width / 2;
    const __m512i lanes2 = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    __mmask16 nan = 0;
    for (ptrdiff_t row = 0; row < output_height; row++) {
        const float *top = source + 2 * row * width, *bottom = top + width;
        float *row_out = out + row * output_width;
        int32_t *row_index = index + row * output_width;
        for (ptrdiff_t column = 0; column < output_width; column += 16) {
            const ptrdiff_t count = output_width - column < 16 ? output_width - column : 16;
            const __mmask16 m = (__mmask16)(count == 16 ? 0xFFFF : (1u << count) - 1);
            __m512 v0, v1, v2, v3;
            split_pairs(top + 2 * column, count, &v0, &v1);
            split_pairs(bottom + 2 * column, count, &v2, &v3);
            nan |= _mm512_mask_cmp_ps_mask(m, v0, v1, _CMP_UNORD_Q) | _mm512_mask_cmp_ps_mask(m, v2, v3, _CMP_UNORD_Q);
            const __m512i base = _mm512_add_epi32(
                _mm512_set1_epi32((int32_t)(2 * row * width + 2 * column)), lanes2);
            __m512 value = v0;
            __m512i best = base;
            __mmask16 g = _mm512_cmp_ps_mask(v1, value, _CMP_GT_OQ);
            value = _mm512_mask_mov_ps(value, g, v1);
            best = _mm512_mask_add_epi32(best, g, base, _mm512_set1_epi32(1));
            g = _mm512_cmp_ps_mask(v2, value, _CMP_GT_OQ);
            value = _mm512_mask_mov_ps(value, g, v2);
            best = _mm512_mask_add_epi32(best, g, base, _mm512_set1_epi32((int32_t)width));
            g = _mm512_cmp_ps_mask(v3, value, _CMP_GT_OQ);
            value = _mm512_mask_mov_ps(value, g, v3);
            best = _mm512_mask_add_epi32(best, g, base, _mm512_set1_epi32((int32_t)width + 1));
            _mm512_mask_storeu_ps(row_out + column, m, value);
            _mm512_mask_storeu_epi32(row_index + column, m, best);
        }
    }
    return nan == 0;
}
#endif

int slope_max_pool_2x2(const float *source, float *out, int32_t *index, ptrdiff_t height, ptrdiff_t width) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f")) return max_pool_2x2_avx512(source, out, index, height, width);
#endif
    (void)source, (void)out, (void)index, (void)height, (void)width;
    return 0;
}

int slope_max_pool_2x2_supported(void) {
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx512f") ? 1 : 0;
#else
    return 0;
#endif
}
