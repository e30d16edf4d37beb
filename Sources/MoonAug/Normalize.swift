import MoonEngine
import MoonKernels

/// (x - mean) / std per channel: one value for every channel, or one per channel
/// (`Normalize{mean={0.5, 0.5, 0.5}, std={0.25, 0.25, 0.25}}`). Not random.
public final class Normalize: BatchTransform {
    public let mean: [Float]
    public let std: [Float]
    let name = "Normalize"

    /// `mean` and `std` hold 1 value or one per channel; every std must be > 0.
    public init(mean: [Float], std: [Float]) throws {
        guard !mean.isEmpty, !std.isEmpty else { throw AugError(in: "Normalize", "mean and std need at least one value") }
        if let bad = std.first(where: { !($0.isFinite && $0 > 0) }) {
            throw AugError(in: "Normalize", "std must be > 0, got \(format(bad))")
        }
        if let bad = mean.first(where: { !$0.isFinite }) {
            throw AugError(in: "Normalize", "mean must be finite, got \(bad)")
        }
        self.mean = mean
        self.std = std
    }

    func transformBatch(_ batch: Tensor, generator: RandomGenerator) throws -> Tensor {
        let (n, c, h, w) = Images.dims(batch)
        for (what, v) in [("mean", mean), ("std", std)] where v.count != 1 && v.count != c {
            throw AugError(in: "Normalize", "\(what) has \(v.count) values but the images have \(c) channels (shape \(shapeText(batch.shape)))")
        }
        let plane = h * w
        let shift = (0..<c).map { mean[mean.count == 1 ? 0 : $0] }
        let scale = (0..<c).map { std[std.count == 1 ? 0 : $0] }
        return try Images.map(batch, "Normalize") { src, dst in
            let s = UncheckedPointers(src: src, dst: dst)
            Threads.parallelFor(n * c, minPerThread: max(1, 16384 / max(plane, 1))) { _, range in
                for k in range {
                    let m = shift[k % c], r = scale[k % c]
                    let x = s.src + k * plane, y = s.dst + k * plane
                    for j in 0..<plane { y[j] = (x[j] - m) / r }
                }
            }
        }
    }

    public var description: String {
        func list(_ v: [Float]) -> String {
            v.count == 1 ? format(v[0]) : "{" + v.map { format($0) }.joined(separator: ", ") + "}"
        }
        return "aug.Normalize{mean=\(list(mean)), std=\(list(std))}"
    }
}

extension Normalize {
    /// What `aug.Normalize` does, for help.
    public static let summary = "(x - mean) / std per channel; not random."
}
