import MoonEngine

/// Moves each image's content by a random offset: horizontally by a fraction of the width
/// drawn uniformly from [-width, width], vertically by a fraction of the height from
/// [-height, height] (Keras' `width_shift_range`, `height_shift_range`). Positive offsets
/// move the content right and down. Offsets are not rounded: bilinear resampling.
public final class RandomShift: GeometricTransform {
    public let width: Double
    public let height: Double
    public let fill: FillMode
    let name = "RandomShift"

    /// Fractions in [0, 1].
    public init(width: Double = 0, height: Double = 0, fill: FillMode = .constant(0)) throws {
        for (what, v) in [("width", width), ("height", height)] where !(v.isFinite && v >= 0 && v <= 1) {
            throw AugError(in: "RandomShift", "\(what) must be a fraction in [0, 1], got \(format(v))")
        }
        self.width = width
        self.height = height
        self.fill = fill
    }

    func map(height h: Int, width w: Int, generator: RandomGenerator) -> Affine {
        let dx = uniform(-width...width, generator) * Double(w)
        let dy = uniform(-height...height, generator) * Double(h)
        return .shift(dx: dx, dy: dy)
    }

    public var description: String {
        let fillPart = fill == .constant(0) ? "" : ", \(fill)"
        return "aug.RandomShift{width=\(format(width)), height=\(format(height))\(fillPart)}"
    }
}

extension RandomShift {
    /// What `aug.RandomShift` does, for help.
    public static let summary = """
        Moves each image's content by a fraction of its width and height (fractions in [0, 1]; \
        positive moves right and down), bilinear.
        """
}
