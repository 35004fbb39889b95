#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CSlope

// MARK: - Runtime loading

/// A CBLAS library opened with `dlopen` at first use, so Slope has no link-time BLAS dependency.
///
/// The library is `$SLOPE_BLAS` when set (`none` or empty: use no BLAS), else the system's
/// OpenBLAS (`libopenblas.so.0`, then `libopenblas.so`), or Accelerate on macOS.
/// Immutable after `load()`, and C function pointers may be called from any thread, hence
/// `@unchecked Sendable`.
final class BLASLibrary: @unchecked Sendable {
    typealias Sgemm = @convention(c) (
        Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
        UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32
    ) -> Void
    typealias GetInt = @convention(c) () -> Int32
    typealias SetInt = @convention(c) (Int32) -> Void
    typealias GetString = @convention(c) () -> UnsafePointer<CChar>?

    /// CBLAS enum values (`CblasRowMajor`, `CblasNoTrans`, `CblasTrans`).
    static let rowMajor: Int32 = 101, noTranspose: Int32 = 111, transpose: Int32 = 112

    /// The opened library, or nil when none loads (Gemm then uses the built-in kernel).
    static let shared: BLASLibrary? = load()

    /// The file name it was opened by, e.g. `libopenblas.so.0`.
    let file: String
    let sgemm: Sgemm
    let getThreads: GetInt?
    let setThreads: SetInt?
    /// First words of `openblas_get_config()`, e.g. `OpenBLAS 0.3.21`, when the library has it.
    let version: String?

    private init(file: String, sgemm: Sgemm, handle: UnsafeMutableRawPointer) {
        self.file = file
        self.sgemm = sgemm
        getThreads = dlsym(handle, "openblas_get_num_threads").map { unsafeBitCast($0, to: GetInt.self) }
        setThreads = dlsym(handle, "openblas_set_num_threads").map { unsafeBitCast($0, to: SetInt.self) }
        let config = dlsym(handle, "openblas_get_config")
            .flatMap { unsafeBitCast($0, to: GetString.self)() }
            .map { String(cString: $0) }
        // "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64" -> "OpenBLAS 0.3.21"
        version = config.map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
    }

    /// Library names to try, in order.
    static var candidates: [String] {
        if let custom = getenv("SLOPE_BLAS").map({ String(cString: $0) }) {
            return custom.isEmpty || custom == "none" ? [] : [custom]
        }
        #if canImport(Darwin)
        return ["/System/Library/Frameworks/Accelerate.framework/Accelerate"]
        #else
        return ["libopenblas.so.0", "libopenblas.so"]
        #endif
    }

    private static func load() -> BLASLibrary? {
        for file in candidates {
            guard let handle = dlopen(file, RTLD_NOW | RTLD_LOCAL) else { continue }
            guard let symbol = dlsym(handle, "cblas_sgemm") else {
                dlclose(handle)
                continue
            }
            return BLASLibrary(file: file, sgemm: unsafeBitCast(symbol, to: Sgemm.self), handle: handle)
        }
        return nil
    }

    /// Calls `cblas_sgemm` (row-major) and returns true, or returns false without touching C when
    /// the arguments don't fit CBLAS's 32-bit sizes or its stride rules (the caller then computes
    /// the product itself).
    func multiply(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) -> Bool {
        let limit = Int(Int32.max)
        guard m <= limit, n <= limit, k <= limit, lda <= limit, ldb <= limit, ldc <= limit,
            lda >= max(1, transposeA ? m : k), ldb >= max(1, transposeB ? k : n), ldc >= max(1, n)
        else { return false }
        sgemm(
            Self.rowMajor, transposeA ? Self.transpose : Self.noTranspose,
            transposeB ? Self.transpose : Self.noTranspose, Int32(m), Int32(n), Int32(k), alpha,
            a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        return true
    }
}

// MARK: - Public information

/// The matrix-multiply backend every `matmul` uses: a BLAS found at run time, or Slope's own kernel.
///
/// Products `C = alpha * A * B + beta * C` go to the BLAS when one loads, except small ones and
/// matrix-vector ones, which the built-in kernel does faster than a library call. Set `SLOPE_BLAS`
/// to a library path to use another CBLAS, or to `none` to use only the built-in kernel.
///
/// ```swift
/// print(BLAS.name)         // OpenBLAS 0.3.21 (libopenblas.so.0)
/// print(BLAS.threadCount)  // 2
/// ```
public enum BLAS {
    /// The backend's name, with its version and file when it is a loaded BLAS.
    ///
    /// ```swift
    /// BLAS.name  // "OpenBLAS 0.3.21 (libopenblas.so.0)", or "built-in blocked kernel (AVX-512)"
    /// ```
    public static var name: String {
        guard let library = BLASLibrary.shared else { return builtInName }
        let fileName = library.file.split(separator: "/").last.map(String.init) ?? library.file
        return "\(library.version ?? "CBLAS") (\(fileName))"  // e.g. "CBLAS (Accelerate)" on macOS
    }

    /// The built-in kernel's name, with the instruction set it uses on this CPU.
    ///
    /// ```swift
    /// BLAS.builtInName  // "built-in blocked kernel (AVX-512)"
    /// ```
    public static var builtInName: String {
        "built-in blocked kernel (\(String(cString: slope_sgemm_kernel_name())))"
    }

    /// Whether a BLAS library was found and loaded (otherwise every product uses the built-in kernel).
    ///
    /// ```swift
    /// print(BLAS.isLoaded ? "matmul via \(BLAS.name)" : "matmul via the built-in kernel only")
    /// ```
    public static var isLoaded: Bool { BLASLibrary.shared != nil }

    /// Threads a large product is split over; setting it changes both the BLAS and the built-in kernel.
    ///
    /// ```swift
    /// BLAS.threadCount = 1  // e.g. when running several models side by side
    /// ```
    public static var threadCount: Int {
        get {
            if let threads = BLASLibrary.shared?.getThreads?() { return Int(threads) }
            return Int(slope_sgemm_threads())
        }
        set {
            let threads = Int32(clamping: max(1, newValue))
            BLASLibrary.shared?.setThreads?(threads)
            slope_sgemm_set_threads(threads)
        }
    }
}
