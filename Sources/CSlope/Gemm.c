// Built-in single-precision matrix product, row-major: C = alpha * op(A) * op(B) + beta * C.
//
// The fallback when no BLAS library loads, and the fast path for tiny and matrix-vector products.
// It follows the BLIS/GotoBLAS layout:
//
//   for each NC-wide column block of C                                  (jc loop)
//     for each KC-deep slice of the shared dimension                    (pc loop)
//       pack op(B)[pc:pc+KC, jc:jc+NC] into NR-wide panels (stays in L2)
//       for each MR-tall row panel of C                                 (ir loop)
//         pack op(A)[ir:ir+MR, pc:pc+KC] into one MR-tall panel (stays in L1)
//         for each NR-wide column panel                                 (jr loop)
//           micro-kernel: MR x NR tile of C += A panel * B panel (accumulators in registers)
//
// Packing makes every transpose and stride look the same to the micro-kernel, and zero-pads
// ragged edges so the micro-kernel always computes a full tile. The micro-kernel and packers are
// chosen per call from the CPU's instruction sets (AVX-512, AVX2+FMA, or portable C), so one binary
// runs anywhere. Large products are split over threads by rows or columns of C, each thread
// packing its own panels (no synchronisation besides the final join).

#include "CSlope.h"
#include "unrolled.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// MARK: - Tuning constants (measured on AMD Zen 5: 48 KiB L1, 1 MiB L2 per core)

/// Depth of one packed slice: a 12 x 256 A panel (12 KiB) stays in L1 while B panels stream by.
enum { KC = 256 };
/// Width of one packed B block: 256 x 512 floats = 512 KiB, half of a typical 1 MiB L2.
enum { NC = 512 };
/// Products with m*n*k at most this use the unpacked loops (faster only for a few dozen FMAs).
enum { SMALL_WORK = 64 };
/// Products with m*n*k below this (about 290^3) run on one thread: starting a thread and waking
/// an idle core costs 20-40 us (more under load), which two threads reliably win back from ~320^3.
#define THREAD_MIN_WORK (24L << 20)

// MARK: - Micro-kernels

/// Computes an MR x NR tile: C[0:mr, 0:nr] = alpha * (pa * pb) + beta * C (beta == 0 ignores C).
/// `pa` is kc columns of MR floats (the packed A panel), `pb` is kc rows of NR floats.
typedef void (*micro_kernel)(ptrdiff_t kc, const float *restrict pa, const float *restrict pb,
                             float *restrict c, ptrdiff_t ldc, float alpha, float beta, int mr, int nr);

/// Writes a full-size tile held in `t` (row stride `nt`) to the ragged mr x nr corner of C.
static void store_partial(const float *t, int nt, float *c, ptrdiff_t ldc, float alpha, float beta,
                          int mr, int nr) {
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++)
            c[i * ldc + j] = alpha * t[i * nt + j] + (beta == 0 ? 0 : beta * c[i * ldc + j]);
}

#if defined(__x86_64__)

/// AVX-512 body for a 12 x (16 * NV) tile: NV = 2 gives 24 zmm accumulators; NV = 1 serves
/// tiles at most 16 wide (narrow products, right edges) at half the cost.
__attribute__((target("avx512f"), always_inline))
static inline void avx512_tile(ptrdiff_t kc, const float *restrict pa, const float *restrict pb,
                               float *restrict c, ptrdiff_t ldc, float alpha, float beta, int mr,
                               int nr, const int NV) {
    enum { MR = 12, NR = 32 }; // packed B rows are NR wide whatever NV is
    __m512 acc[MR][2];
    UNROLLED
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    for (ptrdiff_t p = 0; p < kc; p++, pa += MR, pb += NR) {
        __m512 b[2] = {_mm512_loadu_ps(pb), NV == 2 ? _mm512_loadu_ps(pb + 16) : _mm512_setzero_ps()};
        UNROLLED
        for (int i = 0; i < MR; i++) {
            __m512 ai = _mm512_set1_ps(pa[i]);
            UNROLLED
            for (int h = 0; h < NV; h++) acc[i][h] = _mm512_fmadd_ps(ai, b[h], acc[i][h]);
        }
    }
    // Masked loads and stores write just the mr x nr corner, so edge tiles cost no extra pass.
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    __mmask16 mask[2] = {(__mmask16)(nr >= 16 ? 0xFFFF : (1u << nr) - 1),
                         (__mmask16)(nr >= 32 ? 0xFFFF : nr <= 16 ? 0 : (1u << (nr - 16)) - 1)};
    UNROLLED
    for (int i = 0; i < MR; i++) // constant trip counts: unrolled, so acc stays in registers
        UNROLLED
        for (int h = 0; h < NV; h++) {
            if (i >= mr) break;
            float *ci = c + i * ldc + 16 * h;
            __m512 r = _mm512_mul_ps(va, acc[i][h]);
            if (beta != 0) r = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(mask[h], ci), r);
            _mm512_mask_storeu_ps(ci, mask[h], r);
        }
}

