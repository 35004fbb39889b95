import Slope
import Foundation
let (x, y) = Lesson.noisyQuadratic()
print(x); print(y)
let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
let t0 = Date()
for _ in 0..<10_000 {
    let loss = mse(quadratic(abc)(x), y)
    loss.backward()
    noGrad { abc -= 0.01 * abc.grad! }
    abc.zeroGrad()
}
print(Date().timeIntervalSince(t0) / 10_000 * 1e6, "us/step")
print(abc, mse(quadratic(abc)(x), y))
