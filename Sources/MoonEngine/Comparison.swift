/// Comparisons give 1 where true and 0 where false (float tensors, no gradient), with
/// broadcasting; `where` picks between two tensors by such a mask.
extension Tensor {
    /// 1 where `self == other`.
    public func eq(_ other: Tensor) throws -> Tensor { try zipKernel(self, other, op: "eq") { $0 == $1 ? 1 : 0 } }
    /// 1 where `self != other`.
    public func ne(_ other: Tensor) throws -> Tensor { try zipKernel(self, other, op: "ne") { $0 != $1 ? 1 : 0 } }
    /// 1 where `self < other`.
    public func lt(_ other: Tensor) throws -> Tensor { try zipKernel(self, other, op: "lt") { $0 < $1 ? 1 : 0 } }
    /// 1 where `self <= other`.
    public func le(_ other: Tensor) throws -> Tensor { try zipKernel(self, other, op: "le") { $0 <= $1 ? 1 : 0 } }
    /// 1 where `self > other`.
    public func gt(_ other: Tensor) throws -> Tensor { try zipKernel(self, other, op: "gt") { $0 > $1 ? 1 : 0 } }
    /// 1 where `self >= other`.
    public func ge(_ other: Tensor) throws -> Tensor { try zipKernel(self, other, op: "ge") { $0 >= $1 ? 1 : 0 } }

    /// 1 where `self == s`.
    public func eq(_ s: Float) throws -> Tensor { try mapKernel(self, op: "eq") { $0 == s ? 1 : 0 } }
    /// 1 where `self != s`.
    public func ne(_ s: Float) throws -> Tensor { try mapKernel(self, op: "ne") { $0 != s ? 1 : 0 } }
    /// 1 where `self < s`.
    public func lt(_ s: Float) throws -> Tensor { try mapKernel(self, op: "lt") { $0 < s ? 1 : 0 } }
    /// 1 where `self <= s`.
    public func le(_ s: Float) throws -> Tensor { try mapKernel(self, op: "le") { $0 <= s ? 1 : 0 } }
    /// 1 where `self > s`.
    public func gt(_ s: Float) throws -> Tensor { try mapKernel(self, op: "gt") { $0 > s ? 1 : 0 } }
    /// 1 where `self >= s`.
    public func ge(_ s: Float) throws -> Tensor { try mapKernel(self, op: "ge") { $0 >= s ? 1 : 0 } }

    /// `a` where `mask` is non-zero, else `b`; all three broadcast together.
    /// Gradients flow to `a` and `b` where each was picked; none to `mask`.
    public static func `where`(_ mask: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        try zip3Kernel(mask, a, b, op: "where") { $0 != 0 ? $1 : $2 }.recording("where", [a, b]) { g in
            [a.requiresGrad ? try zipKernel(mask, g, op: "where") { $0 != 0 ? $1 : 0 } : nil,
             b.requiresGrad ? try zipKernel(mask, g, op: "where") { $0 != 0 ? 0 : $1 } : nil]
        }
    }
}
