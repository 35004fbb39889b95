import CSlope
import Synchronization

/// Numbers each backward pass so a tensor can be marked visited without a hash set.
private let passCounter = Atomic<Int>(0)

extension Tensor {
    /// Computes the gradient of this scalar with respect to every leaf that requires grad and
    /// adds it into that leaf's `.grad` (PyTorch's `loss.backward()`).
    ///
    /// For a non-scalar result pass `gradient:`, the gradient of some scalar with respect to
    /// this tensor (same shape). The graph is freed afterwards unless `retainGraph` is true;
    /// a second backward through a freed graph stops with a message.
    ///
    /// ```swift
    /// let loss = mse(quadratic(abc)(x), y)
    /// loss.backward()
    /// print(abc.grad!)
    /// ```
    ///
    /// - Parameters:
    ///   - gradient: The seed `∂L/∂self`, of this tensor's shape; `nil` means 1, which needs a
    ///     one-value tensor.
    ///   - retainGraph: `true` keeps the graph so `backward` can run through it again; `false`
    ///     (PyTorch's default) frees it.
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false) {
        require(
            requiresGrad,
            "backward: tensor does not require grad and has no graph; call requiresGrad() on the parameters first")
        let seed: Tensor
        if let gradient {
            require(
                gradient.shape == shape,
                "backward: gradient shape \(gradient.shape) does not match tensor shape \(shape)")
            seed = gradient
        } else {
            require(
                count == 1,
                "backward: grad can be implicitly created only for a scalar; this tensor has shape \(shape), pass backward(gradient:)")
            seed = Tensor(unchecked: shape, [1])
        }
        let previous = slope_set_grad_enabled(0)
        defer { slope_set_grad_enabled(previous) }
        guard gradFunction != nil else {
            accumulateLeafGrad(seed.storage)
            return
        }
        // Visit results from the newest to the oldest: each is made after its inputs, so when
        // one is taken from the queue every result that consumes it has already passed on its
        // gradient (PyTorch orders its engine the same way, by sequence number).
        let mark = passCounter.add(1, ordering: .relaxed).newValue
        var queue = NodeQueue()
        pendingGrad = seed
        visitMark = mark
        queue.push(self)
        while let node = queue.pop() {
            node.propagate(retainGraph: retainGraph) { input in
                if input.gradFunction != nil, input.visitMark != mark {
                    input.visitMark = mark
                    queue.push(input)
                }
            }
        }
    }

    /// Sends this node's collected gradient through its pullback to its inputs, and reports
    /// each input that received one.
    @inline(__always)
    private func propagate(retainGraph: Bool, _ reached: (Tensor) -> Void) {
        guard let upstream = pendingGrad else { return }
        pendingGrad = nil
        if retainsGrad { accumulateLeafGrad(upstream.storage) }
        let function = gradFunction!
        if !retainGraph { gradFunction = .freed }
        switch function {
        case .unary(let input, let pullback):
            Tensor.route(pullback(upstream), to: input, reached)
        case .binary(let first, let second, let pullback):
            let (a, b) = pullback(upstream)
            Tensor.route(a, to: first, reached)
            Tensor.route(b, to: second, reached)
        case .many(let inputs, let pullback):
            for (input, gradient) in zip(inputs, pullback(upstream)) { Tensor.route(gradient, to: input, reached) }
        case .freed:
            requireFailure(
                "backward: the graph through `\(opName)` was already freed by an earlier backward(); pass retainGraph: true to the first call to go through it twice")
        }
    }

    /// Un-broadcasts `gradient` to the input's shape and adds it where it belongs: `.grad` of a
    /// leaf, or the pending gradient of an intermediate result.
    @inline(__always)
    private static func route(_ gradient: Tensor?, to input: Tensor, _ reached: (Tensor) -> Void) {
        guard var gradient, input.requiresGrad else { return }
        if gradient.shape != input.shape {
            gradient = Tensor(
                unchecked: input.shape, Kernels.sumToShape(gradient.storage, from: gradient.shape, to: input.shape))
        }
        if input.gradFunction == nil {
            input.accumulateLeafGrad(gradient.storage)
            return
        }
        if let pending = input.pendingGrad {
            input.pendingGrad = Tensor(unchecked: input.shape, Kernels.zip(pending.storage, gradient.storage, +))
        } else {
            input.pendingGrad = gradient
        }
        reached(input)
    }

    /// Adds `values` into `.grad` (PyTorch's accumulation: two backward calls sum).
    private func accumulateLeafGrad(_ values: [Float]) {
        if let grad {
            Kernels.addInPlace(&grad.storage, values)
        } else {
            grad = Tensor(unchecked: shape, values)
        }
    }
}

/// A max-heap of graph nodes by sequence number: backward's work queue.
private struct NodeQueue {
    private var nodes: [Tensor] = []

    mutating func push(_ node: Tensor) {
        nodes.append(node)
        var child = nodes.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if nodes[parent].sequence >= nodes[child].sequence { break }
            nodes.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() -> Tensor? {
        guard !nodes.isEmpty else { return nil }
        if nodes.count == 1 { return nodes.removeLast() }
        let top = nodes[0]
        nodes[0] = nodes.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var largest = parent
            if left < nodes.count, nodes[left].sequence > nodes[largest].sequence { largest = left }
            if right < nodes.count, nodes[right].sequence > nodes[largest].sequence { largest = right }
            if largest == parent { break }
            nodes.swapAt(parent, largest)
            parent = largest
        }
        return top
    }
}
