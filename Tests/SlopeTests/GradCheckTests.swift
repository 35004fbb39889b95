import Testing
@testable import Slope

// Finite-difference gradient checks (see GradCheck.swift) for every differentiable op, on
// ordinary shapes, broadcast shapes where the op broadcasts, and 0-d tensors.

// MARK: - Inputs

/// Uniform values in [-2, 2).
private func u(_ shape: [Int], _ seed: Int) -> Tensor { GradInput.uniform(shape, -2, 2, seed: UInt64(seed)) }
/// Values in [-2, 2) with |x| >= 0.5 (denominators).
private func nonZero(_ shape: [Int], _ seed: Int) -> Tensor {
    GradInput.avoiding(shape, -2, 2, points: [0], margin: 0.5, seed: UInt64(seed))
}
/// Values in [-2, 2) with |x| >= 0.2 (relu, abs).
private func awayFromZero(_ shape: [Int], _ seed: Int) -> Tensor { GradInput.awayFromZero(shape, seed: UInt64(seed)) }
/// Values in [0.5, 2).
private func positive(_ shape: [Int], _ seed: Int) -> Tensor { GradInput.positive(shape, seed: UInt64(seed)) }
/// Distinct values at least 0.3 apart (max, min).
private func distinct(_ shape: [Int], _ seed: Int) -> Tensor { GradInput.distinct(shape, seed: UInt64(seed)) }

/// Shape pairs for binary element-wise ops: equal shapes, broadcasting in each direction,
/// and 0-d operands.
private let binaryShapePairs: [([Int], [Int])] = [
    ([2, 3], [2, 3]), ([2, 3], [3]), ([3], [2, 3]), ([2, 1], [1, 3]), ([4, 1, 3], [2, 3]),
    ([2, 3], [4, 1, 1]), ([], []), ([], [2, 3]), ([2, 3], []),
]

/// Shapes for unary element-wise ops: a matrix, a 3-D tensor, a 0-d tensor.
private let unaryShapes: [[Int]] = [[2, 3], [2, 1, 3], []]

// MARK: - Arithmetic

@Suite("Gradient checks: arithmetic")
struct GradArithmeticTests {
    @Test func addTensorTensor() {
        for (i, (l, r)) in binaryShapePairs.enumerated() {
            checkGradients("add \(l) + \(r)", [u(l, 10 + i), u(r, 30 + i)]) { $0[0] + $0[1] }
        }
    }

    @Test func subTensorTensor() {
        for (i, (l, r)) in binaryShapePairs.enumerated() {
            checkGradients("sub \(l) - \(r)", [u(l, 50 + i), u(r, 70 + i)]) { $0[0] - $0[1] }
        }
    }

    @Test func mulTensorTensor() {
        for (i, (l, r)) in binaryShapePairs.enumerated() {
            checkGradients("mul \(l) * \(r)", [u(l, 90 + i), u(r, 110 + i)]) { $0[0] * $0[1] }
        }
    }

    @Test func divTensorTensor() {
        for (i, (l, r)) in binaryShapePairs.enumerated() {
            checkGradients("div \(l) / \(r)", [u(l, 130 + i), nonZero(r, 150 + i)]) { $0[0] / $0[1] }
        }
    }

    @Test func tensorWithScalar() {
        for (i, shape) in unaryShapes.enumerated() {
            checkGradients("add \(shape) + 2.5", [u(shape, 170 + i)]) { $0[0] + 2.5 }
            checkGradients("add 2.5 + \(shape)", [u(shape, 180 + i)]) { 2.5 + $0[0] }
            checkGradients("sub \(shape) - 2.5", [u(shape, 190 + i)]) { $0[0] - 2.5 }
            checkGradients("sub 2.5 - \(shape)", [u(shape, 200 + i)]) { 2.5 - $0[0] }
            checkGradients("mul \(shape) * -1.5", [u(shape, 210 + i)]) { $0[0] * -1.5 }
            checkGradients("mul -1.5 * \(shape)", [u(shape, 220 + i)]) { -1.5 * $0[0] }
            checkGradients("div \(shape) / -0.75", [u(shape, 230 + i)]) { $0[0] / -0.75 }
            checkGradients("div 1.5 / \(shape)", [nonZero(shape, 240 + i)]) { 1.5 / $0[0] }
        }
    }

