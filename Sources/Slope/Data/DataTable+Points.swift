// MARK: - Two-column numeric data

extension DataTable {
    /// The `(x, y)` points held in two numeric columns, as `Float`.
    ///
    /// Needs at least one row; every value must be present, numeric and finite as a `Float`.
    /// Errors name the file, line and column of the first bad value.
    ///
    /// ```swift
    /// let table = try CSVReader().parse("x,y\n0,1\n1,3\n")
    /// let points = try table.points()  // (x: [0, 1], y: [1, 3])
    /// ```
    ///
    /// - Parameters:
    ///   - xColumn: The column of x values.
    ///   - yColumn: The column of y values.
    /// - Returns: The x and y values, one pair per row.
    /// - Throws: ``CSVError``: `missingColumn`, `tooFewRows` for an empty table, `notANumber` for a
    ///   missing or non-numeric value, `nonFinite` for NaN, infinity or a value beyond `Float`'s range.
    public func points(xColumn: String = "x", yColumn: String = "y") throws(CSVError) -> (x: [Float], y: [Float]) {
        let xIndex = try columnIndex(named: xColumn)
        let yIndex = try columnIndex(named: yColumn)
        guard rowCount >= 1 else { throw .tooFewRows(file: source, expected: 1, found: rowCount) }
        var xs: [Float] = [], ys: [Float] = []
        xs.reserveCapacity(rowCount)
        ys.reserveCapacity(rowCount)
        for (row, line) in zip(rows, lineNumbers) {
            xs.append(try finiteValue(row[xIndex], line: line, column: xColumn, index: xIndex))
            ys.append(try finiteValue(row[yIndex], line: line, column: yColumn, index: yIndex))
        }
        return (xs, ys)
    }

    /// `field` as a finite `Float`, or the error that says why it is not one.
    private func finiteValue(_ field: String?, line: Int, column: String, index: Int) throws(CSVError) -> Float {
        guard let field, let value = DataTable.parseNumber(field) else {
            throw .notANumber(file: source, line: line, column: column, columnNumber: index + 1, found: field)
        }
        let single = Float(value)
        guard single.isFinite else {
            throw .nonFinite(file: source, line: line, column: column, columnNumber: index + 1, found: field)
        }
        return single
    }
}

extension CSVReader {
    /// Reads a numeric file with header `x,y` (extra columns are ignored) into `Float` arrays.
    ///
    /// Throws a ``CSVError`` naming the file, line and column for an unreadable or empty file, a
    /// ragged row, a missing `x` or `y` column, no data rows, or a value that is missing, not a
    /// number, NaN or infinite.
    ///
    /// ```swift
    /// let (x, y) = try CSVReader().readPoints(contentsOfFile: "points.csv")
    /// ```
    ///
    /// - Parameter path: The CSV file to read.
    /// - Returns: The `x` and `y` columns as `Float` arrays.
    /// - Throws: ``CSVError`` from ``read(contentsOfFile:)`` or ``DataTable/points(xColumn:yColumn:)``.
    public func readPoints(contentsOfFile path: String) throws(CSVError) -> (x: [Float], y: [Float]) {
        try read(contentsOfFile: path).points()
    }
}
