// The rectified linear unit and its gradient, sixteen lanes at a time with a compare mask.
//
// relu(x) = x <= 0 ? 0 : x and its backward g where x > 0 (or x is NaN), else 0: PyTorch's rule,
// so NaN passes through both. Written as mask moves: with random signs a branch per value is
// mispredicted half the time (the scalar loop it replaces spent most of its time there).

#include "CSlope.h"

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f")))
static void relu_forward_avx512(const float *x, float *out, ptrdiff_t n) {
    const __m512 zero = _mm512_setzero_ps();
    ptrdiff_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512 v = _mm512_loadu_ps(x + i);
        _mm512_storeu_ps(out + i, _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, zero, _CMP_LE_OQ), zero));
    }
    if (i < n) {
        const __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
        const __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        _mm512_mask_storeu_ps(out + i, m, _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, zero, _CMP_LE_OQ), zero));
    }
}

__attribute__((target("avx512f")))
static void relu_backward_avx512(const float *gradient, const float *x, float *out, ptrdiff_t n) {
    const __m512 zero = _mm512_setzero_ps();
    ptrdiff_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __mmask16 pass = _mm512_cmp_ps_mask(_mm512_loadu_ps(x + i), zero, _CMP_NLE_UQ);
        _mm512_storeu_ps(out + i, _mm512_maskz_loadu_ps(pass, gradient + i));
    }
    if (i < n) {
        const __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
        const __mmask16 pass = _mm512_mask_cmp_ps_mask(m, _mm512_maskz_loadu_ps(m, x + i), zero, _CMP_NLE_UQ);
        _mm512_mask_storeu_ps(out + i, m, _mm512_maskz_loadu_ps(pass, gradient + i));
    }
}
#endif

static int has_avx512(void) {
#if defined(__x86_64__)
    static int cached = -1;
    if (cached < 0) cached = __builtin_cpu_supports("avx512f") ? 1 : 0;
    return cached;
#else
    return 0;
#endif
}

void slope_relu_forward(const float *x, float *out, ptrdiff_t n) {
#if defined(__x86_64__)
    if (has_avx512()) { relu_forward_avx512(x, out, n); return; }
#endif
    for (ptrdiff_t i = 0; i < n; i++) out[i] = x[i] <= 0 ? 0 : x[i];
}

void slope_relu_backward(const float *gradient, const float *x, float *out, ptrdiff_t n) {
#if defined(__x86_64__)
    if (has_avx512()) { relu_backward_avx512(gradient, x, out, n); return; }
#endif
    for (ptrdiff_t i = 0; i < n; i++) out[i] = x[i] <= 0 ? 0 : gradient[i];
}
