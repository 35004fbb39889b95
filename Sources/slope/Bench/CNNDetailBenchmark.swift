import Foundation
import Slope

/// `slope bench t6 --detail`: microseconds per call of each layer of T6 (and the batch norm of the
/// default Fashion-MNIST CNN) at batch 64, forward and each backward pass on its own, with the
/// same field names and timing as `Benchmarks/peers/torch_t6_detail.py` (PyTorch's same layers).
enum CNNDetailBenchmark {
    /// Median microseconds per call over 5 runs of `calls` calls, after one untimed call.
    static func perCall(calls: Int = 50, _ body: () -> Void) -> Double {
        let (median, _) = medianTime(repeats: 5, warmup: 1) { for _ in 0..<calls { body() } }
        return rounded(median / Double(calls) * 1e6, 1)
    }

    /// Forward, weight-and-bias backward and (for more than one input channel) input backward
    /// of a 3x3, padding-1 convolution over `[n, c, h, w]` into `o` channels.
    static func convolution(_ name: String, _ n: Int, _ c: Int, _ o: Int, _ h: Int, _ w: Int) -> [(String, JSON)] {
        var rng = SeededGenerator(seed: 0)
        let x = Tensor.randn([n, c, h, w], generator: &rng)
        let weight = Tensor.randn([o, c, 3, 3], generator: &rng)
        let bias = Tensor.randn([o], generator: &rng)
        let upstream = Tensor.randn([n, o, h, w], generator: &rng)
        var fields: [(String, JSON)] = [
            ("\(name)_forward", .number(perCall { _ = noGrad { x.conv2d(weight: weight, bias: bias, padding: 1) } })),
        ]
        let trainedWeight = weight.detach().requiresGrad(), trainedBias = bias.detach().requiresGrad()
        let y = x.conv2d(weight: trainedWeight, bias: trainedBias, padding: 1)
        fields.append(("\(name)_backward_weight", .number(perCall {
            y.backward(gradient: upstream, retainGraph: true)
            trainedWeight.zeroGrad()
            trainedBias.zeroGrad()
        })))
        if c > 1 {
            let trainedInput = x.detach().requiresGrad()
            let z = trainedInput.conv2d(weight: weight, bias: bias, padding: 1)
            fields.append(("\(name)_backward_input", .number(perCall {
                z.backward(gradient: upstream, retainGraph: true)
                trainedInput.zeroGrad()
            })))
        }
        return fields
    }

    /// ReLU, 2x2 max pooling and batch norm over `[n, c, h, w]`, forward and backward.
    static func elementwise(_ name: String, _ n: Int, _ c: Int, _ h: Int, _ w: Int) -> [(String, JSON)] {
        var rng = SeededGenerator(seed: 1)
        let x = Tensor.randn([n, c, h, w], generator: &rng).requiresGrad()
        let gamma = Tensor.ones([c]).requiresGrad(), beta = Tensor.zeros([c]).requiresGrad()
        func backward(_ y: Tensor) -> Double {
            let upstream = Tensor.randn(y.shape, generator: &rng)
            return perCall {
                y.backward(gradient: upstream, retainGraph: true)
                x.zeroGrad()
                gamma.zeroGrad()
                beta.zeroGrad()
            }
        }
        let plain = x.detach()
        return [
            ("\(name)_relu_forward", .number(perCall { _ = plain.relu() })),
            ("\(name)_relu_backward", .number(backward(x.relu()))),
            ("\(name)_pool_forward", .number(perCall { _ = plain.maxPool2d(kernelSize: 2) })),
            ("\(name)_pool_backward", .number(backward(x.maxPool2d(kernelSize: 2)))),
            ("\(name)_batchnorm_forward", .number(perCall {
                _ = Tensor.batchNorm(plain, weight: gamma.detach(), bias: beta.detach(), epsilon: 1e-5)
            })),
            ("\(name)_batchnorm_backward", .number(backward(
                Tensor.batchNorm(x, weight: gamma, bias: beta, epsilon: 1e-5).output))),
        ]
    }

    /// Forward and backward (input, weight and bias gradients) of a linear layer `[n, i] -> [n, o]`.
    static func linear(_ name: String, _ n: Int, _ i: Int, _ o: Int) -> [(String, JSON)] {
        var rng = SeededGenerator(seed: 2)
        let x = Tensor.randn([n, i], generator: &rng)
        let weight = Tensor.randn([o, i], generator: &rng), bias = Tensor.randn([o], generator: &rng)
        let upstream = Tensor.randn([n, o], generator: &rng)
        let forward = perCall { _ = noGrad { x.linear(weight: weight, bias: bias) } }
        let trainedInput = x.detach().requiresGrad()
        let trainedWeight = weight.detach().requiresGrad(), trainedBias = bias.detach().requiresGrad()
        let y = trainedInput.linear(weight: trainedWeight, bias: trainedBias)
        let backward = perCall {
            y.backward(gradient: upstream, retainGraph: true)
            trainedInput.zeroGrad()
            trainedWeight.zeroGrad()
            trainedBias.zeroGrad()
        }
        return [("\(name)_forward", .number(forward)), ("\(name)_backward", .number(backward))]
    }

    static func run() -> JSON {
        .object(benchHeader("t6_cnn_detail") + [("batch", .int(64)), ("unit", .string("us_per_call"))]
            + convolution("conv1", 64, 1, 16, 28, 28) + elementwise("layer1", 64, 16, 28, 28)
            + convolution("conv2", 64, 16, 32, 14, 14) + elementwise("layer2", 64, 32, 14, 14)
            + linear("linear", 64, 1568, 10))
    }
}