    @Test func negation() {
        for (i, shape) in unaryShapes.enumerated() {
            checkGradients("neg \(shape)", [u(shape, 250 + i)]) { -$0[0] }
        }
    }

    @Test func sameTensorOnBothSides() {
        checkGradients("x + x", [u([2, 3], 260)]) { $0[0] + $0[0] }
        checkGradients("x * x", [u([2, 3], 261)]) { $0[0] * $0[0] }
        checkGradients("x / x.exp()", [u([2, 3], 262)]) { $0[0] / $0[0].exp() }
        checkGradients("x - 2x", [u([2, 3], 263)]) { $0[0] - 2 * $0[0] }
    }

    @Test func oneSideConstant() {
        // Only the tensor that requires grad is an input; the constant is captured.
        let constant = u([2, 3], 270)
        checkGradients("x * constant", [u([3], 271)]) { $0[0] * constant }
        checkGradients("constant / x", [nonZero([2, 1], 272)]) { constant / $0[0] }
        #expect(constant.grad == nil)
    }
}

// MARK: - Element-wise math

@Suite("Gradient checks: element-wise math")
struct GradMathTests {
    @Test(arguments: [Float(2), 3, 0.5, -1.5])
    func pow(exponent: Float) {
        for (i, shape) in unaryShapes.enumerated() {
            checkGradients("pow \(shape) ^ \(exponent)", [positive(shape, 300 + i)]) { $0[0].pow(exponent) }
        }
    }

    @Test func powOfMixedSigns() {
        // Whole exponents are defined for negative bases too.
        checkGradients("pow ^ 2, mixed signs", [u([2, 3], 310)]) { $0[0].pow(2) }
        checkGradients("pow ^ 3, mixed signs", [u([2, 3], 311)]) { $0[0].pow(3) }
    }

    @Test func squared() {
        for (i, shape) in unaryShapes.enumerated() {
            checkGradients("squared \(shape)", [u(shape, 320 + i)]) { $0[0].squared() }
        }
    }

    @Test func exp() {
        for (i, shape) in unaryShapes.enumerated() {
            checkGradients("exp \(shape)", [u(shape, 330 + i)]) { $0[0].exp() }
        }
    }

    @Test func log() {
        for (i, shape) in unaryShapes.enumerated() {
            checkGradients("log \(shape)", [positive(shape, 340 + i)]) { $0[0].log() }
        }
        // Close to zero the derivative 1/x is large; a smaller step keeps truncation small.
        checkGradients("log near 0.1", [GradInput.uniform([4], 0.1, 0.2, seed: 345)], h: 1e-4) { $0[0].log() }
    }

    @Test func sqrt() {
        for (i, shape) in unaryShapes.enumerated() {
            checkGradients("sqrt \(shape)", [positive(shape, 350 + i)]) { $0[0].sqrt() }
        }
    }

    @Test func abs() {
        for (i, shape) in unaryShapes.enumerated() {
            checkGradients("abs \(shape)", [awayFromZero(shape, 360 + i)]) { $0[0].abs() }
        }
    }

    @Test func clamp() {
        let inputs = { (seed: UInt64) in GradInput.avoiding([3, 4], -2, 2, points: [-1, 0.5], margin: 0.1, seed: seed) }
        checkGradients("clamp(min: -1, max: 0.5)", [inputs(370)]) { $0[0].clamp(min: -1, max: 0.5) }
        checkGradients("clamp(min: -1)", [inputs(371)]) { $0[0].clamp(min: -1) }
        checkGradients("clamp(max: 0.5)", [inputs(372)]) { $0[0].clamp(max: 0.5) }
        checkGradients("clamp 0-d inside", [Tensor(0.25)]) { $0[0].clamp(min: -1, max: 0.5) }
        checkGradients("clamp 0-d outside", [Tensor(1.25)]) { $0[0].clamp(min: -1, max: 0.5) }
    }

    @Test func relu() {
        for (i, shape) in unaryShapes.enumerated() {
            checkGradients("relu \(shape)", [awayFromZero(shape, 380 + i)]) { $0[0].relu() }
        }
        checkGradients("relu 0-d negative", [Tensor(-0.75)]) { $0[0].relu() }
    }

    @Test func sigmoid() {
        for (i, shape) in unaryShapes.enumerated() {
            checkGradients("sigmoid \(shape)", [u(shape, 390 + i)]) { $0[0].sigmoid() }
        }
        // Both branches of the stable formula, well into the tails.
        checkGradients("sigmoid tails", [Tensor([-6, -3, 3, 6])]) { $0[0].sigmoid() }
    }

