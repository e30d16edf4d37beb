import MoonEngine

/// A transform that moves pixels: it draws one affine map per image and the batch goes
/// through one warp. `Compose` multiplies the maps of consecutive geometric transforms with
/// the same fill, so a chain of them still resamples each image once.
protocol GeometricTransform: BatchTransform {
    /// What the warp reads outside the image.
    var fill: FillMode { get }
    /// False for maps that never read outside the image (flips): they fuse with any fill.
    var readsOutside: Bool { get }
    /// The inverse map (see `Affine`) of one image, drawn from `generator`.
    func map(height: Int, width: Int, generator: RandomGenerator) -> Affine
}

extension GeometricTransform {
    func transformBatch(_ batch: Tensor, generator: RandomGenerator) throws -> Tensor {
        let (n, _, h, w) = Images.dims(batch)
        let maps = (0..<n).map { _ in map(height: h, width: w, generator: generator) }
        return try AffineWarp.warp(batch, maps: maps, fill: fill)
    }

    var readsOutside: Bool { true }

    /// `, {fill_mode="reflect"}` when the fill is not the default black.
    var fillSuffix: String { fill == .constant(0) ? "" : ", {\(fill)}" }
}

/// Validated ranges for constructors: a symmetric bound `v` (meaning [-v, v]) or a pair.
enum Ranges {
    /// [-bound, bound]; `bound` must be finite and at least 0 (and below `limit` when given).
    static func symmetric(_ op: String, _ what: String, _ bound: Double, below limit: Double? = nil) throws -> ClosedRange<Double> {
        guard bound.isFinite, bound >= 0 else {
            throw AugError(in: op, "\(what) must be a number >= 0, got \(format(bound))")
        }
        if let limit, bound >= limit {
            throw AugError(in: op, "\(what) must be below \(format(limit)), got \(format(bound))")
        }
        return -bound...bound
    }

    /// [lo, hi], finite with lo <= hi (and inside `within` when given).
    static func pair(_ op: String, _ what: String, _ lo: Double, _ hi: Double,
                     within: ClosedRange<Double>? = nil) throws -> ClosedRange<Double> {
        guard lo.isFinite, hi.isFinite, lo <= hi else {
            throw AugError(in: op, "\(what) {lo, hi} needs finite lo <= hi, got {\(format(lo)), \(format(hi))}")
        }
        if let within, !(within.contains(lo) && within.contains(hi)) {
            throw AugError(in: op, "\(what) {\(format(lo)), \(format(hi))} must lie in [\(format(within.lowerBound)), \(format(within.upperBound))]")
        }
        return lo...hi
    }

    /// A probability in [0, 1].
    static func probability(_ op: String, _ p: Double) throws -> Double {
        guard p.isFinite, p >= 0, p <= 1 else {
            throw AugError(in: op, "probability p must lie in [0, 1], got \(format(p))")
        }
        return p
    }
}
