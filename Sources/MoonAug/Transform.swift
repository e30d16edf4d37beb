import Foundation
import MoonEngine

/// An image transform: takes a batch `{N, C, H, W}` or a single image `{C, H, W}` and returns
/// a new tensor of the same shape (the input is never changed).
///
/// Random transforms draw every random parameter from `generator`, serially and before any
/// pixel work, then process the images in parallel: the result depends only on the
/// generator's state, never on the thread count. `RandomGenerator.global` (seeded by
/// `moonlab.seed`) is the default, so a seeded run repeats itself.
///
/// A transform is immutable once made (ZCA and ImageDataGenerator change only in `fit`), so
/// one instance may run on a background thread while the training thread works.
public protocol Transform: AnyObject, CustomStringConvertible {
    /// Applies the transform to `{N, C, H, W}` or `{C, H, W}` images.
    func apply(_ images: Tensor, generator: RandomGenerator) throws -> Tensor
}

extension Transform {
    /// The transform with the global generator: `try t(batch)`.
    public func callAsFunction(_ images: Tensor) throws -> Tensor {
        try apply(images, generator: .global)
    }

    /// The transform as a function, as `FitOptions.augment` takes it.
    public var function: (Tensor) throws -> Tensor {
        { [self] x in try self.apply(x, generator: .global) }
    }
}

/// A transform written for batches: `apply` accepts a single image too, checks the rank and
/// makes the input contiguous, then calls `transformBatch` on `{N, C, H, W}`.
protocol BatchTransform: Transform {
    /// The name in error messages (`RandomRotation`).
    var name: String { get }
    /// Transforms a contiguous `{N, C, H, W}` batch.
    func transformBatch(_ batch: Tensor, generator: RandomGenerator) throws -> Tensor
}

extension BatchTransform {
    public func apply(_ images: Tensor, generator: RandomGenerator) throws -> Tensor {
        let batch = try Images.batch(images, name)
        let out = try transformBatch(batch, generator: generator)
        return images.rank == 3 ? try out.view(images.shape) : out
    }
}

/// Shape checks and raw access for image batches.
enum Images {
    /// `x` as a contiguous `{N, C, H, W}` batch (a single `{C, H, W}` image gets N = 1).
    static func batch(_ x: Tensor, _ op: String) throws -> Tensor {
        guard x.rank == 3 || x.rank == 4 else {
            throw AugError(in: op, "expected a C x H x W image or an N x C x H x W batch, got shape \(shapeText(x.shape))")
        }
        let b = x.rank == 3 ? try x.unsqueeze(0) : x
        return b.isContiguous ? b : try b.contiguous()
    }

    /// (N, C, H, W) of a 4-d batch.
    static func dims(_ x: Tensor) -> (n: Int, c: Int, h: Int, w: Int) {
        (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    }

    /// A new tensor of `x`'s shape whose elements `fill` writes from `x`'s elements.
    static func map(_ x: Tensor, _ op: String,
                    _ fill: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) throws -> Tensor {
        let input = x.isContiguous ? x : try x.contiguous()
        return try input.withUnsafeMutableBufferPointer { src in
            try Tensor.make(x.shape, op: op) { dst in fill(UnsafePointer(src.baseAddress!), dst.baseAddress!) }
        }
    }

    /// An exact copy (for transforms that change nothing).
    static func copy(_ x: Tensor, _ op: String) throws -> Tensor {
        try map(x, op) { src, dst in dst.update(from: src, count: x.count) }
    }
}

/// A shape as users write it: `{64,1,28,28}`.

/// A number as users write it: `10`, `0.1`.
func format(_ v: Double) -> String {
    if v == v.rounded(), Swift.abs(v) < 1e15 { return String(Int(v)) }
    return String(format: "%.12g", v)  // 1.1 - 1 prints as 0.1
}

/// A float as users wrote it (`0.1`, not `0.10000000149011612`).
func format(_ v: Float) -> String {
    if v == v.rounded(), Swift.abs(v) < 1e7 { return String(Int(v)) }
    return String(v)
}

/// A pair `{lo, hi}` or a symmetric bound as users wrote it.
func format(range: ClosedRange<Double>, symmetric: Bool) -> String {
    symmetric ? format(range.upperBound) : "{\(format(range.lowerBound)), \(format(range.upperBound))}"
}

/// Uniform in `range` (the lower bound when it is a single point, drawing nothing).
func uniform(_ range: ClosedRange<Double>, _ g: RandomGenerator) -> Double {
    range.lowerBound == range.upperBound ? range.lowerBound
        : range.lowerBound + (range.upperBound - range.lowerBound) * g.nextDouble()
}
