/// 2-D pooling over `[N, C, H, W]` images (or one `[C, H, W]` image): max, average and
/// adaptive average, each channel of each image on its own (PyTorch's `max_pool2d`,
/// `avg_pool2d`, `adaptive_avg_pool2d`).
extension Tensor {
    // MARK: - Max pooling

    /// The largest value of each `kernelSize` window, windows `stride` apart (the kernel size when
    /// omitted) over the image padded by `padding` on each side (padding never wins).
    ///
    /// `out[n, c, y, x] = max_{i < kH, j < kW} in[n, c, y·sh − ph + i, x·sw − pw + j]`, with
    /// `H' = ⌊(H + 2·ph − kH) / sh⌋ + 1` (and `W'` alike). The gradient goes to the position of
    /// each window's maximum (the first in row-major order on ties); overlapping windows add.
    ///
    /// ```swift
    /// let pooled = features.maxPool2d(kernelSize: 2)   // [64, 16, 28, 28] -> [64, 16, 14, 14]
    /// ```
    ///
    /// - Parameters:
    ///   - kernelSize: The window `(kH, kW)`, at least 1 each.
    ///   - stride: The step between windows `(sh, sw)`, at least 1; `nil` uses `kernelSize`.
    ///   - padding: Rows and columns of padding on each side `(ph, pw)`, never the maximum; at most half the kernel size.
    /// - Returns: `[N, C, H', W']` (or `[C, H', W']` for one image); at least one window must fit.
    public func maxPool2d(kernelSize: IntOrPair, stride: IntOrPair? = nil, padding: IntOrPair = 0) -> Tensor {
        if rank == 3 {
            return unsqueezed(axis: 0).maxPool2d(kernelSize: kernelSize, stride: stride, padding: padding)
                .squeezed(axis: 0)
        }
        let window = poolingWindow("maxPool2d", kernelSize: kernelSize, stride: stride, padding: padding)
        let planes = shape[0] * shape[1]
        let outputCount = planes * window.outputHeight * window.outputWidth
        var indices = [Int32](repeating: 0, count: 0)
        let values = [Float](unsafeUninitializedCapacity: outputCount) { out, initialized in
            indices = [Int32](unsafeUninitializedCapacity: outputCount) { index, filled in
                if outputCount > 0 {
                    storage.withUnsafeBufferPointer { input in
                        PoolingKernels.maxForward(input.baseAddress!, out.baseAddress!, index.baseAddress!, planes: planes, window)
                    }
                }
                filled = outputCount
            }
            initialized = outputCount
        }
        let result = Tensor(unchecked: [shape[0], shape[1], window.outputHeight, window.outputWidth], values)
        if Tensor.recording(self) {
            let inputShape = shape, inputCount = count
            result.record("maxPool2d", self) { g in
                Tensor(unchecked: inputShape, Tensor.filledByKernel(count: inputCount) { gradInput in
                    g.storage.withUnsafeBufferPointer { upstream in
                        indices.withUnsafeBufferPointer { index in
                            PoolingKernels.maxBackward(
                                upstream.baseAddress!, index.baseAddress!, gradInput, planes: planes, window)
                        }
                    }
                })
            }
            if let session = CaptureSession.current { session.note(.maxPool2d(window: window), [self], result) }
        }
        return result
    }

    /// Max pooling with `(height, width)` pairs (see `maxPool2d(kernelSize:stride:padding:)`).
    ///
    /// ```swift
    /// let pooled = x.maxPool2d(kernelSize: (2, 1))
    /// ```
    ///
    /// - Parameters:
    ///   - kernelSize: The window `(kH, kW)` as a tuple, at least 1 each.
    ///   - stride: The step between windows `(sh, sw)`, at least 1; `nil` uses `kernelSize`.
    ///   - padding: Rows and columns of padding on each side `(ph, pw)`, never the maximum; at most half the kernel size.
    /// - Returns: `[N, C, H', W']` (or `[C, H', W']` for one image); at least one window must fit.
    public func maxPool2d(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) -> Tensor {
        maxPool2d(kernelSize: IntOrPair(kernelSize), stride: stride.map(IntOrPair.init), padding: IntOrPair(padding))
    }

    // MARK: - Average pooling

