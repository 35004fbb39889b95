extension Kernels {
    /// Reduces one axis of a contiguous tensor with `combine`, starting from `initial`; the
    /// result has the same shape with that axis of size 1.
    @inline(__always)
    static func reduce(
        _ values: [Float], shape: [Int], axis: Int, initial: Float, _ combine: (Float, Float) -> Float
    ) -> [Float] {
        let length = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *)
        let outer = shape[..<axis].reduce(1, *)
        return [Float](unsafeUninitializedCapacity: outer * inner) { out, initialized in
            values.withUnsafeBufferPointer { source in
                for o in 0..<outer {
                    let outBase = o * inner
                    for i in 0..<inner { out[outBase + i] = initial }
                    for k in 0..<length {
                        let base = (o * length + k) * inner
                        for i in 0..<inner { out[outBase + i] = combine(out[outBase + i], source[base + i]) }
                    }
                }
            }
            initialized = outer * inner
        }
    }

    /// Reduces several axes (sorted) one after the other; returns the kept-dims shape too.
    @inline(__always)
    static func reduce(
        _ values: [Float], shape: [Int], axes: [Int], initial: Float, _ combine: (Float, Float) -> Float
    ) -> (shape: [Int], values: [Float]) {
        var current = values, currentShape = shape
        for axis in axes.reversed() where currentShape[axis] != 1 || shape.reduce(1, *) == 0 {
            current = reduce(current, shape: currentShape, axis: axis, initial: initial, combine)
            currentShape[axis] = 1
        }
        for axis in axes { currentShape[axis] = 1 }
        return (currentShape, current)
    }

    /// The sum of all values (pairs of partial sums, so long buffers lose little precision).
    static func sum(_ values: [Float]) -> Float {
        values.withUnsafeBufferPointer { sum($0) }
    }

    /// The sum of a buffer, eight lanes at a time (the order `sum(_: [Float])` uses).
    static func sum(_ buffer: UnsafeBufferPointer<Float>) -> Float {
        var lanes = SIMD8<Float>()
        let full = buffer.count / 8 * 8
        var i = 0
        while i < full {
            lanes += SIMD8(buffer[i], buffer[i + 1], buffer[i + 2], buffer[i + 3],
                           buffer[i + 4], buffer[i + 5], buffer[i + 6], buffer[i + 7])
            i += 8
        }
        var total = lanes.sum()
        while i < buffer.count { total += buffer[i]; i += 1 }
        return total
    }
}

extension Kernels {
    /// `Σ (values[i] − center)²` over `count` values, sixteen lanes at a time.
    @inline(__always)
    static func squaredDeviations(_ values: UnsafePointer<Float>, count: Int, around center: Float) -> Float {
        let raw = UnsafeRawPointer(values)
        let middle = SIMD16<Float>(repeating: center)
        var lanes = SIMD16<Float>()
        var i = 0
        while i &+ 16 <= count {
            let d = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self) - middle
            lanes += d * d
            i &+= 16
        }
        var total = lanes.sum()
        while i < count {
            let d = values[i] - center
            total += d * d
            i &+= 1
        }
        return total
    }

    /// `(Σ g[i], Σ g[i]·(x[i] − center))` over `count` values, sixteen lanes at a time.
    @inline(__always)
    static func sumAndDeviationDot(
        _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, count: Int, around center: Float
    ) -> (sum: Float, dot: Float) {
        let rawG = UnsafeRawPointer(g), rawX = UnsafeRawPointer(x)
        let middle = SIMD16<Float>(repeating: center)
        var sums = SIMD16<Float>(), dots = SIMD16<Float>()
        var i = 0
        while i &+ 16 <= count {
            let a = rawG.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            let b = rawX.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self) - middle
            sums += a
            dots += a * b
            i &+= 16
        }
        var sum = sums.sum(), dot = dots.sum()
        while i < count {
            sum += g[i]
            dot += g[i] * (x[i] - center)
            i &+= 1
        }
        return (sum, dot)
    }
}
