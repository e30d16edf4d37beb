@_exported import MoonBase

/// A rejected kernel argument (kernels never trap on user input; callers check geometry first):
/// moonlab's one error type.
public typealias KernelArgumentError = MoonError

/// How a 2-D window operation pads its input.
public enum Padding2D: Equatable, Sendable {
    /// No padding: only windows that lie fully inside the input.
    case valid
    /// TensorFlow/Keras `same`: the output has `ceil(input / stride)` positions per axis; the
    /// padding needed is split with the smaller half on top/left (so it may be asymmetric).
    case same
    /// Explicit zero padding on each side, in input pixels.
    case explicit(top: Int, bottom: Int, left: Int, right: Int)

    /// The same explicit padding on all four sides.
    public static func symmetric(_ p: Int) -> Padding2D { .explicit(top: p, bottom: p, left: p, right: p) }

    /// Resolves to `(before, after)` for one axis: input size, kernel extent (already dilated), stride.
    func resolve(axis: Int, input: Int, extent: Int, stride: Int) -> (Int, Int) {
        switch self {
        case .valid:
            return (0, 0)
        case .same:
            let out = (input + stride - 1) / stride
            let total = max((out - 1) * stride + extent - input, 0)
            return (total / 2, total - total / 2)
        case let .explicit(top, bottom, left, right):
            return axis == 0 ? (top, bottom) : (left, right)
        }
    }
}

/// The shape of a batched 2-D convolution in NCHW layout.
///
/// Input `{batch, inChannels, inHeight, inWidth}`, weights `{outChannels, inChannels,
/// kernelHeight, kernelWidth}`, bias `{outChannels}`, output `{batch, outChannels, outHeight,
/// outWidth}`, with
/// `out[n,f,y,x] = bias[f] + Σ_{c,i,j} w[f,c,i,j] · in[n, c, y·strideH − padTop + i·dilationH,
/// x·strideW − padLeft + j·dilationW]` (positions outside the input read as zero).
public struct Conv2DGeometry: Equatable, Sendable {
    public let batch: Int, inChannels: Int, inHeight: Int, inWidth: Int
    public let outChannels: Int, kernelHeight: Int, kernelWidth: Int
    public let strideH: Int, strideW: Int
    public let dilationH: Int, dilationW: Int
    public let padTop: Int, padBottom: Int, padLeft: Int, padRight: Int
    public let outHeight: Int, outWidth: Int

    /// Validates the arguments and computes the output size; throws a `KernelArgumentError`
    /// with a descriptive message (never traps) when they do not make a convolution.
    public init(batch: Int, inChannels: Int, inHeight: Int, inWidth: Int,
                outChannels: Int, kernelHeight: Int, kernelWidth: Int,
                stride: (Int, Int) = (1, 1), padding: Padding2D = .valid,
                dilation: (Int, Int) = (1, 1)) throws(KernelArgumentError) {
        if batch < 0 || inChannels < 1 || inHeight < 1 || inWidth < 1 {
            throw KernelArgumentError("input {\(batch), \(inChannels), \(inHeight), \(inWidth)} needs batch >= 0 and positive channels, height and width")
        }
        if outChannels < 1 { throw KernelArgumentError("filters must be positive, got \(outChannels)") }
        if kernelHeight < 1 || kernelWidth < 1 {
            throw KernelArgumentError("kernel size must be positive, got \(kernelHeight)x\(kernelWidth)")
        }
        if stride.0 < 1 || stride.1 < 1 { throw KernelArgumentError("stride must be positive, got \(stride.0)x\(stride.1)") }
        if dilation.0 < 1 || dilation.1 < 1 {
            throw KernelArgumentError("dilation must be positive, got \(dilation.0)x\(dilation.1)")
        }
        let extH = (kernelHeight - 1) * dilation.0 + 1, extW = (kernelWidth - 1) * dilation.1 + 1
        let (pt, pb) = padding.resolve(axis: 0, input: inHeight, extent: extH, stride: stride.0)
        let (pl, pr) = padding.resolve(axis: 1, input: inWidth, extent: extW, stride: stride.1)
        if pt < 0 || pb < 0 || pl < 0 || pr < 0 {
            throw KernelArgumentError("padding must be non-negative, got top \(pt), bottom \(pb), left \(pl), right \(pr)")
        }
        let oh = (inHeight + pt + pb - extH), ow = (inWidth + pl + pr - extW)
        if oh < 0 || ow < 0 {
            throw KernelArgumentError("kernel \(kernelHeight)x\(kernelWidth) (dilated \(extH)x\(extW)) does not fit input \(inHeight)x\(inWidth) padded by \(pt),\(pb),\(pl),\(pr) (top,bottom,left,right)")
        }
        let elements = [batch * inChannels * inHeight * inWidth, outChannels * inChannels * kernelHeight * kernelWidth]
        if elements.contains(where: { $0 > Int(Int32.max) * 64 }) {
            throw KernelArgumentError("convolution too large: \(elements) elements")
        }
        self.batch = batch; self.inChannels = inChannels; self.inHeight = inHeight; self.inWidth = inWidth
        self.outChannels = outChannels; self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideH = stride.0; self.strideW = stride.1
        self.dilationH = dilation.0; self.dilationW = dilation.1
        self.padTop = pt; self.padBottom = pb; self.padLeft = pl; self.padRight = pr
        self.outHeight = oh / stride.0 + 1; self.outWidth = ow / stride.1 + 1
    }

