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
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false) {
        require(
            requiresGrad,
            "backward: tensor does not require grad and has no graph; call requiresGrad() on the parameters first")
        let seed: [Float]
        if let gradient {
            require(
                gradient.shape == shape,
                "backward: gradient shape \(gradient.shape) does not match tensor shape \(shape)")
            seed = gradient.storage
        } else {
            require(
                count == 1,
                "backward: grad can be implicitly created only for a scalar; this tensor has shape \(shape), pass backward(gradient:)")
            seed = [1]
        }
        noGrad {
            guard gradFunction != nil else {
                accumulateLeafGrad(seed)
                return
            }
            let order = topologicalOrder()
            pendingGrad = seed
            for node in order.reversed() {
                node.propagate(retainGraph: retainGraph)
            }
        }
    }

    /// Non-leaf tensors reachable from this one that need a gradient, each after its inputs
    /// (iterative depth-first search, so long graphs cannot overflow the stack).
    private func topologicalOrder() -> [Tensor] {
        let mark = passCounter.add(1, ordering: .relaxed).newValue
        var order: [Tensor] = []
        var stack: [(tensor: Tensor, next: Int)] = [(self, 0)]
        visitMark = mark
        while let top = stack.last {
            let inputs = top.tensor.gradFunction!.inputs
            if top.next < inputs.count {
                stack[stack.count - 1].next += 1
                let input = inputs[top.next]
                if input.gradFunction != nil, input.requiresGrad, input.visitMark != mark {
                    input.visitMark = mark
                    stack.append((input, 0))
                }
            } else {
                order.append(top.tensor)
                stack.removeLast()
            }
        }
        return order
    }

    /// Sends this node's collected gradient through its pullback to its inputs.
    private func propagate(retainGraph: Bool) {
        guard let gradient = pendingGrad else { return }
        pendingGrad = nil
        if retainsGrad { accumulateLeafGrad(gradient) }
        guard let pullback = gradFunction!.pullback else {
            fatalError(
                "backward: the graph through `\(gradFunction!.name)` was already freed by an earlier backward(); pass retainGraph: true to the first call to go through it twice")
        }
        if !retainGraph { gradFunction!.pullback = nil }
        let upstream = Tensor(unchecked: shape, gradient)
        let inputs = gradFunction!.inputs
        switch pullback {
        case .unary(let function):
            Tensor.route(function(upstream), to: inputs[0])
        case .binary(let function):
            let (first, second) = function(upstream)
            Tensor.route(first, to: inputs[0])
            Tensor.route(second, to: inputs[1])
        case .many(let function):
            for (input, gradient) in zip(inputs, function(upstream)) {
                Tensor.route(gradient, to: input)
            }
        }
    }

    /// Un-broadcasts `gradient` to the input's shape and adds it where it belongs: `.grad` of a
    /// leaf, or the pending gradient of an intermediate result.
    private static func route(_ gradient: Tensor?, to input: Tensor) {
        guard let gradient, input.requiresGrad else { return }
        let values = gradient.shape == input.shape
            ? gradient.storage
            : Kernels.sumToShape(gradient.storage, from: gradient.shape, to: input.shape)
        if input.gradFunction == nil {
            input.accumulateLeafGrad(values)
        } else if input.pendingGrad == nil {
            input.pendingGrad = values
        } else {
            Kernels.addInPlace(&input.pendingGrad!, values)
        }
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
