/// The output shape a model of Slope's own layers gives for an input shape, worked out from the
/// layers' settings without computing anything; `nil` when a layer does not accept the shape or
/// is a type this does not know. Loading uses it to check that a file's preprocessing and classes
/// fit its model before any prediction can fail.
///
/// ```swift
/// inferredOutputShape(of: model, input: [1, 1, 28, 28])   // [1, 10]
/// ```
func inferredOutputShape(of module: Module, input: [Int]) -> [Int]? {
    switch module {
    case let sequential as Sequential:
        var shape: [Int]? = input
        for layer in sequential.layers { shape = shape.flatMap { inferredOutputShape(of: layer, input: $0) } }
        return shape
    case let linear as Linear:
        return input.last == linear.inputFeatures ? input.dropLast() + [linear.outputFeatures] : nil
    case is ReLU, is Sigmoid, is Tanh, is Dropout:
        return input
    case let norm as BatchNorm:
        return norm.ranks.contains(input.count) && input[1] == norm.features ? input : nil
    case let norm as LayerNorm:
        return Array(input.suffix(norm.weight.rank)) == norm.weight.shape ? input : nil
    case let flatten as Flatten:
        guard !input.isEmpty else { return nil }
        let start = flatten.startAxis < 0 ? flatten.startAxis + input.count : flatten.startAxis
        let end = flatten.endAxis < 0 ? flatten.endAxis + input.count : flatten.endAxis
        guard start >= 0, end < input.count, start <= end else { return nil }
        return Array(input[..<start]) + [input[start...end].reduce(1, *)] + Array(input[(end + 1)...])
    case let conv as Conv2d:
        guard input.count == 4, input[1] == conv.inputChannels else { return nil }
        let k = conv.kernelSize
        return windowed(input, channels: conv.outputChannels, kernel: (k.height, k.width), stride: conv.stride, padding: conv.padding,
                        dilation: conv.dilation)
    case let pool as Pool2d:
        return input.count == 4 ? windowed(input, channels: input[1], kernel: (pool.kernelSize.height, pool.kernelSize.width),
                                           stride: pool.stride, padding: pool.padding, dilation: IntOrPair(1)) : nil
    case let pool as AdaptiveAvgPool2d:
        return input.count == 4 ? [input[0], input[1], pool.outputSize.height, pool.outputSize.width] : nil
    case let block as ResidualBlock:
        guard let main = inferredOutputShape(of: Sequential(block.conv1, block.bn1, block.conv2, block.bn2), input: input) else { return nil }
        let shortcut = block.downsample.map { inferredOutputShape(of: $0, input: input) } ?? input
        return shortcut == main ? main : nil
    case let model as TabularModel:
        guard input.count == 2, input[1] == model.embeds.count + (model.bnCont?.features ?? 0) else { return nil }
        let width = model.embeds.reduce(model.bnCont?.features ?? 0) { $0 + $1.dimension }
        return inferredOutputShape(of: model.layers, input: [input[0], width])
    default:
        return nil
    }
}

/// `[N, channels, H', W']` for a sliding window, or `nil` when the window does not fit.
private func windowed(_ input: [Int], channels: Int, kernel: (Int, Int), stride: IntOrPair, padding: IntOrPair, dilation: IntOrPair) -> [Int]? {
    // The window must fit in the padded input: a negative span would round up to one output under `/`.
    let spanHeight = input[2] + 2 * padding.height - dilation.height * (kernel.0 - 1) - 1
    let spanWidth = input[3] + 2 * padding.width - dilation.width * (kernel.1 - 1) - 1
    guard spanHeight >= 0, spanWidth >= 0, stride.height >= 1, stride.width >= 1 else { return nil }
    return [input[0], channels, spanHeight / stride.height + 1, spanWidth / stride.width + 1]
}