    @Test func tanh() {
        for (i, shape) in unaryShapes.enumerated() {
            checkGradients("tanh \(shape)", [u(shape, 400 + i)]) { $0[0].tanh() }
        }
    }

    @Test func maximumAndMinimum() {
        for (i, (l, r)) in binaryShapePairs.enumerated() {
            let (a, b) = GradInput.separatedPair(l, r, seed: UInt64(410 + i))
            checkGradients("maximum \(l), \(r)", [a, b]) { maximum($0[0], $0[1]) }
            let (c, d) = GradInput.separatedPair(l, r, seed: UInt64(430 + i))
            checkGradients("minimum \(l), \(r)", [c, d]) { minimum($0[0], $0[1]) }
            let (e, f) = GradInput.separatedPair(r, l, seed: UInt64(450 + i))
            checkGradients("Tensor.maximum \(r), \(l)", [e, f]) { Tensor.maximum($0[0], $0[1]) }
            checkGradients("Tensor.minimum \(r), \(l)", [f.detach(), e.detach()]) { Tensor.minimum($0[0], $0[1]) }
        }
    }

    @Test func whereSelect() {
        let mask = Tensor([[1, 0, 1], [0, 0, 1]])
        checkGradients("where [2,3] [2,3] [2,3]", [u([2, 3], 470), u([2, 3], 471)]) { Tensor.where(mask, $0[0], $0[1]) }
        checkGradients("where [2,3] [3] [2,1]", [u([3], 472), u([2, 1], 473)]) { Tensor.where(mask, $0[0], $0[1]) }
        let columnMask = Tensor(shape: [2, 1], scalars: [0, 1])
        checkGradients("where [2,1] [1,3] [2,3]", [u([1, 3], 474), u([2, 3], 475)]) { Tensor.where(columnMask, $0[0], $0[1]) }
        checkGradients("where [2,1] [] [3]", [Tensor(1.5), u([3], 476)]) { Tensor.where(columnMask, $0[0], $0[1]) }
        checkGradients("where 0-d", [Tensor(1.5), Tensor(-0.5)]) { Tensor.where(Tensor(0), $0[0], $0[1]) }
        // The condition may be computed from an input (it carries no gradient itself).
        checkGradients("leaky relu via where", [awayFromZero([2, 3], 477)]) { x in
            Tensor.where(x[0] .> 0, x[0], 0.01 * x[0])
        }
        checkGradients("free function where", [u([2, 3], 478), u([2, 3], 479)]) { `where`(mask, $0[0], $0[1]) }
    }
}

// MARK: - Reductions

@Suite("Gradient checks: reductions")
struct GradReductionTests {
    private static let axesCases: [[Int]] = [[0], [1], [2], [-1], [0, 2], [1, 2], [0, 1, 2]]

    @Test func sumAll() {
        for (i, shape) in [[2, 3], [4, 1, 3], [], [5]].enumerated() {
            checkGradients("sum() \(shape)", [u(shape, 500 + i)]) { $0[0].sum() }
        }
    }

    @Test func sumAxes() {
        for (i, axes) in Self.axesCases.enumerated() {
            for keepDims in [false, true] {
                checkGradients("sum(axes: \(axes), keepDims: \(keepDims))", [u([2, 3, 4], 510 + i)]) {
                    $0[0].sum(axes: axes, keepDims: keepDims)
                }
            }
        }
        checkGradients("sum(axis: 1)", [u([3, 2], 520)]) { $0[0].sum(axis: 1) }
        checkGradients("sum(axes: [0]) of [1, 3]", [u([1, 3], 521)]) { $0[0].sum(axes: [0]) }
    }

    @Test func meanAll() {
        for (i, shape) in [[2, 3], [4, 1, 3], [], [5]].enumerated() {
            checkGradients("mean() \(shape)", [u(shape, 530 + i)]) { $0[0].mean() }
        }
    }

    @Test func meanAxes() {
        for (i, axes) in Self.axesCases.enumerated() {
            for keepDims in [false, true] {
                checkGradients("mean(axes: \(axes), keepDims: \(keepDims))", [u([2, 3, 4], 540 + i)]) {
                    $0[0].mean(axes: axes, keepDims: keepDims)
                }
            }
        }
        checkGradients("mean(axis: 0, keepDims: true)", [u([3, 2], 550)]) { $0[0].mean(axis: 0, keepDims: true) }
    }