    /// The mean of each `kernelSize` window, windows `stride` apart (the kernel size when omitted)
    /// over the image padded with zeros by `padding` on each side.
    ///
    /// `out[n, c, y, x] = (Σ_{i < kH, j < kW} in[n, c, y·sh − ph + i, x·sw − pw + j]) / (kH·kW)`,
    /// padding included in the count as in PyTorch's default; with `countIncludePad: false` the
    /// divisor is the number of positions inside the image. `d/din` spreads each output
    /// gradient evenly over its window.
    ///
    /// ```swift
    /// let smoothed = images.avgPool2d(kernelSize: 3, stride: 1, padding: 1)   // same size
    /// ```
    ///
    /// - Parameters:
    ///   - kernelSize: The window `(kH, kW)`, at least 1 each.
    ///   - stride: The step between windows `(sh, sw)`, at least 1; `nil` uses `kernelSize`.
    ///   - padding: Rows and columns of zeros added on each side `(ph, pw)`, at most half the kernel size.
    ///   - countIncludePad: Whether padded positions count in each window's divisor (`true`, PyTorch's default) or not.
    /// - Returns: `[N, C, H', W']` (or `[C, H', W']` for one image); at least one window must fit.
    public func avgPool2d(
        kernelSize: IntOrPair, stride: IntOrPair? = nil, padding: IntOrPair = 0, countIncludePad: Bool = true
    ) -> Tensor {
        if rank == 3 {
            return unsqueezed(axis: 0)
                .avgPool2d(kernelSize: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad)
                .squeezed(axis: 0)
        }
        let window = poolingWindow("avgPool2d", kernelSize: kernelSize, stride: stride, padding: padding)
        let planes = shape[0] * shape[1]
        let outputCount = planes * window.outputHeight * window.outputWidth
        let values = Tensor.filledByKernel(count: outputCount) { out in
            storage.withUnsafeBufferPointer { input in
                PoolingKernels.averageForward(
                    input.baseAddress!, out, planes: planes, window, countIncludePad: countIncludePad)
            }
        }
        let result = Tensor(unchecked: [shape[0], shape[1], window.outputHeight, window.outputWidth], values)
        if Tensor.recording(self) {
            let inputShape = shape, inputCount = count
            result.record("avgPool2d", self) { g in
                Tensor(unchecked: inputShape, Tensor.filledByKernel(count: inputCount) { gradInput in
                    g.storage.withUnsafeBufferPointer { upstream in
                        PoolingKernels.averageBackward(
                            upstream.baseAddress!, gradInput, planes: planes, window, countIncludePad: countIncludePad)
                    }
                })
            }
        }
        return result
    }

