import MoonKernels

/// How a 2-d view reaches BLAS: as stored or transposed, with its leading dimension.
private struct GemmOperand {
    let pointer: UnsafePointer<Float>
    let transposed: Bool
    let ld: Int

    /// Nil when the view is neither row- nor column-major (it must be copied first).
    init?(_ p: UnsafePointer<Float>, rows: Int, cols: Int, rowStride: Int, colStride: Int) {
        let s0 = rows == 1 ? cols : rowStride, s1 = cols == 1 ? 1 : colStride
        if s1 == 1 && s0 >= Swift.max(1, cols) {
            self.pointer = p; transposed = false; ld = s0
            return
        }
        let t0 = rows == 1 ? 1 : rowStride, t1 = cols == 1 ? rows : colStride
        if t0 == 1 && t1 >= Swift.max(1, rows) {
            self.pointer = p; transposed = true; ld = t1
            return
        }
        return nil
    }
}

extension Tensor {
    /// Matrix product with PyTorch's rules: 1-d·1-d is a dot product (0-d result);
    /// a 1-d operand is a row (left) or column (right) vector; 2-d·2-d is a matrix product;
    /// with 3 or more dims the leading (batch) dims broadcast. Transposed views go to BLAS
    /// as they are, without a copy.
    public func matmul(_ other: Tensor) throws -> Tensor {
        let a = self, b = other
        let fail = TensorError(in: "matmul", "shapes \(shapeText(a.shape)) and \(shapeText(b.shape)) do not fit")
        guard a.rank >= 1, b.rank >= 1 else { throw fail }
        if a.rank == 1 && b.rank == 1 {
            guard a.count == b.count else { throw fail }
            return try a.unsqueeze(0).matmul(b.unsqueeze(1)).reshape([])
        }
        if a.rank == 1 {
            guard a.shape[0] == b.shape[b.rank - 2] else { throw fail }
            return try a.unsqueeze(0).matmul(b).squeeze(-2)
        }
        if b.rank == 1 {
            guard a.shape[a.rank - 1] == b.shape[0] else { throw fail }
            return try a.matmul(b.unsqueeze(1)).squeeze(-1)
        }
        guard a.shape[a.rank - 1] == b.shape[b.rank - 2] else { throw fail }
        let batch: [Int]
        do {
            batch = try Shape.broadcast(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)), op: "matmul")
        } catch {
            throw TensorError(in: "matmul", "batch dims of \(shapeText(a.shape)) and \(shapeText(b.shape)) cannot be broadcast together")
        }
        let out = try gemm(a, b, batch: batch)
        return out.recording("matmul", [a, b]) { g in
            [a.requiresGrad ? try g.matmul(b.transpose(-1, -2)) : nil,
             b.requiresGrad ? try Tensor.weightGradient(a, g, b) : nil]
        }
    }

    /// dL/dB = Aᵀ·G; when B is 2-d and A is batched, the batch is folded into one GEMM.
    private static func weightGradient(_ a: Tensor, _ g: Tensor, _ b: Tensor) throws -> Tensor {
        if b.rank == 2 && a.rank > 2 {
            let k = a.shape[a.rank - 1], n = g.shape[g.rank - 1]
            return try a.reshape([-1, k]).t().matmul(g.reshape([-1, n]))
        }
        return try a.transpose(-1, -2).matmul(g)
    }

    /// The raw product of two tensors of rank >= 2 whose batch dims broadcast to `batch`.
    private func gemm(_ a: Tensor, _ b: Tensor, batch: [Int]) throws -> Tensor {
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
        let out = try Tensor.empty(batch + [m, n], op: "matmul")
        if out.count == 0 { return out }
        if k == 0 {
            out.base.initialize(repeating: 0, count: out.count)
            return out
        }
        // A batched left operand times a matrix is one tall GEMM when the batch folds.
        if b.rank == 2, a.rank > 2,
           let folded = Shape.viewStrides(a.shape, a.strides, as: [a.count / k, k]) {
            try Tensor.gemm2(a.rawView([a.count / k, k], folded, a.offset), b, out.base)
            return out
        }
        let batchCount = batch.reduce(1, *)
        let aStrides = Shape.broadcastStrides(Array(a.shape.dropLast(2)), Array(a.strides.dropLast(2)), to: batch)
        let bStrides = Shape.broadcastStrides(Array(b.shape.dropLast(2)), Array(b.strides.dropLast(2)), to: batch)
        let aMatrix = Array(a.shape.suffix(2)), bMatrix = Array(b.shape.suffix(2))
        let aMS = Array(a.strides.suffix(2)), bMS = Array(b.strides.suffix(2))
        for i in 0..<batchCount {
            var rest = i, ao = a.offset, bo = b.offset
            for d in stride(from: batch.count - 1, through: 0, by: -1) {
                let idx = rest % batch[d]
                rest /= batch[d]
                ao += idx * aStrides[d]
                bo += idx * bStrides[d]
            }
            try Tensor.gemm2(a.rawView(aMatrix, aMS, ao), b.rawView(bMatrix, bMS, bo), out.base + i * m * n)
        }
        return out
    }

    /// `c = a·b` for 2-d views, copying an operand only if BLAS cannot read it as it is.
    private static func gemm2(_ a: Tensor, _ b: Tensor, _ c: UnsafeMutablePointer<Float>) throws {
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        func operand(_ t: Tensor) throws -> (GemmOperand, Tensor) {
            if let op = GemmOperand(t.base, rows: t.shape[0], cols: t.shape[1],
                                    rowStride: t.strides[0], colStride: t.strides[1]) { return (op, t) }
            let copy = try t.contiguousRaw(op: "matmul")
            return (GemmOperand(copy.base, rows: t.shape[0], cols: t.shape[1],
                                rowStride: copy.strides[0], colStride: copy.strides[1])!, copy)
        }
        let (oa, keepA) = try operand(a), (ob, keepB) = try operand(b)
        withExtendedLifetime((keepA, keepB)) {
            sgemm(transA: oa.transposed, transB: ob.transposed, m: m, n: n, k: k,
                  a: oa.pointer, lda: oa.ld, b: ob.pointer, ldb: ob.ld, c: c, ldc: n)
        }
    }
}
