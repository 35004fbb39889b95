import CSlope

/// CPU kernels for 2-D pooling over `[planes, H, W]` buffers (a plane is one channel of one
/// image). Planes are independent, so large inputs are split over the cores by plane.
enum PoolingKernels {
    // MARK: - Windows

    /// A pooling window sliding over one `H x W` plane.
    struct Window {
        let height: Int
        let width: Int
        let kernelHeight: Int
        let kernelWidth: Int
        let strideHeight: Int
        let strideWidth: Int
        let paddingHeight: Int
        let paddingWidth: Int

        /// `⌊(H + 2·padding − kernel) / stride⌋ + 1` (`windowedSize`: 0 when the kernel does not fit).
        var outputHeight: Int { windowedSize(height, kernel: kernelHeight, stride: strideHeight, padding: paddingHeight) }
        /// `⌊(W + 2·padding − kernel) / stride⌋ + 1`.
        var outputWidth: Int { windowedSize(width, kernel: kernelWidth, stride: strideWidth, padding: paddingWidth) }

        /// The input rows of output row `row`, clipped to the plane.
        @inline(__always)
        func rows(_ row: Int) -> Range<Int> {
            let start = row * strideHeight - paddingHeight
            return Swift.max(start, 0)..<Swift.min(start + kernelHeight, height)
        }

        /// The input columns of output column `column`, clipped to the plane.
        @inline(__always)
        func columns(_ column: Int) -> Range<Int> {
            let start = column * strideWidth - paddingWidth
            return Swift.max(start, 0)..<Swift.min(start + kernelWidth, width)
        }
    }

    /// Values below which pooling stays on the calling thread.
    nonisolated(unsafe) static var parallelThreshold = 1 << 17

    /// Runs `body` over `0..<planes` in contiguous pieces, one per thread when the input
    /// (`planes · valuesPerPlane` values) is large enough.
    @inline(__always)
    static func forEachPlane(_ planes: Int, valuesPerPlane: Int, _ body: (Range<Int>) -> Void) {
        let threads = planes * valuesPerPlane >= parallelThreshold
            ? Swift.min(ConvolutionKernels.maximumThreads, planes) : 1
        if threads <= 1 {
            body(0..<planes)
            return
        }
        let perThread = (planes + threads - 1) / threads
        ConvolutionKernels.run(threads: threads) { thread in
            let start = Swift.min(planes, thread * perThread)
            body(start..<Swift.min(planes, start + perThread))
        }
    }

    // MARK: - Max

    /// `out[p, y, x] = max over the window` and the plane-local index of the first maximum
    /// (row-major order; NaN wins, as in PyTorch).
    static func maxForward(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ indices: UnsafeMutablePointer<Int32>,
        planes: Int, _ w: Window
    ) {
        let area = w.height * w.width, outputHeight = w.outputHeight, outputWidth = w.outputWidth
        let outputArea = outputHeight * outputWidth
        let simple = w.kernelHeight == 2 && w.kernelWidth == 2 && w.strideHeight == 2 && w.strideWidth == 2
            && w.paddingHeight == 0 && w.paddingWidth == 0
        forEachPlane(planes, valuesPerPlane: area) { range in
            for plane in range {
                let source = input + plane * area
                let out = output + plane * outputArea, index = indices + plane * outputArea
                // The common 2x2, stride-2 window has a vectorised path; a plane holding a NaN
                // takes the general one, which follows PyTorch's NaN rule.
                if simple
                    && maxPool2x2(
                        source, out, index, outputHeight: outputHeight, outputWidth: outputWidth, width: w.width)
                {
                    continue
                }
                for row in 0..<outputHeight {
                    let rows = w.rows(row)
                    for column in 0..<outputWidth {
                        let columns = w.columns(column)
                        var value = -Float.infinity, best = rows.lowerBound * w.width + columns.lowerBound
                        for y in rows {
                            for x in columns { Self.keepLarger(&value, &best, source[y * w.width + x], y * w.width + x) }
                        }
                        out[row * outputWidth + column] = value
                        index[row * outputWidth + column] = Int32(truncatingIfNeeded: best)
                    }
                }
            }
        }
    }

    /// Whether the 2x2 max pooling of `MaxPool.c` (AVX-512) runs on this CPU.
    static let vectorMaxPool = slope_max_pool_2x2_supported() != 0

