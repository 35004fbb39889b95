/// Facts about this build of the library.
public enum Slope {
    /// The library's version, recorded in exported files.
    ///
    /// ```swift
    /// print(Slope.version)   // "0.1.0"
    /// ```
    public static let version = "0.1.0"
}
