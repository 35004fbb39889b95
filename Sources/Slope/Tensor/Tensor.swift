import CSlope

/// An n-dimensional array of `Float` values that can record the operations made from it and
/// compute gradients through them (reverse-mode automatic differentiation).
///
/// Values are stored row-major and contiguous. A tensor of rank 0 (`shape == []`) holds one
/// scalar. Tensors are reference types, as in PyTorch: `abc.grad` belongs to `abc`, and an
/// in-place update inside `noGrad { }` changes the tensor every holder sees.
///
/// ```swift
/// let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
/// let loss = (abc * abc).sum()
/// loss.backward()
/// print(abc.grad!)   // tensor([3., 3., 3.])
/// ```
public final class Tensor: @unchecked Sendable {
    // MARK: - Storage
    //
    // The stored properties opt out of run-time exclusivity checks: every op reads and writes
    // them (a `swift_beginAccess`/`swift_endAccess` pair per access otherwise, which is most of a
    // tiny op's cost), the ops never overlap two accesses to one tensor, and a package dependency
    // cannot turn the checks off module-wide (`-enforce-exclusivity=unchecked` is an unsafe flag).

    /// The shape: one size per dimension, `[]` for a scalar.
    @exclusivity(unchecked) public internal(set) var shape: [Int]
    /// The values, row-major.
    @exclusivity(unchecked) @usableFromInline var storage: [Float]

    // MARK: - Autograd state

    /// Whether gradients flow to (a leaf) or through (a result) this tensor.
    @exclusivity(unchecked) public internal(set) var requiresGrad: Bool
    /// The accumulated gradient of a leaf after `backward()`; `nil` until the first backward.
    @exclusivity(unchecked) public var grad: Tensor?
    /// How this tensor was made, for results that require grad; `nil` for leaves and constants.
    @exclusivity(unchecked) var gradFunction: GradFunction?
    /// The op that made this result (for messages and printing); empty for leaves.
    @exclusivity(unchecked) var opName: StaticString = ""
    /// Creation order of recorded results: every result is numbered after its inputs, so
    /// backward can visit nodes in decreasing order without a separate topological sort.
    @exclusivity(unchecked) var sequence = 0
    /// Keep `.grad` on this non-leaf during backward (see `retainGrad()`).
    @exclusivity(unchecked) var retainsGrad = false
    /// Gradient collected for this tensor while a backward pass is running. It may be the very
    /// tensor a pullback returned (shared, never mutated in place).
    @exclusivity(unchecked) var pendingGrad: Tensor?
    /// Marks this tensor as visited by the backward pass with that number.
    @exclusivity(unchecked) var visitMark = 0

    // MARK: - Creation

    /// Makes a tensor from a shape and row-major values.
    ///
    /// `shape` must multiply out to `scalars.count`.
    ///
    /// ```swift
    /// let m = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
    /// ```
    ///
    /// - Parameters:
    ///   - shape: The sizes of the dimensions, none negative.
    ///   - scalars: The values in row-major order; exactly `shape.reduce(1, *)` of them.
    public init(shape: [Int], scalars: [Float]) {
        require(shape.allSatisfy { $0 >= 0 }, "Tensor: shape \(shape) has a negative size")
        require(
            shape.reduce(1, *) == scalars.count,
            "Tensor: shape \(shape) needs \(shape.reduce(1, *)) values, got \(scalars.count)")
        self.shape = shape
        self.storage = scalars
        self.requiresGrad = false
        LiveTensors.created()
    }

    /// Internal designated initialiser that skips validation (callers guarantee the size).
    @usableFromInline init(unchecked shape: [Int], _ storage: [Float]) {
        self.shape = shape
        self.storage = storage
        self.requiresGrad = false
        LiveTensors.created()
    }

    deinit {
        LiveTensors.destroyed()
        if gradFunction?.hasInputs == true {
            var pending = takeInputs()
            Tensor.dismantle(&pending)
        }
    }

    /// Detaches this node from its inputs and returns them (the pullback is released too).
    private func takeInputs() -> [Tensor] {
        var inputs: [Tensor] = []
        gradFunction?.forEachInput { inputs.append($0) }
        gradFunction = nil
        return inputs
    }

    /// Frees a graph that was dropped without `backward()` one node at a time, so a chain of
    /// 100,000 ops cannot overflow the stack through nested deinits.
    private static func dismantle(_ pending: inout [Tensor]) {
        while var node = pending.popLast() {
            if isKnownUniquelyReferenced(&node), node.gradFunction?.hasInputs == true {
                pending.append(contentsOf: node.takeInputs())
            }
        }
    }

    /// Makes a rank-1 tensor from values.
    ///
    /// ```swift
    /// let abc = Tensor([1.5, 1.5, 1.5])   // shape [3]
    /// ```
    ///
    /// - Parameter scalars: The values; the tensor's shape is `[scalars.count]`.
    public convenience init(_ scalars: [Float]) {
        self.init(unchecked: [scalars.count], scalars)
    }

