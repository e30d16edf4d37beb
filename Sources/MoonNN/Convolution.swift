import MoonEngine

/// Padding of a convolution or pooling layer as users write it and as saved configs keep it:
/// `"valid"`, `"same"` (Keras/TensorFlow: `ceil(size / stride)` outputs), or explicit pixels.
public enum LayerPadding: Equatable, CustomStringConvertible {
    case valid, same
    case explicit(top: Int, bottom: Int, left: Int, right: Int)

    /// The same number of pixels on every side.
    public static func symmetric(_ p: Int) -> LayerPadding { .explicit(top: p, bottom: p, left: p, right: p) }

    public var engine: ConvPadding {
        switch self {
        case .valid: return .valid
        case .same: return .same
        case let .explicit(t, b, l, r): return .explicit(top: t, bottom: b, left: l, right: r)
        }
    }

    public var description: String {
        switch self {
        case .valid: return "valid"
        case .same: return "same"
        case let .explicit(t, b, l, r): return t == b && l == r && t == l ? "pad \(t)" : "pad \(t),\(b),\(l),\(r)"
        }
    }

    /// From a config value: a name, one number (every side), two (vertical, horizontal) or four.
}

/// 2-D convolution over `{C, H, W}` inputs: `filters` kernels of `kernel` size (one number
/// for square), moved by `stride`, with `padding` (`valid`, `same`, or pixels) and
/// `dilation`, plus bias and activation. Kernel `{filters, in_channels, kh, kw}`, bias `{filters}`.
/// Options as Dense's: `activation`, `init` (default `glorot_uniform`), `biasInit`,
/// `useBias`, l1/l2 `regularizer` on the kernel, `maxNorm` per filter.
public final class Conv2D: KernelLayer, ConfigurableLayer {
    public let options: Conv2DOptions
    public var filters: Int { options.filters }
    public var kernelSize: (Int, Int) { options.kernelSize.tuple }
    public var stride: (Int, Int) { options.stride.tuple }
    public var padding: LayerPadding { options.padding }
    public var dilation: (Int, Int) { options.dilation.tuple }

    public init(config options: Conv2DOptions, name: String = "") throws {
        let (k, s, d) = (options.kernelSize, options.stride, options.dilation)
        guard options.filters >= 1 else { throw TensorError("Conv2D: filters must be positive, got \(options.filters)") }
        guard k.h >= 1, k.w >= 1 else { throw TensorError("Conv2D: kernel size must be positive, got \(k.h)x\(k.w)") }
        guard s.h >= 1, s.w >= 1 else { throw TensorError("Conv2D: stride must be positive, got \(s.h)x\(s.w)") }
        guard d.h >= 1, d.w >= 1 else { throw TensorError("Conv2D: dilation must be positive, got \(d.h)x\(d.w)") }
        self.options = options
        try super.init("Conv2D", options.kernel, name: name)
    }

    /// `Conv2D(32, kernel: 3) { $0.padding = .same }`.
    public convenience init(_ filters: Int, kernel: Pair, name: String = "",
                            _ configure: (inout Conv2DOptions) throws -> Void = { _ in }) throws {
        try self.init(name: name) { $0.filters = filters; $0.kernelSize = kernel; try configure(&$0) }
    }

    public static var className: String { "Conv2D" }
    public override var kind: String { Self.className }
    public override var namePrefix: String { "conv2d" }
    public override var unitsFirst: Bool { true }

    public override func build(inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 3 else {
            throw TensorError("Conv2D: expects images {C,H,W} per sample, got input shape \(shapeText(inputShape)) (add a Reshape or use input={1,28,28})")
        }
        let (oh, ow): (Int, Int)
        do {
            (oh, ow) = try Tensor.conv2dOutputSize(input: (inputShape[1], inputShape[2]), kernel: kernelSize,
                                                   stride: stride, padding: padding.engine, dilation: dilation)
        } catch let e as TensorError {
            throw TensorError("Conv2D: \(e.message) (input \(shapeText(inputShape)))")
        }
        guard oh >= 1, ow >= 1 else {
            throw TensorError("Conv2D: kernel \(kernelSize.0)x\(kernelSize.1) leaves no output on input \(shapeText(inputShape))")
        }
        try makeWeights(kernel: [filters, inputShape[0], kernelSize.0, kernelSize.1], units: filters)
        return [filters, oh, ow]
    }

    public override var forwardFlops: Int {
        guard let input = inputShape, let out = outputShape else { return 0 }
        return 2 * input[0] * kernelSize.0 * kernelSize.1 * out.reduce(1, *)
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        // relu runs inside the convolution as it writes its output.
        let relu = activation == "relu"
        let y = try Tensor.conv2d(x, weight: try builtKernel(), bias: bias, stride: stride, padding: padding.engine,
                                  dilation: dilation, relu: relu)
        return relu ? y : try applyActivation(activation, y)
    }

    public override var config: JSONValue { options.json }

    public override var description: String {
        var parts = ["\(inputShape.map { String($0[0]) } ?? "?") -> \(filters)", "\(kernelSize.0)x\(kernelSize.1)"]
        if stride != (1, 1) { parts.append("stride \(stride.0 == stride.1 ? "\(stride.0)" : "\(stride.0)x\(stride.1)")") }
        if padding != .valid { parts.append(padding.description) }
        if dilation != (1, 1) { parts.append("dilation \(dilation.0)x\(dilation.1)") }
        return describe(parts)
    }
}

/// `nn.Conv2D(filters, kernel, {...})`.
@dynamicMemberLookup
public struct Conv2DOptions: Options {
    public var filters = 1
    public var kernelSize = Pair(3)
    public var stride = Pair(1)
    public var padding = LayerPadding.valid
    public var dilation = Pair(1)
    public var kernel = KernelOptions()
    public init() {}

    public static var fields: [OptionField<Conv2DOptions>] {
        [.argument("filters", \.filters, "output channels"),
         .argument("kernel", \.kernelSize, "window size: a number or {h, w}"),
         OptionField("stride", \.stride, "step between windows: a number or {h, w}"),
         OptionField("padding", \.padding, "\"valid\", \"same\" (Keras: ceil(size/stride) outputs), pixels, {v, h} or {top, bottom, left, right}"),
         OptionField("dilation", \.dilation, "spacing of the kernel's taps: a number or {h, w}")]
            + KernelOptions.fields(\.kernel)
    }

    public subscript<T>(dynamicMember path: WritableKeyPath<KernelOptions, T>) -> T {
        get { kernel[keyPath: path] }
        set { kernel[keyPath: path] = newValue }
    }
}

extension Conv2D {
    /// What `nn.Conv2D` does, for help.
    public static let summary = """
        2-D convolution over {C,H,W} inputs: kernel {filters, in_channels, kh, kw}, bias {filters}.
        """
}
