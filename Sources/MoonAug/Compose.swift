import MoonEngine

/// Applies transforms in order: `Compose([RandomRotation(10), RandomShift(width: 0.1)])`
/// rotates, then shifts. Consecutive geometric transforms (rotation, zoom, shear, shift,
/// flips) with the same fill are fused into one warp: their per-image maps are multiplied
/// and each image is resampled once, so chaining them does not blur more than one does.
public final class Compose: BatchTransform {
    public let transforms: [any Transform]
    let name = "Compose"

    public init(_ transforms: [any Transform]) { self.transforms = transforms }

    func transformBatch(_ batch: Tensor, generator: RandomGenerator) throws -> Tensor {
        var x = batch
        var k = 0
        if transforms.isEmpty { return try Images.copy(batch, "Compose") }
        while k < transforms.count {
            if let first = transforms[k] as? any GeometricTransform {
                var group = [first]
                var fill: FillMode? = first.readsOutside ? first.fill : nil
                k += 1
                while k < transforms.count, let next = transforms[k] as? any GeometricTransform,
                      !next.readsOutside || fill == nil || next.fill == fill {
                    if next.readsOutside { fill = next.fill }
                    group.append(next)
                    k += 1
                }
                x = try Compose.warp(x, group, fill: fill ?? .constant(0), generator: generator)
            } else if let t = transforms[k] as? any BatchTransform {
                x = try t.transformBatch(x, generator: generator)
                k += 1
            } else {
                x = try Images.batch(try transforms[k].apply(x, generator: generator), "Compose")
                k += 1
            }
        }
        return x
    }

    /// One warp for a group of geometric transforms: image by image, each transform draws its
    /// map in turn and the maps are multiplied in order (so the first image of a batch gets
    /// the draws a lone image would get).
    static func warp(_ x: Tensor, _ group: [any GeometricTransform], fill: FillMode,
                     generator: RandomGenerator) throws -> Tensor {
        let (n, _, h, w) = Images.dims(x)
        let maps = (0..<n).map { _ in
            group.reduce(Affine.identity) { m, t in
                let next = t.map(height: h, width: w, generator: generator)
                return next.isIdentity ? m : m * next
            }
        }
        return try AffineWarp.warp(x, maps: maps, fill: fill)
    }

    public var description: String {
        "aug.Compose{" + transforms.map(\.description).joined(separator: ", ") + "}"
    }
}