    /// Average pooling with `(height, width)` pairs (see
    /// `avgPool2d(kernelSize:stride:padding:countIncludePad:)`).
    ///
    /// ```swift
    /// let pooled = x.avgPool2d(kernelSize: (3, 3), stride: (2, 2), padding: (1, 1))
    /// ```
    ///
    /// - Parameters:
    ///   - kernelSize: The window `(kH, kW)` as a tuple, at least 1 each.
    ///   - stride: The step between windows `(sh, sw)`, at least 1; `nil` uses `kernelSize`.
    ///   - padding: Rows and columns of zeros added on each side `(ph, pw)`, at most half the kernel size.
    ///   - countIncludePad: Whether padded positions count in each window's divisor (`true`, PyTorch's default) or not.
    /// - Returns: `[N, C, H', W']` (or `[C, H', W']` for one image); at least one window must fit.
    public func avgPool2d(
        kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), countIncludePad: Bool = true
    ) -> Tensor {
        avgPool2d(
            kernelSize: IntOrPair(kernelSize), stride: stride.map(IntOrPair.init), padding: IntOrPair(padding),
            countIncludePad: countIncludePad)
    }

    // MARK: - Adaptive average pooling

    /// Averages each image down to `outputSize` (height, width) whatever its size, with
    /// PyTorch's windows: output row `i` of `H'` averages input rows
    /// `⌊i·H/H'⌋ ..< ⌈(i+1)·H/H'⌉` (columns alike), so windows may overlap when the sizes do
    /// not divide. `d/din` spreads each output gradient evenly over its window.
    ///
    /// ```swift
    /// let pooled = features.adaptiveAvgPool2d(outputSize: 1)   // [N, C, H, W] -> [N, C, 1, 1]
    /// ```
    ///
    /// - Parameter outputSize: The output's `(H', W')`, at least 1 each (it may exceed the input's size).
    /// - Returns: `[N, C, H', W']` (or `[C, H', W']` for one image).
    public func adaptiveAvgPool2d(outputSize: IntOrPair) -> Tensor {
        if rank == 3 { return unsqueezed(axis: 0).adaptiveAvgPool2d(outputSize: outputSize).squeezed(axis: 0) }
        require(rank == 4, "adaptiveAvgPool2d: input must have shape [N, C, H, W] or [C, H, W], got \(shape)")
        let (height, width) = (shape[2], shape[3])
        let (outputHeight, outputWidth) = (outputSize.height, outputSize.width)
        require(
            outputHeight >= 1 && outputWidth >= 1,
            "adaptiveAvgPool2d: outputSize must be positive, got \(outputSize)")
        require(
            height >= 1 && width >= 1,
            "adaptiveAvgPool2d: input of shape \(shape) has an empty image axis")
        let planes = shape[0] * shape[1]
        let values = Tensor.filledByKernel(count: planes * outputHeight * outputWidth) { out in
            storage.withUnsafeBufferPointer { input in
                PoolingKernels.adaptiveAverageForward(
                    input.baseAddress!, out, planes: planes, height: height, width: width,
                    outputHeight: outputHeight, outputWidth: outputWidth)
            }
        }
        let result = Tensor(unchecked: [shape[0], shape[1], outputHeight, outputWidth], values)
        if Tensor.recording(self) {
            let inputShape = shape, inputCount = count
            result.record("adaptiveAvgPool2d", self) { g in
                Tensor(unchecked: inputShape, Tensor.filledByKernel(count: inputCount) { gradInput in
                    g.storage.withUnsafeBufferPointer { upstream in
                        PoolingKernels.adaptiveAverageBackward(
                            upstream.baseAddress!, gradInput, planes: planes, height: height, width: width,
                            outputHeight: outputHeight, outputWidth: outputWidth)
                    }
                })
            }
        }
        return result
    }

    /// Adaptive average pooling to a `(height, width)` pair (see `adaptiveAvgPool2d(outputSize:)`).
    ///
    /// ```swift
    /// let pooled = features.adaptiveAvgPool2d(outputSize: (7, 7))
    /// ```
    ///
    /// - Parameter outputSize: The output's `(H', W')` as a tuple, at least 1 each.
    /// - Returns: `[N, C, H', W']` (or `[C, H', W']` for one image).
    public func adaptiveAvgPool2d(outputSize: (Int, Int)) -> Tensor {
        adaptiveAvgPool2d(outputSize: IntOrPair(outputSize))
    }

    // MARK: - Shared checks

    /// Validates a pooling call on this tensor and returns its window.
    private func poolingWindow(
        _ op: String, kernelSize: IntOrPair, stride: IntOrPair?, padding: IntOrPair
    ) -> PoolingKernels.Window {
        require(rank == 4, "\(op): input must have shape [N, C, H, W] or [C, H, W], got \(shape)")
        require(shape[2] >= 1 && shape[3] >= 1, "\(op): input of shape \(shape) has an empty image axis")
        let stride = stride ?? kernelSize
        require(
            kernelSize.height >= 1 && kernelSize.width >= 1, "\(op): kernelSize must be positive, got \(kernelSize)")
        require(stride.height >= 1 && stride.width >= 1, "\(op): stride must be positive, got \(stride)")
        require(
            padding.height >= 0 && padding.width >= 0
                && 2 * padding.height <= kernelSize.height && 2 * padding.width <= kernelSize.width,
            "\(op): padding \(padding) must be between 0 and half the kernel size \(kernelSize)")
        let window = PoolingKernels.Window(
            height: shape[2], width: shape[3], kernelHeight: kernelSize.height, kernelWidth: kernelSize.width,
            strideHeight: stride.height, strideWidth: stride.width,
            paddingHeight: padding.height, paddingWidth: padding.width)
        require(
            window.outputHeight >= 1 && window.outputWidth >= 1,
            "\(op): kernel \(kernelSize) is larger than the input \(shape[2])x\(shape[3]) padded by \(padding)")
        return window
    }

    /// A buffer of `count` values that `body` fills completely (not called when `count` is 0).
    @inline(__always)
    static func filledByKernel(count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { body(buffer.baseAddress!) }
            initialized = count
        }
    }
}
