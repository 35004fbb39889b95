import Foundation
import Synchronization
import Testing
@testable import Slope

// PyTorch's gradient semantics, tested: requiresGrad marks a leaf, backward() adds into
// .grad, zeroGrad() clears it, noGrad { } stops recording, detach() cuts the graph.

@Suite("Autograd semantics")
struct AutogradTests {
    // MARK: - Accumulation and clearing

    @Test func twoBackwardCallsAccumulate() {
        // Two separate forward passes: d/dx Σ x² = 2x, added twice.
        let x = Tensor([1, 2, 3]).requiresGrad()
        (x * x).sum().backward()
        #expect(x.grad?.scalars == [2, 4, 6])
        (x * x).sum().backward()
        #expect(x.grad?.scalars == [4, 8, 12])
    }

    @Test func retainedGraphCanBeWalkedTwice() {
        let x = Tensor([1, 2, 3]).requiresGrad()
        let loss = (x * x).sum()
        loss.backward(retainGraph: true)
        loss.backward()
        #expect(x.grad?.scalars == [4, 8, 12])
    }

    @Test func zeroGradClears() {
        let x = Tensor([1, 2]).requiresGrad()
        (x * 3).sum().backward()
        #expect(x.grad?.scalars == [3, 3])
        x.zeroGrad()
        #expect(x.grad == nil)
        (x * 5).sum().backward()
        #expect(x.grad?.scalars == [5, 5])
    }

    @Test func backwardOfALeafItself() {
        // A scalar leaf: backward() puts 1 into its own .grad.
        let x = Tensor(4).requiresGrad()
        x.backward()
        #expect(x.grad?.item() == 1)
    }

    // MARK: - Recording switches

    @Test func noGradRecordsNothing() {
        let x = Tensor([1, 2, 3]).requiresGrad()
        #expect(isGradEnabled)
        let y = noGrad { () -> Tensor in
            #expect(!isGradEnabled)
            return (x * 2 + 1).exp().sum()
        }
        #expect(isGradEnabled)
        #expect(!y.requiresGrad)
        #expect(y.isLeaf)
        #expect(y.gradFunction == nil)
    }

