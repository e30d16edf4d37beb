import MoonEngine

/// Rotates each image by an angle drawn uniformly from `degrees` (`RandomRotation(10)`: from
/// [-10, 10]); positive angles turn the content counter-clockwise as displayed (row 0 at the
/// top), as keras.layers.RandomRotation and torchvision do. Bilinear resampling about the
/// image centre; outside the image the fill (default black).
public final class RandomRotation: GeometricTransform {
    public let degrees: ClosedRange<Double>
    public let fill: FillMode
    let symmetric: Bool
    let name = "RandomRotation"

    /// Angles in [-degrees, degrees].
    public init(degrees: Double, fill: FillMode = .constant(0)) throws {
        self.degrees = try Ranges.symmetric("RandomRotation", "degrees", degrees)
        self.fill = fill
        symmetric = true
    }

    /// Angles in [lo, hi].
    public init(degrees lo: Double, _ hi: Double, fill: FillMode = .constant(0)) throws {
        self.degrees = try Ranges.pair("RandomRotation", "degrees", lo, hi)
        self.fill = fill
        symmetric = false
    }

    func map(height: Int, width: Int, generator: RandomGenerator) -> Affine {
        let angle = uniform(degrees, generator)
        return angle == 0 ? .identity : .rotation(degrees: angle, height: height, width: width)
    }

    public var description: String {
        "aug.RandomRotation(\(format(range: degrees, symmetric: symmetric))\(fillSuffix))"
    }
}

extension RandomRotation {
    /// What `aug.RandomRotation` does, for help.
    public static let summary = """
        Rotates each image about its centre by an angle drawn uniformly from [-degrees, degrees] \
        (or [lo, hi]); positive angles turn the content counter-clockwise, as Keras' \
        RandomRotation layer and torchvision.
        """
}