    @Test func maxAndMin() {
        checkGradients("max()", [distinct([3, 4], 560)]) { $0[0].max() }
        checkGradients("min()", [distinct([3, 4], 561)]) { $0[0].min() }
        checkGradients("max() keepDims", [distinct([3, 4], 562)]) { $0[0].max(keepDims: true) }
        checkGradients("max() 0-d", [Tensor(1.25)]) { $0[0].max() }
        checkGradients("min() 0-d", [Tensor(1.25)]) { $0[0].min() }
        for (i, axes) in Self.axesCases.enumerated() {
            for keepDims in [false, true] {
                checkGradients("max(axes: \(axes), keepDims: \(keepDims))", [distinct([2, 3, 4], 570 + i)]) {
                    $0[0].max(axes: axes, keepDims: keepDims)
                }
                checkGradients("min(axes: \(axes), keepDims: \(keepDims))", [distinct([2, 3, 4], 580 + i)]) {
                    $0[0].min(axes: axes, keepDims: keepDims)
                }
            }
        }
        checkGradients("max(axis: 1)", [distinct([3, 4], 590)]) { $0[0].max(axis: 1) }
        checkGradients("min(axis: 0, keepDims: true)", [distinct([3, 4], 591)]) { $0[0].min(axis: 0, keepDims: true) }
    }

    @Test func logSumExp() {
        for axis in [0, 1, 2, -1, -3] {
            for keepDims in [false, true] {
                checkGradients("logSumExp(axis: \(axis), keepDims: \(keepDims))", [u([2, 3, 4], 600 + axis)]) {
                    $0[0].logSumExp(axis: axis, keepDims: keepDims)
                }
            }
        }
        checkGradients("logSumExp 1-D", [u([5], 610)]) { $0[0].logSumExp(axis: 0) }
        // Large values: the stable form must not overflow.
        checkGradients("logSumExp large", [Tensor([100, 101, 99.5])]) { $0[0].logSumExp(axis: 0) }
    }

    @Test func softmax() {
        for axis in [0, 1, 2, -1] {
            checkGradients("softmax(axis: \(axis))", [u([2, 3, 4], 620 + axis)]) { $0[0].softmax(axis: axis) }
        }
        checkGradients("softmax 1-D", [u([5], 630)]) { $0[0].softmax() }
        checkGradients("softmax large", [Tensor([[100, 101, 99.5], [-50, -49, -51]])]) { $0[0].softmax(axis: 1) }
    }

    @Test func logSoftmax() {
        for axis in [0, 1, 2, -1] {
            checkGradients("logSoftmax(axis: \(axis))", [u([2, 3, 4], 640 + axis)]) { $0[0].logSoftmax(axis: axis) }
        }
        checkGradients("logSoftmax 1-D", [u([5], 650)]) { $0[0].logSoftmax() }
        checkGradients("logSoftmax large", [Tensor([[100, 101, 99.5], [-50, -49, -51]])]) { $0[0].logSoftmax(axis: 1) }
    }
}

// MARK: - Matrix products

@Suite("Gradient checks: matmul")
struct GradMatmulTests {
    private static let cases: [(String, [Int], [Int])] = [
        ("1-D · 1-D", [4], [4]),
        ("1-D · 2-D", [3], [3, 4]),
        ("2-D · 1-D", [2, 3], [3]),
        ("2-D · 2-D", [2, 3], [3, 4]),
        ("1 x k · k x 1", [1, 3], [3, 1]),
        ("3-D · 3-D", [2, 2, 3], [2, 3, 4]),
        ("3-D · 2-D", [2, 2, 3], [3, 4]),
        ("2-D · 3-D", [2, 3], [2, 3, 4]),
        ("1-D · 3-D", [3], [2, 3, 4]),
        ("3-D · 1-D", [2, 2, 3], [3]),
        ("[2,1,m,k] · [3,k,n]", [2, 1, 2, 3], [3, 3, 4]),
        ("[1,m,k] · [2,k,n]", [1, 2, 3], [2, 3, 4]),
    ]

    @Test func matmulShapes() {
        for (i, (name, l, r)) in Self.cases.enumerated() {
            checkGradients("matmul \(name) \(l) · \(r)", [u(l, 700 + i), u(r, 720 + i)]) { $0[0].matmul($0[1]) }
        }
    }

