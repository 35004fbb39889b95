/// Facts about this build of the library.
public enum SlopeLibrary {
    /// The library's version, recorded in exported files.
    ///
    /// ```swift
    /// print(SlopeLibrary.version)   // "0.1.0"
    /// ```
    public static let version = "0.1.0"
}
