import CSlope

/// Facts about this build of the library.
public enum SlopeLibrary {
    /// The library's version, recorded in exported files and printed by `slope info`. It is
    /// written once, as `version` in `Package.swift`, which hands it to the C target `CSlope`.
    ///
    /// ```swift
    /// print(SlopeLibrary.version)   // "0.1.0"
    /// ```
    public static let version = String(cString: slope_version())

    /// Whether freed tensor buffers stay in the process for reuse (glibc, unless the environment
    /// sets `SLOPE_MALLOC_DEFAULTS=1`): Slope raises malloc's mmap and trim thresholds when it
    /// loads, so each training step reuses the last step's buffers instead of faulting in fresh
    /// pages. The process keeps its peak memory, as PyTorch's caching allocator does.
    ///
    /// ```swift
    /// print(SlopeLibrary.keepsFreedMemory)   // true on Linux
    /// ```
    public static let keepsFreedMemory = slope_keeps_freed_memory() != 0
}