/// AVX-512: 12 x 32 tile in 24 zmm accumulators, B row in 2 zmm, A broadcast from memory.
__attribute__((target("avx512f")))
static void kernel_avx512(ptrdiff_t kc, const float *restrict pa, const float *restrict pb,
                          float *restrict c, ptrdiff_t ldc, float alpha, float beta, int mr, int nr) {
    if (nr <= 16) avx512_tile(kc, pa, pb, c, ldc, alpha, beta, mr, nr, 1);
    else avx512_tile(kc, pa, pb, c, ldc, alpha, beta, mr, nr, 2);
}

/// AVX2+FMA: 6 x 16 tile in 12 ymm accumulators (16 ymm registers in all).
__attribute__((target("avx2,fma")))
static void kernel_avx2(ptrdiff_t kc, const float *restrict pa, const float *restrict pb,
                        float *restrict c, ptrdiff_t ldc, float alpha, float beta, int mr, int nr) {
    enum { MR = 6, NR = 16 };
    __m256 acc[MR][2];
    UNROLLED
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
    for (ptrdiff_t p = 0; p < kc; p++, pa += MR, pb += NR) {
        __m256 b0 = _mm256_loadu_ps(pb), b1 = _mm256_loadu_ps(pb + 8);
        UNROLLED
        for (int i = 0; i < MR; i++) {
            __m256 ai = _mm256_broadcast_ss(pa + i);
            acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
        }
    }
    __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    if (mr == MR && nr == NR) {
        UNROLLED
        for (int i = 0; i < MR; i++)
            UNROLLED
            for (int h = 0; h < 2; h++) {
                float *ci = c + i * ldc + 8 * h;
                __m256 r = _mm256_mul_ps(va, acc[i][h]);
                if (beta != 0) r = _mm256_fmadd_ps(vb, _mm256_loadu_ps(ci), r);
                _mm256_storeu_ps(ci, r);
            }
    } else {
        float t[MR * NR];
        UNROLLED
        for (int i = 0; i < MR; i++)
            UNROLLED
            for (int h = 0; h < 2; h++) _mm256_storeu_ps(t + i * NR + 8 * h, acc[i][h]);
        store_partial(t, NR, c, ldc, alpha, beta, mr, nr);
    }
}

#endif

/// Portable C: 4 x 8 tile; the compiler vectorises the j loops for the baseline instruction set.
static void kernel_generic(ptrdiff_t kc, const float *restrict pa, const float *restrict pb,
                           float *restrict c, ptrdiff_t ldc, float alpha, float beta, int mr, int nr) {
    enum { MR = 4, NR = 8 };
    float acc[MR][NR] = {{0}};
    for (ptrdiff_t p = 0; p < kc; p++, pa += MR, pb += NR)
        for (int i = 0; i < MR; i++)
            for (int j = 0; j < NR; j++) acc[i][j] += pa[i] * pb[j];
    store_partial(&acc[0][0], NR, c, ldc, alpha, beta, mr, nr);
}

// MARK: - Transposing packers (AVX-512)

/// Packing a row-major A panel, or a B panel stored transposed, is a transpose: these do it
/// 16 x 16 at a time in registers, about 3x faster than element-by-element copies.
typedef void (*panel_packer)(const float *src, ptrdiff_t ld, ptrdiff_t kc, int count, float *dst);

#if defined(__x86_64__)

