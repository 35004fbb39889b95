import Testing
@testable import Slope

// The vectorised ReLU (Activation.c) and 2x2 max pooling (MaxPool.c) against scalar references
// written here, on every length / plane size around the 16-lane boundaries, with ties, signed
// zeros, infinities and NaN.

/// Values from a small set, so ties are common: -1, -0, 0, 0.5, 1, 2 and (with `special`) ±inf.
private func tiedValues(_ count: Int, seed: UInt64, special: Bool = false) -> [Float] {
    var rng = SeededGenerator(seed: seed)
    let choices: [Float] = special ? [-1, -0.0, 0, 0.5, 1, 2, .infinity, -.infinity] : [-1, -0.0, 0, 0.5, 1, 2]
    return (0..<count).map { _ in choices[Int(rng.next() % UInt64(choices.count))] }
}

@Suite("Vector kernels")
struct VectorKernelTests {
    @Test func reluMatchesTheScalarRuleOnEveryTailLength() {
        for count in 0...70 {
            var x = tiedValues(count, seed: UInt64(count), special: true)
            if count > 3 { x[count / 2] = .nan }
            let gradient = (0..<count).map { Float($0) + 0.25 }
            let forward = Kernels.relu(x), backward = Kernels.reluGradient(gradient, x)
            for i in 0..<count {
                let expected: Float = x[i] <= 0 ? 0 : x[i]
                #expect(forward[i].bitPattern == expected.bitPattern || (forward[i].isNaN && expected.isNaN),
                        "relu count \(count) index \(i): \(x[i]) -> \(forward[i])")
                #expect(backward[i] == (x[i] <= 0 ? 0 : gradient[i]), "relu gradient count \(count) index \(i)")
            }
        }
    }

    @Test func reluGradientThroughTheTensorOp() {
        let x = Tensor(shape: [3, 7], scalars: tiedValues(21, seed: 9)).requiresGrad()
        let upstream = Tensor(shape: [3, 7], scalars: (0..<21).map { Float($0) })
        x.relu().backward(gradient: upstream)
        #expect(x.grad!.scalars == zip(x.scalars, upstream.scalars).map { $0 <= 0 ? 0 : $1 })
    }

    /// The values and first-maximum indices of 2x2 stride-2 pooling, by the definition.
    private func reference(_ plane: [Float], height: Int, width: Int) -> ([Float], [Int32]) {
        var values: [Float] = [], indices: [Int32] = []
        for row in 0..<(height / 2) {
            for column in 0..<(width / 2) {
                var best = -Float.infinity, at = (2 * row) * width + 2 * column
                for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                    let p = (2 * row + dy) * width + 2 * column + dx
                    if plane[p] > best || plane[p].isNaN && !best.isNaN { best = plane[p]; at = p }
                    if best.isNaN { break }
                }
                values.append(best)
                indices.append(Int32(at))
            }
        }
        return (values, indices)
    }

    @Test func maxPool2x2MatchesTheDefinitionOnOddAndWideSizes() {
        for height in [1, 2, 3, 5, 8] {
            for width in [1, 2, 3, 4, 15, 16, 17, 31, 32, 33, 34, 63, 65] {
                let plane = tiedValues(height * width, seed: UInt64(height * 100 + width), special: true)
                let (values, indices) = reference(plane, height: height, width: width)
                var out = [Float](repeating: 7, count: values.count), index = [Int32](repeating: -1, count: values.count)
                PoolingKernels.maxForward(
                    plane, &out, &index, planes: 1,
                    .init(height: height, width: width, kernelHeight: 2, kernelWidth: 2, strideHeight: 2,
                          strideWidth: 2, paddingHeight: 0, paddingWidth: 0))
                #expect(out.map(\.bitPattern) == values.map(\.bitPattern), "values \(height)x\(width)")
                #expect(index == indices, "indices \(height)x\(width)")
            }
        }
    }

    @Test func maxPool2x2PlaneWithNaNTakesTheGeneralPath() {
        // Three planes of 4x34; the middle one holds a NaN in its last window column.
        var values = tiedValues(3 * 4 * 34, seed: 77)
        values[4 * 34 + 2 * 34 + 33] = .nan
        let x = Tensor(shape: [1, 3, 4, 34], scalars: values).requiresGrad()
        let y = x.maxPool2d(kernelSize: 2)
        var expected: [Float] = []
        for plane in 0..<3 {
            expected += reference(Array(values[(plane * 136)..<((plane + 1) * 136)]), height: 4, width: 34).0
        }
        #expect(y.scalars.map { $0.isNaN ? 0x7FC0_0000 : $0.bitPattern } == expected.map { $0.isNaN ? 0x7FC0_0000 : $0.bitPattern })
        #expect(y.scalars.filter(\.isNaN).count == 1)
        y.sum().backward()
        #expect(x.grad!.scalars.reduce(0, +) == Float(y.count))
        #expect(x.grad!.scalars[4 * 34 + 2 * 34 + 33] == 1)
    }
}