    /// Makes a rank-0 (scalar) tensor.
    ///
    /// ```swift
    /// let t = Tensor(3.5)   // shape []
    /// ```
    ///
    /// - Parameter scalar: The single value; the tensor's shape is `[]`.
    public convenience init(_ scalar: Float) {
        self.init(unchecked: [], [scalar])
    }

    /// Makes a rank-2 tensor from rows of equal length.
    ///
    /// ```swift
    /// let m = Tensor([[1, 2], [3, 4]])   // shape [2, 2]
    /// ```
    ///
    /// - Parameter rows: The rows, all of the same length; the shape is `[rows.count, rows[0].count]`.
    public convenience init(_ rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        require(
            rows.allSatisfy { $0.count == columns },
            "Tensor: rows have different lengths \(rows.map(\.count))")
        self.init(unchecked: [rows.count, columns], rows.flatMap { $0 })
    }

    /// Makes a rank-3 tensor from nested arrays of equal lengths.
    ///
    /// ```swift
    /// let t = Tensor([[[1, 2]], [[3, 4]]])   // shape [2, 1, 2]
    /// ```
    ///
    /// - Parameter planes: The planes of rows, all of the same sizes; the shape is
    ///   `[planes.count, planes[0].count, planes[0][0].count]`.
    public convenience init(_ planes: [[[Float]]]) {
        let rows = planes.first?.count ?? 0
        let columns = planes.first?.first?.count ?? 0
        require(
            planes.allSatisfy { $0.count == rows && $0.allSatisfy { $0.count == columns } },
            "Tensor: nested arrays have different lengths")
        self.init(unchecked: [planes.count, rows, columns], planes.flatMap { $0.flatMap { $0 } })
    }

    // MARK: - Reading

    /// The values, row-major.
    ///
    /// ```swift
    /// Tensor([[1, 2], [3, 4]]).scalars   // [1, 2, 3, 4]
    /// ```
    public var scalars: [Float] {
        if let session = CaptureSession.current { session.readValues = true }
        return storage
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The number of values (the product of the shape).
    public var count: Int { storage.count }

    /// The single value of a one-element tensor.
    ///
    /// ```swift
    /// let loss = Tensor([1, 2, 3]).mean().item()   // 2.0
    /// ```
    ///
    /// - Returns: The only value; it is a programmer error to call this on a tensor with more or
    ///   fewer than one value.
    public func item() -> Float {
        require(storage.count == 1, "item: tensor of shape \(shape) has \(storage.count) values, not 1")
        if let session = CaptureSession.current { session.readValues = true }
        return storage[0]
    }

    /// Whether this tensor is a leaf of the graph: made by the user, not by an op that records.
    public var isLeaf: Bool { gradFunction == nil }

    // MARK: - Autograd flags

    /// Marks this leaf as a parameter whose gradient `backward()` computes, and returns it.
    ///
    /// ```swift
    /// let w = Tensor.randn([3], generator: &rng).requiresGrad()
    /// ```
    ///
    /// - Parameter flag: `true` to record operations on this tensor for `backward()`, `false` to stop.
    /// - Returns: This same tensor, so the call chains after a creation.
    @discardableResult
    public func requiresGrad(_ flag: Bool = true) -> Tensor {
        require(
            isLeaf,
            "requiresGrad: only leaf tensors can change requiresGrad; use detach() to make a leaf from a result")
        requiresGrad = flag
        return self
    }

    /// Asks `backward()` to keep `.grad` on this non-leaf result too.
    ///
    /// ```swift
    /// let h = (x * w).retainGrad()
    /// ```
    ///
    /// - Returns: This same tensor, so the call chains after the op that made it.
    @discardableResult
    public func retainGrad() -> Tensor {
        require(requiresGrad, "retainGrad: the tensor does not require grad")
        retainsGrad = true
        return self
    }

    /// Clears the accumulated gradient (`.grad = nil`).
    ///
    /// ```swift
    /// abc.zeroGrad()
    /// ```
    public func zeroGrad() { grad = nil }

    /// A new leaf with the same values that is cut from the graph and requires no gradient.
    ///
    /// ```swift
    /// let frozen = prediction.detach()
    /// ```
    ///
    /// - Returns: A new leaf tensor that copies this one's shape and values, with no gradient function.
    public func detach() -> Tensor { Tensor(unchecked: shape, storage) }
}

/// Runs `body` with gradient recording off on this thread: results made inside have no graph,
/// and leaves that require grad may be updated in place.
///
/// ```swift
/// noGrad { abc -= 0.01 * abc.grad! }
/// ```
///
/// - Parameter body: The code to run without recording; it may throw.
/// - Returns: What `body` returns.
/// - Throws: Whatever `body` throws; recording is restored either way.
@discardableResult
public func noGrad<Result>(_ body: () throws -> Result) rethrows -> Result {
    let previous = slope_set_grad_enabled(0)
    defer { slope_set_grad_enabled(previous) }
    return try body()
}

/// Whether operations on this thread are recording a graph right now.
///
/// ```swift
/// noGrad { print(isGradEnabled) }   // false
/// ```
public var isGradEnabled: Bool { slope_grad_enabled() != 0 }
