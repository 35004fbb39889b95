/// The lesson's quadratic family `c*x² + b*x + a`, made from one parameter tensor
/// `[a, b, c]` (the notebook's `mk_quad(*params)`): the result is a function of `x`,
/// evaluated as one `polynomial` op so a training step records few nodes.
///
/// ```swift
/// let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
/// let prediction = quadratic(abc)(x)
/// ```
public func quadratic(_ abc: Tensor) -> (Tensor) -> Tensor {
    require(abc.shape == [3], "quadratic: parameters must have shape [3] ([a, b, c]), got \(abc.shape)")
    return { x in Tensor.polynomial(abc, at: x) }
}

/// The quadratic `c*x² + b*x + a` with plain numbers, for making data and drawing curves.
///
/// ```swift
/// quadratic(a: 1, b: 2, c: 3)(Tensor([0, 1]))   // tensor([1., 6.])
/// ```
public func quadratic(a: Float, b: Float, c: Float) -> (Tensor) -> Tensor {
    // Same order of float32 operations as NumPy's `c * x**2 + b * x + a`.
    { x in x.squared() * c + x * b + a }
}

/// The lesson's rectified linear function `max(m*x + b, 0)`.
///
/// ```swift
/// let y = rectifiedLinear(m: 1, b: 0.5, x: Tensor.linspace(-2, 2, count: 5))
/// ```
public func rectifiedLinear(m: Tensor, b: Tensor, x: Tensor) -> Tensor {
    (m * x + b).relu()
}

/// The lesson's rectified linear function with plain slope and intercept.
///
/// ```swift
/// let y = rectifiedLinear(m: 1, b: 0.5, x: x)
/// ```
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
