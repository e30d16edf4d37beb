/// Views: new shapes over the same storage. Each records a backward that maps the
/// gradient back to the source's shape.
extension Tensor {
    /// Resolves one `-1` in a requested shape and checks the element count.
    private func resolve(_ requested: [Int], op: String) throws -> [Int] {
        var shape = requested
        let unknown = requested.indices.filter { requested[$0] == -1 }
        let known = requested.filter { $0 != -1 }
        let fail = TensorError(in: op, "cannot view \(shapeText(self.shape)) as \(shapeText(requested))")
        guard unknown.count <= 1, known.allSatisfy({ $0 >= 0 }) else { throw fail }
        let product = try Shape.elementCount(known, op: op)
        if let u = unknown.first {
            guard product > 0, count % product == 0 else { throw fail }
            shape[u] = count / product
        } else if product != count {
            throw fail
        }
        return shape
    }

    /// The same elements with another shape, sharing storage; throws when the layout does
    /// not allow a view (call `reshape` then). One dim may be -1 (inferred).
    public func view(_ newShape: [Int]) throws -> Tensor {
        let shape = try resolve(newShape, op: "view")
        guard let strides = Shape.viewStrides(self.shape, self.strides, as: shape) else {
            throw TensorError(in: "view", "cannot view the non-contiguous \(shapeText(self.shape)) as \(shapeText(newShape)); use reshape")
        }
        return viewed(shape, strides, op: "view")
    }

    /// The same elements with another shape: a view when the layout allows, else a copy.
    /// One dim may be -1 (inferred).
    public func reshape(_ newShape: [Int]) throws -> Tensor {
        let shape = try resolve(newShape, op: "reshape")
        if shape == self.shape { return self }
        if let strides = Shape.viewStrides(self.shape, self.strides, as: shape) {
            return viewed(shape, strides, op: "reshape")
        }
        let copy = try contiguousRaw(op: "reshape")
        return viewed(shape, Shape.contiguousStrides(shape), op: "reshape", source: copy)
    }

    private func viewed(_ shape: [Int], _ strides: [Int], op: String, source: Tensor? = nil) -> Tensor {
        let from = source ?? self
        let inShape = self.shape
        return from.rawView(shape, strides, from.offset).recording(op, [self]) { g in
            [try g.reshape(inShape)]
        }
    }