    @Test func noGradNestsAndRestores() {
        noGrad {
            noGrad { #expect(!isGradEnabled) }
            #expect(!isGradEnabled)
        }
        #expect(isGradEnabled)
        struct Failure: Error {}
        #expect(throws: Failure.self) { try noGrad { throw Failure() } }
        #expect(isGradEnabled)
    }

    @Test func detachCutsTheGraph() {
        let x = Tensor([1, 2, 3]).requiresGrad()
        let h = x * 2
        let cut = h.detach()
        #expect(!cut.requiresGrad)
        #expect(cut.isLeaf)
        #expect(cut.scalars == [2, 4, 6])
        // Only the path through `h` itself reaches x: d/dx (h · cut) = 2 · cut.
        (h * cut).sum().backward()
        #expect(x.grad?.scalars == [4, 8, 12])
    }

    @Test func inPlaceUpdateInsideNoGrad() {
        let w = Tensor([1, 2, 3]).requiresGrad()
        (w * w).sum().backward()
        noGrad { w -= 0.5 * w.grad! }   // w = [1, 2, 3] - 0.5 · [2, 4, 6] = 0
        #expect(w.scalars == [0, 0, 0])
        #expect(w.requiresGrad)
        #expect(w.isLeaf)
        w.zeroGrad()
        // The next forward sees the new values: d/dw Σ (w + 1)² = 2(w + 1) = 2.
        let loss = ((w + 1) * (w + 1)).sum()
        #expect(loss.item() == 3)
        loss.backward()
        #expect(w.grad?.scalars == [2, 2, 2])

        // The other in-place forms, with tensors and scalars.
        noGrad {
            w += Tensor([1, 2, 3])
            w *= 2
            w /= Tensor(2)
            w -= 1
            w += 0.5
        }
        #expect(w.scalars == [0.5, 1.5, 2.5])
        noGrad { w.assign(Tensor([1.5, 1.5, 1.5])) }
        #expect(w.scalars == [1.5, 1.5, 1.5])
    }

    @Test func inPlaceUpdateIsSeenByEveryHolder() {
        let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
        let holders = [abc, abc]
        noGrad { abc -= Tensor([0.5, 0, -0.5]) }
        #expect(holders[1].scalars == [1, 1.5, 2])
    }

    // MARK: - Graph shapes

    @Test func diamondGraph() {
        // a → (b = 2a, c = a²) → d = b · c = 2a³, dd/da = 6a² = 24 at a = 2.
        let a = Tensor(2).requiresGrad()
        let b = a * 2, c = a * a
        (b * c).backward()
        #expect(a.grad?.item() == 24)
    }

    @Test func sharedIntermediateUsedManyTimes() {
        // h = 3x used four times: y = h + h·h + h = 2h + h², dy/dx = (2 + 2h) · 3 = 42 at x = 2.
        let x = Tensor(2).requiresGrad()
        let h = x * 3
        (h + h * h + h).backward()
        #expect(x.grad?.item() == 42)
        // A deeper diamond: two branches of different depth meet again.
        let p = Tensor([1, 2]).requiresGrad()
        let q = p.exp()
        let left = q * 2, right = (q + 1).log().exp()   // right = q + 1
        (left + right).sum().backward()                  // d/dp = 3 eᵖ
        let expected = [Float(3 * 2.718281828), Float(3 * 7.389056099)]
        #expect(approximatelyEqual(p.grad!.scalars, expected, tolerance: 1e-5))
    }

    @Test func longChainBackward() {
        // 100_000 recorded ops: backward walks them iteratively, not by recursion.
        let x = Tensor(0).requiresGrad()
        var y = x
        for _ in 0..<100_000 { y = y + 1 }
        #expect(y.item() == 100_000)
        y.backward()
        #expect(x.grad?.item() == 1)
        // Keep the chain alive past the end of the test's checks; freeing it is tested
        // separately (in a child process, see AutogradLongGraphTests).
        AutogradTests.keptAlive.withLock { $0.append(y) }
    }

    /// Long graphs kept until the process ends, so this suite tests backward alone.
    static let keptAlive = Mutex<[Tensor]>([])

    @Test func nonLeafGradIsNilUnlessRetained() {
        let x = Tensor([1, 2]).requiresGrad()
        let h = x * 3
        let kept = (x * 2).retainGrad()
        (h * kept).sum().backward()   // d/dh = kept = 2x, d/dkept = h = 3x
        #expect(h.grad == nil)
        #expect(kept.grad?.scalars == [3, 6])
        #expect(x.grad?.scalars == [12, 24])   // 3·(2x) + 2·(3x) = 12x
        #expect(!h.isLeaf)
        #expect(x.isLeaf)
    }

    @Test func backwardWithAGradientOnANonScalar() {
        // y = x², backward(gradient: v) gives v · 2x (a vector-Jacobian product).
        let x = Tensor([[1, 2], [3, 4]]).requiresGrad()
        let y = x.squared()
        y.backward(gradient: Tensor([[1, 0], [0.5, -1]]))
        #expect(x.grad?.scalars == [2, 0, 3, -8])
    }

    @Test func noGradientToInputsThatDoNotRequireIt() {
        let w = Tensor([1, 2]).requiresGrad()
        let x = Tensor([3, 4])
        let constant = Tensor(5)
        let y = ((w * x + constant).sigmoid() * x).sum()
        y.backward()
        #expect(w.grad != nil)
        #expect(x.grad == nil)
        #expect(constant.grad == nil)
        #expect(!x.requiresGrad)
    }

    @Test func requiresGradPropagates() {
        let w = Tensor([1, 2]).requiresGrad()
        let x = Tensor([3, 4])
        #expect(!x.requiresGrad)
        #expect(!(x * 2).requiresGrad)
        #expect(!(x + x).requiresGrad)
        #expect((x * w).requiresGrad)
        #expect((w + 1).requiresGrad)
        #expect(w[0].requiresGrad)
        #expect(w.reshaped([2, 1]).requiresGrad)
        #expect(Tensor.concatenate([x, w]).requiresGrad)
        #expect(Tensor.stack([x, x]).requiresGrad == false)
        #expect(w.sum().requiresGrad)
        #expect(w.matmul(x).requiresGrad)
        #expect(Tensor.where(x .> 3, x, w).requiresGrad)
        #expect(!(w .> 1).requiresGrad)   // comparisons are constants
        #expect(!(x * w).isLeaf)
        // Turning it off again on a leaf.
        let v = Tensor([1]).requiresGrad()
        v.requiresGrad(false)
        #expect(!(v * 2).requiresGrad)
    }

    @Test func gradientShapeMatchesEachLeaf() {
        let scalar = Tensor(2).requiresGrad()
        let row = Tensor([1, 2, 3]).requiresGrad()
        let column = Tensor(shape: [2, 1], scalars: [1, 2]).requiresGrad()
        (scalar * row * column).sum().backward()
        #expect(scalar.grad?.shape == [])
        #expect(row.grad?.shape == [3])
        #expect(column.grad?.shape == [2, 1])
        #expect(scalar.grad?.item() == 18)          // Σ row·column = 6 · 3
        #expect(row.grad?.scalars == [6, 6, 6])      // scalar · Σ column = 2 · 3
        #expect(column.grad?.scalars == [12, 12])    // scalar · Σ row = 2 · 6
    }

    @Test func gradHasNoGraph() {
        let x = Tensor([1, 2]).requiresGrad()
        (x * x).sum().backward()
        #expect(x.grad?.requiresGrad == false)
        #expect(x.grad?.isLeaf == true)
    }
}

// MARK: - No retain cycles

@Suite("Autograd memory", .serialized)
struct AutogradMemoryTests {
    /// One full training step of a small network, everything created and dropped inside.
    /// Returns weak references to the tensors it made, to check that all were freed.
    private static func trainingStep(seed: UInt64) -> [() -> Tensor?] {
        var rng = SeededGenerator(seed: seed)
        let x = Tensor.randn([8, 3], generator: &rng)
        let y = Tensor.randn([8, 1], generator: &rng)
        let w1 = Tensor.randn([3, 4], generator: &rng).requiresGrad()
        let b1 = Tensor.zeros([4]).requiresGrad()
        let w2 = Tensor.randn([4, 1], generator: &rng).requiresGrad()
        let hidden = (x.matmul(w1) + b1).relu()
        let prediction = hidden.matmul(w2)
        let loss = mse(prediction, y) + 0.01 * (w1 * w1).sum()
        loss.backward()
        noGrad {
            for p in [w1, b1, w2] { p -= 0.1 * p.grad! }
        }
        for p in [w1, b1, w2] { p.zeroGrad() }
        // A second forward that is dropped without backward: its graph must go too.
        _ = mse(prediction.detach(), (x.matmul(w1) + b1).relu().matmul(w2))
        return [x, y, w1, b1, w2, hidden, prediction, loss].map { t in { [weak t] in t } }
    }

