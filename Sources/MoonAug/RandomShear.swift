import MoonEngine

/// Shears each image by an angle in degrees drawn uniformly from `degrees`
/// (`RandomShear(10)`: [-10, 10]), as Keras' `shear_range`: a pixel at column offset u from
/// the centre reads the input at column cos(a) u and row v - sin(a) u.
public final class RandomShear: GeometricTransform {
    public let degrees: ClosedRange<Double>
    public let fill: FillMode
    let symmetric: Bool
    let name = "RandomShear"

    /// Angles in [-degrees, degrees], degrees below 90.
    public init(degrees: Double, fill: FillMode = .constant(0)) throws {
        self.degrees = try Ranges.symmetric("RandomShear", "degrees", degrees, below: 90)
        self.fill = fill
        symmetric = true
    }

    /// Angles in [lo, hi], inside (-90, 90).
    public init(degrees lo: Double, _ hi: Double, fill: FillMode = .constant(0)) throws {
        self.degrees = try Ranges.pair("RandomShear", "degrees", lo, hi, within: -89.9...89.9)
        self.fill = fill
        symmetric = false
    }

    func map(height: Int, width: Int, generator: RandomGenerator) -> Affine {
        let angle = uniform(degrees, generator)
        return angle == 0 ? .identity : .shear(degrees: angle, height: height, width: width)
    }

    public var description: String {
        "aug.RandomShear(\(format(range: degrees, symmetric: symmetric))\(fillSuffix))"
    }
}

extension RandomShear {
    /// What `aug.RandomShear` does, for help.
    public static let summary = """
        Shears each image by an angle in degrees drawn uniformly from [-degrees, degrees] \
        (or [lo, hi]), as Keras' shear_range; degrees below 90.
        """
}
