import CSlope
import Foundation

/// The replayable form of a captured step: every tensor of the step gets a buffer (a slot)
/// allocated once, and the forward and backward passes become lists of kernels over those
/// slots, in the order the eager engine ran them (forward in creation order, backward from the
/// newest result to the oldest, gradients accumulated in the same order).
final class CapturedProgram {
    /// A kernel over the slot table.
    typealias Kernel = (UnsafeMutablePointer<UnsafeMutablePointer<Float>>) -> Void

    /// Slot pointers: owned buffers, and the parameters' storage while a pass runs.
    private let table: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    // The stored `var`s below opt out of run-time exclusivity checks (see `Tensor`): a replay
    // reads them on every step and never overlaps two accesses.
    /// Buffers this program allocated (freed with it).
    @exclusivity(unchecked) private var owned: [UnsafeMutableRawPointer] = []
    /// Number of slots in use.
    @exclusivity(unchecked) private var slotCount = 0
    /// Slot capacity of `table`.
    private let capacity: Int

    @exclusivity(unchecked) private var forwardKernels: [Kernel] = []
    @exclusivity(unchecked) private var backwardKernels: [Kernel] = []
    /// Parameters whose storage is bound to a slot during each pass.
    @exclusivity(unchecked) private var bound: [(tensor: Tensor, slot: Int)] = []
    /// The slot of each input and its size.
    @exclusivity(unchecked) private var inputSlots: [(slot: Int, count: Int)] = []
    /// The loss's value slot and gradient slot.
    @exclusivity(unchecked) private var lossSlot = 0, lossGradientSlot = 0
    /// The gradient slot of each optimizer parameter (by position) that receives one.
    @exclusivity(unchecked) private var parameterGradients: [(slot: Int, count: Int)?] = []
    /// Points at a valid address for empty tensors.
    private let emptyTensorAddress = UnsafeMutablePointer<Float>.allocate(capacity: 1)