/// Transposes the 16 x 16 block held in r[0..15] (r[i] = row i) in place: 64 shuffles.
__attribute__((target("avx512f"), always_inline))
static inline void transpose16(__m512 r[16]) {
    __m512 t[16];
    UNROLLED
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    UNROLLED
    for (int i = 0; i < 16; i += 4)
        UNROLLED
        for (int h = 0; h < 2; h++) {
            __m512d x = _mm512_castps_pd(t[i + h]), y = _mm512_castps_pd(t[i + h + 2]);
            r[i + 2 * h] = _mm512_castpd_ps(_mm512_unpacklo_pd(x, y));
            r[i + 2 * h + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(x, y));
        }
    UNROLLED
    for (int i = 0; i < 4; i++) {
        t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);
        t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xDD);
        t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
        t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xDD);
    }
    UNROLLED
    for (int i = 0; i < 8; i++) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
        r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
    }
}

/// Packs `rows` (<= 16) rows of src (stride ld), columns 0..<kc, as kc groups of `width` floats
/// of which the first `lanes` are written: dst[p * width + i] = src[i * ld + p], or 0 for i >= rows.
__attribute__((target("avx512f"), always_inline))
static inline void pack_transposed(const float *src, ptrdiff_t ld, ptrdiff_t kc, float *dst, int rows,
                                   const int width, const int lanes) {
    const __mmask16 keep = (__mmask16)((1u << lanes) - 1);
    ptrdiff_t p = 0;
    for (; p + 16 <= kc; p += 16) {
        __m512 r[16];
        UNROLLED
        for (int i = 0; i < 16; i++) r[i] = i < rows ? _mm512_loadu_ps(src + i * ld + p) : _mm512_setzero_ps();
        transpose16(r);
        UNROLLED
        for (int q = 0; q < 16; q++) _mm512_mask_storeu_ps(dst + (p + q) * width, keep, r[q]);
    }
    for (; p < kc; p++)
        UNROLLED
        for (int i = 0; i < lanes; i++) dst[p * width + i] = i < rows ? src[i * ld + p] : 0;
}

/// An A panel from `count` (<= 12) rows of a row-major A, zero-padded to 12.
__attribute__((target("avx512f")))
static void pack_a_avx512(const float *a, ptrdiff_t lda, ptrdiff_t kc, int count, float *dst) {
    pack_transposed(a, lda, kc, dst, count, 12, 12);
}

/// A B panel from `count` (<= 32) columns of op(B) = B^T (rows of the stored B), zero-padded to 32.
__attribute__((target("avx512f")))
static void pack_b_avx512(const float *b, ptrdiff_t ldb, ptrdiff_t kc, int count, float *dst) {
    pack_transposed(b, ldb, kc, dst, count < 16 ? count : 16, 32, 16);
    pack_transposed(count > 16 ? b + 16 * ldb : b, ldb, kc, dst + 16, count > 16 ? count - 16 : 0, 32, 16);
}

#endif

// MARK: - Kernel selection

typedef struct {
    int mr, nr;
    micro_kernel run;
    panel_packer pack_a_rows; ///< A panel of a row-major A, or NULL for the portable loop
    panel_packer pack_b_rows; ///< B panel of a transposed B, or NULL for the portable loop
    const char *name;
} kernel_info;

/// The best micro-kernel this CPU (and OS, for the wide registers' state) supports.
static kernel_info select_kernel(void) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f"))
        return (kernel_info){12, 32, kernel_avx512, pack_a_avx512, pack_b_avx512, "AVX-512"};
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return (kernel_info){6, 16, kernel_avx2, NULL, NULL, "AVX2+FMA"};
#endif
    return (kernel_info){4, 8, kernel_generic, NULL, NULL, "generic C"};
}

const char *slope_sgemm_kernel_name(void) { return select_kernel().name; }

// MARK: - Threads

/// Threads for large products; 0 means "not chosen yet": use the online cores.
static atomic_int gemm_threads = 0;

int slope_sgemm_threads(void) {
    int threads = atomic_load_explicit(&gemm_threads, memory_order_relaxed);
    if (threads > 0) return threads;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? (int)cores : 1;
}

void slope_sgemm_set_threads(int threads) {
    atomic_store_explicit(&gemm_threads, threads < 1 ? 1 : threads, memory_order_relaxed);
}

// MARK: - Packed product

/// One product (or one thread's rows/columns of it) plus the packing space it may use.
typedef struct {
    kernel_info kernel;
    int transpose_a, transpose_b;
    ptrdiff_t m, n, k;
    float alpha, beta;
    const float *a, *b;
    float *c;
    ptrdiff_t lda, ldb, ldc;
    float *packed_a, *packed_b; ///< this task's packing space: one A panel, one B block
} gemm_task;

