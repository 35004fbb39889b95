import CSlope
import Dispatch
import Foundation

/// CPU kernels for 2-D convolution, lowered to matrix products (Caffe's and PyTorch's
/// `slow_conv2d` scheme):
///
/// - `im2col` copies every receptive field of an image into one column of a matrix with
///   `channels * kernelHeight * kernelWidth` rows, so the convolution of a group becomes
///   `weight[O, C*kH*kW] @ columns[C*kH*kW, H'*W']`, one `Gemm.multiply`;
/// - `col2im` is its adjoint: it adds every column back onto the positions it was read from,
///   which turns the gradient of the columns into the gradient of the image.
///
/// Several images of a batch share one column matrix (side by side), so each product is wide
/// enough to run near the kernel's peak, and the batch is split over the cores when the work pays
/// for a thread.
///
/// Stride-1 convolutions without groups take the direct kernels of `Conv.c` instead where the CPU
/// has AVX-512: no column matrix, one zero-padded copy of each image, the forward pass and the
/// input gradient as register-tiled sums over the taps, the weight gradient accumulated in
/// registers over a chunk of images.
enum ConvolutionKernels {
    // MARK: - Geometry

    /// The shapes and window parameters of a convolution over one `[C, H, W]` image.
    struct Geometry {
        let channels: Int
        let height: Int
        let width: Int
        let kernelHeight: Int
        let kernelWidth: Int
        let strideHeight: Int
        let strideWidth: Int
        let paddingHeight: Int
        let paddingWidth: Int
        let dilationHeight: Int
        let dilationWidth: Int
        let outputHeight: Int
        let outputWidth: Int

        init(
            channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
            strideHeight: Int, strideWidth: Int, paddingHeight: Int, paddingWidth: Int,
            dilationHeight: Int, dilationWidth: Int
        ) {
            self.channels = channels
            self.height = height
            self.width = width
            self.kernelHeight = kernelHeight
            self.kernelWidth = kernelWidth
            self.strideHeight = strideHeight
            self.strideWidth = strideWidth
            self.paddingHeight = paddingHeight
            self.paddingWidth = paddingWidth
            self.dilationHeight = dilationHeight
            self.dilationWidth = dilationWidth
            outputHeight = Self.outputSize(
                input: height, kernel: kernelHeight, stride: strideHeight, padding: paddingHeight, dilation: dilationHeight)
            outputWidth = Self.outputSize(
                input: width, kernel: kernelWidth, stride: strideWidth, padding: paddingWidth, dilation: dilationWidth)
        }

        /// PyTorch's output size (`windowedSize`: 0 when the dilated kernel does not fit;
        /// callers check).
        static func outputSize(input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) -> Int {
            windowedSize(input, kernel: kernel, stride: stride, padding: padding, dilation: dilation)
        }

        /// Values in one image.
        var inputArea: Int { height * width }
        /// Positions in one output plane.
        var outputArea: Int { outputHeight * outputWidth }
        /// Rows of the column matrix: one per (channel, kernel row, kernel column).
        var columnRows: Int { channels * kernelHeight * kernelWidth }

        /// Whether each row of the column matrix is the image plane shifted by a constant offset
        /// (stride 1 and an output as wide as the input, e.g. 3x3 with padding 1), so `im2col`
        /// and `col2im` can move one long run per row instead of one short run per output row.
        var isShiftedCopy: Bool { strideHeight == 1 && strideWidth == 1 && outputWidth == width }

        /// The geometry in the form `Conv.c` takes, for `outputChannels` output channels.
        func directShape(outputChannels: Int) -> slope_conv_shape {
            slope_conv_shape(
                channels: channels, height: height, width: width, output_channels: outputChannels,
                kernel_height: kernelHeight, kernel_width: kernelWidth,
                padding_height: paddingHeight, padding_width: paddingWidth,
                dilation_height: dilationHeight, dilation_width: dilationWidth,
                output_height: outputHeight, output_width: outputWidth)
        }

