import MoonEngine

/// Scales each image's content about its centre by a factor drawn uniformly from `scale`,
/// the same on both axes: `RandomZoom(0.1)` draws from [0.9, 1.1]; above 1 enlarges the
/// content (zooms in), below 1 shrinks it and fills the border. (Keras' ImageDataGenerator
/// `zoom_range` means the inverse ratio, per axis; ImageDataGenerator keeps that meaning.)
public final class RandomZoom: GeometricTransform {
    public let scale: ClosedRange<Double>
    public let fill: FillMode
    let factor: Double?
    let name = "RandomZoom"

    /// Factors in [1 - factor, 1 + factor], factor in [0, 1).
    public init(factor: Double, fill: FillMode = .constant(0)) throws {
        let r = try Ranges.symmetric("RandomZoom", "factor", factor, below: 1)
        scale = (1 + r.lowerBound)...(1 + r.upperBound)
        self.factor = factor
        self.fill = fill
    }

    /// Factors in [lo, hi], 0 < lo <= hi.
    public init(scale lo: Double, _ hi: Double, fill: FillMode = .constant(0)) throws {
        guard lo > 0 else { throw AugError(in: "RandomZoom", "scale {lo, hi} needs lo > 0, got {\(format(lo)), \(format(hi))}") }
        scale = try Ranges.pair("RandomZoom", "scale", lo, hi)
        factor = nil
        self.fill = fill
    }

    func map(height: Int, width: Int, generator: RandomGenerator) -> Affine {
        let s = uniform(scale, generator)
        return s == 1 ? .identity : .scale(s, s, height: height, width: width)
    }

    public var description: String {
        let arg = factor.map { format($0) } ?? format(range: scale, symmetric: false)
        return "aug.RandomZoom(\(arg)\(fillSuffix))"
    }
}

extension RandomZoom {
    /// What `aug.RandomZoom` does, for help.
    public static let summary = """
        Scales each image's content about its centre by a factor drawn uniformly from \
        [1 - factor, 1 + factor] (factor in [0, 1)) or [lo, hi], the same on both axes; above 1 \
        enlarges (zooms in). (ImageDataGenerator's zoom_range keeps Keras' inverse meaning.)
        """
}
