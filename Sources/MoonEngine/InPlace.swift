import MoonKernels

/// In-place updates for optimizers and layers. They write through views into shared
/// storage and record no graph: use them on parameters under `Tensor.noGrad`, not on
/// tensors an unfinished backward still needs.
extension Tensor {
    /// Sets every element to `value`.
    public func fill(_ value: Float) {
        assign(from: Tensor(value))
    }

    /// Copies `source` (broadcast to this shape) into this tensor.
    public func copy(from source: Tensor) throws {
        guard fits(source) else {
            throw TensorError(in: "copy", "cannot copy shape \(shapeText(source.shape)) into \(shapeText(shape))")
        }
        // A source sharing this storage is copied first, so overlapping views read old values.
        assign(from: source.storage === storage ? try source.clone() : source)
    }

    /// Whether `other` broadcasts to exactly this tensor's shape.
    private func fits(_ other: Tensor) -> Bool {
        let lead = rank - other.rank
        return lead >= 0 && other.shape.indices.allSatisfy { other.shape[$0] == 1 || other.shape[$0] == shape[lead + $0] }
    }

    /// `self += alpha · other`, `other` broadcast to this shape.
    public func addInPlace(_ other: Tensor, alpha: Float = 1) throws {
        guard fits(other) else {
            throw TensorError(in: "addInPlace", "cannot add shape \(shapeText(other.shape)) into \(shapeText(shape))")
        }
        if count == 0 { return }
        let plan = LoopPlan(shape: shape, strides: [strides, Shape.broadcastStrides(other.shape, other.strides, to: shape)])
        let dst = base, src = other.base, n = plan.inner, ds = plan.innerStride(0), ss = plan.innerStride(1)
        plan.parallelRows { off in
            let d = dst + off[0], s = src + off[1]
            if ds == 1 && ss == 1 {
                if alpha == 1 { for i in 0..<n { d[i] += s[i] } } else { for i in 0..<n { d[i] += alpha * s[i] } }
            } else {
                for i in 0..<n { d[i * ds] += alpha * s[i * ss] }
            }
        }
    }

    /// `self *= s`.
    public func mulInPlace(_ s: Float) {
        if count == 0 { return }
        let plan = LoopPlan(shape: shape, strides: [strides])
        let dst = base, n = plan.inner, ds = plan.innerStride(0)
        plan.parallelRows { off in
            let d = dst + off[0]
            for i in 0..<n { d[i * ds] *= s }
        }
    }

    /// Replaces each element x with `f(x)`.
    public func apply(_ f: (Float) -> Float) {
        if count == 0 { return }
        let plan = LoopPlan(shape: shape, strides: [strides])
        let dst = base, n = plan.inner, ds = plan.innerStride(0)
        plan.forRows(0..<plan.rows) { off in
            let d = dst + off[0]
            for i in 0..<n { d[i * ds] = f(d[i * ds]) }
        }
    }
}
