import MoonEngine

/// Padding of a convolution or pooling layer as users write it and as saved configs keep it:
/// `"valid"`, `"same"` (Keras/TensorFlow: `ceil(size / stride)` outputs), or explicit pixels.
public enum LayerPadding: Equatable, CustomStringConvertible {
    case valid, same
    case explicit(top: Int, bottom: Int, left: Int, right: Int)

    public var engine: ConvPadding {
        switch self {
        case .valid: return .valid
        case .same: return .same
        case let .explicit(t, b, l, r): return .explicit(top: t, bottom: b, left: l, right: r)
        }
    }

    public var config: Any {
        switch self {
        case .valid: return "valid"
        case .same: return "same"
        case let .explicit(t, b, l, r): return [t, b, l, r]
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
    public init(config: Any, owner: String) throws {
        if let s = config as? String {
            switch s {
            case "valid": self = .valid
            case "same": self = .same
            default: throw unknownName("padding", s, owner, valid: ["valid", "same", "a number of pixels"])
            }
            return
        }
        if let p = ConfigReader.int(config) {
            guard p >= 0 else { throw TensorError("\(owner): padding must be non-negative, got \(p)") }
            self = p == 0 ? .valid : .explicit(top: p, bottom: p, left: p, right: p)
            return
        }
        if let a = config as? [Any] {
            let v = a.compactMap(ConfigReader.int)
            if v.count == a.count, v.allSatisfy({ $0 >= 0 }) {
                if v.count == 2 { self = .explicit(top: v[0], bottom: v[0], left: v[1], right: v[1]); return }
                if v.count == 4 { self = .explicit(top: v[0], bottom: v[1], left: v[2], right: v[3]); return }
            }
        }
        throw TensorError("\(owner): padding must be \"valid\", \"same\" or a number of pixels, got \(config)")
    }
}

/// A pair of sizes from a config value: one number for both, or two.
func pair(_ value: Any, _ what: String, _ owner: String) throws -> (Int, Int) {
    if let n = ConfigReader.int(value) { return (n, n) }
    if let a = value as? [Any], a.count == 2, let h = ConfigReader.int(a[0]), let w = ConfigReader.int(a[1]) { return (h, w) }
    throw TensorError("\(owner): \(what) must be a number or a pair {h, w}, got \(value)")
}

/// 2-D convolution over `{C, H, W}` inputs: `filters` kernels of `kernel` size (one number
/// for square), moved by `stride`, with `padding` (`valid`, `same`, or pixels) and
/// `dilation`, plus bias and activation. Kernel `{filters, in_channels, kh, kw}`, bias `{filters}`.
/// Options as Dense's: `activation`, `init` (default `glorot_uniform`), `biasInit`,
/// `useBias`, l1/l2 `regularizer` on the kernel, `maxNorm` per filter.
public final class Conv2D: KernelLayer {
    public let filters: Int
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: LayerPadding
    public let dilation: (Int, Int)

    public init(_ filters: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1), padding: LayerPadding = .valid,
                dilation: (Int, Int) = (1, 1), activation: String = "linear",
                initializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
                useBias: Bool = true, regularizer: Regularizer? = nil, maxNorm: MaxNorm? = nil,
                name: String = "") throws {
        guard filters >= 1 else { throw TensorError("Conv2D: filters must be positive, got \(filters)") }
        guard kernel.0 >= 1, kernel.1 >= 1 else { throw TensorError("Conv2D: kernel size must be positive, got \(kernel.0)x\(kernel.1)") }
        guard stride.0 >= 1, stride.1 >= 1 else { throw TensorError("Conv2D: stride must be positive, got \(stride.0)x\(stride.1)") }
        guard dilation.0 >= 1, dilation.1 >= 1 else { throw TensorError("Conv2D: dilation must be positive, got \(dilation.0)x\(dilation.1)") }
        self.filters = filters
        self.kernelSize = kernel
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        try super.init("Conv2D", activation: activation, initializer: initializer, biasInitializer: biasInitializer,
                       useBias: useBias, regularizer: regularizer, maxNorm: maxNorm, name: name)
    }

    public override var kind: String { "Conv2D" }
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

    public override func forward(_ x: Tensor) throws -> Tensor {
        let y = try Tensor.conv2d(x, weight: try builtKernel(), bias: bias, stride: stride, padding: padding.engine, dilation: dilation)
        return try applyActivation(activation, y)
    }

    public override var config: [String: Any] {
        kernelConfig(["filters": filters, "kernel": [kernelSize.0, kernelSize.1], "stride": [stride.0, stride.1],
                      "padding": padding.config, "dilation": [dilation.0, dilation.1]])
    }

    public static func fromConfig(_ config: [String: Any], name: String) throws -> Conv2D {
        let c = ConfigReader(config, owner: "Conv2D"), o = try KernelOptions(config, owner: "Conv2D")
        return try Conv2D(try c.int("filters"), kernel: try pair(config["kernel"] ?? 0, "kernel", "Conv2D"),
                          stride: try c.has("stride") ? pair(config["stride"]!, "stride", "Conv2D") : (1, 1),
                          padding: try c.has("padding") ? LayerPadding(config: config["padding"]!, owner: "Conv2D") : .valid,
                          dilation: try c.has("dilation") ? pair(config["dilation"]!, "dilation", "Conv2D") : (1, 1),
                          activation: o.activation, initializer: o.initializer, biasInitializer: o.biasInitializer,
                          useBias: o.useBias, regularizer: o.regularizer, maxNorm: o.maxNorm, name: name)
    }

    public override var description: String {
        var parts = ["\(inputShape.map { String($0[0]) } ?? "?") -> \(filters)", "\(kernelSize.0)x\(kernelSize.1)"]
        if stride != (1, 1) { parts.append("stride \(stride.0 == stride.1 ? "\(stride.0)" : "\(stride.0)x\(stride.1)")") }
        if padding != .valid { parts.append(padding.description) }
        if dilation != (1, 1) { parts.append("dilation \(dilation.0)x\(dilation.1)") }
        return describe(parts)
    }
}
