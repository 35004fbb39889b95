import Foundation

/// Runs `body` `warmup` times untimed, then `repeats` times; returns the median seconds and
/// every timed run (the peers' `median_time`).
func medianTime(repeats: Int = 5, warmup: Int = 1, _ body: () -> Void) -> (median: Double, runs: [Double]) {
    for _ in 0..<warmup { body() }
    var runs: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        runs.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    let sorted = runs.sorted()
    let middle = sorted.count / 2
    let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    return (median, runs)
}

/// Rounds for printing in benchmark JSON.
func rounded(_ value: Double, _ digits: Int) -> Double {
    let scale = Foundation.pow(10, Double(digits))
    return (value * scale).rounded() / scale
}