/// Packs op(A)[i0:i0+mr, p0:p0+kc] as kc columns of MR floats, zero-padding rows mr..<MR.
static void pack_a(const gemm_task *t, ptrdiff_t i0, ptrdiff_t p0, int mr, ptrdiff_t kc, float *dst) {
    const int MR = t->kernel.mr;
    if (!t->transpose_a) {
        const float *src = t->a + i0 * t->lda + p0;
        if (t->kernel.pack_a_rows) {
            t->kernel.pack_a_rows(src, t->lda, kc, mr, dst);
            return;
        }
        for (int r = 0; r < mr; r++)
            for (ptrdiff_t p = 0; p < kc; p++) dst[p * MR + r] = src[r * t->lda + p];
    } else {
        for (ptrdiff_t p = 0; p < kc; p++) {
            const float *src = t->a + (p0 + p) * t->lda + i0;
            for (int r = 0; r < mr; r++) dst[p * MR + r] = src[r];
        }
    }
    if (mr < MR)
        for (ptrdiff_t p = 0; p < kc; p++)
            for (int r = mr; r < MR; r++) dst[p * MR + r] = 0;
}

/// Packs op(B)[p0:p0+kc, j0:j0+nc] as NR-wide panels of kc rows, zero-padding the last panel.
static void pack_b(const gemm_task *t, ptrdiff_t p0, ptrdiff_t j0, ptrdiff_t kc, ptrdiff_t nc, float *dst) {
    const int NR = t->kernel.nr;
    for (ptrdiff_t jp = 0; jp < nc; jp += NR, dst += kc * NR) {
        int nr = nc - jp < NR ? (int)(nc - jp) : NR;
        if (!t->transpose_b) {
            for (ptrdiff_t p = 0; p < kc; p++) {
                const float *src = t->b + (p0 + p) * t->ldb + j0 + jp;
                memcpy(dst + p * NR, src, (size_t)nr * sizeof(float));
                for (int j = nr; j < NR; j++) dst[p * NR + j] = 0;
            }
        } else {
            const float *src = t->b + (j0 + jp) * t->ldb + p0;
            if (t->kernel.pack_b_rows) {
                t->kernel.pack_b_rows(src, t->ldb, kc, nr, dst);
                continue;
            }
            for (int j = 0; j < nr; j++)
                for (ptrdiff_t p = 0; p < kc; p++) dst[p * NR + j] = src[j * t->ldb + p];
            for (ptrdiff_t p = 0; p < kc; p++)
                for (int j = nr; j < NR; j++) dst[p * NR + j] = 0;
        }
    }
}

/// Runs the blocked loops of the file comment over the whole task.
static void packed_gemm(const gemm_task *t) {
    const int MR = t->kernel.mr, NR = t->kernel.nr;
    for (ptrdiff_t jc = 0; jc < t->n; jc += NC) {
        ptrdiff_t nc = t->n - jc < NC ? t->n - jc : NC;
        for (ptrdiff_t pc = 0; pc < t->k; pc += KC) {
            ptrdiff_t kc = t->k - pc < KC ? t->k - pc : KC;
            float beta = pc == 0 ? t->beta : 1; // later slices accumulate onto the first
            pack_b(t, pc, jc, kc, nc, t->packed_b);
            for (ptrdiff_t ir = 0; ir < t->m; ir += MR) {
                int mr = t->m - ir < MR ? (int)(t->m - ir) : MR;
                pack_a(t, ir, pc, mr, kc, t->packed_a);
                for (ptrdiff_t jr = 0; jr < nc; jr += NR) {
                    int nr = nc - jr < NR ? (int)(nc - jr) : NR;
                    t->kernel.run(kc, t->packed_a, t->packed_b + jr * kc,
                                  t->c + ir * t->ldc + jc + jr, t->ldc, t->alpha, beta, mr, nr);
                }
            }
        }
    }
}

static void *packed_gemm_thread(void *task) {
    packed_gemm(task);
    return NULL;
}

// MARK: - Small products and matrix-vector products

// The loops below are plain C; compiling them once per instruction set (ifunc-selected at load
// time) lets the compiler vectorise them with AVX-512 or AVX2+FMA where the CPU has them.
#if defined(__x86_64__) && defined(__ELF__)
#define MULTIVERSIONED __attribute__((target_clones("avx512f", "arch=x86-64-v3", "default")))
#else
#define MULTIVERSIONED
#endif

