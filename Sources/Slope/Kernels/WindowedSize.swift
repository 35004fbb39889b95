/// The number of positions a sliding window takes along one axis, PyTorch's rule for
/// convolution and pooling:
///
/// `⌊(size + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1`,
///
/// or 0 when the (dilated) window does not fit the padded axis, when an argument is out of its
/// domain (`size`, `padding` < 0; `kernel`, `stride`, `dilation` < 1) or when the arithmetic
/// would overflow. The convolution and pooling kernels and the layers' shape rules all call this
/// one function, so a shape a model file is checked against is the shape the kernel produces.
///
/// ```swift
/// windowedSize(28, kernel: 3, stride: 1, padding: 1)   // 28
/// windowedSize(1, kernel: 2, stride: 2)                // 0: the window does not fit
/// ```
///
/// - Parameters:
///   - size: the input's length along the axis.
///   - kernel: the window's length.
///   - stride: the step between windows.
///   - padding: zeros added at each end.
///   - dilation: the spacing between the window's taps.
/// - Returns: the output length, at least 0.
@inline(__always)
func windowedSize(_ size: Int, kernel: Int, stride: Int, padding: Int = 0, dilation: Int = 1) -> Int {
    guard size >= 0, padding >= 0, kernel >= 1, stride >= 1, dilation >= 1 else { return 0 }
    let (twoPadding, o1) = padding.multipliedReportingOverflow(by: 2)
    let (padded, o2) = size.addingReportingOverflow(twoPadding)
    let (reach, o3) = dilation.multipliedReportingOverflow(by: kernel - 1)
    guard !o1, !o2, !o3 else { return 0 }
    // Both sides are non-negative, so the subtraction cannot overflow.
    let span = padded - reach - 1
    return span < 0 ? 0 : span / stride + 1
}