    /// Merges dims `start...end` into one (default: all dims, giving a 1-d tensor).
    public func flatten(from start: Int = 0, through end: Int = -1) throws -> Tensor {
        if rank == 0 { return try reshape([1]) }
        let s = try Shape.normalize(dim: start, rank: rank, op: "flatten")
        let e = try Shape.normalize(dim: end, rank: rank, op: "flatten")
        guard s <= e else { throw TensorError(in: "flatten", "start dim \(s + 1) is after end dim \(e + 1)") }
        let merged = shape[s...e].reduce(1, *)
        return try reshape(Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]))
    }

    /// A contiguous tensor with these values: itself when already contiguous, else a copy.
    public func contiguous() throws -> Tensor {
        if isContiguous { return self }
        return try contiguousRaw().recording("contiguous", [self]) { g in [g] }
    }

    /// A contiguous copy with its own storage (gradients flow back through it).
    public func clone() throws -> Tensor {
        let copy = try Tensor.empty(shape, op: "clone")
        copy.assign(from: self)
        return copy.recording("clone", [self]) { g in [g] }
    }

    /// Reorders the dims: result dim i is this tensor's dim `dims[i]`.
    public func permute(_ dims: [Int]) throws -> Tensor {
        let normalized = try dims.map { try Shape.normalize(dim: $0, rank: rank, op: "permute") }
        guard normalized.count == rank, Set(normalized).count == rank else {
            throw TensorError(in: "permute", "\(shapeText(dims.map { $0 + 1 })) is not a permutation of the \(rank) dims of \(shapeText(shape))")
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, d) in normalized.enumerated() { inverse[d] = i }
        return rawView(normalized.map { shape[$0] }, normalized.map { strides[$0] }, offset)
            .recording("permute", [self]) { g in [try g.permute(inverse)] }
    }

    /// Swaps two dims.
    public func transpose(_ dim0: Int, _ dim1: Int) throws -> Tensor {
        let a = try Shape.normalize(dim: dim0, rank: rank, op: "transpose")
        let b = try Shape.normalize(dim: dim1, rank: rank, op: "transpose")
        var order = Array(0..<rank)
        order.swapAt(a, b)
        return try permute(order)
    }

    /// The transpose of a 2-d tensor (a 0-d or 1-d tensor is returned as is).
    public func t() throws -> Tensor {
        guard rank <= 2 else {
            throw TensorError(in: "t", "expects a tensor with at most 2 dims, got shape \(shapeText(shape)); use transpose or permute")
        }
        return rank < 2 ? self : try transpose(0, 1)
    }

    /// `length` elements of `dim` starting at `start` (0-based), sharing storage.
    public func narrow(_ dim: Int, _ start: Int, _ length: Int) throws -> Tensor {
        let d = try Shape.normalize(dim: dim, rank: rank, op: "narrow")
        guard start >= 0, length >= 0, start + length <= shape[d] else {
            throw TensorError(in: "narrow", "start \(start + 1) and length \(length) do not fit dim \(d + 1) of size \(shape[d])")
        }
        let inShape = shape
        return rawNarrow(d, start, length).recording("narrow", [self]) { g in
            let grad = try Tensor.zeros(inShape)
            grad.rawNarrow(d, start, length).assign(from: g)
            return [grad]
        }
    }

    func rawNarrow(_ d: Int, _ start: Int, _ length: Int) -> Tensor {
        var s = shape
        s[d] = length
        return rawView(s, strides, offset + start * strides[d])
    }

    /// The slice at `index` (0-based, negative from the end) along `dim`, dropping that dim.
    public func select(_ dim: Int, _ index: Int) throws -> Tensor {
        let d = try Shape.normalize(dim: dim, rank: rank, op: "select")
        let i = index < 0 ? index + shape[d] : index
        guard i >= 0 && i < shape[d] else {
            throw TensorError(in: "select", "index \(index >= 0 ? index + 1 : index) out of range for dim \(d + 1) of size \(shape[d])")
        }
        let inShape = shape
        return rawSelect(d, i).recording("select", [self]) { g in
            let grad = try Tensor.zeros(inShape)
            grad.rawSelect(d, i).assign(from: g)
            return [grad]
        }
    }

    func rawSelect(_ d: Int, _ i: Int) -> Tensor {
        var s = shape, st = strides
        s.remove(at: d)
        st.remove(at: d)
        return rawView(s, st, offset + i * strides[d])
    }

    /// A view repeating dims of size 1 (and adding leading dims) to reach `newShape`,
    /// without copying. -1 keeps a dim's size.
    public func expand(_ newShape: [Int]) throws -> Tensor {
        let lead = newShape.count - rank
        let fail = TensorError(in: "expand", "cannot expand \(shapeText(shape)) to \(shapeText(newShape))")
        guard lead >= 0 else { throw fail }
        var target = newShape
        for i in 0..<newShape.count {
            if i < lead {
                guard newShape[i] >= 0 else { throw fail }
                continue
            }
            let have = shape[i - lead]
            if newShape[i] == -1 { target[i] = have }
            guard target[i] == have || (have == 1 && target[i] >= 0) else { throw fail }
        }
        if target == shape { return self }
        _ = try Shape.elementCount(target, op: "expand")
        return rawView(target, Shape.broadcastStrides(shape, strides, to: target), offset)
            .recording("expand", [self]) { g in [g] }
    }

    /// Removes `dim` if its size is 1 (every dim of size 1 when `dim` is nil).
    public func squeeze(_ dim: Int? = nil) throws -> Tensor {
        var s = shape
        if let dim {
            let d = try Shape.normalize(dim: dim, rank: rank, op: "squeeze")
            if s[d] == 1 { s.remove(at: d) }
        } else {
            s.removeAll { $0 == 1 }
        }
        return try reshape(s)
    }

    /// Inserts a dim of size 1 at position `dim` (0...rank; negative counts from the end).
    public func unsqueeze(_ dim: Int) throws -> Tensor {
        let d = try Shape.normalize(dim: dim, rank: rank + 1, op: "unsqueeze")
        var s = shape
        s.insert(1, at: d)
        return try reshape(s)
    }
}