/// Dot product of two contiguous vectors; 16 independent partial sums let it vectorise.
static inline float dot(const float *restrict x, const float *restrict y, ptrdiff_t k) {
    float lanes[16] = {0}, sum = 0;
    ptrdiff_t p = 0;
    for (; p + 16 <= k; p += 16)
        for (int l = 0; l < 16; l++) lanes[l] += x[p + l] * y[p + l];
    for (; p < k; p++) sum += x[p] * y[p];
    for (int l = 0; l < 16; l++) sum += lanes[l];
    return sum;
}

/// Matrix-vector product y = alpha * M * x + beta * y, where M is rows x k with
/// M(i, p) = mat[i * ld + p], or mat[p * ld + i] when `transpose`; x and y have strides xs, ys.
/// Memory-bound, so it reads M once, in storage order, in chunks of CHUNK along k.
MULTIVERSIONED
static void gemv(int transpose, ptrdiff_t rows, ptrdiff_t k, float alpha, const float *restrict mat,
                 ptrdiff_t ld, const float *restrict x, ptrdiff_t xs, float beta, float *restrict y,
                 ptrdiff_t ys) {
    enum { CHUNK = 512 };
    float xc[CHUNK], acc[CHUNK];
    for (ptrdiff_t i = 0; i < rows; i++) y[i * ys] = beta == 0 ? 0 : beta * y[i * ys];
    for (ptrdiff_t p0 = 0; p0 < k; p0 += CHUNK) {
        ptrdiff_t kc = k - p0 < CHUNK ? k - p0 : CHUNK;
        for (ptrdiff_t p = 0; p < kc; p++) xc[p] = alpha * x[(p0 + p) * xs]; // contiguous copy
        if (!transpose) { // rows of M are contiguous: one dot product per row
            for (ptrdiff_t i = 0; i < rows; i++) y[i * ys] += dot(mat + i * ld + p0, xc, kc);
        } else { // columns of M are contiguous: add x(p) * M(:, p) into CHUNK running sums
            for (ptrdiff_t i0 = 0; i0 < rows; i0 += CHUNK) {
                ptrdiff_t rc = rows - i0 < CHUNK ? rows - i0 : CHUNK;
                for (ptrdiff_t r = 0; r < rc; r++) acc[r] = 0;
                for (ptrdiff_t p = 0; p < kc; p++) {
                    const float *column = mat + (p0 + p) * ld + i0;
                    for (ptrdiff_t r = 0; r < rc; r++) acc[r] += xc[p] * column[r];
                }
                for (ptrdiff_t r = 0; r < rc; r++) y[(i0 + r) * ys] += acc[r];
            }
        }
    }
}

/// Unpacked loops for tiny products, where packing and tile padding would dominate. Each row of C
/// is either a sum of scaled rows of op(B) (when those are contiguous) or a row of dot products.
static void small_gemm(int transpose_a, int transpose_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                       float alpha, const float *restrict a, ptrdiff_t lda, const float *restrict b,
                       ptrdiff_t ldb, float beta, float *restrict c, ptrdiff_t ldc) {
    ptrdiff_t a_row = transpose_a ? 1 : lda, a_col = transpose_a ? lda : 1; // A(i,p) strides
    ptrdiff_t b_row = transpose_b ? 1 : ldb, b_col = transpose_b ? ldb : 1; // B(p,j) strides
    for (ptrdiff_t i = 0; i < m; i++) {
        float *restrict ci = c + i * ldc;
        const float *ai = a + i * a_row;
        if (b_col == 1) { // op(B) rows contiguous: C(i,:) = sum over p of A(i,p) * B(p,:)
            for (ptrdiff_t j = 0; j < n; j++) ci[j] = beta == 0 ? 0 : beta * ci[j];
            for (ptrdiff_t p = 0; p < k; p++) {
                float aip = alpha * ai[p * a_col];
                const float *bp = b + p * b_row;
                for (ptrdiff_t j = 0; j < n; j++) ci[j] += aip * bp[j];
            }
        } else { // op(B) columns contiguous (B stored transposed): C(i,j) = A(i,:) . B(:,j)
            for (ptrdiff_t j = 0; j < n; j++) {
                const float *bj = b + j * b_col;
                float sum = 0;
                for (ptrdiff_t p = 0; p < k; p++) sum += ai[p * a_col] * bj[p];
                ci[j] = alpha * sum + (beta == 0 ? 0 : beta * ci[j]);
            }
        }
    }
}