        /// The geometry whose forward pass is this one's input gradient (stride 1): the output
        /// gradient `[O, H', W']` convolved back to `[C, H, W]` with padding `d·(k − 1) − p`.
        func transposedShape(outputChannels: Int) -> slope_conv_shape {
            slope_conv_shape(
                channels: outputChannels, height: outputHeight, width: outputWidth, output_channels: channels,
                kernel_height: kernelHeight, kernel_width: kernelWidth,
                padding_height: dilationHeight * (kernelHeight - 1) - paddingHeight,
                padding_width: dilationWidth * (kernelWidth - 1) - paddingWidth,
                dilation_height: dilationHeight, dilation_width: dilationWidth,
                output_height: height, output_width: width)
        }

        /// Whether the direct kernels compute this convolution: stride 1, padding no wider than
        /// the dilated kernel, at most 64 taps, one group, on a CPU with AVX-512.
        func usesDirect(groups: Int) -> Bool {
            ConvolutionKernels.directSupported && groups == 1 && strideHeight == 1 && strideWidth == 1
                && kernelHeight * kernelWidth <= 64
                && paddingHeight <= dilationHeight * (kernelHeight - 1) && paddingWidth <= dilationWidth * (kernelWidth - 1)
        }

        /// The output rows `oh` whose input row `oh·stride − padding + kernelRow·dilation` lies in
        /// `[0, height)`.
        @inline(__always)
        func validOutputRows(kernelRow: Int) -> Range<Int> {
            Self.validRange(
                offset: kernelRow * dilationHeight - paddingHeight, stride: strideHeight, size: height,
                count: outputHeight)
        }

        /// The output columns `ow` whose input column `ow·stride − padding + kernelColumn·dilation`
        /// lies in `[0, width)`.
        @inline(__always)
        func validOutputColumns(kernelColumn: Int) -> Range<Int> {
            Self.validRange(
                offset: kernelColumn * dilationWidth - paddingWidth, stride: strideWidth, size: width,
                count: outputWidth)
        }

        /// `{ o in 0..<count : 0 <= o·stride + offset < size }`, an interval.
        @inline(__always)
        private static func validRange(offset: Int, stride: Int, size: Int, count: Int) -> Range<Int> {
            let lower = Swift.min(count, Swift.max(0, ceilingDivide(-offset, stride)))
            let upper = Swift.min(count, Swift.max(0, ceilingDivide(size - offset, stride)))
            return lower..<Swift.max(lower, upper)
        }

        /// `⌈a / b⌉` for `b > 0` and any sign of `a`.
        @inline(__always)
        private static func ceilingDivide(_ a: Int, _ b: Int) -> Int {
            a >= 0 ? (a + b - 1) / b : -((-a) / b)
        }
    }

    // MARK: - im2col and col2im

