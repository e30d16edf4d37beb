import Foundation

/// Arithmetic with NumPy broadcasting. Each operation computes its result and, beside it,
/// the gradients of its inputs (reduced to their shapes by `backward`).
extension Tensor {
    /// `self + other`, broadcasting.
    public func add(_ other: Tensor) throws -> Tensor {
        try zipKernel(self, other, op: "add") { $0 + $1 }
            .recording("add", [self, other]) { g in [g, g] }
    }

    /// `self - other`, broadcasting.
    public func sub(_ other: Tensor) throws -> Tensor {
        try zipKernel(self, other, op: "sub") { $0 - $1 }
            .recording("sub", [self, other]) { [b = other] g in [g, b.requiresGrad ? try g.neg() : nil] }
    }

    /// `self * other` elementwise, broadcasting.
    public func mul(_ other: Tensor) throws -> Tensor {
        let a = self, b = other
        return try zipKernel(a, b, op: "mul") { $0 * $1 }.recording("mul", [a, b]) { g in
            [a.requiresGrad ? try g.mul(b) : nil, b.requiresGrad ? try g.mul(a) : nil]
        }
    }

    /// `self / other` elementwise, broadcasting.
    public func div(_ other: Tensor) throws -> Tensor {
        let a = self, b = other
        return try zipKernel(a, b, op: "div") { $0 / $1 }.recording("div", [a, b]) { g in
            [a.requiresGrad ? try g.div(b) : nil,
             b.requiresGrad ? try zip3Kernel(g, a, b, op: "div") { g, a, b in -g * a / (b * b) } : nil]
        }
    }

    /// `self ^ exponent` elementwise, broadcasting.
    public func pow(_ exponent: Tensor) throws -> Tensor {
        let a = self, b = exponent
        let y = try zipKernel(a, b, op: "pow") { Foundation.pow($0, $1) }
        return y.recording("pow", [a, b]) { [y = y.detach()] g in
            [a.requiresGrad ? try zip3Kernel(g, a, b, op: "pow") { g, a, b in g * b * Foundation.pow(a, b - 1) } : nil,
             b.requiresGrad ? try zip3Kernel(g, a, y, op: "pow") { g, a, y in a == 0 ? 0 : g * y * Foundation.log(a) } : nil]
        }
    }

    /// Elementwise larger of two tensors (the gradient goes to `self` on ties).
    public func maximum(_ other: Tensor) throws -> Tensor {
        let a = self, b = other
        return try zipKernel(a, b, op: "maximum") { Swift.max($0, $1) }.recording("maximum", [a, b]) { g in
            [try zip3Kernel(g, a, b, op: "maximum") { g, a, b in a >= b ? g : 0 },
             try zip3Kernel(g, a, b, op: "maximum") { g, a, b in a >= b ? 0 : g }]
        }
    }

    /// Elementwise smaller of two tensors (the gradient goes to `self` on ties).
    public func minimum(_ other: Tensor) throws -> Tensor {
        let a = self, b = other
        return try zipKernel(a, b, op: "minimum") { Swift.min($0, $1) }.recording("minimum", [a, b]) { g in
            [try zip3Kernel(g, a, b, op: "minimum") { g, a, b in a <= b ? g : 0 },
             try zip3Kernel(g, a, b, op: "minimum") { g, a, b in a <= b ? 0 : g }]
        }
    }

    // MARK: scalar operands

    /// `self + s`.
    public func add(_ s: Float) throws -> Tensor {
        try mapKernel(self, op: "add") { $0 + s }.recording("add", [self]) { g in [g] }
    }

    /// `self - s`.
    public func sub(_ s: Float) throws -> Tensor {
        try mapKernel(self, op: "sub") { $0 - s }.recording("sub", [self]) { g in [g] }
    }

    /// `s - self`.
    public func rsub(_ s: Float) throws -> Tensor {
        try mapKernel(self, op: "sub") { s - $0 }.recording("sub", [self]) { g in [try g.neg()] }
    }

    /// `self * s`.
    public func mul(_ s: Float) throws -> Tensor {
        try mapKernel(self, op: "mul") { $0 * s }.recording("mul", [self]) { g in [try g.mul(s)] }
    }

    /// `self / s`.
    public func div(_ s: Float) throws -> Tensor {
        try mapKernel(self, op: "div") { $0 / s }.recording("div", [self]) { g in [try g.div(s)] }
    }

    /// `s / self`.
    public func rdiv(_ s: Float) throws -> Tensor {
        let x = self
        return try mapKernel(x, op: "div") { s / $0 }.recording("div", [x]) { g in
            [try zipKernel(g, x, op: "div") { g, x in -g * s / (x * x) }]
        }
    }

    /// `-self`.
    public func neg() throws -> Tensor {
        try mapKernel(self, op: "neg") { -$0 }.recording("neg", [self]) { g in [try g.neg()] }
    }

    /// `self ^ p` elementwise.
    public func pow(_ p: Float) throws -> Tensor {
        if p == 2 { return try pointwise("pow", { $0 * $0 }, derivative: { x, _ in 2 * x }) }
        if p == 1 { return try mul(1) }
        return try pointwise("pow", { Foundation.pow($0, p) },
                             derivative: { x, _ in p * Foundation.pow(x, p - 1) })
    }

    // MARK: operators

    /// `add` with broadcasting; a `Float` may stand on either side.
    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try a.add(b) }
    /// `add` with broadcasting; a `Float` may stand on either side.
    public static func + (a: Tensor, b: Float) throws -> Tensor { try a.add(b) }
    /// `add` with broadcasting; a `Float` may stand on either side.
    public static func + (a: Float, b: Tensor) throws -> Tensor { try b.add(a) }
    /// `sub` with broadcasting; a `Float` may stand on either side.
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try a.sub(b) }
    /// `sub` with broadcasting; a `Float` may stand on either side.
    public static func - (a: Tensor, b: Float) throws -> Tensor { try a.sub(b) }
    /// `sub` with broadcasting; a `Float` may stand on either side.
    public static func - (a: Float, b: Tensor) throws -> Tensor { try b.rsub(a) }
    /// `mul` with broadcasting; a `Float` may stand on either side.
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try a.mul(b) }
    /// `mul` with broadcasting; a `Float` may stand on either side.
    public static func * (a: Tensor, b: Float) throws -> Tensor { try a.mul(b) }
    /// `mul` with broadcasting; a `Float` may stand on either side.
    public static func * (a: Float, b: Tensor) throws -> Tensor { try b.mul(a) }
    /// `div` with broadcasting; a `Float` may stand on either side.
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try a.div(b) }
    /// `div` with broadcasting; a `Float` may stand on either side.
    public static func / (a: Tensor, b: Float) throws -> Tensor { try a.div(b) }
    /// `div` with broadcasting; a `Float` may stand on either side.
    public static func / (a: Float, b: Tensor) throws -> Tensor { try b.rdiv(a) }
    /// Negation (`neg`).
    public static prefix func - (a: Tensor) throws -> Tensor { try a.neg() }
}