    init(nodes: [CapturedNode], loss: Tensor, inputs: [Tensor], parameters: [Tensor]) throws {
        // Slots: at most one value and one gradient per tensor, plus scratch per node.
        capacity = 8 * (nodes.count + inputs.count + parameters.count) + 8
        table = .allocate(capacity: capacity)
        table.initialize(repeating: emptyTensorAddress, count: capacity)

        var valueSlot: [ObjectIdentifier: Int] = [:]
        var parameterIndex: [ObjectIdentifier: Int] = [:]
        for (index, parameter) in parameters.enumerated() { parameterIndex[ObjectIdentifier(parameter)] = index }
        for input in inputs {
            let slot = allocate(input.count)
            valueSlot[ObjectIdentifier(input)] = slot
            inputSlots.append((slot, input.count))
        }
        // Which tensors carry a gradient: trainable parameters and what is made from them.
        var needsGradient = Set<ObjectIdentifier>()
        for parameter in parameters where parameter.requiresGrad { needsGradient.insert(ObjectIdentifier(parameter)) }

        for node in nodes {
            for input in node.inputs where valueSlot[ObjectIdentifier(input)] == nil {
                let slot = newSlot()
                valueSlot[ObjectIdentifier(input)] = slot
                if parameterIndex[ObjectIdentifier(input)] != nil {
                    bound.append((input, slot))
                } else {
                    // A constant: frozen at its value now.
                    table[slot] = allocate(input.count, slot: slot)
                    input.storage.withUnsafeBufferPointer { table[slot].update(from: $0.baseAddress ?? UnsafePointer(emptyTensorAddress), count: $0.count) }
                }
            }
            let output = allocate(node.output.count)
            valueSlot[ObjectIdentifier(node.output)] = output
            if node.inputs.contains(where: { needsGradient.contains(ObjectIdentifier($0)) }) {
                needsGradient.insert(ObjectIdentifier(node.output))
            }
        }
        guard nodes.contains(where: { $0.output === loss }), loss.count == 1,
              let lossValue = valueSlot[ObjectIdentifier(loss)] else {
            throw CaptureError.lossNotCaptured(shape: loss.shape)
        }
        guard needsGradient.contains(ObjectIdentifier(loss)) else { throw CaptureError.noTrainableParameters }
        lossSlot = lossValue

        // Forward kernels, in creation order.
        var saved: [ObjectIdentifier: Int] = [:]   // per-node scratch kept for the backward pass
        for node in nodes {
            let inputs = node.inputs.map { valueSlot[ObjectIdentifier($0)]! }
            let output = valueSlot[ObjectIdentifier(node.output)]!
            if let (kernel, scratch) = forwardKernel(node, inputs: inputs, output: output) {
                forwardKernels.append(kernel)
                if let scratch { saved[ObjectIdentifier(node.output)] = scratch }
            }
        }

        // Backward kernels: from the loss back, each gradient written where it first lands and
        // added (in the eager engine's order) where it lands again.
        var gradientSlot: [ObjectIdentifier: Int] = [:]
        lossGradientSlot = allocate(1)
        gradientSlot[ObjectIdentifier(loss)] = lossGradientSlot
        for node in nodes.reversed() {
            guard let upstream = gradientSlot[ObjectIdentifier(node.output)] else { continue }
            var destinations: [Int?] = []
            var additions: [(target: Int, source: Int, count: Int)] = []
            for input in node.inputs {
                let id = ObjectIdentifier(input)
                guard needsGradient.contains(id) else { destinations.append(nil); continue }
                if let existing = gradientSlot[id] {
                    let scratch = allocate(input.count)
                    destinations.append(scratch)
                    additions.append((existing, scratch, input.count))
                } else {
                    let slot = allocate(input.count)
                    gradientSlot[id] = slot
                    destinations.append(slot)
                }
            }
            let inputs = node.inputs.map { valueSlot[ObjectIdentifier($0)]! }
            let output = valueSlot[ObjectIdentifier(node.output)]!
            backwardKernels.append(backwardKernel(
                node, inputs: inputs, output: output, upstream: upstream, destinations: destinations,
                saved: saved[ObjectIdentifier(node.output)]))
            for (target, source, count) in additions {
                backwardKernels.append { t in
                    let a = t[target], b = t[source]
                    for i in 0..<count { a[i] += b[i] }
                }
            }
        }
        parameterGradients = parameters.map { parameter in
            gradientSlot[ObjectIdentifier(parameter)].map { ($0, parameter.count) }
        }
        guard parameterGradients.contains(where: { $0 != nil }) else { throw CaptureError.noTrainableParameters }
    }

    deinit {
        for buffer in owned { buffer.deallocate() }
        table.deallocate()
        emptyTensorAddress.deallocate()
    }

    // MARK: - Slots

    private func newSlot() -> Int {
        require(slotCount < capacity, "captureStep: slot table overflow")
        slotCount += 1
        return slotCount - 1
    }

    /// A new slot with an owned buffer of `count` values (zeros).
    private func allocate(_ count: Int) -> Int {
        let slot = newSlot()
        table[slot] = allocate(count, slot: slot)
        return slot
    }