    /// Max pooling of one plane with 2x2 windows at stride 2 and no padding. Returns false
    /// (and the caller redoes the plane) when a window holds a NaN, which this path ignores.
    ///
    /// On AVX-512 the kernel of `MaxPool.c` (sixteen windows per step); elsewhere a loop written
    /// for the vectoriser: wrapping index arithmetic, selects instead of branches, and the NaN test
    /// as an integer max over the magnitudes' bit patterns.
    @inline(__always)
    private static func maxPool2x2(
        _ source: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ index: UnsafeMutablePointer<Int32>,
        outputHeight: Int, outputWidth: Int, width: Int
    ) -> Bool {
        if vectorMaxPool { return slope_max_pool_2x2(source, out, index, 2 &* outputHeight, width) != 0 }
        var largestMagnitude: UInt32 = 0
        for row in 0..<outputHeight {
            let topOffset = 2 &* row &* width
            let top = source + topOffset, bottom = top + width
            let rowOut = out + row &* outputWidth, rowIndex = index + row &* outputWidth
            let topIndex = Int32(truncatingIfNeeded: topOffset), bottomIndex = Int32(truncatingIfNeeded: topOffset &+ width)
            for column in 0..<outputWidth {
                let left = 2 &* column
                let v0 = top[left], v1 = top[left &+ 1], v2 = bottom[left], v3 = bottom[left &+ 1]
                let offset = Int32(truncatingIfNeeded: left)
                var value = v0, best = topIndex &+ offset
                if v1 > value { value = v1; best = topIndex &+ offset &+ 1 }
                if v2 > value { value = v2; best = bottomIndex &+ offset }
                if v3 > value { value = v3; best = bottomIndex &+ offset &+ 1 }
                rowOut[column] = value
                rowIndex[column] = best
                let magnitude = Swift.max(
                    Swift.max(v0.bitPattern & 0x7FFF_FFFF, v1.bitPattern & 0x7FFF_FFFF),
                    Swift.max(v2.bitPattern & 0x7FFF_FFFF, v3.bitPattern & 0x7FFF_FFFF))
                largestMagnitude = Swift.max(largestMagnitude, magnitude)
            }
        }
        return largestMagnitude <= Float.infinity.bitPattern
    }

    /// Moves `(value, index)` to `(candidate, candidateIndex)` when the candidate is larger or NaN
    /// (PyTorch's rule: a NaN wins and the first maximum is kept on ties). Written as selects,
    /// not branches: with random data a branch would be mispredicted half the time.
    @inline(__always)
    private static func keepLarger(_ value: inout Float, _ index: inout Int, _ candidate: Float, _ candidateIndex: Int) {
        // `candidate > value || candidate.isNaN` as bit masks: `||` and `take ? a : b` compile
        // to branches, which random data mispredicts half the time.
        let greater = unsafeBitCast(candidate > value, to: UInt8.self)
        let notANumber = unsafeBitCast(candidate != candidate, to: UInt8.self)
        let wide = 0 &- Int(greater | notANumber)
        let narrow = UInt32(truncatingIfNeeded: wide)
        value = Float(bitPattern: (value.bitPattern & ~narrow) | (candidate.bitPattern & narrow))
        index = (index & ~wide) | (candidateIndex & wide)
    }

    /// The adjoint of `maxForward`: each output gradient goes to its window's maximum
    /// (overlapping windows add). `gradInput` is overwritten.
    static func maxBackward(
        _ gradient: UnsafePointer<Float>, _ indices: UnsafePointer<Int32>, _ gradInput: UnsafeMutablePointer<Float>,
        planes: Int, _ w: Window
    ) {
        let area = w.height * w.width, outputArea = w.outputHeight * w.outputWidth
        forEachPlane(planes, valuesPerPlane: area) { range in
            for plane in range {
                let target = gradInput + plane * area
                target.update(repeating: 0, count: area)
                let source = gradient + plane * outputArea, index = indices + plane * outputArea
                for p in 0..<outputArea { target[Int(index[p])] += source[p] }
            }
        }
    }

    // MARK: - Average

