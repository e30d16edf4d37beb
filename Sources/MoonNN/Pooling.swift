import MoonEngine

/// Shared shape logic of the windowed poolings over `{C, H, W}` inputs.
public class Pool2D: Layer {
    public let poolSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: LayerPadding

    init(poolSize: (Int, Int), stride: (Int, Int)?, padding: LayerPadding, name: String, owner: String) throws {
        let s = stride ?? poolSize
        guard poolSize.0 >= 1, poolSize.1 >= 1 else { throw TensorError("\(owner): pool size must be positive, got \(poolSize.0)x\(poolSize.1)") }
        guard s.0 >= 1, s.1 >= 1 else { throw TensorError("\(owner): stride must be positive, got \(s.0)x\(s.1)") }
        self.poolSize = poolSize
        self.stride = s
        self.padding = padding
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

    public override var config: [String: Any] {
        ["size": [poolSize.0, poolSize.1], "stride": [stride.0, stride.1], "padding": padding.config]
    }

    static func parts(_ c: [String: Any], _ owner: String) throws -> ((Int, Int), (Int, Int)?, LayerPadding) {
        let r = ConfigReader(c, owner: owner)
        return (try pair(c["size"] ?? 2, "size", owner),
                try r.has("stride") ? pair(c["stride"]!, "stride", owner) : nil,
                try r.has("padding") ? LayerPadding(config: c["padding"]!, owner: owner) : .valid)
    }

    public override var description: String {
        var parts = [poolSize.0 == poolSize.1 ? "\(poolSize.0)" : "\(poolSize.0)x\(poolSize.1)"]
        if stride != poolSize { parts.append("stride \(stride.0 == stride.1 ? "\(stride.0)" : "\(stride.0)x\(stride.1)")") }
        if padding != .valid { parts.append(padding.description) }
        return kind + "(" + parts.joined(separator: ", ") + ")"
    }
}

/// Max pooling: the largest value of each `size` window, moved by `stride` (default: the
/// size), over `{C, H, W}`. Padding (`valid`/`same`) never wins.
public final class MaxPool2D: Pool2D {
    public init(_ size: (Int, Int), stride: (Int, Int)? = nil, padding: LayerPadding = .valid, name: String = "") throws {
        try super.init(poolSize: size, stride: stride, padding: padding, name: name, owner: "MaxPool2D")
    }
    public override var kind: String { "MaxPool2D" }
    public override var namePrefix: String { "max_pooling2d" }
    public override func forward(_ x: Tensor) throws -> Tensor {
        try Tensor.maxPool2d(x, kernel: poolSize, stride: stride, padding: padding.engine)
    }
    public static func fromConfig(_ c: [String: Any], name: String) throws -> MaxPool2D {
        let (s, st, p) = try parts(c, "MaxPool2D")
        return try MaxPool2D(s, stride: st, padding: p, name: name)
    }
}

/// Average pooling: the mean of each `size` window (padding not counted, as Keras), moved
/// by `stride` (default: the size), over `{C, H, W}`.
public final class AvgPool2D: Pool2D {
    public init(_ size: (Int, Int), stride: (Int, Int)? = nil, padding: LayerPadding = .valid, name: String = "") throws {
        try super.init(poolSize: size, stride: stride, padding: padding, name: name, owner: "AvgPool2D")
    }
    public override var kind: String { "AvgPool2D" }
    public override var namePrefix: String { "average_pooling2d" }
    public override func forward(_ x: Tensor) throws -> Tensor {
        try Tensor.avgPool2d(x, kernel: poolSize, stride: stride, padding: padding.engine)
    }
    public static func fromConfig(_ c: [String: Any], name: String) throws -> AvgPool2D {
        let (s, st, p) = try parts(c, "AvgPool2D")
        return try AvgPool2D(s, stride: st, padding: p, name: name)
    }
}

/// Global average pooling: `{C, H, W}` to `{C}`, the mean of each channel.
public final class GlobalAvgPool2D: Layer {
    public override init(name: String = "") { super.init(name: name) }
    public override var kind: String { "GlobalAvgPool2D" }
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