    /// Copies the receptive fields of one `[C, H, W]` image into a `[C·kH·kW, H'·W']` block of a
    /// column matrix whose rows are `rowStride` apart; padding reads as 0.
    ///
    /// `columns[(c·kH + i)·kW + j, oh·W' + ow] = image[c, oh·sh − ph + i·dh, ow·sw − pw + j·dw]`.
    static func im2col(
        _ image: UnsafePointer<Float>, _ g: Geometry, columns: UnsafeMutablePointer<Float>, rowStride: Int
    ) {
        let outputWidth = g.outputWidth, area = g.outputArea
        let shifted = g.isShiftedCopy
        var row = columns
        for channel in 0..<g.channels {
            let plane = image + channel &* g.inputArea
            for kernelRow in 0..<g.kernelHeight {
                let rows = g.validOutputRows(kernelRow: kernelRow)
                let rowOffset = kernelRow &* g.dilationHeight &- g.paddingHeight
                for kernelColumn in 0..<g.kernelWidth {
                    defer { row += rowStride }
                    let cols = g.validOutputColumns(kernelColumn: kernelColumn)
                    let columnOffset = kernelColumn &* g.dilationWidth &- g.paddingWidth
                    if rows.isEmpty || cols.isEmpty {
                        for p in 0..<area { row[p] = 0 }
                        continue
                    }
                    if shifted {
                        // Row `(c, i, j)` is the plane shifted by a constant: one long copy from
                        // the first valid position to the last, then the columns that wrapped
                        // around a row edge are cleared.
                        let first = rows.lowerBound &* outputWidth &+ cols.lowerBound
                        let last = (rows.upperBound &- 1) &* outputWidth &+ cols.upperBound
                        let source = plane + (rowOffset &* g.width &+ columnOffset)
                        for p in 0..<first { row[p] = 0 }
                        for p in first..<last { row[p] = source[p] }
                        for p in last..<area { row[p] = 0 }
                        if cols.count < outputWidth {
                            for outputRow in rows {
                                let line = row + outputRow &* outputWidth
                                for x in 0..<cols.lowerBound { line[x] = 0 }
                                for x in cols.upperBound..<outputWidth { line[x] = 0 }
                            }
                        }
                        continue
                    }
                    for p in 0..<(rows.lowerBound &* outputWidth) { row[p] = 0 }
                    for outputRow in rows {
                        // Rows are short (tens of values): plain loops beat memcpy/memset calls.
                        let destination = row + outputRow &* outputWidth
                        let source = plane + ((outputRow &* g.strideHeight &+ rowOffset) &* g.width &+ columnOffset)
                        for outputColumn in 0..<cols.lowerBound { destination[outputColumn] = 0 }
                        if g.strideWidth == 1 {
                            for outputColumn in cols { destination[outputColumn] = source[outputColumn] }
                        } else {
                            let step = g.strideWidth
                            for outputColumn in cols { destination[outputColumn] = source[outputColumn &* step] }
                        }
                        for outputColumn in cols.upperBound..<outputWidth { destination[outputColumn] = 0 }
                    }
                    for p in (rows.upperBound &* outputWidth)..<area { row[p] = 0 }
                }
            }
        }
    }

    /// The adjoint of `im2col`: adds each entry of a `[C·kH·kW, H'·W']` column block (rows
    /// `rowStride` apart) onto the image position it was read from; padding positions are dropped.
    /// The block is scratch: entries that fall on padding may be overwritten with 0.
    static func col2im(
        _ columns: UnsafeMutablePointer<Float>, rowStride: Int, _ g: Geometry, image: UnsafeMutablePointer<Float>
    ) {
        let outputWidth = g.outputWidth
        let shifted = g.isShiftedCopy
        var row = columns
        for channel in 0..<g.channels {
            let plane = image + channel &* g.inputArea
            for kernelRow in 0..<g.kernelHeight {
                let rows = g.validOutputRows(kernelRow: kernelRow)
                let rowOffset = kernelRow &* g.dilationHeight &- g.paddingHeight
                for kernelColumn in 0..<g.kernelWidth {
                    defer { row += rowStride }
                    let cols = g.validOutputColumns(kernelColumn: kernelColumn)
                    let columnOffset = kernelColumn &* g.dilationWidth &- g.paddingWidth
                    if rows.isEmpty || cols.isEmpty { continue }
                    if shifted {
                        // Clear the entries that would wrap around a row edge, then add one long
                        // run (the adjoint of the shifted copy in `im2col`).
                        if cols.count < outputWidth {
                            for outputRow in rows {
                                let line = row + outputRow &* outputWidth
                                for x in 0..<cols.lowerBound { line[x] = 0 }
                                for x in cols.upperBound..<outputWidth { line[x] = 0 }
                            }
                        }
                        let first = rows.lowerBound &* outputWidth &+ cols.lowerBound
                        let last = (rows.upperBound &- 1) &* outputWidth &+ cols.upperBound
                        let destination = plane + (rowOffset &* g.width &+ columnOffset)
                        for p in first..<last { destination[p] += row[p] }
                        continue
                    }
                    for outputRow in rows {
                        let source = row + outputRow &* outputWidth
                        let destination = plane + ((outputRow &* g.strideHeight &+ rowOffset) &* g.width &+ columnOffset)
                        if g.strideWidth == 1 {
                            for outputColumn in cols { destination[outputColumn] += source[outputColumn] }
                        } else {
                            let step = g.strideWidth
                            for outputColumn in cols { destination[outputColumn &* step] += source[outputColumn] }
                        }
                    }
                }
            }
        }
    }