    @Test func matmulFreeFunctionAndOneConstant() {
        let w = u([3, 4], 740)
        checkGradients("matmul(x, constant)", [u([2, 3], 741)]) { matmul($0[0], w) }
        checkGradients("matmul(constant, x)", [u([4, 2], 742)]) { matmul(w, $0[0]) }
        checkGradients("batched matmul(x, constant)", [u([2, 2, 3], 743)]) { matmul($0[0], w) }
        #expect(w.grad == nil)
    }

    @Test func smallNetwork() {
        // tanh(x W1 + b1) W2 + b2, all four parameters at once.
        let x = u([5, 3], 750)
        checkGradients("two-layer network", [u([3, 4], 751), u([4], 752), u([4, 2], 753), u([2], 754)]) { p in
            (x.matmul(p[0]) + p[1]).tanh().matmul(p[2]) + p[3]
        }
    }
}

// MARK: - Movement

@Suite("Gradient checks: movement")
struct GradMovementTests {
    @Test func reshaped() {
        checkGradients("reshaped [2,6] -> [3,4]", [u([2, 6], 800)]) { $0[0].reshaped([3, 4]) }
        checkGradients("reshaped [2,6] -> [-1]", [u([2, 6], 801)]) { $0[0].reshaped([-1]) }
        checkGradients("reshaped [12] -> [2,-1,2]", [u([12], 802)]) { $0[0].reshaped([2, -1, 2]) }
        checkGradients("reshaped [] -> [1,1]", [Tensor(2.5)]) { $0[0].reshaped([1, 1]) }
        checkGradients("reshaped [1] -> []", [Tensor([2.5])]) { $0[0].reshaped([]) }
        // Reshape then an op that is not position-symmetric.
        checkGradients("reshaped then matmul", [u([6], 803)]) { $0[0].reshaped([2, 3]).matmul(Tensor([1, -2, 3])) }
    }

    @Test func flattened() {
        checkGradients("flattened()", [u([2, 3, 4], 810)]) { $0[0].flattened() }
        checkGradients("flattened(startAxis: 1)", [u([2, 3, 4], 811)]) { $0[0].flattened(startAxis: 1) }
        checkGradients("flattened(startAxis: 0, endAxis: 1)", [u([2, 3, 4], 812)]) { $0[0].flattened(startAxis: 0, endAxis: 1) }
        checkGradients("flattened() 0-d", [Tensor(2.5)]) { $0[0].flattened() }
    }

    @Test func squeezedAndUnsqueezed() {
        checkGradients("squeezed(axis: 1)", [u([2, 1, 3], 820)]) { $0[0].squeezed(axis: 1) }
        checkGradients("squeezed(axis: -1)", [u([3, 1], 821)]) { $0[0].squeezed(axis: -1) }
        checkGradients("squeezed()", [u([1, 3, 1], 822)]) { $0[0].squeezed() }
        checkGradients("squeezed() to 0-d", [u([1, 1], 823)]) { $0[0].squeezed() }
        for axis in [0, 1, 2, -1] {
            checkGradients("unsqueezed(axis: \(axis))", [u([2, 3], 824)]) { $0[0].unsqueezed(axis: axis) }
        }
        checkGradients("unsqueezed 0-d", [Tensor(2.5)]) { $0[0].unsqueezed(axis: 0) }
    }

    @Test func permutedAndTransposed() {
        checkGradients("permuted [2,0,1]", [u([2, 3, 4], 830)]) { $0[0].permuted([2, 0, 1]) }
        checkGradients("permuted [1,2,0]", [u([2, 3, 4], 831)]) { $0[0].permuted([1, 2, 0]) }
        checkGradients("permuted [1,0]", [u([2, 3], 832)]) { $0[0].permuted([1, 0]) }
        checkGradients("permuted negative axes", [u([2, 3, 4], 833)]) { $0[0].permuted([-1, 0, 1]) }
        checkGradients("transposed() 2-D", [u([2, 3], 834)]) { $0[0].transposed() }
        checkGradients("transposed() 3-D", [u([2, 3, 4], 835)]) { $0[0].transposed() }
        checkGradients("transposed(0, 2)", [u([2, 3, 4], 836)]) { $0[0].transposed(0, 2) }
        checkGradients("transposed() 1-D", [u([3], 837)]) { $0[0].transposed() }
    }

