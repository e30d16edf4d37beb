import MoonKernels

/// How a convolution or pooling window pads its input: `.valid`, `.same` (Keras/TensorFlow:
/// `ceil(input / stride)` outputs, the smaller half of the padding on top/left) or
/// `.explicit(top:bottom:left:right:)` (`.symmetric(p)` for the same on every side).
public typealias ConvPadding = Padding2D

/// 2-D convolution in NCHW layout, differentiable in the input, the weights and the bias.
extension Tensor {
    /// The `{outHeight, outWidth}` of a convolution of a `{inHeight, inWidth}` plane, or a
    /// thrown message saying why the kernel does not fit.
    public static func conv2dOutputSize(input: (Int, Int), kernel: (Int, Int), stride: (Int, Int) = (1, 1),
                                        padding: ConvPadding = .valid, dilation: (Int, Int) = (1, 1)) throws -> (Int, Int) {
        do {
            let g = try Conv2DGeometry(batch: 1, inChannels: 1, inHeight: input.0, inWidth: input.1,
                                       outChannels: 1, kernelHeight: kernel.0, kernelWidth: kernel.1,
                                       stride: stride, padding: padding, dilation: dilation)
            return (g.outHeight, g.outWidth)
        } catch {
            throw TensorError(error.message)
        }
    }

    /// Cross-correlation as every deep-learning library computes it:
    /// `out[n,f,y,x] = bias[f] + Σ_{c,i,j} weight[f,c,i,j] · input[n,c,y·sh−pt+i·dh, x·sw−pl+j·dw]`.
    ///
    /// - Parameters:
    ///   - input: `{N, C, H, W}`.
    ///   - weight: `{F, C, kh, kw}`.
    ///   - bias: `{F}`, or nil.
    ///   - stride, dilation: (vertical, horizontal), each at least 1.
    ///   - padding: `.valid`, `.same` (Keras/TensorFlow semantics, possibly asymmetric) or explicit.
    ///   - relu: apply relu to the result as the kernel writes it (a layer's activation without a
    ///     pass or a tensor of its own).
    /// - Returns: `{N, F, outH, outW}`; the gradient reaches every input that requires it.
    public static func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil,
                              stride: (Int, Int) = (1, 1), padding: ConvPadding = .valid,
                              dilation: (Int, Int) = (1, 1), relu: Bool = false) throws -> Tensor {
        guard input.rank == 4 else {
            throw TensorError(in: "conv2d", "expects input of shape {N,C,H,W}, got \(shapeText(input.shape))")
        }
        guard weight.rank == 4 else {
            throw TensorError(in: "conv2d", "expects weight of shape {F,C,kh,kw}, got \(shapeText(weight.shape))")
        }
        guard weight.shape[1] == input.shape[1] else {
            throw TensorError(in: "conv2d", "weight \(shapeText(weight.shape)) expects \(weight.shape[1]) input channels, input \(shapeText(input.shape)) has \(input.shape[1])")
        }
        if let bias, bias.shape != [weight.shape[0]] {
            throw TensorError(in: "conv2d", "bias of shape \(shapeText(bias.shape)) does not match the \(weight.shape[0]) filters")
        }
        let g: Conv2DGeometry
        do {
            g = try Conv2DGeometry(batch: input.shape[0], inChannels: input.shape[1],
                                   inHeight: input.shape[2], inWidth: input.shape[3],
                                   outChannels: weight.shape[0], kernelHeight: weight.shape[2],
                                   kernelWidth: weight.shape[3], stride: stride, padding: padding,
                                   dilation: dilation)
        } catch {
            throw TensorError(in: "conv2d", "\(error.message) (input \(shapeText(input.shape)), weight \(shapeText(weight.shape)))")
        }
        let x = try input.contiguousRaw(op: "conv2d"), w = try weight.contiguousRaw(op: "conv2d")
        let b = try bias?.contiguousRaw(op: "conv2d")
        let out = try Tensor.empty([g.batch, g.outChannels, g.outHeight, g.outWidth], op: "conv2d")
        let needX = input.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
        // A Winograd layer whose input gradient will be asked for keeps its transformed weights
        // for the backward pass.
        let kept: Tensor? = try g.transformedWeightCount.flatMap { count in
            Conv2DTuning.keepTransformedWeights && needX && Tensor.isGradEnabled && out.count > 0
                ? try Tensor.empty([count], op: "conv2d") : nil
        }
        if out.count > 0 {
            conv2dForward(g, input: x.base, weight: w.base, bias: b.map { UnsafePointer($0.base) }, output: out.base, relu: relu,
                          transformedWeights: kept?.base)
        }
        let inputs = [input, weight] + (bias.map { [$0] } ?? [])
        // The closure keeps detached views only: the graph holds the inputs themselves.
        let hasBias = bias != nil, inputShape = input.shape, weightShape = weight.shape
        let xd = x.detach(), wd = w.detach()
        return out.recording("conv2d", inputs) { [y = relu ? out.detach() : nil] grad in
            let x = xd, w = wd
            // Through the relu first (zero where the output was clamped).
            let gy = try y.map { try reluGradient(grad, output: $0, op: "conv2d") } ?? grad.contiguousRaw(op: "conv2d")
            let dx = needX ? try Tensor.empty(inputShape, op: "conv2d") : nil
            let dw = needW ? try Tensor.empty(weightShape, op: "conv2d") : nil
            let db = needB ? try Tensor.empty([g.outChannels], op: "conv2d") : nil
            if g.batch == 0 {
                dx?.fill(0)
            }
            if dx != nil || dw != nil || db != nil {
                withExtendedLifetime((x, w, kept)) {
                    conv2dBackward(g, input: x.base, weight: w.base, gradOutput: gy.base,
                                   gradInput: dx?.base, gradWeight: dw?.base, gradBias: db?.base,
                                   transformedWeights: kept.map { UnsafePointer($0.base) })
                }
            }
            return hasBias ? [dx, dw, db] : [dx, dw]
        }
    }
}
