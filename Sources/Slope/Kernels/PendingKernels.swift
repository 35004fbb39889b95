// Interim definitions until the BLAS bridge lands (replaced by BLASLibrary.swift).
public enum BLAS {
    public static var name: String { "built-in" }
    public static var isLoaded: Bool { false }
    public static var threadCount: Int { 1 }
}
public enum MatmulBenchmark {
    public static func gflops(n: Int, useBLAS: Bool) -> Double? { nil }
}
