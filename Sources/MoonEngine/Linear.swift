import MoonKernels

/// The dense (fully connected) map as one GEMM.
extension Tensor {
    /// `x · weight + bias` for `x` `{M, K}`, `weight` `{K, U}`, `bias` `{U}` (optional), and its
    /// relu with `relu: true`: each block of the product is filled with the bias rows, the product
    /// added onto them by one BLAS call (beta = 1) and the relu applied while the block is in cache
    /// (`denseForward`), so the layer costs one GEMM and no extra pass. Differentiable in all three.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, relu: Bool = false) throws -> Tensor {
        guard x.rank == 2, weight.rank == 2, x.shape[1] == weight.shape[0] else {
            throw TensorError(in: "linear", "shapes \(shapeText(x.shape)) and \(shapeText(weight.shape)) do not fit")
        }
        let m = x.shape[0], k = x.shape[1], u = weight.shape[1]
        if let bias, bias.shape != [u] {
            throw TensorError(in: "linear", "bias of shape \(shapeText(bias.shape)) does not match \(u) units")
        }
        let xc = try x.contiguousRaw(op: "linear"), wc = try weight.contiguousRaw(op: "linear")
        let bc = try bias?.contiguousRaw(op: "linear")
        let out = try Tensor.empty([m, u], op: "linear")
        denseForward(x: xc.base, weight: wc.base, bias: bc.map { UnsafePointer($0.base) }, relu: relu,
                     out: out.base, m: m, k: k, n: u)
        let inputs = [x, weight] + (bias.map { [$0] } ?? [])
        // The closure keeps detached views only: the graph holds the inputs themselves.
        let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
        let hasBias = bias != nil
        let xd = needW ? xc.detach() : nil, wd = needX ? wc.detach() : nil, yd = relu ? out.detach() : nil
        return out.recording(relu ? "linear_relu" : "linear", inputs) { g in
            let g = try yd.map { try Tensor.reluGradient(g, output: $0, op: "linear_relu") } ?? g
            let dx = try wd.map { try g.matmul($0.t()) }
            let dw = try xd.map { try $0.t().matmul(g) }
            let db = needB ? try g.sum(dim: 0) : nil
            return hasBias ? [dx, dw, db] : [dx, dw]
        }
    }
}