    /// `out[p, y, x] = (Σ window) / divisor`, with `divisor = kH·kW` when padding counts, else the
    /// number of in-plane values in the window.
    static func averageForward(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, planes: Int, _ w: Window,
        countIncludePad: Bool
    ) {
        let area = w.height * w.width, outputHeight = w.outputHeight, outputWidth = w.outputWidth
        let outputArea = outputHeight * outputWidth
        forEachPlane(planes, valuesPerPlane: area) { range in
            for plane in range {
                let source = input + plane * area, out = output + plane * outputArea
                for row in 0..<outputHeight {
                    let rows = w.rows(row)
                    for column in 0..<outputWidth {
                        let columns = w.columns(column)
                        var total: Float = 0
                        for y in rows {
                            for x in columns { total += source[y * w.width + x] }
                        }
                        out[row * outputWidth + column] = total / divisor(rows, columns, w, countIncludePad)
                    }
                }
            }
        }
    }

    /// The adjoint of `averageForward`: each output gradient, divided by its divisor, is added to
    /// every in-plane position of its window. `gradInput` is overwritten.
    static func averageBackward(
        _ gradient: UnsafePointer<Float>, _ gradInput: UnsafeMutablePointer<Float>, planes: Int, _ w: Window,
        countIncludePad: Bool
    ) {
        let area = w.height * w.width, outputHeight = w.outputHeight, outputWidth = w.outputWidth
        let outputArea = outputHeight * outputWidth
        forEachPlane(planes, valuesPerPlane: area) { range in
            for plane in range {
                let target = gradInput + plane * area, source = gradient + plane * outputArea
                target.update(repeating: 0, count: area)
                for row in 0..<outputHeight {
                    let rows = w.rows(row)
                    for column in 0..<outputWidth {
                        let columns = w.columns(column)
                        let share = source[row * outputWidth + column] / divisor(rows, columns, w, countIncludePad)
                        for y in rows {
                            for x in columns { target[y * w.width + x] += share }
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func divisor(_ rows: Range<Int>, _ columns: Range<Int>, _ w: Window, _ countIncludePad: Bool) -> Float {
        // Without ceil mode every window lies inside the padded plane, so PyTorch's
        // count_include_pad divisor is always the full kernel area.
        countIncludePad ? Float(w.kernelHeight * w.kernelWidth) : Float(Swift.max(1, rows.count * columns.count))
    }

    // MARK: - Adaptive average

    /// PyTorch's adaptive window along one axis: output `i` of `output` averages input
    /// `⌊i·size/output⌋ ..< ⌈(i+1)·size/output⌉`.
    @inline(__always)
    static func adaptiveRange(_ i: Int, size: Int, output: Int) -> Range<Int> {
        (i * size / output)..<(((i + 1) * size + output - 1) / output)
    }

    /// `out[p, i, j] = mean of input[p, rows(i), columns(j)]` with the adaptive windows.
    static func adaptiveAverageForward(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, planes: Int,
        height: Int, width: Int, outputHeight: Int, outputWidth: Int
    ) {
        let area = height * width, outputArea = outputHeight * outputWidth
        forEachPlane(planes, valuesPerPlane: area) { range in
            for plane in range {
                let source = input + plane * area, out = output + plane * outputArea
                for i in 0..<outputHeight {
                    let rows = adaptiveRange(i, size: height, output: outputHeight)
                    for j in 0..<outputWidth {
                        let columns = adaptiveRange(j, size: width, output: outputWidth)
                        var total: Float = 0
                        for y in rows {
                            for x in columns { total += source[y * width + x] }
                        }
                        out[i * outputWidth + j] = total / Float(rows.count * columns.count)
                    }
                }
            }
        }
    }

    /// The adjoint of `adaptiveAverageForward`. `gradInput` is overwritten.
    static func adaptiveAverageBackward(
        _ gradient: UnsafePointer<Float>, _ gradInput: UnsafeMutablePointer<Float>, planes: Int,
        height: Int, width: Int, outputHeight: Int, outputWidth: Int
    ) {
        let area = height * width, outputArea = outputHeight * outputWidth
        forEachPlane(planes, valuesPerPlane: area) { range in
            for plane in range {
                let target = gradInput + plane * area, source = gradient + plane * outputArea
                target.update(repeating: 0, count: area)
                for i in 0..<outputHeight {
                    let rows = adaptiveRange(i, size: height, output: outputHeight)
                    for j in 0..<outputWidth {
                        let columns = adaptiveRange(j, size: width, output: outputWidth)
                        let share = source[i * outputWidth + j] / Float(rows.count * columns.count)
                        for y in rows {
                            for x in columns { target[y * width + x] += share }
                        }
                    }
                }
            }
        }
    }
}
