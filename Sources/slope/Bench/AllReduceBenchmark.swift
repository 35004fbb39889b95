import Foundation
import Slope

/// `slope bench allreduce`, run under `mpiexec -n P`: times Slope's all-reduce (the one the
/// gradients go through) for messages of 4 bytes to 16 MiB, and fits the cost model
/// `t(n) = α·⌈log₂ P⌉ + 2·β·n·(P−1)/P` for `n` bytes by least squares on the relative error
/// (each size weighted by `1/t²`, so the microsecond messages count as much as the
/// millisecond ones), giving the latency α and
/// the per-byte time β that `docs/DISTRIBUTED.md` predicts speed-ups from.
enum AllReduceBenchmark {
    /// Message sizes in floats.
    static let sizes = [1, 16, 256, 4096, 65_536, 262_144, 1_048_576, 4_194_304]

    static func run(world: World) -> JSON {
        var times: [(bytes: Int, seconds: Double)] = []
        for count in sizes {
            var values = [Float](repeating: 1, count: count)
            let repeats = count >= 1 << 20 ? 10 : 200
            // Lines the ranks up, then times `repeats` reductions (the median of 5 such runs).
            var sync: [Float] = [0]
            world.allReduceSum(&sync, what: "the benchmark's sync")
            let (median, _) = medianTime(repeats: 5, warmup: 1) {
                for _ in 0..<repeats { world.allReduceSum(&values, what: "the benchmark all-reduce") }
            }
            times.append((count * 4, median / Double(repeats)))
        }
        // Weighted least squares for t = α·a + β·b with a = ⌈log₂ P⌉, b = 2·n·(P−1)/P, weights 1/t².
        let p = Double(world.size)
        let a = Foundation.ceil(Foundation.log2(p)), factor = 2 * (p - 1) / p
        var saa = 0.0, sab = 0.0, sbb = 0.0, sat = 0.0, sbt = 0.0
        for (bytes, seconds) in times {
            let b = factor * Double(bytes), w = 1 / (seconds * seconds)
            saa += w * a * a; sab += w * a * b; sbb += w * b * b; sat += w * a * seconds; sbt += w * b * seconds
        }
        let determinant = saa * sbb - sab * sab
        let alpha = (sat * sbb - sbt * sab) / determinant, beta = (saa * sbt - sab * sat) / determinant
        return .object(benchHeader("allreduce") + [
            ("ranks", .int(world.size)), ("mpi", .string(world.library ?? "none")),
            ("us_per_allreduce", .object(times.map { ("\($0.bytes)", .number(rounded($0.seconds * 1e6, 3))) })),
            ("alpha_us", .number(rounded(alpha * 1e6, 3))), ("beta_ns_per_byte", .number(rounded(beta * 1e9, 4))),
        ])
    }
}
