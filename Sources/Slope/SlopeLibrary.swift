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
}
