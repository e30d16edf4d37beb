import MoonEngine
import MoonKernels

/// Random brightness and contrast, per image, for pixel values in [0, 1] (put it before
/// `Normalize`), as torchvision's ColorJitter: brightness b multiplies the image by a factor
/// drawn from [max(0, 1 - b), 1 + b]; contrast c blends it with its mean grey level m by a
/// factor f from [max(0, 1 - c), 1 + c]: f x + (1 - f) m. Results are clamped to [0, 1].
/// The grey level of a 3-channel image is 0.299 R + 0.587 G + 0.114 B; otherwise the mean
/// over channels. Brightness is applied first.
public final class ColorJitter: BatchTransform {
    public let brightness: ClosedRange<Double>
    public let contrast: ClosedRange<Double>
    let strengths: (Double, Double)?
    let name = "ColorJitter"

    /// Strengths b, c >= 0; 0 leaves that property alone.
    public init(brightness: Double = 0, contrast: Double = 0) throws {
        for (what, v) in [("brightness", brightness), ("contrast", contrast)] where !(v.isFinite && v >= 0) {
            throw AugError(in: "ColorJitter", "\(what) must be a number >= 0, got \(format(v))")
        }
        self.brightness = max(0, 1 - brightness)...(1 + brightness)
        self.contrast = max(0, 1 - contrast)...(1 + contrast)
        strengths = (brightness, contrast)
    }

    /// Factors drawn from explicit ranges (`brightness_range` of ImageDataGenerator).
    public init(brightnessFactors: ClosedRange<Double>, contrastFactors: ClosedRange<Double> = 1...1) throws {
        for (what, r) in [("brightness", brightnessFactors), ("contrast", contrastFactors)]
        where !(r.lowerBound.isFinite && r.upperBound.isFinite && r.lowerBound >= 0) {
            throw AugError(in: "ColorJitter", "\(what) factors must be finite and >= 0, got {\(format(r.lowerBound)), \(format(r.upperBound))}")
        }
        brightness = brightnessFactors
        contrast = contrastFactors
        strengths = nil
    }

    var isIdentity: Bool { brightness == 1...1 && contrast == 1...1 }

    /// One (brightness, contrast) factor pair per image, drawn serially.
    func factors(count: Int, generator: RandomGenerator) -> [(Float, Float)] {
        (0..<count).map { _ in (Float(uniform(brightness, generator)), Float(uniform(contrast, generator))) }
    }

    func transformBatch(_ batch: Tensor, generator: RandomGenerator) throws -> Tensor {
        if isIdentity { return try Images.copy(batch, "ColorJitter") }
        let f = factors(count: batch.shape[0], generator: generator)
        return try ColorJitter.adjust(batch, factors: f)
    }

    /// Applies per-image (brightness, contrast) factors to a contiguous `{N, C, H, W}` batch.
    static func adjust(_ batch: Tensor, factors: [(Float, Float)]) throws -> Tensor {
        let (n, c, h, w) = Images.dims(batch)
        let plane = h * w, image = c * plane
        let weights: [Float] = c == 3 ? [0.299, 0.587, 0.114] : [Float](repeating: 1 / Float(c), count: c)
        return try Images.map(batch, "ColorJitter") { src, dst in
            let s = UncheckedPointers(src: src, dst: dst)
            Threads.parallelFor(n, minPerThread: max(1, 8192 / max(image, 1))) { _, range in
                for i in range {
                    let (b, k) = factors[i]
                    let x = s.src + i * image, y = s.dst + i * image
                    for j in 0..<image { y[j] = Swift.min(Swift.max(x[j] * b, 0), 1) }
                    if k == 1 { continue }
                    var grey: Float = 0
                    for ch in 0..<c {
                        var sum: Float = 0
                        for j in 0..<plane { sum += y[ch * plane + j] }
                        grey += weights[ch] * sum
                    }
                    let m = grey / Float(max(plane, 1)) * (1 - k)
                    for j in 0..<image { y[j] = Swift.min(Swift.max(y[j] * k + m, 0), 1) }
                }
            }
        }
    }

    public var description: String {
        if let (b, c) = strengths {
            let parts = [b > 0 ? "brightness=\(format(b))" : nil, c > 0 ? "contrast=\(format(c))" : nil].compactMap { $0 }
            return "aug.ColorJitter{\(parts.joined(separator: ", "))}"
        }
        return "aug.ColorJitter{brightness_range={\(format(brightness.lowerBound)), \(format(brightness.upperBound))}}"
    }
}

extension ColorJitter {
    /// What `aug.ColorJitter` does, for help.
    public static let summary = """
        Random brightness and contrast per image, for values in [0, 1] (put it before \
        Normalize), as torchvision: contrast blends with the image's mean grey level, \
        f x + (1 - f) mean. Results are clamped to [0, 1].
        """
}