// MARK: - Entry point

void slope_sgemm(int transpose_a, int transpose_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, float alpha,
                 const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float beta, float *c,
                 ptrdiff_t ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || alpha == 0) { // nothing to add: C = beta * C
        for (ptrdiff_t i = 0; i < m; i++)
            for (ptrdiff_t j = 0; j < n; j++) c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j];
        return;
    }
    if (n == 1) { // matrix times vector: C(:,0) = op(A) * op(B)(:,0)
        gemv(transpose_a, m, k, alpha, a, lda, b, transpose_b ? 1 : ldb, beta, c, ldc);
        return;
    }
    if (m == 1) { // vector times matrix, as op(B)^T * op(A)(0,:)^T
        gemv(!transpose_b, n, k, alpha, b, ldb, a, transpose_a ? lda : 1, beta, c, 1);
        return;
    }
    if (m * n * k <= SMALL_WORK) {
        small_gemm(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }

    gemm_task whole = {select_kernel(), transpose_a, transpose_b, m, n, k, alpha, beta, a, b, c,
                       lda, ldb, ldc, NULL, NULL};
    const int MR = whole.kernel.mr, NR = whole.kernel.nr;

    // Split C into equal runs of whole row panels (or column panels, when those are more).
    ptrdiff_t row_tiles = (m + MR - 1) / MR, col_tiles = (n + NR - 1) / NR;
    int split_rows = row_tiles >= col_tiles;
    ptrdiff_t tiles = split_rows ? row_tiles : col_tiles;
    ptrdiff_t threads = m * n * k < THREAD_MIN_WORK ? 1 : slope_sgemm_threads();
    if (threads > tiles) threads = tiles;
    if (threads > 64) threads = 64;

    // Packing space per thread: one B block and one A panel, rounded to 64 bytes.
    ptrdiff_t kc_max = k < KC ? k : KC, nc_max = ((n < NC ? n : NC) + NR - 1) / NR * NR;
    size_t b_floats = ((size_t)(kc_max * nc_max) + 15) / 16 * 16;
    size_t work_floats = b_floats + ((size_t)(kc_max * MR) + 15) / 16 * 16;
    // Small products pack on the stack: malloc + free would cost as much as the arithmetic.
    _Alignas(64) float stack_work[4096];
    size_t total_floats = work_floats * (size_t)threads;
    float *work = total_floats <= 4096 ? stack_work : aligned_alloc(64, total_floats * sizeof(float));
    if (work == NULL) { // out of memory for packing: still give the right answer
        small_gemm(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }

    gemm_task tasks[64];
    pthread_t ids[64];
    int started[64] = {0};
    ptrdiff_t per_thread = (tiles + threads - 1) / threads;
    for (ptrdiff_t t = 0; t < threads; t++) {
        gemm_task task = whole;
        task.packed_b = work + (size_t)t * work_floats;
        task.packed_a = task.packed_b + b_floats;
        if (split_rows) {
            ptrdiff_t i0 = t * per_thread * MR, i1 = (t + 1) * per_thread * MR;
            task.m = (i1 < m ? i1 : m) - i0;
            task.a = transpose_a ? a + i0 : a + i0 * lda;
            task.c = c + i0 * ldc;
        } else {
            ptrdiff_t j0 = t * per_thread * NR, j1 = (t + 1) * per_thread * NR;
            task.n = (j1 < n ? j1 : n) - j0;
            task.b = transpose_b ? b + j0 * ldb : b + j0;
            task.c = c + j0;
        }
        tasks[t] = task;
    }
    // Thread 0 is this one; a thread that fails to start has its share run here too.
    for (ptrdiff_t t = 1; t < threads; t++)
        if (tasks[t].m > 0 && tasks[t].n > 0)
            started[t] = pthread_create(&ids[t], NULL, packed_gemm_thread, &tasks[t]) == 0;
    if (tasks[0].m > 0 && tasks[0].n > 0) packed_gemm(&tasks[0]);
    for (ptrdiff_t t = 1; t < threads; t++) {
        if (started[t]) pthread_join(ids[t], NULL);
        else if (tasks[t].m > 0 && tasks[t].n > 0) packed_gemm(&tasks[t]);
    }
    if (work != stack_work) free(work);
}
