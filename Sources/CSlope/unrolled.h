// Full unrolling of constant-trip loops over register tiles, asked for in the source.
//
// The AVX-512 kernels keep their accumulators (arrays of vectors) in registers only when the
// loops over them are fully unrolled. `-O3` did that implicitly; SwiftPM builds a dependency's C
// at `-O2` in release and refuses `unsafeFlags` there, so the loops ask for it themselves.
// Measured on the built-in SGEMM, n = 512, one thread: -O2 without it 35-79 GFLOP/s, with it
// 133-148 (-O3: 141-167).
#ifndef SLOPE_UNROLLED_H
#define SLOPE_UNROLLED_H

#if defined(__clang__)
#define UNROLLED _Pragma("clang loop unroll(full)")
#elif defined(__GNUC__)
#define UNROLLED _Pragma("GCC unroll 64")
#else
#define UNROLLED
#endif

#endif