    @Test func expanded() {
        checkGradients("expanded [3] -> [2,3]", [u([3], 840)]) { $0[0].expanded(to: [2, 3]) }
        checkGradients("expanded [2,1] -> [2,4]", [u([2, 1], 841)]) { $0[0].expanded(to: [2, 4]) }
        checkGradients("expanded [3,1] -> [2,3,4]", [u([3, 1], 842)]) { $0[0].expanded(to: [2, 3, 4]) }
        checkGradients("expanded [2,1] -> [-1,4]", [u([2, 1], 843)]) { $0[0].expanded(to: [-1, 4]) }
        checkGradients("expanded [] -> [2,3]", [Tensor(2.5)]) { $0[0].expanded(to: [2, 3]) }
        checkGradients("expanded [1,3] -> [1,3]", [u([1, 3], 844)]) { $0[0].expanded(to: [1, 3]) }
    }
}

// MARK: - Indexing and joining

@Suite("Gradient checks: indexing and joining")
struct GradIndexingTests {
    @Test func integerSubscript() {
        checkGradients("t[1] of [3,4]", [u([3, 4], 900)]) { $0[0][1] }
        checkGradients("t[-1] of [3,4]", [u([3, 4], 901)]) { $0[0][-1] }
        checkGradients("t[0] of [2,3,2]", [u([2, 3, 2], 902)]) { $0[0][0] }
        checkGradients("t[2] of [4] (0-d result)", [u([4], 903)]) { $0[0][2] }
        checkGradients("t[-4] of [4]", [u([4], 904)]) { $0[0][-4] }
        checkGradients("t[1][2]", [u([3, 4], 905)]) { $0[0][1][2] }
        checkGradients("t[0] + t[2] (same input twice)", [u([3, 4], 906)]) { $0[0][0] + $0[0][2] }
        checkGradients("t[1] * t[1]", [u([3, 2], 907)]) { $0[0][1] * $0[0][1] }
    }

    @Test func rangeSubscripts() {
        checkGradients("t[1..<3]", [u([4, 3], 910)]) { $0[0][1..<3] }
        checkGradients("t[1...2]", [u([4, 3], 911)]) { $0[0][1...2] }
        checkGradients("t[..<2, 1...]", [u([4, 3], 912)]) { $0[0][..<2, 1...] }
        checkGradients("t[...1]", [u([4, 3], 913)]) { $0[0][...1] }
        checkGradients("t[all, 0]", [u([4, 3], 914)]) { $0[0][TensorIndex.all, 0] }
        checkGradients("t[all, -1]", [u([4, 3], 915)]) { $0[0][TensorIndex.all, -1] }
        checkGradients("t[1, 2] (0-d)", [u([4, 3], 916)]) { $0[0][1, 2] }
        checkGradients("t[1, all, 1..<3]", [u([2, 3, 4], 917)]) { $0[0][1, TensorIndex.all, 1..<3] }
        checkGradients("t[-3..<(-1)]", [u([5], 918)]) { $0[0][TensorIndex.range(-3, -1, step: 1)] }
        checkGradients("overlapping t[0..<3] + t[1..<4]", [u([4], 919)]) { $0[0][0..<3] + $0[0][1..<4] }
    }

    @Test func steppedSubscripts() {
        checkGradients("t[::2]", [u([5, 3], 920)]) { $0[0][TensorIndex.range(0, nil, step: 2)] }
        checkGradients("t[:, ::2]", [u([3, 5], 921)]) { $0[0][TensorIndex.all, TensorIndex.range(nil, nil, step: 2)] }
        checkGradients("t[1::3]", [u([7], 922)]) { $0[0][TensorIndex.range(1, nil, step: 3)] }
        checkGradients("t[::-1]", [u([5], 923)]) { $0[0][TensorIndex.range(nil, nil, step: -1)] }
        checkGradients("t[3:0:-2]", [u([5], 924)]) { $0[0][TensorIndex.range(3, 0, step: -2)] }
        checkGradients("t[-1::-2]", [u([6], 925)]) { $0[0][TensorIndex.range(-1, nil, step: -2)] }
        checkGradients("t[::-1, ::-2]", [u([3, 5], 926)]) {
            $0[0][TensorIndex.range(nil, nil, step: -1), TensorIndex.range(nil, nil, step: -2)]
        }
        checkGradients("t[:, 2:0:-1]", [u([2, 4], 927)]) { $0[0][TensorIndex.all, TensorIndex.range(2, 0, step: -1)] }
    }