    @Test func trainingStepFreesEveryTensor() {
        let references = Self.trainingStep(seed: 1)
        for (i, reference) in references.enumerated() {
            #expect(reference() == nil, "tensor \(i) of the training step is still alive")
        }
    }

    #if DEBUG
    // Other suites run in parallel and create tensors of their own, so the live-tensor count
    // is measured in a child process (an exit test) where nothing else runs.

    @Test func liveTensorCountReturnsToItsStart() async {
        await #expect(processExitsWith: .success) {
            _ = AutogradMemoryTests.trainingStep(seed: 0)   // warm up lazily made globals
            let before = LiveTensors.count
            for seed in 1...3 { _ = AutogradMemoryTests.trainingStep(seed: UInt64(seed)) }
            let delta = LiveTensors.count - before
            if delta != 0 { fatalError("live tensors after three training steps changed by \(delta)") }
        }
    }

    @Test func backwardLeavesNoTensorsBehind() async {
        await #expect(processExitsWith: .success) {
            let w = Tensor([1, 2, 3]).requiresGrad()
            (w * w).sum().backward()   // makes w.grad once
            let before = LiveTensors.count
            do {
                let loss = ((w * 2).exp().log() - w).sum()
                loss.backward()
            }
            let delta = LiveTensors.count - before
            if delta != 0 { fatalError("live tensors after a backward changed by \(delta)") }
        }
    }
    #endif
}