    /// The sum of `count` values, sixteen lanes at a time (a plain loop adds one value after
    /// another, waiting on each addition).
    @inline(__always)
    static func sum(_ values: UnsafePointer<Float>, count: Int) -> Float {
        let raw = UnsafeRawPointer(values)
        var lanes = SIMD16<Float>()
        var i = 0
        while i &+ 16 <= count {
            lanes += raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            i &+= 16
        }
        var total = lanes.sum()
        while i < count {
            total += values[i]
            i &+= 1
        }
        return total
    }

    // MARK: - Work split

    /// How a batch is cut: `threads` contiguous ranges of images, each processed
    /// `imagesPerChunk` images at a time (one column matrix per chunk).
    struct Plan {
        let threads: Int
        let imagesPerThread: Int
        let imagesPerChunk: Int

        /// The images thread `thread` handles.
        func images(of thread: Int, batch: Int) -> Range<Int> {
            let start = Swift.min(batch, thread * imagesPerThread)
            return start..<Swift.min(batch, start + imagesPerThread)
        }
    }

    /// Multiply-adds below which a convolution runs on the calling thread only.
    nonisolated(unsafe) static var parallelThreshold = 1 << 21
    /// Bytes of column matrix to aim for per chunk (it should stay in the core's L2 cache).
    nonisolated(unsafe) static var columnBudgetBytes = 1 << 19
    /// Whether this CPU runs the direct kernels (AVX-512).
    static let directSupported = slope_conv_direct_supported() != 0
    /// Column-matrix rows (`C·kH·kW`) below which the direct kernel computes the weight gradient
    /// (the matrix kernel wins on taller column matrices).
    static let directWeightRowLimit = 64
    /// Bytes of padded images the weight gradient reads per chunk.
    static let paddedBudgetBytes = 1 << 18

    /// Threads to split a batch over (the cores this process may use).
    static let maximumThreads = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Cuts a batch of `batch` images, each costing `multiplyAdds` and needing `columnBytes` of
    /// column matrix, into threads and chunks.
    static func makePlan(batch: Int, multiplyAdds: Int, columnBytes: Int) -> Plan {
        let threads = batch * multiplyAdds >= parallelThreshold ? Swift.min(maximumThreads, batch) : 1
        let perThread = Swift.max(1, (batch + threads - 1) / threads)
        let perChunk = Swift.max(1, Swift.min(perThread, columnBudgetBytes / Swift.max(1, columnBytes)))
        return Plan(threads: Swift.max(1, threads), imagesPerThread: perThread, imagesPerChunk: perChunk)
    }

    /// Runs `body(thread)` for `thread` in `0..<threads`, in parallel when `threads > 1`.
    @inline(__always)
    static func run(threads: Int, _ body: (Int) -> Void) {
        if threads <= 1 {
            body(0)
        } else {
            // Each thread writes disjoint memory (its own images, its own scratch), so sharing the
            // non-Sendable closure is safe; the box only tells the compiler so.
            withoutActuallyEscaping(body) { escapable in
                let shared = UncheckedSendable(escapable)
                DispatchQueue.concurrentPerform(iterations: threads) { shared.value($0) }
            }
        }
    }

    /// Carries a value the caller knows is used safely across threads.
    private struct UncheckedSendable<Value>: @unchecked Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    // MARK: - Forward

