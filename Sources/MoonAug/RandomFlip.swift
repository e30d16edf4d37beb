import MoonEngine

/// Mirrors each image left-right with probability `p` (exact: no resampling).
public final class RandomHorizontalFlip: GeometricTransform {
    public let p: Double
    let fill = FillMode.constant(0)
    let readsOutside = false
    let name = "RandomHorizontalFlip"

    public init(p: Double = 0.5) throws { self.p = try Ranges.probability("RandomHorizontalFlip", p) }

    func map(height: Int, width: Int, generator: RandomGenerator) -> Affine {
        draw(p, generator) ? .flip(horizontal: true, vertical: false, height: height, width: width) : .identity
    }

    public var description: String { "aug.RandomHorizontalFlip(\(format(p)))" }
}

/// Mirrors each image top-bottom with probability `p` (exact: no resampling).
public final class RandomVerticalFlip: GeometricTransform {
    public let p: Double
    let fill = FillMode.constant(0)
    let readsOutside = false
    let name = "RandomVerticalFlip"

    public init(p: Double = 0.5) throws { self.p = try Ranges.probability("RandomVerticalFlip", p) }

    func map(height: Int, width: Int, generator: RandomGenerator) -> Affine {
        draw(p, generator) ? .flip(horizontal: false, vertical: true, height: height, width: width) : .identity
    }

    public var description: String { "aug.RandomVerticalFlip(\(format(p)))" }
}

/// True with probability `p`; p = 0 and p = 1 draw nothing.
func draw(_ p: Double, _ g: RandomGenerator) -> Bool {
    if p <= 0 { return false }
    if p >= 1 { return true }
    return g.nextDouble() < p
}
