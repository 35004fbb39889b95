import Foundation

/// Seeded random changes to training images (fastai's `aug_transforms`): a horizontal flip, a
/// small rotation, a zoom that crops a random part of the image (a random resized crop), and a
/// change of brightness and contrast. Each image of a batch gets its own draw from one seeded
/// stream, so a run is reproducible; validation images are never changed.
///
/// For each image, with probability ``probability`` an affine change: output pixel `p`
/// (centred coordinates) samples the input at `R(-θ)·(p / z) + t`, mirrored in x when flipped,
/// bilinear, reflecting at the borders (fastai's `padding_mode="reflection"`), with
/// `θ ∈ [-maxRotate, maxRotate]`, `z ∈ [1, maxZoom]` and `t` a shift that keeps the crop inside.
/// With probability ``probability`` a lighting change on pixels in [0, 1]:
/// `x' = (x - 0.5)·c + 0.5 + b`, `c` log-uniform in `[1 - maxLighting, 1 / (1 - maxLighting)]`,
/// `b ∈ [-maxLighting/2, maxLighting/2]`, done on normalised values as `x'ₙ = xₙ·c + ((0.5 - m)(1 - c) + b) / s`
/// for a channel of mean `m` and std `s`.
///
/// ```swift
/// var data = try ImageData.fromFolder("pets")
/// data.train.augmentation = ImageAugmenter(.standard, statistics: stats, seed: 42)
/// ```
public struct ImageAugmentation: Sendable, Equatable {
    /// The level's name: `none`, `light` or `default`.
    public var name: String
    /// Whether to mirror half of the images left to right.
    public var flip: Bool
    /// The largest rotation, in degrees.
    public var maxRotate: Float
    /// The largest zoom (1 keeps the whole image; 1.1 crops to as little as 1/1.1 of each side).
    public var maxZoom: Float
    /// The largest brightness and contrast change (0 for none).
    public var maxLighting: Float
    /// The chance of the affine change, and separately of the lighting change.
    public var probability: Float

    /// A level of augmentation.
    ///
    /// - Parameters:
    ///   - name: the level's name.
    ///   - flip: whether to mirror half of the images.
    ///   - maxRotate: the largest rotation, degrees.
    ///   - maxZoom: the largest zoom, at least 1.
    ///   - maxLighting: the largest lighting change, in [0, 1).
    ///   - probability: the chance of each change, in [0, 1].
    public init(name: String, flip: Bool, maxRotate: Float, maxZoom: Float, maxLighting: Float, probability: Float) {
        require(maxRotate >= 0 && maxRotate <= 180 && maxZoom >= 1 && maxZoom <= 4 && maxLighting >= 0 && maxLighting < 1
                && probability >= 0 && probability <= 1, "ImageAugmentation: settings out of range")
        self.name = name
        self.flip = flip
        self.maxRotate = maxRotate
        self.maxZoom = maxZoom
        self.maxLighting = maxLighting
        self.probability = probability
    }

    /// No change.
    public static let none = ImageAugmentation(name: "none", flip: false, maxRotate: 0, maxZoom: 1, maxLighting: 0, probability: 0)
    /// Flips, rotations up to 5°, zoom up to 1.05, lighting up to 0.1.
    public static let light = ImageAugmentation(name: "light", flip: true, maxRotate: 5, maxZoom: 1.05, maxLighting: 0.1, probability: 0.75)
    /// fastai's `aug_transforms()` defaults: flips, rotations up to 10°, zoom up to 1.1, lighting up to 0.2, each with p = 0.75.
    public static let standard = ImageAugmentation(name: "default", flip: true, maxRotate: 10, maxZoom: 1.1, maxLighting: 0.2, probability: 0.75)

    /// The level named `none`, `light` or `default`, or `nil`.
    ///
    /// - Parameter name: the level's name.
    /// - Returns: the level.
    public static func named(_ name: String) -> ImageAugmentation? {
        [none, light, standard].first { $0.name == name }
    }

    /// Whether the level changes anything.
    public var isIdentity: Bool { !flip && maxRotate == 0 && maxZoom == 1 && maxLighting == 0 || probability == 0 && !flip }
}

/// Applies an ``ImageAugmentation`` to training batches of normalised `[N, C, H, W]` images,
/// drawing from its own seeded stream (one draw per image, in order), so the same seed gives the
/// same images epoch after epoch of a rerun.
///
/// ```swift
/// let augmenter = ImageAugmenter(.standard, statistics: stats, seed: 42)
/// let changed = augmenter.apply(batch)
/// ```
public final class ImageAugmenter: @unchecked Sendable {
    /// What it does.
    public let augmentation: ImageAugmentation
    /// The per-channel mean and std the images were normalised with.
    public let statistics: ChannelStatistics
    /// The seed of its stream (recorded in exported models).
    public let seed: UInt64
    private var generator: SeededGenerator
    private let lock = NSLock()

    /// An augmenter.
    ///
    /// - Parameters:
    ///   - augmentation: the level.
    ///   - statistics: the images' normalisation.
    ///   - seed: the seed of its stream.
    public init(_ augmentation: ImageAugmentation, statistics: ChannelStatistics, seed: UInt64) {
        self.augmentation = augmentation
        self.statistics = statistics
        self.seed = seed
        generator = SeededGenerator(seed: seed)
    }