    /// Elements of one input image (`inChannels · inHeight · inWidth`).
    public var inputImageSize: Int { inChannels * inHeight * inWidth }
    /// Elements of one output image (`outChannels · outHeight · outWidth`).
    public var outputImageSize: Int { outChannels * outHeight * outWidth }
    /// Elements of the weight tensor (`outChannels · inChannels · kernelHeight · kernelWidth`).
    public var weightSize: Int { outChannels * patchSize }
    /// Rows of the im2col matrix: `inChannels · kernelHeight · kernelWidth`.
    public var patchSize: Int { inChannels * kernelHeight * kernelWidth }
    /// Output positions per image and channel.
    public var outPlane: Int { outHeight * outWidth }
    /// Multiply-adds times two of the forward pass (the backward passes cost the same each).
    public var forwardFlops: Double { 2 * Double(batch) * Double(outChannels) * Double(patchSize) * Double(outPlane) }

    /// True when the convolution reads the input as-is (1x1, stride 1, no padding): the
    /// image itself is the column matrix.
    var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideH == 1 && strideW == 1
            && padTop == 0 && padBottom == 0 && padLeft == 0 && padRight == 0
    }

    var patches: PatchGrid {
        PatchGrid(channels: inChannels, height: inHeight, width: inWidth,
                  kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                  strideH: strideH, strideW: strideW, dilationH: dilationH, dilationW: dilationW,
                  offsetTop: padTop, offsetLeft: padLeft, outHeight: outHeight, outWidth: outWidth)
    }
}

/// The shape of a batched 2-D pooling in NCHW layout: input `{batch, channels, inHeight,
/// inWidth}`, output `{batch, channels, outHeight, outWidth}`; window `kernelHeight x
/// kernelWidth` moved by the stride over the (virtually) padded input.
public struct Pool2DGeometry: Equatable, Sendable {
    public let batch: Int, channels: Int, inHeight: Int, inWidth: Int
    public let kernelHeight: Int, kernelWidth: Int
    public let strideH: Int, strideW: Int
    public let padTop: Int, padBottom: Int, padLeft: Int, padRight: Int
    public let outHeight: Int, outWidth: Int

    /// Validates the arguments and computes the output size; throws a `KernelArgumentError`
    /// with a descriptive message (never traps). `stride` defaults to the kernel size.
    /// Padding on each side must be smaller than the window, so every window covers at
    /// least one input element.
    public init(batch: Int, channels: Int, inHeight: Int, inWidth: Int,
                kernelHeight: Int, kernelWidth: Int, stride: (Int, Int)? = nil,
                padding: Padding2D = .valid) throws(KernelArgumentError) {
        if batch < 0 || channels < 1 || inHeight < 1 || inWidth < 1 {
            throw KernelArgumentError("input {\(batch), \(channels), \(inHeight), \(inWidth)} needs batch >= 0 and positive channels, height and width")
        }
        if kernelHeight < 1 || kernelWidth < 1 {
            throw KernelArgumentError("pool size must be positive, got \(kernelHeight)x\(kernelWidth)")
        }
        let s = stride ?? (kernelHeight, kernelWidth)
        if s.0 < 1 || s.1 < 1 { throw KernelArgumentError("stride must be positive, got \(s.0)x\(s.1)") }
        let (pt, pb) = padding.resolve(axis: 0, input: inHeight, extent: kernelHeight, stride: s.0)
        let (pl, pr) = padding.resolve(axis: 1, input: inWidth, extent: kernelWidth, stride: s.1)
        if pt < 0 || pb < 0 || pl < 0 || pr < 0 {
            throw KernelArgumentError("padding must be non-negative, got top \(pt), bottom \(pb), left \(pl), right \(pr)")
        }
        if pt >= kernelHeight || pb >= kernelHeight || pl >= kernelWidth || pr >= kernelWidth {
            throw KernelArgumentError("padding \(pt),\(pb),\(pl),\(pr) (top,bottom,left,right) must be smaller than the pool size \(kernelHeight)x\(kernelWidth)")
        }
        let oh = inHeight + pt + pb - kernelHeight, ow = inWidth + pl + pr - kernelWidth
        if oh < 0 || ow < 0 {
            throw KernelArgumentError("pool size \(kernelHeight)x\(kernelWidth) does not fit input \(inHeight)x\(inWidth) padded by \(pt),\(pb),\(pl),\(pr) (top,bottom,left,right)")
        }
        if inHeight * inWidth > Int(Int32.max) {
            throw KernelArgumentError("pooling plane too large: \(inHeight)x\(inWidth)")
        }
        self.batch = batch; self.channels = channels; self.inHeight = inHeight; self.inWidth = inWidth
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideH = s.0; self.strideW = s.1
        self.padTop = pt; self.padBottom = pb; self.padLeft = pl; self.padRight = pr
        self.outHeight = oh / s.0 + 1; self.outWidth = ow / s.1 + 1
    }

    /// Number of `height x width` planes (`batch · channels`).
    public var planes: Int { batch * channels }
    /// Elements of one input plane.
    public var inPlane: Int { inHeight * inWidth }
    /// Elements of one output plane.
    public var outPlane: Int { outHeight * outWidth }
}
