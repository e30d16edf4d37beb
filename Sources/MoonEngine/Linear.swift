import MoonKernels

/// The dense (fully connected) map as one GEMM.
extension Tensor {
    /// `x · weight + bias` for `x` `{M, K}`, `weight` `{K, U}`, `bias` `{U}` (optional): the bias
    /// rows are written first and the product added onto them by a single BLAS call
    /// (beta = 1), so the layer costs one GEMM and no extra pass. Differentiable in all three.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) throws -> Tensor {
        guard x.rank == 2, weight.rank == 2, x.shape[1] == weight.shape[0] else {
            throw TensorError(in: "linear", "shapes \(shapeText(x.shape)) and \(shapeText(weight.shape)) do not fit")
        }
        let m = x.shape[0], k = x.shape[1], u = weight.shape[1]
        if let bias, bias.shape != [u] {
            throw TensorError(in: "linear", "bias of shape \(shapeText(bias.shape)) does not match \(u) units")
        }
        let xc = try x.contiguousRaw(op: "linear"), wc = try weight.contiguousRaw(op: "linear")
        let out = try Tensor.empty([m, u], op: "linear")
        if let bias {
            let bc = try bias.contiguousRaw(op: "linear")
            for r in 0..<m { (out.base + r * u).update(from: bc.base, count: u) }
        }
        if k == 0 {
            if bias == nil { out.base.initialize(repeating: 0, count: out.count) }
        } else if m > 0 && u > 0 {
            sgemm(transA: false, transB: false, m: m, n: u, k: k, a: xc.base, lda: k,
                  b: wc.base, ldb: u, beta: bias == nil ? 0 : 1, c: out.base, ldc: u)
        }
        let inputs = [x, weight] + (bias.map { [$0] } ?? [])
        // The closure keeps detached views only: the graph holds the inputs themselves.
        let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
        let hasBias = bias != nil
        let xd = needW ? xc.detach() : nil, wd = needX ? wc.detach() : nil
        return out.recording("linear", inputs) { g in
            let dx = try wd.map { try g.matmul($0.t()) }
            let dw = try xd.map { try $0.t().matmul(g) }
            let db = needB ? try g.sum(dim: 0) : nil
            return hasBias ? [dx, dw, db] : [dx, dw]
        }
    }
}