    /// The batch with every image changed by its own draw; targets unchanged.
    ///
    /// - Parameter batch: `[N, C, H, W]` normalised images with `C` equal to the statistics' channels.
    /// - Returns: the changed batch.
    public func apply(_ batch: Batch) -> Batch {
        let shape = batch.inputs.shape
        require(shape.count == 4 && shape[1] == statistics.channels,
                "ImageAugmenter: expected [N, \(statistics.channels), H, W] images, got \(shape)")
        if augmentation.isIdentity { return batch }
        let (count, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let plane = height * width, size = channels * plane
        let source = batch.inputs.scalars
        var output = [Float](repeating: 0, count: source.count)
        lock.lock()
        defer { lock.unlock() }
        source.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                for image in 0..<count {
                    let draw = nextDraw()
                    for channel in 0..<channels {
                        let offset = image * size + channel * plane
                        let from = UnsafeBufferPointer(rebasing: input[offset..<(offset + plane)])
                        let to = UnsafeMutableBufferPointer(rebasing: out[offset..<(offset + plane)])
                        warp(from, into: to, width: width, height: height, draw: draw)
                        if draw.contrast != 1 || draw.brightness != 0 {
                            let (m, s, c) = (statistics.mean[channel], statistics.std[channel], draw.contrast)
                            let shift = ((0.5 - m) * (1 - c) + draw.brightness) / s
                            for index in 0..<plane { to[index] = to[index] * c + shift }
                        }
                    }
                }
            }
        }
        return Batch(inputs: Tensor(shape: shape, scalars: output), targets: batch.targets)
    }

    /// One image's random choices.
    struct Draw {
        var flip = false
        var angle: Float = 0
        var zoom: Float = 1
        var shiftX: Float = 0
        var shiftY: Float = 0
        var contrast: Float = 1
        var brightness: Float = 0
    }

    private func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * Float(generator.next() >> 40) / Float(1 << 24)
    }

    /// The next image's draw (always the same number of values from the stream).
    func nextDraw() -> Draw {
        let a = augmentation
        var draw = Draw()
        let values = (0..<8).map { _ in uniform(0, 1) }
        draw.flip = a.flip && values[0] < 0.5
        if values[1] < a.probability {
            draw.angle = (values[2] * 2 - 1) * a.maxRotate * .pi / 180
            draw.zoom = 1 + values[3] * (a.maxZoom - 1)
            let room = 1 - 1 / draw.zoom  // the crop may move by this share of the half-size
            draw.shiftX = (values[4] * 2 - 1) * room
            draw.shiftY = (values[5] * 2 - 1) * room
        }
        if values[6] < a.probability && a.maxLighting > 0 {
            let spread = -Foundation.log(1 - a.maxLighting)
            let u = uniform(-1, 1), v = values[7]
            draw.contrast = Foundation.exp(u * spread)
            draw.brightness = (v - 0.5) * a.maxLighting
        }
        return draw
    }

    /// Bilinear sampling of the flipped, rotated, zoomed and shifted plane, reflecting at the borders.
    private func warp(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>, width: Int, height: Int, draw: Draw) {
        if draw.angle == 0 && draw.zoom == 1 && !draw.flip {
            for index in 0..<output.count { output[index] = input[index] }
            return
        }
        let (cx, cy) = (Float(width - 1) / 2, Float(height - 1) / 2)
        let (cosA, sinA) = (Foundation.cos(draw.angle), Foundation.sin(draw.angle))
        let (halfW, halfH) = (Float(width) / 2, Float(height) / 2)
        for y in 0..<height {
            for x in 0..<width {
                // Centred, zoomed, rotated, shifted.
                var u = (Float(x) - cx) / draw.zoom, v = (Float(y) - cy) / draw.zoom
                (u, v) = (cosA * u + sinA * v, -sinA * u + cosA * v)
                u += draw.shiftX * halfW
                v += draw.shiftY * halfH
                if draw.flip { u = -u }
                let sx = reflect(u + cx, size: width), sy = reflect(v + cy, size: height)
                let x0 = Int(sx), y0 = Int(sy)
                let x1 = Swift.min(x0 + 1, width - 1), y1 = Swift.min(y0 + 1, height - 1)
                let fx = sx - Float(x0), fy = sy - Float(y0)
                let top = input[y0 * width + x0] * (1 - fx) + input[y0 * width + x1] * fx
                let bottom = input[y1 * width + x0] * (1 - fx) + input[y1 * width + x1] * fx
                output[y * width + x] = top * (1 - fy) + bottom * fy
            }
        }
    }

    /// `position` reflected into `[0, size - 1]`.
    private func reflect(_ position: Float, size: Int) -> Float {
        let last = Float(size - 1)
        guard last > 0 else { return 0 }
        var p = position.truncatingRemainder(dividingBy: 2 * last)
        if p < 0 { p += 2 * last }
        if p > last { p = 2 * last - p }
        return Swift.min(Swift.max(p, 0), last)
    }

    /// The level and seed, as exported models record them.
    public var json: JSON {
        .object([("level", .string(augmentation.name)), ("seed", .string(String(seed))), ("flip", .bool(augmentation.flip)),
                 ("maxRotate", .number(Double(augmentation.maxRotate))), ("maxZoom", .number(Double(augmentation.maxZoom))),
                 ("maxLighting", .number(Double(augmentation.maxLighting))), ("probability", .number(Double(augmentation.probability)))])
    }
}