    private func allocate(_ count: Int, slot: Int) -> UnsafeMutablePointer<Float> {
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, count))
        buffer.initialize(repeating: 0, count: Swift.max(1, count))
        owned.append(UnsafeMutableRawPointer(buffer))
        return buffer
    }

    /// A scratch buffer of `count` 32-bit integers.
    private func allocateIndices(_ count: Int) -> UnsafeMutablePointer<Int32> {
        let buffer = UnsafeMutablePointer<Int32>.allocate(capacity: Swift.max(1, count))
        buffer.initialize(repeating: 0, count: Swift.max(1, count))
        owned.append(UnsafeMutableRawPointer(buffer))
        return buffer
    }

    // MARK: - Replay

    /// Copies `inputs` into their slots and runs the forward kernels; returns the loss.
    func forward(_ inputs: [Tensor]) -> Float {
        for index in 0..<inputSlots.count {
            copy(inputs[index], into: table[inputSlots[index].slot], count: inputSlots[index].count)
        }
        runBound(forwardKernels)
        return table[lossSlot][0]
    }

    /// Copies the values of `tensor` into `buffer`.
    private func copy(_ tensor: Tensor, into buffer: UnsafeMutablePointer<Float>, count: Int) {
        if count == 0 { return }
        tensor.storage.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: count) }
    }

    /// Runs `kernels` with the parameters bound.
    private func runBound(_ kernels: [Kernel]) {
        let table = self.table
        withParametersBound(0) {
            for kernel in kernels { kernel(table) }
        }
    }

    /// Runs the backward kernels from a loss gradient of 1.
    func backward() {
        table[lossGradientSlot][0] = 1
        runBound(backwardKernels)
    }

    /// Calls `body` with a function that gives each optimizer parameter's gradient (by position),
    /// or `nil` for those the loss does not reach.
    func withGradients(_ body: ((Int) -> UnsafeBufferPointer<Float>?) -> Void) {
        let table = self.table, gradients = parameterGradients
        body { index in gradients[index].map { UnsafeBufferPointer(start: table[$0.slot], count: $0.count) } }
    }

    /// Points the parameters' slots at their storage (read-only) while `body` runs.
    private func withParametersBound(_ index: Int, _ body: () -> Void) {
        if index == bound.count { body(); return }
        bound[index].tensor.storage.withUnsafeBufferPointer { buffer in
            table[bound[index].slot] = UnsafeMutablePointer(mutating: buffer.baseAddress ?? UnsafePointer(emptyTensorAddress))
            withParametersBound(index + 1, body)
        }
    }

    // MARK: - Kernels

    /// The forward kernel of `node`, and the slot of what it saves for the backward pass.
    private func forwardKernel(_ node: CapturedNode, inputs: [Int], output: Int) -> (Kernel, Int?)? {
        switch node.operation {
        case .polynomial:
            let (c, x, degree, n) = (inputs[0], inputs[1], node.inputs[0].count - 1, node.output.count)
            return ({ t in CapturedKernels.polynomial(t[c], degree: degree, at: t[x], t[output], count: n) }, nil)
        case .linear:
            let (rows, outputs, features) = Self.linearSizes(node)
            let bias = inputs.count > 2 ? inputs[2] : nil
            let (x, w) = (inputs[0], inputs[1])
            return ({ t in
                CapturedKernels.linear(t[x], weight: t[w], bias: bias.map { t[$0] }, t[output], rows: rows, outputs: outputs, features: features)
            }, nil)
        case .relu:
            let (x, n) = (inputs[0], node.output.count)
            return ({ t in slope_relu_forward(t[x], t[output], n) }, nil)
        case .reshape:
            let (x, n) = (inputs[0], node.output.count)
            return ({ t in t[output].update(from: t[x], count: n) }, nil)
        case .mse:
            let (p, y, n) = (inputs[0], inputs[1], node.inputs[0].count)
            let difference = allocate(n)
            return ({ t in t[output][0] = CapturedKernels.mse(t[p], t[y], difference: t[difference], count: n) }, difference)
        case .crossEntropy(let smoothing, let mean):
            let (logits, targets) = (inputs[0], inputs[1])
            let (n, classes) = (node.inputs[0].shape[0], node.inputs[0].shape[1])
            let logProbabilities = allocate(n * classes)
            let perSample = allocate(n)
            return ({ t in
                t[output][0] = CapturedKernels.crossEntropy(
                    t[logits], targets: t[targets], logProbabilities: t[logProbabilities], perSample: t[perSample],
                    rows: n, classes: classes, labelSmoothing: smoothing, mean: mean)
            }, logProbabilities)
        case .conv2d(let groups, let geometry):
            let (x, w, bias) = (inputs[0], inputs[1], inputs.count > 2 ? inputs[2] : nil)
            let (batch, outputChannels) = (node.inputs[0].shape[0], node.inputs[1].shape[0])
            return ({ t in
                ConvolutionKernels.forward(
                    input: t[x], weight: t[w], bias: bias.map { UnsafePointer(t[$0]) }, output: t[output], batch: batch,
                    outputChannels: outputChannels, groups: groups, geometry: geometry)
            }, nil)
        case .maxPool2d(let window):
            let x = inputs[0]
            let planes = node.inputs[0].shape[0] * node.inputs[0].shape[1]
            let indices = allocateIndices(node.output.count)
            let slot = newSlot()
            table[slot] = UnsafeMutableRawPointer(indices).assumingMemoryBound(to: Float.self)
            return ({ t in PoolingKernels.maxForward(t[x], t[output], indices, planes: planes, window) }, slot)
        }
    }

    /// The backward kernel of `node`: writes the gradient of each input that has a destination.
    private func backwardKernel(
        _ node: CapturedNode, inputs: [Int], output: Int, upstream g: Int, destinations: [Int?], saved: Int?
    ) -> Kernel {
        switch node.operation {
        case .polynomial:
            let (c, x, degree, n) = (inputs[0], inputs[1], node.inputs[0].count - 1, node.output.count)
            let (dc, dx) = (destinations[0], destinations[1])
            return { t in
                if let dc { CapturedKernels.polynomialCoefficientGradient(t[g], at: t[x], degree: degree, count: n, into: t[dc]) }
                if let dx { CapturedKernels.polynomialInputGradient(t[g], t[c], degree: degree, at: t[x], count: n, into: t[dx]) }
            }
        case .linear:
            let (rows, outputs, features) = Self.linearSizes(node)
            let (x, w) = (inputs[0], inputs[1])
            let (dx, dw, db) = (destinations[0], destinations[1], destinations.count > 2 ? destinations[2] : nil)
            return { t in
                if let dx { CapturedKernels.product(t[g], t[w], m: rows, k: outputs, n: features, transposeA: false, into: t[dx]) }
                if let dw { CapturedKernels.product(t[g], t[x], m: outputs, k: rows, n: features, transposeA: true, into: t[dw]) }
                if let db { CapturedKernels.columnSums(t[g], rows: rows, columns: outputs, into: t[db]) }
            }
        case .relu:
            let (x, n, dx) = (inputs[0], node.output.count, destinations[0])
            return { t in
                guard let dx else { return }
                slope_relu_backward(t[g], t[x], t[dx], n)
            }
        case .reshape:
            let (n, dx) = (node.output.count, destinations[0])
            return { t in if let dx { t[dx].update(from: t[g], count: n) } }
        case .mse:
            let n = node.inputs[0].count
            let (dp, dy, difference) = (destinations[0], destinations[1], saved!)
            return { t in
                CapturedKernels.mseGradient(t[g][0], difference: t[difference], count: n,
                                            prediction: dp.map { t[$0] }, target: dy.map { t[$0] })
            }
        case .crossEntropy(let smoothing, let mean):
            let (n, classes) = (node.inputs[0].shape[0], node.inputs[0].shape[1])
            let (targets, logProbabilities, dl) = (inputs[1], saved!, destinations[0])
            return { t in
                guard let dl else { return }
                CapturedKernels.crossEntropyGradient(
                    t[g][0], logProbabilities: t[logProbabilities], targets: t[targets], rows: n, classes: classes,
                    labelSmoothing: smoothing, mean: mean, into: t[dl])
            }
        case .conv2d(let groups, let geometry):
            let (x, w) = (inputs[0], inputs[1])
            let (batch, outputChannels) = (node.inputs[0].shape[0], node.inputs[1].shape[0])
            let (dx, dw, db) = (destinations[0], destinations[1], destinations.count > 2 ? destinations[2] : nil)
            return { t in
                ConvolutionKernels.backward(
                    gradient: t[g], input: t[x], weight: t[w], batch: batch, outputChannels: outputChannels,
                    groups: groups, geometry: geometry,
                    gradInput: dx.map { t[$0] }, gradWeight: dw.map { t[$0] }, gradBias: db.map { t[$0] })
            }
        case .maxPool2d(let window):
            let planes = node.inputs[0].shape[0] * node.inputs[0].shape[1]
            let (dx, indices) = (destinations[0], saved!)
            return { t in
                guard let dx else { return }
                let index = UnsafeMutableRawPointer(t[indices]).assumingMemoryBound(to: Int32.self)
                PoolingKernels.maxBackward(t[g], index, t[dx], planes: planes, window)
            }
        }
    }

    /// `(rows, outputs, input features)` of a linear node.
    private static func linearSizes(_ node: CapturedNode) -> (Int, Int, Int) {
        let (outputs, features) = (node.inputs[1].shape[0], node.inputs[1].shape[1])
        return (features == 0 ? 0 : node.inputs[0].count / features, outputs, features)
    }
}
