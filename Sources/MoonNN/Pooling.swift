import MoonEngine

/// Shared shape logic of the windowed poolings over `{C, H, W}` inputs.
public class Pool2D: Layer {
    public let options: PoolOptions
    public var poolSize: (Int, Int) { options.size.tuple }
    public var stride: (Int, Int) { (options.stride ?? options.size).tuple }
    public var padding: LayerPadding { options.padding }

    init(options: PoolOptions, name: String, owner: String) throws {
        let (p, s) = (options.size, options.stride ?? options.size)
        guard p.h >= 1, p.w >= 1 else { throw TensorError("\(owner): pool size must be positive, got \(p.h)x\(p.w)") }
        guard s.h >= 1, s.w >= 1 else { throw TensorError("\(owner): stride must be positive, got \(s.h)x\(s.w)") }
        self.options = options
        super.init(name: name)
    }

    public override func build(inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 3 else {
            throw TensorError("\(kind): expects images {C,H,W} per sample, got input shape \(shapeText(inputShape))")
        }
        do {
            let (oh, ow) = try Tensor.pool2dOutputSize(input: (inputShape[1], inputShape[2]), kernel: poolSize,
                                                       stride: stride, padding: padding.engine)
            guard oh >= 1, ow >= 1 else { throw TensorError("no output positions") }
            return [inputShape[0], oh, ow]
        } catch let e as TensorError {
            throw TensorError("\(kind): \(e.message) (input \(shapeText(inputShape)))")
        }
    }

    public override var config: JSONValue { options.json }

    public override var description: String {
        var parts = [poolSize.0 == poolSize.1 ? "\(poolSize.0)" : "\(poolSize.0)x\(poolSize.1)"]
        if stride != poolSize { parts.append("stride \(stride.0 == stride.1 ? "\(stride.0)" : "\(stride.0)x\(stride.1)")") }
        if padding != .valid { parts.append(padding.description) }
        return kind + "(" + parts.joined(separator: ", ") + ")"
    }
}

/// Max pooling: the largest value of each `size` window, moved by `stride` (default: the
/// size), over `{C, H, W}`. Padding (`valid`/`same`) never wins.
public final class MaxPool2D: Pool2D, ConfigurableLayer {
    public required init(config options: PoolOptions, name: String = "") throws {
        try super.init(options: options, name: name, owner: Self.className)
    }
    public static var className: String { "MaxPool2D" }
    public override var kind: String { Self.className }
    public override var namePrefix: String { "max_pooling2d" }
    public override func forward(_ x: Tensor) throws -> Tensor {
        try Tensor.maxPool2d(x, kernel: poolSize, stride: stride, padding: padding.engine)
    }
}

/// Average pooling: the mean of each `size` window (padding not counted, as Keras), moved
/// by `stride` (default: the size), over `{C, H, W}`.
public final class AvgPool2D: Pool2D, ConfigurableLayer {
    public required init(config options: PoolOptions, name: String = "") throws {
        try super.init(options: options, name: name, owner: Self.className)
    }
    public static var className: String { "AvgPool2D" }
    public override var kind: String { Self.className }
    public override var namePrefix: String { "average_pooling2d" }
    public override func forward(_ x: Tensor) throws -> Tensor {
        try Tensor.avgPool2d(x, kernel: poolSize, stride: stride, padding: padding.engine)
    }
}

/// Global average pooling: `{C, H, W}` to `{C}`, the mean of each channel.
public final class GlobalAvgPool2D: Layer, ConfigurableLayer {
    public let options = NoOptions()
    public init(config: NoOptions = NoOptions(), name: String = "") { super.init(name: name) }
    public static var className: String { "GlobalAvgPool2D" }
    public override var kind: String { Self.className }
    public override var namePrefix: String { "global_average_pooling2d" }
    public override func build(inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 3 else {
            throw TensorError("GlobalAvgPool2D: expects images {C,H,W} per sample, got input shape \(shapeText(inputShape))")
        }
        return [inputShape[0]]
    }
    public override func forward(_ x: Tensor) throws -> Tensor { try Tensor.globalAvgPool2d(x) }
    public override var description: String {
        "GlobalAvgPool2D(" + (inputShape.map { "\(shapeText($0)) -> {\($0[0])}" } ?? "") + ")"
    }
}

/// `nn.MaxPool2D(size, {...})` and `nn.AvgPool2D(size, {...})`.
public struct PoolOptions: Options {
    public var size = Pair(2)
    public var stride: Pair? = nil
    public var padding = LayerPadding.valid
    public init() {}

    public static var fields: [OptionField<PoolOptions>] {
        [.argument("size", \.size, "window size: a number or {h, w}"),
         OptionField("stride", \.stride, "step between windows (nil: the size)"),
         OptionField("padding", \.padding, "\"valid\" or \"same\"")]
    }
}

extension ConfigurableLayer where Config == PoolOptions {
    /// `MaxPool2D(Pair(2)) { $0.stride = Pair(1) }`.
    public init(_ size: Pair, name: String = "", _ configure: (inout PoolOptions) throws -> Void = { _ in }) throws {
        try self.init(name: name) { $0.size = size; try configure(&$0) }
    }
}

extension MaxPool2D {
    /// What `nn.MaxPool2D` does, for help.
    public static let summary = "Max pooling over {C,H,W}: the largest value of each window."
}

extension AvgPool2D {
    /// What `nn.AvgPool2D` does, for help.
    public static let summary = "Average pooling over {C,H,W}: the mean of each window (padding not counted, as Keras)."
}

extension GlobalAvgPool2D {
    /// What `nn.GlobalAvgPool2D` does, for help.
    public static let summary = "The mean of each channel: {C,H,W} to {C}."
}
