import MoonKernels

/// 2-D max and average pooling in NCHW layout, and global average pooling, differentiable.
extension Tensor {
    /// The `{outHeight, outWidth}` of a pooling of a `{inHeight, inWidth}` plane, or a thrown
    /// message saying why the window does not fit.
    public static func pool2dOutputSize(input: (Int, Int), kernel: (Int, Int), stride: (Int, Int)? = nil,
                                        padding: ConvPadding = .valid) throws -> (Int, Int) {
        do {
            let g = try Pool2DGeometry(batch: 1, channels: 1, inHeight: input.0, inWidth: input.1,
                                       kernelHeight: kernel.0, kernelWidth: kernel.1, stride: stride, padding: padding)
            return (g.outHeight, g.outWidth)
        } catch {
            throw TensorError(error.message)
        }
    }

    /// Max pooling: each output is the largest input in its `kernel` window, moved by `stride`
    /// (default: the kernel size). Padding never wins. The gradient goes to the chosen
    /// element (the first one on ties).
    public static func maxPool2d(_ input: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil,
                                 padding: ConvPadding = .valid) throws -> Tensor {
        let g = try poolGeometry(input, kernel: kernel, stride: stride, padding: padding, op: "maxPool2d")
        let x = try input.contiguousRaw(op: "maxPool2d")
        let out = try Tensor.empty([g.batch, g.channels, g.outHeight, g.outWidth], op: "maxPool2d")
        let record = Tensor.isGradEnabled && input.requiresGrad
        let indices = IndexBuffer(count: record ? out.count : 0)
        if out.count > 0 {
            maxPool2dForward(g, input: x.base, output: out.base, indices: record ? indices.pointer : nil)
        }
        guard record else { return out }
        let inputShape = input.shape
        return out.recording("maxPool2d", [input]) { grad in
            let gy = try grad.contiguousRaw(op: "maxPool2d")
            let dx = try Tensor.empty(inputShape, op: "maxPool2d")
            if dx.count > 0 {
                maxPool2dBackward(g, gradOutput: gy.base, indices: indices.pointer, gradInput: dx.base)
            }
            return [dx]
        }
    }

    /// Average pooling: each output is the mean of the input elements its window covers
    /// (padding is not counted, as in Keras). `stride` defaults to the kernel size.
    public static func avgPool2d(_ input: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil,
                                 padding: ConvPadding = .valid) throws -> Tensor {
        let g = try poolGeometry(input, kernel: kernel, stride: stride, padding: padding, op: "avgPool2d")
        let x = try input.contiguousRaw(op: "avgPool2d")
        let out = try Tensor.empty([g.batch, g.channels, g.outHeight, g.outWidth], op: "avgPool2d")
        if out.count > 0 { avgPool2dForward(g, input: x.base, output: out.base) }
        let inputShape = input.shape
        return out.recording("avgPool2d", [input]) { grad in
            let gy = try grad.contiguousRaw(op: "avgPool2d")
            let dx = try Tensor.empty(inputShape, op: "avgPool2d")
            if dx.count > 0 { avgPool2dBackward(g, gradOutput: gy.base, gradInput: dx.base) }
            return [dx]
        }
    }

    /// Global average pooling: `{N, C, H, W}` (or any `{N, C, ...}`) to `{N, C}`, the mean
    /// over every dim after the channels.
    public static func globalAvgPool2d(_ input: Tensor) throws -> Tensor {
        guard input.rank >= 3 else {
            throw TensorError(in: "globalAvgPool2d", "expects input of shape {N,C,H,W}, got \(shapeText(input.shape))")
        }
        let spatial = input.shape[2...].reduce(1, *)
        guard spatial > 0 else {
            throw TensorError(in: "globalAvgPool2d", "input \(shapeText(input.shape)) has no positions to average")
        }
        return try input.sum(dims: Array(2..<input.rank)).div(Float(spatial))
    }

    private static func poolGeometry(_ input: Tensor, kernel: (Int, Int), stride: (Int, Int)?,
                                     padding: ConvPadding, op: String) throws -> Pool2DGeometry {
        guard input.rank == 4 else {
            throw TensorError(in: op, "expects input of shape {N,C,H,W}, got \(shapeText(input.shape))")
        }
        do {
            return try Pool2DGeometry(batch: input.shape[0], channels: input.shape[1],
                                      inHeight: input.shape[2], inWidth: input.shape[3],
                                      kernelHeight: kernel.0, kernelWidth: kernel.1,
                                      stride: stride, padding: padding)
        } catch {
            throw TensorError(in: op, "\(error.message) (input \(shapeText(input.shape)))")
        }
    }
}

/// The winners' positions of a max pooling, kept for its backward pass.
private final class IndexBuffer {
    let pointer: UnsafeMutablePointer<Int32>
    init(count: Int) {
        pointer = .allocate(capacity: Swift.max(count, 1))
    }
    deinit { pointer.deallocate() }
}
