import Foundation

extension Tensor {
    /// A pointwise function `f` with its derivative written beside it: `derivative(x, y)`
    /// is dy/dx at input x with output y = f(x).
    @inline(__always)
    func pointwise(_ op: String, _ f: (Float) -> Float,
                   derivative: @escaping (Float, Float) -> Float) throws -> Tensor {
        let x = self
        let y = try mapKernel(x, op: op, f)
        return y.recording(op, [x]) { [y = y.detach()] g in
            [try zip3Kernel(g, x, y, op: op) { g, x, y in g * derivative(x, y) }]
        }
    }

    /// e^x.
    public func exp() throws -> Tensor { try pointwise("exp", { Foundation.exp($0) }, derivative: { _, y in y }) }
    /// Natural logarithm.
    public func log() throws -> Tensor { try pointwise("log", { Foundation.log($0) }, derivative: { x, _ in 1 / x }) }
    /// Square root.
    public func sqrt() throws -> Tensor { try pointwise("sqrt", { $0.squareRoot() }, derivative: { _, y in 0.5 / y }) }
    /// |x| (gradient 0 at 0).
    public func abs() throws -> Tensor {
        try pointwise("abs", { Swift.abs($0) }, derivative: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) })
    }
    /// x².
    public func square() throws -> Tensor { try pow(2) }

    /// Limits values to [min, max] (either bound optional). The gradient passes where
    /// min <= x <= max.
    public func clamp(min lo: Float? = nil, max hi: Float? = nil) throws -> Tensor {
        let l = lo ?? -.infinity, h = hi ?? .infinity
        guard l <= h else { throw TensorError(in: "clamp", "min \(l) is greater than max \(h)") }
        return try pointwise("clamp", { Swift.min(Swift.max($0, l), h) },
                             derivative: { x, _ in x >= l && x <= h ? 1 : 0 })
    }
}
