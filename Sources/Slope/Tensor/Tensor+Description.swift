import Foundation

/// A readable printout in the spirit of PyTorch's: `tensor([1.5000, 1.5000], requiresGrad: true)`.
/// Whole numbers print as `1.`, wide ranges in scientific notation, and tensors of more than
/// 1000 values show the first and last three entries of each axis around `...`.
extension Tensor: CustomStringConvertible {
    /// The printout, e.g. `tensor([[1., 2.],\n        [3., 4.]])`.
    ///
    /// ```swift
    /// print(Tensor([1.5, 1.5, 1.5]).requiresGrad())
    /// // tensor([1.5000, 1.5000, 1.5000], requiresGrad: true)
    /// ```
    public var description: String {
        var suffix = ""
        if gradFunction != nil { suffix = ", gradFn: \(opName)" }
        else if requiresGrad { suffix = ", requiresGrad: true" }
        if count == 0 { return "tensor([], shape: \(shape)\(suffix))" }
        let summarize = count > 1000
        let format = ValueFormat(values: summarize ? summaryValues() : storage)
        let body = render(axis: 0, offset: 0, indent: 7, format: format, summarize: summarize)
        return "tensor(\(body)\(suffix))"
    }

    /// The values a summarised printout shows (for choosing the number format).
    private func summaryValues() -> [Float] {
        var picked: [Float] = []
        func visit(_ axis: Int, _ offset: Int) {
            if axis == rank { picked.append(storage[offset]); return }
            let stride = shape[(axis + 1)...].reduce(1, *)
            for i in shownIndices(shape[axis], summarize: true) { visit(axis + 1, offset + i * stride) }
        }
        visit(0, 0)
        return picked
    }

    /// Indices of an axis to print; `-1` stands for the `...` marker.
    private func shownIndices(_ size: Int, summarize: Bool) -> [Int] {
        summarize && size > 6 ? [0, 1, 2, -1, size - 3, size - 2, size - 1] : Array(0..<size)
    }

    private func render(axis: Int, offset: Int, indent: Int, format: ValueFormat, summarize: Bool) -> String {
        if axis == rank { return format.string(storage[offset]) }
        let stride = shape[(axis + 1)...].reduce(1, *)
        let parts = shownIndices(shape[axis], summarize: summarize).map { i in
            i < 0 ? "..." : render(axis: axis + 1, offset: offset + i * stride, indent: indent + 1, format: format, summarize: summarize)
        }
        let isInnermost = axis == rank - 1
        let separator = isInnermost
            ? ", "
            : "," + String(repeating: "\n", count: rank - axis - 1) + String(repeating: " ", count: indent + 1)
        return "[" + parts.joined(separator: separator) + "]"
    }
}

/// How one printout writes its numbers: all whole (`3.`), fixed (`1.5000`) or scientific
/// (`1.5000e-05`), padded to a common width.
private struct ValueFormat {
    enum Style { case whole, fixed, scientific }
    let style: Style
    let width: Int

    init(values: [Float]) {
        let finite = values.filter(\.isFinite)
        let magnitudes = finite.map { Swift.abs($0) }.filter { $0 > 0 }
        let largest = magnitudes.max() ?? 0, smallest = magnitudes.min() ?? 0
        if finite.allSatisfy({ $0 == $0.rounded() }) && largest < 1e8 {
            style = .whole
        } else if largest > 1e8 || (smallest > 0 && smallest < 1e-4) || (smallest > 0 && largest / smallest > 1000) {
            style = .scientific
        } else {
            style = .fixed
        }
        var width = 0
        for value in values { width = Swift.max(width, ValueFormat.plain(value, style).count) }
        self.width = width
    }

    func string(_ value: Float) -> String {
        let text = ValueFormat.plain(value, style)
        return String(repeating: " ", count: Swift.max(0, width - text.count)) + text
    }

    static func plain(_ value: Float, _ style: Style) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        switch style {
        case .whole: return String(format: "%.0f.", Double(value))
        case .fixed: return String(format: "%.4f", Double(value))
        case .scientific: return String(format: "%.4e", Double(value))
        }
    }
}
