/// The lesson's quadratic family `c*x² + b*x + a`, made from one parameter tensor
/// `[a, b, c]` (the notebook's `mk_quad(*params)`): the result is a function of `x`,
/// evaluated as one `polynomial` op so a training step records few nodes.
///
/// ```swift
/// let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
/// let prediction = quadratic(abc)(x)
/// ```
///
/// - Parameter abc: The coefficients `[a, b, c]`, shape `[3]`; usually a leaf that requires grad.
/// - Returns: A function from `x` (any shape) to `c*x² + b*x + a` of `x`'s shape, recorded for
///   `backward()` through `abc` (and `x`).
public func quadratic(_ abc: Tensor) -> (Tensor) -> Tensor {
    require(abc.shape == [3], "quadratic: parameters must have shape [3] ([a, b, c]), got \(abc.shape)")
    return { x in Tensor.polynomial(abc, at: x) }
}

/// The quadratic `c*x² + b*x + a` with plain numbers, for making data and drawing curves.
///
/// ```swift
/// quadratic(a: 1, b: 2, c: 3)(Tensor([0, 1]))   // tensor([1., 6.])
/// ```
///
/// - Parameters:
///   - a: The constant term.
///   - b: The coefficient of `x`.
///   - c: The coefficient of `x²`.
/// - Returns: A function from `x` to `c*x² + b*x + a` of `x`'s shape.
public func quadratic(a: Float, b: Float, c: Float) -> (Tensor) -> Tensor {
    // Same order of float32 operations as NumPy's `c * x**2 + b * x + a`.
    { x in x.squared() * c + x * b + a }
}

/// The lesson's rectified linear function `max(m*x + b, 0)`.
///
/// ```swift
/// let y = rectifiedLinear(m: 1, b: 0.5, x: Tensor.linspace(-2, 2, count: 5))
/// ```
///
/// - Parameters:
///   - m: The slope; its shape and `x`'s must broadcast.
///   - b: The intercept; broadcast the same way.
///   - x: The inputs.
/// - Returns: `max(m*x + b, 0)` of the broadcast shape.
public func rectifiedLinear(m: Tensor, b: Tensor, x: Tensor) -> Tensor {
    (m * x + b).relu()
}

/// The lesson's rectified linear function with plain slope and intercept.
///
/// ```swift
/// let y = rectifiedLinear(m: 1, b: 0.5, x: x)
/// ```
///
/// - Parameters:
///   - m: The slope.
///   - b: The intercept.
///   - x: The inputs, any shape.
/// - Returns: `max(m*x + b, 0)` of `x`'s shape.
public func rectifiedLinear(m: Float, b: Float, x: Tensor) -> Tensor {
    (x * m + b).relu()
}

/// Adds the lesson's noise: `y * (1 + N(0, mult²)) + N(0, add²)` (`add_noise(f(x), mult, add)`),
/// drawing from NumPy's legacy stream so `seed: 42` reproduces the notebook.
///
/// ```swift
/// var numpy = NumPyRandomState(seed: 42)
/// let y = addNoise(f(x), mult: 0.15, add: 1.5, generator: &numpy)
/// ```
///
/// - Parameters:
///   - values: The clean values `y`, any shape.
///   - mult: The standard deviation of the multiplicative noise.
///   - add: The standard deviation of the additive noise.
///   - generator: NumPy's stream; `values.count` multiplicative draws come first, then as many
///     additive ones (the notebook's order).
/// - Returns: The noisy values, `values`'s shape.
public func addNoise(_ values: Tensor, mult: Double, add: Double, generator: inout NumPyRandomState) -> Tensor {
    let scaled = generator.normal(scale: mult, count: values.count)
    let shifted = generator.normal(scale: add, count: values.count)
    let noisy = values.scalars.indices.map { i in
        Float(Double(values.scalars[i]) * (1 + scaled[i]) + shifted[i])
    }
    return Tensor(shape: values.shape, scalars: noisy)
}

/// The lesson's data, as library calls.
public enum Lesson {
    /// Noisy points from `c*x² + b*x + a` at `points` evenly spaced `x` in `[-2, 2]`, with the
    /// lesson's noise (`add_noise(f(x), noiseMult, noiseAdd)`) after `np.random.seed(seed)`.
    /// The defaults are the notebook's: `seed: 42` gives exactly its 20 points.
    ///
    /// ```swift
    /// let (x, y) = Lesson.noisyQuadratic(a: 1, b: 2, c: 3, points: 20, seed: 42)
    /// ```
    ///
    /// - Parameters:
    ///   - a: The constant term.
    ///   - b: The coefficient of `x`.
    ///   - c: The coefficient of `x²`.
    ///   - points: How many points.
    ///   - noiseMult: The standard deviation of the multiplicative noise.
    ///   - noiseAdd: The standard deviation of the additive noise.
    ///   - seed: NumPy's seed (`np.random.seed(seed)`).
    /// - Returns: The `x` values `[points]` and the noisy `y` values `[points]`.
    public static func noisyQuadratic(
        a: Float = 1, b: Float = 2, c: Float = 3, points: Int = 20,
        noiseMult: Double = 0.15, noiseAdd: Double = 1.5, seed: UInt32 = 42
    ) -> (x: Tensor, y: Tensor) {
        let x = Tensor.linspace(-2, 2, count: points)
        var numpy = NumPyRandomState(seed: seed)
        let y = noGrad { addNoise(quadratic(a: a, b: b, c: c)(x), mult: noiseMult, add: noiseAdd, generator: &numpy) }
        return (x, y)
    }
}