    @Test func newAxisSubscripts() {
        checkGradients("t[newAxis]", [u([2, 3], 930)]) { $0[0][TensorIndex.newAxis] }
        checkGradients("t[:, newAxis, 1:]", [u([2, 3], 931)]) { $0[0][TensorIndex.all, TensorIndex.newAxis, 1...] }
        checkGradients("t[newAxis] of 0-d", [Tensor(2.5)]) { $0[0][TensorIndex.newAxis] }
        checkGradients("t[1, newAxis]", [u([3, 2], 932)]) { $0[0][1, TensorIndex.newAxis] }
    }

    @Test func concatenate() {
        checkGradients("concatenate axis 0", [u([2, 3], 940), u([1, 3], 941), u([3, 3], 942)]) {
            Tensor.concatenate($0, axis: 0)
        }
        checkGradients("concatenate axis 1", [u([2, 1], 943), u([2, 3], 944)]) { Tensor.concatenate($0, axis: 1) }
        checkGradients("concatenate axis -1 of 3-D", [u([2, 2, 1], 945), u([2, 2, 3], 946)]) { Tensor.concatenate($0, axis: -1) }
        checkGradients("concatenate axis 1 of 3-D", [u([2, 1, 3], 947), u([2, 2, 3], 948)]) { Tensor.concatenate($0, axis: 1) }
        checkGradients("concatenate 1-D", [u([2], 949), u([3], 950)]) { Tensor.concatenate($0) }
        let constant = u([2, 3], 951)
        checkGradients("concatenate with a constant", [u([1, 3], 952)]) { Tensor.concatenate([constant, $0[0], constant]) }
        #expect(constant.grad == nil)
        checkGradients("concatenate the same tensor twice", [u([2, 2], 953)]) { Tensor.concatenate([$0[0], $0[0]], axis: 1) }
    }

    @Test func stack() {
        for axis in [0, 1, 2, -1] {
            checkGradients("stack axis \(axis)", [u([2, 3], 960), u([2, 3], 961), u([2, 3], 962)]) { Tensor.stack($0, axis: axis) }
        }
        checkGradients("stack 0-d", [Tensor(1.5), Tensor(-2), Tensor(0.25)]) { Tensor.stack($0) }
    }

    @Test func indexSelect() {
        checkGradients("indexSelect axis 0, repeated", [u([4, 3], 970)]) { $0[0].indexSelect(axis: 0, indices: [2, 0, 2, 1, 2]) }
        checkGradients("indexSelect axis 1, repeated", [u([4, 3], 971)]) { $0[0].indexSelect(axis: 1, indices: [1, 1, 0]) }
        checkGradients("indexSelect axis 1 of 3-D", [u([2, 3, 4], 972)]) { $0[0].indexSelect(axis: 1, indices: [2, 2, 0]) }
        checkGradients("indexSelect axis -1", [u([2, 3, 4], 973)]) { $0[0].indexSelect(axis: -1, indices: [3, 0, 3, 3]) }
        checkGradients("indexSelect 1-D", [u([5], 974)]) { $0[0].indexSelect(axis: 0, indices: [4, 4, 1]) }
    }

    @Test func gather() {
        let rows = Tensor([[0, 3, 3], [1, 1, 1], [2, 0, 3]])
        checkGradients("gather axis 1, repeated", [u([3, 4], 980)]) { $0[0].gather(axis: 1, indices: rows) }
        let columns = Tensor([[0, 2, 1, 0], [2, 2, 0, 1]])
        checkGradients("gather axis 0", [u([3, 4], 981)]) { $0[0].gather(axis: 0, indices: columns) }
        let targets = Tensor([2, 0, 1]).unsqueezed(axis: 1)
        checkGradients("gather one per row (cross-entropy pick)", [u([3, 4], 982)]) { $0[0].gather(axis: 1, indices: targets) }
        let deep = Tensor(shape: [2, 2, 3], scalars: [0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 1])
        checkGradients("gather axis 1 of 3-D", [u([2, 2, 3], 983)]) { $0[0].gather(axis: 1, indices: deep) }
    }

