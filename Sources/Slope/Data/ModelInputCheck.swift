/// Whether a model can train on the data's inputs, judged before training by the layers' own
/// shape rule (the one loading uses), not by running anything: the one place training asks it.
///
/// ```swift
/// switch ModelInputCheck.check(model, sample: [1, 28, 28], outputs: 10, batchSize: 64) {
/// case .fits: break
/// case .rejectsInput(let why): print(why)  // `0` (Conv2d) cannot take ...
/// case .outputMismatch(let found): print("it gives \(found)")
/// case .activationsTooLarge(let floats): print("a batch needs \(floats) floats")
/// }
/// ```
public enum ModelInputCheck {
    /// The verdict.
    public enum Verdict: Equatable, Sendable {
        /// The model takes the inputs and gives `[batch, outputs]`.
        case fits
        /// A layer does not accept the shape it would receive (e.g. pooling larger than the image):
        /// its own refusal, naming the layer and what it needs.
        case rejectsInput(ShapeError)
        /// The model gives this shape for one sample instead of `[1, outputs]`.
        case outputMismatch([Int])
        /// One batch's layer outputs would need this many floats, more than ``InputLimits/batchActivationFloats``.
        case activationsTooLarge(Int)
    }

    /// Checks `model` against one sample of shape `sample` (without the batch axis).
    ///
    /// The activation estimate is the batch size times the elements of every top-level layer's
    /// output, three times over (each stage keeps its convolution, normalisation and activation
    /// outputs for the backward pass).
    ///
    /// ```swift
    /// ModelInputCheck.check(model, sample: [3, 64, 64], outputs: 5, batchSize: 64)  // .fits
    /// ```
    /// - Parameters:
    ///   - model: the model to train.
    ///   - sample: one input's shape, e.g. `[channels, height, width]`.
    ///   - outputs: the outputs per sample the loss expects.
    ///   - batchSize: samples per training batch.
    /// - Returns: the verdict.
    public static func check(_ model: Module, sample: [Int], outputs: Int, batchSize: Int) -> Verdict {
        let input = [1] + sample
        let output: [Int]
        do { output = try model.outputShape(for: input) } catch { return .rejectsInput(error) }
        guard output == [1, outputs] else { return .outputMismatch(output) }
        let stages = (model as? Sequential)?.layers ?? [model]
        var shape = input
        var perSample = 0
        for stage in stages {
            do { shape = try stage.outputShape(for: shape) } catch { return .rejectsInput(error) }
            perSample = perSample.addingReportingOverflow(shape.reduce(1, *)).partialValue
        }
        let (floats, overflow) = (3 * perSample).multipliedReportingOverflow(by: Swift.max(batchSize, 1))
        if overflow || floats > InputLimits.batchActivationFloats.value { return .activationsTooLarge(overflow ? .max : floats) }
        return .fits
    }
}