    /// `output[n, o] = bias[o] + Σ_{c in group(o), i, j} weight[o, c, i, j] · input[n, c, ·, ·]`
    /// (cross-correlation), for `batch` images of geometry `g`, writing `[N, O, H', W']`.
    /// `plan` overrides the work split and `allowDirect: false` keeps to the column-matrix path
    /// (tests use them).
    static func forward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>, batch: Int, outputChannels: Int, groups: Int, geometry g: Geometry,
        plan chosen: Plan? = nil, allowDirect: Bool = true
    ) {
        let rows = g.columnRows, area = g.outputArea
        let groupRows = rows / groups, groupChannels = outputChannels / groups
        let plan = chosen ?? makePlan(batch: batch, multiplyAdds: outputChannels * groupRows * area, columnBytes: rows * area * 4)
        let inputStride = g.channels * g.inputArea, outputStride = outputChannels * area
        if allowDirect && g.usesDirect(groups: groups) {
            var shape = g.directShape(outputChannels: outputChannels)
            directForward(&shape, images: input, imageStride: inputStride, weight: weight, flipped: false, bias: bias,
                          output: output, outputStride: outputStride, batch: batch, plan: plan)
            return
        }
        run(threads: plan.threads) { thread in
            let images = plan.images(of: thread, batch: batch)
            if images.isEmpty { return }
            let chunkWidth = plan.imagesPerChunk * area
            let columns = UnsafeMutablePointer<Float>.allocate(capacity: rows * chunkWidth)
            let products = plan.imagesPerChunk > 1
                ? UnsafeMutablePointer<Float>.allocate(capacity: outputChannels * chunkWidth) : nil
            defer {
                columns.deallocate()
                products?.deallocate()
            }
            var first = images.lowerBound
            while first < images.upperBound {
                let count = Swift.min(plan.imagesPerChunk, images.upperBound - first)
                let width = count * area
                for image in 0..<count {
                    im2col(input + (first + image) * inputStride, g, columns: columns + image * area, rowStride: width)
                }
                // One image: the product lands in the output directly; several: side by side in
                // `products`, then copied to their images.
                let target = count == 1 ? output + first * outputStride : products!
                for group in 0..<groups {
                    Gemm.multiply(
                        transposeA: false, transposeB: false, m: groupChannels, n: width, k: groupRows,
                        a: weight + group * groupChannels * groupRows, lda: groupRows,
                        b: columns + group * groupRows * width, ldb: width,
                        c: target + group * groupChannels * width, ldc: width)
                }
                for image in 0..<count {
                    let destination = output + (first + image) * outputStride
                    for channel in 0..<outputChannels {
                        let out = destination + channel * area
                        let shift = bias?[channel] ?? 0
                        if count == 1 {
                            if shift != 0 { for p in 0..<area { out[p] += shift } }
                        } else {
                            let source = target + channel * width + image * area
                            for p in 0..<area { out[p] = source[p] + shift }
                        }
                    }
                }
                first += count
            }
        }
    }

    /// The direct forward kernel over a batch: weights packed once, each image padded into the
    /// thread's scratch, then convolved into its output.
    private static func directForward(
        _ shape: inout slope_conv_shape, images: UnsafePointer<Float>, imageStride: Int, weight: UnsafePointer<Float>,
        flipped: Bool, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, outputStride: Int,
        batch: Int, plan: Plan
    ) {
        let packed = UnsafeMutablePointer<Float>.allocate(capacity: slope_conv_packed_weight_size(&shape))
        defer { packed.deallocate() }
        slope_conv_pack_weights(&shape, weight, flipped ? 1 : 0, packed)
        let paddedCount = slope_conv_padded_size(&shape)
        let geometry = shape
        run(threads: plan.threads) { thread in
            let range = plan.images(of: thread, batch: batch)
            if range.isEmpty { return }
            var shape = geometry
            let padded = UnsafeMutablePointer<Float>.allocate(capacity: paddedCount)
            defer { padded.deallocate() }
            for image in range {
                slope_conv_pad(&shape, images + image * imageStride, 1, padded)
                slope_conv_forward(&shape, padded, packed, bias, output + image * outputStride)
            }
        }
    }

    /// The direct backward kernels: the input gradient as the forward kernel on the output
    /// gradient with rotated weights, the weight and bias gradients summed over chunks of padded
    /// images per thread (thread 0 into the results, the others into `extraWeight`/`extraBias`).
    private static func directBackward(
        gradient: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        batch: Int, outputChannels: Int, geometry g: Geometry, plan: Plan,
        gradInput: UnsafeMutablePointer<Float>?, weightSums: (Int) -> UnsafeMutablePointer<Float>?,
        biasSums: (Int) -> UnsafeMutablePointer<Float>?
    ) {
        let inputStride = g.channels * g.inputArea, outputStride = outputChannels * g.outputArea
        if let gradInput {
            var transposed = g.transposedShape(outputChannels: outputChannels)
            directForward(&transposed, images: gradient, imageStride: outputStride, weight: weight, flipped: true,
                          bias: nil, output: gradInput, outputStride: inputStride, batch: batch, plan: plan)
        }
        if weightSums(0) == nil && biasSums(0) == nil { return }
        let geometry = g.directShape(outputChannels: outputChannels)
        var probe = geometry
        let paddedCount = slope_conv_padded_size(&probe)
        let chunk = Swift.max(1, Swift.min(plan.imagesPerThread, paddedBudgetBytes / Swift.max(1, paddedCount * 4)))
        run(threads: plan.threads) { thread in
            let range = plan.images(of: thread, batch: batch)
            if range.isEmpty { return }
            var shape = geometry
            let padded = UnsafeMutablePointer<Float>.allocate(capacity: paddedCount * chunk)
            defer { padded.deallocate() }
            var first = range.lowerBound
            while first < range.upperBound {
                let count = Swift.min(chunk, range.upperBound - first)
                slope_conv_pad(&shape, input + first * inputStride, count, padded)
                if let weightSum = weightSums(thread) {
                    slope_conv_weight_grad(&shape, padded, gradient + first * outputStride, count, weightSum, biasSums(thread))
                } else if let biasSum = biasSums(thread) {
                    for image in first..<(first + count) {
                        for channel in 0..<outputChannels {
                            biasSum[channel] += sum(gradient + image * outputStride + channel * g.outputArea, count: g.outputArea)
                        }
                    }
                }
                first += count
            }
        }
    }

    // MARK: - Backward

    /// The gradients of `forward` given the output gradient `gradient` `[N, O, H', W']`:
    ///
    /// - `gradInput = col2im(weightᵀ @ gradient)` per group (overwritten),
    /// - `gradWeight = Σ_n gradient @ im2col(input)ᵀ` per group (overwritten),
    /// - `gradBias[o] = Σ_{n, p} gradient[n, o, p]` (overwritten).
    ///
    /// Pass `nil` for the gradients not wanted; the columns are recomputed only when the weight
    /// gradient is asked for. `plan` overrides the work split and `allowDirect: false` keeps to
    /// the column-matrix path (tests use them).
    static func backward(
        gradient: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        batch: Int, outputChannels: Int, groups: Int, geometry g: Geometry,
        gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?,
        gradBias: UnsafeMutablePointer<Float>?, plan chosen: Plan? = nil, allowDirect: Bool = true
    ) {
        let rows = g.columnRows, area = g.outputArea
        let groupRows = rows / groups, groupChannels = outputChannels / groups
        let weightCount = outputChannels * groupRows
        let products = (gradInput != nil ? 1 : 0) + (gradWeight != nil ? 1 : 0)
        let plan = chosen ?? makePlan(
            batch: batch, multiplyAdds: Swift.max(1, products) * weightCount * area, columnBytes: rows * area * 4)
        let inputStride = g.channels * g.inputArea, outputStride = outputChannels * area
        // Thread 0 accumulates straight into the results; the others into scratch, summed after.
        let extraWeight = gradWeight != nil && plan.threads > 1
            ? UnsafeMutablePointer<Float>.allocate(capacity: (plan.threads - 1) * weightCount) : nil
        let extraBias = gradBias != nil && plan.threads > 1
            ? UnsafeMutablePointer<Float>.allocate(capacity: (plan.threads - 1) * outputChannels) : nil
        defer {
            extraWeight?.deallocate()
            extraBias?.deallocate()
        }
        // Direct kernels for the input gradient; for the weight gradient too when the column
        // matrix would be too short for the matrix kernel (few input channels, e.g. the first layer).
        let direct = allowDirect && g.usesDirect(groups: groups)
        let directWeights = direct && rows < directWeightRowLimit
        if direct {
            if directWeights {
                gradWeight?.update(repeating: 0, count: weightCount)
                gradBias?.update(repeating: 0, count: outputChannels)
                extraWeight?.update(repeating: 0, count: (plan.threads - 1) * weightCount)
                extraBias?.update(repeating: 0, count: (plan.threads - 1) * outputChannels)
            }
            directBackward(
                gradient: gradient, input: input, weight: weight, batch: batch, outputChannels: outputChannels,
                geometry: g, plan: plan, gradInput: gradInput,
                weightSums: { thread in
                    !directWeights ? nil : thread == 0 ? gradWeight : extraWeight.map { $0 + (thread - 1) * weightCount }
                },
                biasSums: { thread in
                    !directWeights ? nil : thread == 0 ? gradBias : extraBias.map { $0 + (thread - 1) * outputChannels }
                })
        }
        let gradInput = direct ? nil : gradInput
        if !directWeights && (gradInput != nil || gradWeight != nil || gradBias != nil) {
        run(threads: plan.threads) { thread in
            let images = plan.images(of: thread, batch: batch)
            let weightSum = thread == 0 ? gradWeight : extraWeight.map { $0 + (thread - 1) * weightCount }
            let biasSum = thread == 0 ? gradBias : extraBias.map { $0 + (thread - 1) * outputChannels }
            biasSum?.update(repeating: 0, count: outputChannels)
            if images.isEmpty {
                weightSum?.update(repeating: 0, count: weightCount)
                return
            }
            if let gradInput {
                (gradInput + images.lowerBound * inputStride).update(repeating: 0, count: images.count * inputStride)
            }
            let chunkWidth = plan.imagesPerChunk * area
            let columns = UnsafeMutablePointer<Float>.allocate(capacity: rows * chunkWidth)
            let gathered = plan.imagesPerChunk > 1
                ? UnsafeMutablePointer<Float>.allocate(capacity: outputChannels * chunkWidth) : nil
            defer {
                columns.deallocate()
                gathered?.deallocate()
            }
            var first = images.lowerBound
            while first < images.upperBound {
                let count = Swift.min(plan.imagesPerChunk, images.upperBound - first)
                let width = count * area
                // The output gradient of the chunk as one [O, count·H'·W'] matrix.
                let matrix: UnsafePointer<Float>
                if count == 1 {
                    matrix = gradient + first * outputStride
                } else {
                    for image in 0..<count {
                        let source = gradient + (first + image) * outputStride
                        for channel in 0..<outputChannels {
                            (gathered! + channel * width + image * area).update(from: source + channel * area, count: area)
                        }
                    }
                    matrix = UnsafePointer(gathered!)
                }
                if let biasSum {
                    for channel in 0..<outputChannels {
                        biasSum[channel] += sum(matrix + channel * width, count: width)
                    }
                }
                if let weightSum {
                    for image in 0..<count {
                        im2col(input + (first + image) * inputStride, g, columns: columns + image * area, rowStride: width)
                    }
                    for group in 0..<groups {
                        Gemm.multiply(
                            transposeA: false, transposeB: true, m: groupChannels, n: groupRows, k: width,
                            a: matrix + group * groupChannels * width, lda: width,
                            b: columns + group * groupRows * width, ldb: width,
                            beta: first == images.lowerBound ? 0 : 1,
                            c: weightSum + group * groupChannels * groupRows, ldc: groupRows)
                    }
                }
                if let gradInput {
                    for group in 0..<groups {
                        Gemm.multiply(
                            transposeA: true, transposeB: false, m: groupRows, n: width, k: groupChannels,
                            a: weight + group * groupChannels * groupRows, lda: groupRows,
                            b: matrix + group * groupChannels * width, ldb: width,
                            c: columns + group * groupRows * width, ldc: width)
                    }
                    for image in 0..<count {
                        col2im(columns + image * area, rowStride: width, g, image: gradInput + (first + image) * inputStride)
                    }
                }
                first += count
            }
        }
        }
        for thread in 1..<Swift.max(1, plan.threads) {
            if let gradWeight, let extraWeight {
                let source = extraWeight + (thread - 1) * weightCount
                for i in 0..<weightCount { gradWeight[i] += source[i] }
            }
            if let gradBias, let extraBias {
                let source = extraBias + (thread - 1) * outputChannels
                for i in 0..<outputChannels { gradBias[i] += source[i] }
            }
        }
    }
}