    @Test func crossEntropyComposite() {
        // -mean(logSoftmax(logits)[i, target_i]): gather + logSoftmax + mean together.
        let targets = Tensor([2, 0, 1, 3]).unsqueezed(axis: 1)
        checkGradients("cross-entropy by hand", [u([4, 5], 990)]) { -$0[0].logSoftmax(axis: 1).gather(axis: 1, indices: targets).mean() }
    }
}

// MARK: - Losses and the lesson's functions

@Suite("Gradient checks: losses and lesson functions")
struct GradLossAndLessonTests {
    @Test func meanSquaredError() {
        checkGradients("mse [6] [6]", [u([6], 1000), u([6], 1001)]) { mse($0[0], $0[1]) }
        checkGradients("mse [2,3] [3]", [u([2, 3], 1002), u([3], 1003)]) { mse($0[0], $0[1]) }
        checkGradients("mse 0-d", [Tensor(1.5), Tensor(-0.25)]) { mse($0[0], $0[1]) }
    }

    @Test func meanAbsoluteError() {
        let (p, t) = GradInput.separatedPair([6], [6], seed: 1010)
        checkGradients("mae [6] [6]", [p, t]) { mae($0[0], $0[1]) }
        let (p2, t2) = GradInput.separatedPair([2, 3], [3], seed: 1011)
        checkGradients("mae [2,3] [3]", [p2, t2]) { mae($0[0], $0[1]) }
        let (p3, t3) = GradInput.separatedPair([4], [4], seed: 1012)
        checkGradients("l1 [4] [4]", [p3, t3]) { l1($0[0], $0[1]) }
    }

    @Test func quadraticOfABC() {
        let x = Tensor.linspace(-2, 2, count: 7)
        checkGradients("quadratic(abc)(x), wrt abc", [Tensor([1.5, -0.5, 2])]) { quadratic($0[0])(x) }
        checkGradients("quadratic(abc)(x), wrt abc and x", [Tensor([1.5, -0.5, 2]), u([2, 3], 1020)]) { quadratic($0[0])($0[1]) }
        let (px, py) = Lesson.noisyQuadratic(points: 10, seed: 1)
        checkGradients("mse(quadratic(abc)(x), y)", [Tensor([1.5, 1.5, 1.5])]) { mse(quadratic($0[0])(px), py) }
        checkGradients("quadratic(a:b:c:)(x)", [u([5], 1021)]) { quadratic(a: 1, b: -2, c: 0.5)($0[0]) }
    }

    @Test func rectifiedLinearPieces() {
        // m·x + b stays at least 0.15 from the kink at 0 for every (x, piece):
        // columns -1.25…1.85, 1.85…-1.25, -0.95…0.6 (see the values below).
        let x = Tensor(shape: [5, 1], scalars: [-1.5, -0.7, 0.1, 0.9, 1.6])
        let m = Tensor([1, -1, 0.5]), b = Tensor([0.25, 0.35, -0.2])
        checkGradients("rectifiedLinear(m:b:x:) wrt m, b", [m, b]) { rectifiedLinear(m: $0[0], b: $0[1], x: x) }
        checkGradients("rectifiedLinear(m:b:x:) wrt m, b, x", [m.detach(), b.detach(), x.detach()]) {
            rectifiedLinear(m: $0[0], b: $0[1], x: $0[2])
        }
        checkGradients("rectifiedLinear(m: 1.5, b: -0.3, x:)", [Tensor([-1, -0.5, 0.5, 1, 2])]) {
            rectifiedLinear(m: 1.5, b: -0.3, x: $0[0])
        }
        // The lesson's other spelling: maximum(m*x + b, 0).
        checkGradients("maximum(m*x + b, 0)", [m.detach(), b.detach()]) { maximum($0[0] * x + $0[1], Tensor(0)) }
    }

    @Test func reluSum() {
        var rng = SeededGenerator(seed: 1030)
        let relus = ReLUSum(count: 4, over: -2...2, generator: &rng)
        // Kinks at -1.5, -0.5, 0.5, 1.5; every x is at least 0.3 from one.
        let x = Tensor([-1.9, -1.2, -0.8, -0.2, 0.2, 0.8, 1.2, 1.9])
        checkGradients("ReLUSum parameters", relus.parameters) { _ in relus(x) }
        let (px, py) = (x, Tensor([3, 1, 0.5, 0, 0.2, 1, 2, 4]))
        checkGradients("mse(ReLUSum(x), y)", relus.parameters) { _ in mse(relus(px), py) }
    }
}