// MARK: - Freeing long graphs

/// Dropping a long graph releases its nodes one after another; a recursive release (one
/// `deinit` inside the previous one) overflows the stack at some depth. Each check runs in a
/// child process, so a crash fails the test instead of ending the whole test run.
@Suite("Autograd long graphs")
struct AutogradLongGraphTests {
    @Test func longChainIsFreedAfterBackward() async {
        await #expect(processExitsWith: .success) {
            let x = Tensor(0).requiresGrad()
            do {
                var y = x
                for _ in 0..<100_000 { y = y + 1 }
                y.backward()
            }
            if x.grad?.item() != 1 { fatalError("wrong gradient \(String(describing: x.grad))") }
        }
    }

    @Test func longChainIsFreedWithoutBackward() async {
        await #expect(processExitsWith: .success) {
            let x = Tensor(1).requiresGrad()
            do {
                var y = x
                for _ in 0..<100_000 { y = y * 1 }
                if !y.requiresGrad { fatalError("no graph recorded") }
            }
        }
    }

    @Test func longChainIsFreedOnAWorkerThread() async {
        // Swift concurrency and Dispatch worker threads have smaller stacks than the main thread.
        await #expect(processExitsWith: .success) {
            let done = DispatchSemaphore(value: 0)
            let thread = Thread {
                let x = Tensor(0).requiresGrad()
                do {
                    var y = x
                    for _ in 0..<100_000 { y = y + 1 }
                    y.backward()
                }
                done.signal()
            }
            thread.stackSize = 512 * 1024
            thread.start()
            done.wait()
        }
    }
}


// MARK: - Stops and edge cases, each in a child process

@Suite("Autograd stops and 0-d axes")
struct AutogradProcessTests {
    @Test func secondBackwardThroughAFreedGraphStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor([1, 2]).requiresGrad()
            let loss = (x * x).sum()
            loss.backward()
            loss.backward()
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("retainGraph: true"), "message was: \(message)")
    }

    @Test func broadcastMismatchStopsWithTheShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 5]) + Tensor.zeros([3, 5])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("add: shapes [2, 5] and [3, 5] cannot be broadcast"), "message was: \(message)")
    }

    @Test func inPlaceUpdateWhileRecordingStops() async {
        await #expect(processExitsWith: .failure) {
            let w = Tensor([1, 2]).requiresGrad()
            w -= Tensor([1, 1])
        }
    }

    // PyTorch accepts dim=0 on a 0-d tensor (`torch.tensor(2.5).sum(dim=0)` is 2.5,
    // `.softmax(0)` is 1, `.squeeze(0)` is the tensor), and Shape.normalize accepts axis 0
    // for rank 0 too; these must then work rather than index past the empty shape.

    @Test func sumMeanMaxOverAxisZeroOfA0DTensor() async {
        await #expect(processExitsWith: .success) {
            let x = Tensor(2.5).requiresGrad()
            let sum = x.sum(axes: [0]), mean = x.mean(axes: [0]), max = x.max(axes: [0])
            guard sum.shape == [], sum.item() == 2.5, mean.item() == 2.5, max.item() == 2.5
            else { fatalError("wrong 0-d reduction values") }
            (sum + mean + max).backward()
            guard x.grad?.item() == 3 else { fatalError("wrong 0-d reduction gradient \(String(describing: x.grad))") }
        }
    }

    @Test func softmaxFamilyOverAxisZeroOfA0DTensor() async {
        await #expect(processExitsWith: .success) {
            let x = Tensor(2.5)
            guard x.logSumExp(axis: 0).item() == 2.5, x.softmax(axis: 0).item() == 1, x.logSoftmax(axis: 0).item() == 0
            else { fatalError("wrong 0-d softmax values") }
        }
    }

    @Test func squeezeAxisZeroOfA0DTensor() async {
        await #expect(processExitsWith: .success) {
            guard Tensor(2.5).squeezed(axis: 0).shape == [] else { fatalError("wrong shape") }
        }
    }
}
