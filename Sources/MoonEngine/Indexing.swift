import MoonKernels

/// Joining tensors and picking elements by position: cat, stack, indexSelect, gather.
extension Tensor {
    /// Joins tensors along `dim`; their shapes must agree in every other dim.
    public static func cat(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError(in: "cat", "needs at least one tensor") }
        let d = try Shape.normalize(dim: dim, rank: first.rank, op: "cat")
        var shape = first.shape
        shape[d] = 0
        for (i, t) in tensors.enumerated() {
            var expected = first.shape
            expected[d] = t.rank == first.rank ? t.shape[d] : -1
            guard t.shape == expected else {
                throw TensorError(in: "cat", "tensor \(i + 1) has shape \(shapeText(t.shape)), expected \(shapeText(first.shape)) except in dim \(d + 1)")
            }
            shape[d] += t.shape[d]
        }
        let out = try Tensor.empty(shape, op: "cat")
        var starts: [Int] = []
        var start = 0
        for t in tensors {
            out.rawNarrow(d, start, t.shape[d]).assign(from: t)
            starts.append(start)
            start += t.shape[d]
        }
        let sizes = tensors.map { $0.shape[d] }
        return out.recording("cat", tensors) { g in
            try zip(starts, sizes).map { try g.narrow(d, $0, $1) }
        }
    }

    /// Stacks equally shaped tensors along a new dim `dim` (0...rank).
    public static func stack(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError(in: "stack", "needs at least one tensor") }
        for (i, t) in tensors.enumerated() where t.shape != first.shape {
            throw TensorError(in: "stack", "tensor \(i + 1) has shape \(shapeText(t.shape)), expected \(shapeText(first.shape))")
        }
        let d = try Shape.normalize(dim: dim, rank: first.rank + 1, op: "stack")
        return try cat(tensors.map { try $0.unsqueeze(d) }, dim: d)
    }

    /// Reads integer positions from `index`, checking each lies in 0..<limit.
    static func positions(_ index: Tensor, limit: Int, op: String) throws -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(index.count)
        for (i, v) in index.toArray().enumerated() {
            guard v == v.rounded(), v >= 0, v < Float(limit) else {
                throw TensorError(in: op, "index \(v) at position \(i + 1) is outside 0..\(limit - 1)")
            }
            result.append(Int(v))
        }
        return result
    }

    /// The slices at `indices` (0-based) along `dim`, in that order (repeats allowed):
    /// picks a batch of rows with dim 0.
    public func indexSelect(_ dim: Int, _ indices: [Int]) throws -> Tensor {
        let d = try Shape.normalize(dim: dim, rank: rank, op: "indexSelect")
        let n = shape[d]
        if let bad = indices.firstIndex(where: { $0 < 0 || $0 >= n }) {
            throw TensorError(in: "indexSelect", "index \(indices[bad] + 1) at position \(bad + 1) out of range for dim \(d + 1) of size \(n)")
        }
        let x = try contiguousRaw(op: "indexSelect")
        let (outer, _, inner) = split(around: d)
        var outShape = shape
        outShape[d] = indices.count
        let out = try Tensor.empty(outShape, op: "indexSelect")
        let k = indices.count, src = x.base, dst = out.base
        indices.withUnsafeBufferPointer { idx in
            Threads.parallelFor(outer * k, minPerThread: Swift.max(1, parallelGrain / Swift.max(inner, 1))) { _, range in
                for r in range {
                    let o = r / k, j = r % k
                    (dst + r * inner).update(from: src + (o * n + idx[j]) * inner, count: inner)
                }
            }
        }
        let inShape = shape
        return out.recording("indexSelect", [self]) { g in
            let grad = try Tensor.zeros(inShape)
            let gc = try g.contiguousRaw(op: "indexSelect"), gp = gc.base, gd = grad.base
            for o in 0..<outer {
                for (j, i) in indices.enumerated() {
                    let s = gp + (o * k + j) * inner, t = gd + (o * n + i) * inner
                    for e in 0..<inner { t[e] += s[e] }
                }
            }
            return [grad]
        }
    }

    /// `indexSelect` with positions held in a tensor (a float tensor of integers).
    public func indexSelect(_ dim: Int, _ indices: Tensor) throws -> Tensor {
        let d = try Shape.normalize(dim: dim, rank: rank, op: "indexSelect")
        guard indices.rank <= 1 else {
            throw TensorError(in: "indexSelect", "indices must be a 1-d tensor, got shape \(shapeText(indices.shape))")
        }
        return try indexSelect(d, try Tensor.positions(indices, limit: shape[d], op: "indexSelect"))
    }

    /// `out[i][j] = self[i][index[i][j]]` for dim 1 (likewise for other dims and ranks):
    /// picks one entry per row, e.g. the score of each sample's class. `index` has this
    /// tensor's rank and no larger sizes outside `dim`; the result has `index`'s shape.
    public func gather(_ dim: Int, _ index: Tensor) throws -> Tensor {
        let d = try Shape.normalize(dim: dim, rank: rank, op: "gather")
        guard index.rank == rank,
              (0..<rank).allSatisfy({ $0 == d || index.shape[$0] <= shape[$0] }) else {
            throw TensorError(in: "gather", "index of shape \(shapeText(index.shape)) does not fit input of shape \(shapeText(shape)) along dim \(d + 1)")
        }
        let idx = try Tensor.positions(index, limit: shape[d], op: "gather")
        let out = try Tensor.empty(index.shape, op: "gather")
        if out.count > 0 {
            var xs = strides
            xs[d] = 0
            let plan = LoopPlan(shape: index.shape, strides: [out.strides, xs])
            let inner = plan.inner, so = plan.innerStride(0), sx = plan.innerStride(1), step = strides[d]
            let src = base, dst = out.base
            idx.withUnsafeBufferPointer { ip in
                plan.parallelRows { off in
                    for i in 0..<inner {
                        let pos = off[0] + i * so
                        dst[pos] = src[off[1] + i * sx + ip[pos] * step]
                    }
                }
            }
        }
        let inShape = shape
        return out.recording("gather", [self]) { g in
            [try Tensor.zeros(inShape).scatterAdd(d, index: index, source: g)]
        }
    }

    /// Adds `source[p]` into `self[p with dim d replaced by index[p]]` for every position p
    /// of `index` (in place; returns self). Records no graph.
    func scatterAdd(_ d: Int, index: Tensor, source: Tensor) throws -> Tensor {
        let idx = try Tensor.positions(index, limit: shape[d], op: "scatterAdd")
        let src = try source.expand(index.shape).contiguousRaw(op: "scatterAdd")
        if src.count == 0 { return self }
        var ts = strides
        ts[d] = 0
        let plan = LoopPlan(shape: index.shape, strides: [Shape.contiguousStrides(index.shape), ts])
        let inner = plan.inner, sp = plan.innerStride(0), st = plan.innerStride(1), step = strides[d]
        let dst = base, s = src.base
        plan.forRows(0..<plan.rows) { off in
            for i in 0..<inner {
                let pos = off[0] + i * sp
                dst[off[1] + i * st + idx[pos] * step] += s[pos]
            }
        }
        return self
    }

    /// One-hot rows: labels (integers 0..<classes) of any shape give shape + {classes}.
    public func oneHot(_ classes: Int) throws -> Tensor {
        guard classes > 0 else { throw TensorError(in: "oneHot", "needs a positive number of classes, got \(classes)") }
        let labels = try Tensor.positions(self, limit: classes, op: "oneHot")
        let out = try Tensor.empty(shape + [classes], op: "oneHot", zeroed: true)
        for (i, c) in labels.enumerated() { out.base[i * classes + c] = 1 }
        return out
    }
}
