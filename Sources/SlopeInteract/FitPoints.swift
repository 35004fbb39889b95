import Slope

/// The points a page fits and where they came from: the lesson's noisy quadratic drawn with a
/// seed (so `New points` can draw others), or a CSV file with columns `x,y`.
///
/// ```swift
/// let points = FitPoints.lesson(seed: 42)        // the notebook's 20 points
/// let mine = try FitPoints.csv(path: "points.csv")
/// ```
public struct FitPoints: Sendable, Equatable {
    /// Where points come from.
    public enum Source: Sendable, Equatable {
        /// `Lesson.noisyQuadratic(seed:)`.
        case generated(seed: UInt32)
        /// A CSV file, by the path it was read from.
        case file(path: String)
    }

    /// The x values.
    public let x: [Float]
    /// The y values, one per x.
    public let y: [Float]
    /// Where they came from.
    public let source: Source

    /// Points with their origin; `x` and `y` must have the same, non-zero count.
    ///
    /// - Parameters:
    ///   - x: The x values, at least one.
    ///   - y: The y values, one per x.
    ///   - source: Where they came from (decides whether `New points` can draw others).
    public init(x: [Float], y: [Float], source: Source) {
        require(!x.isEmpty && x.count == y.count, "FitPoints: need as many y as x, and at least one point")
        self.x = x
        self.y = y
        self.source = source
    }

    /// The lesson's 20 noisy points of `3x² + 2x + 1` on `[-2, 2]`, drawn after `seed`.
    ///
    /// ```swift
    /// let points = FitPoints.lesson(seed: 7)
    /// ```
    ///
    /// - Parameter seed: NumPy's seed for the noise (42 gives the notebook's points).
    /// - Returns: 20 points with `source` `.generated(seed:)`.
    public static func lesson(seed: UInt32) -> FitPoints {
        let (x, y) = Lesson.noisyQuadratic(seed: seed)
        return FitPoints(x: x.scalars, y: y.scalars, source: .generated(seed: seed))
    }

    /// The points in a CSV file with header `x,y`; the error names the file, line and column
    /// of the first bad value.
    ///
    /// ```swift
    /// let points = try FitPoints.csv(path: "points.csv")
    /// ```
    ///
    /// - Parameter path: The CSV file, with numeric columns `x` and `y`.
    /// - Returns: The file's points with `source` `.file(path:)`.
    /// - Throws: ``CSVError`` when the file cannot be read, has no `x` or `y` column or no rows, or
    ///   holds a value that is missing, not a number or not finite.
    public static func csv(path: String) throws(CSVError) -> FitPoints {
        let (x, y) = try CSVReader().readPoints(contentsOfFile: path)
        return FitPoints(x: x, y: y, source: .file(path: path))
    }

    /// The smallest and largest x (one value: a range of width zero).
    public var domain: ClosedRange<Float> { x.min()!...x.max()! }
}
