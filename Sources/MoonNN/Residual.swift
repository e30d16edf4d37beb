import MoonBase
import MoonEngine

/// A skip connection around a block of layers: `y = activation(x + block(x))`. The block
/// must keep the shape (use `BasicBlock` for one that changes it). `activation` defaults
/// to `linear` (none).
public final class Residual: Layer {
    public let block: [Layer]
    public let activation: String

    public init(_ block: [Layer], activation: String = "linear", name: String = "") throws {
        guard !block.isEmpty else { throw TensorError("Residual: needs a block of at least one layer") }
        self.block = block
        self.activation = try checkActivation(activation, "Residual")
        super.init(name: name)
    }

    public override var kind: String { "Residual" }
    public override var namePrefix: String { "residual" }
    public override var children: [Layer] { block }

    public override func build(inputShape: [Int]) throws -> [Int] {
        var shape = inputShape
        for layer in block {
            shape = try layer.ensureBuilt(inputShape: shape)
            layer.setTraining(training)
        }
        guard shape == inputShape else {
            throw TensorError("Residual: the block maps \(shapeText(inputShape)) to \(shapeText(shape)); it must keep the shape to be added to its input (BasicBlock projects when shapes change)")
        }
        return shape
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        var y = x
        for layer in block { y = try layer.forward(y) }
        return try applyActivation(activation, try x.add(y))
    }

    public override var config: JSONValue {
        ["activation": .string(activation), "block": .array(block.map(Architecture.describe))]
    }

    public static func fromConfig(_ c: JSONValue, name: String) throws -> Residual {
        guard let items = c["block"]?.items else { throw TensorError("Residual: config 'block' must list layers") }
        let layers = try items.map { try Architecture.layer(from: $0) }
        let activation = c["activation"]?.string ?? "linear"
        return try Residual(layers, activation: activation, name: name)
    }

    public override var description: String {
        "Residual(" + block.map(\.description).joined(separator: " -> ") + (activation == "linear" ? "" : ", \(activation)") + ")"
    }
}

/// ResNet's basic block (He et al. 2016, as torchvision builds it): conv 3x3 (stride) -> BN ->
/// relu -> conv 3x3 -> BN, added to the shortcut, then relu. The shortcut is the input
/// itself, or a 1x1 convolution (stride) and BN when the stride or the channel count
/// changes the shape. Convolutions have no bias (BN follows) and pad 1 pixel, He-normal
/// (fan_out) initialized as torchvision's ResNet.
public final class BasicBlock: Layer, ConfigurableLayer {
    public let options: BasicBlockOptions
    public var channels: Int { options.channels }
    public var stride: Int { options.stride }
    public private(set) var conv1: Conv2D?
    public private(set) var bn1: BatchNorm?
    public private(set) var conv2: Conv2D?
    public private(set) var bn2: BatchNorm?
    public private(set) var shortcutConv: Conv2D?
    public private(set) var shortcutBN: BatchNorm?

    public init(config options: BasicBlockOptions, name: String = "") throws {
        guard options.channels >= 1 else { throw TensorError("BasicBlock: channels must be positive, got \(options.channels)") }
        guard options.stride >= 1 else { throw TensorError("BasicBlock: stride must be positive, got \(options.stride)") }
        self.options = options
        super.init(name: name)
    }

    public convenience init(_ channels: Int, stride: Int = BasicBlockOptions().stride, name: String = "") throws {
        try self.init(name: name) { $0.channels = channels; $0.stride = stride }
    }

    public static var className: String { "BasicBlock" }
    public override var kind: String { Self.className }
    public override var namePrefix: String { "basic_block" }

    public override var children: [Layer] {
        [conv1, bn1, conv2, bn2, shortcutConv, shortcutBN].compactMap { $0 }
    }

    public override func build(inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 3 else {
            throw TensorError("BasicBlock: expects images {C,H,W} per sample, got input shape \(shapeText(inputShape))")
        }
        let he = try Initializer(name: "variance_scaling", options: ["scale": 2.0, "mode": "fan_out", "distribution": "untruncated_normal"])
        let c1 = try Conv2D(channels, kernel: Pair(3), name: "conv1") {
            $0.stride = Pair(self.stride); $0.padding = .symmetric(1); $0.initializer = he; $0.useBias = false
        }
        let b1 = try BatchNorm(name: "bn1")
        let c2 = try Conv2D(channels, kernel: Pair(3), name: "conv2") {
            $0.padding = .symmetric(1); $0.initializer = he; $0.useBias = false
        }
        let b2 = try BatchNorm(name: "bn2")
        var shape = try c1.ensureBuilt(inputShape: inputShape)
        shape = try b1.ensureBuilt(inputShape: shape)
        shape = try c2.ensureBuilt(inputShape: shape)
        shape = try b2.ensureBuilt(inputShape: shape)
        conv1 = c1; bn1 = b1; conv2 = c2; bn2 = b2
        if shape != inputShape {
            let sc = try Conv2D(channels, kernel: Pair(1), name: "shortcut_conv") {
                $0.stride = Pair(self.stride); $0.initializer = he; $0.useBias = false
            }
            let sb = try BatchNorm(name: "shortcut_bn")
            let s = try sb.ensureBuilt(inputShape: try sc.ensureBuilt(inputShape: inputShape))
            guard s == shape else {
                throw TensorError("BasicBlock: shortcut gives \(shapeText(s)) but the block gives \(shapeText(shape)) for input \(shapeText(inputShape))")
            }
            shortcutConv = sc; shortcutBN = sb
        }
        for c in children { c.setTraining(training) }
        return shape
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        guard let conv1, let bn1, let conv2, let bn2 else { throw TensorError("BasicBlock: layer \(displayName) is not built") }
        let y = try bn1.forward(conv1.forward(x), residual: nil, relu: true)
        var s = x
        if let shortcutConv, let shortcutBN { s = try shortcutBN.forward(shortcutConv.forward(x)) }
        return try bn2.forward(conv2.forward(y), residual: s, relu: true)
    }

    public override var config: JSONValue { options.json }

    public override var description: String {
        "BasicBlock(" + (inputShape.map { "\($0[0]) -> " } ?? "") + "\(channels)" + (stride != 1 ? ", stride \(stride)" : "")
            + (shortcutConv != nil ? ", projection" : "") + ")"
    }
}

/// `nn.BasicBlock(channels, {stride=1})`.
public struct BasicBlockOptions: Options {
    public var channels = 64
    public var stride = 1
    public init() {}
    public static var fields: [OptionField<BasicBlockOptions>] {
        [.argument("channels", \.channels, "output channels"),
         OptionField("stride", \.stride, "the first convolution's stride (2 halves the size)")]
    }
}

extension BasicBlock {
    /// What `nn.BasicBlock` does, for help.
    public static let summary = """
        ResNet's basic block: conv3x3(stride)-BN-relu-conv3x3-BN plus the shortcut (a 1x1 conv \
        and BN when the shape changes), then relu.
        """
}

extension Residual {
    /// `{activation="linear"}` of `nn.Residual(block, {...})` (`name=` is every layer's).
    public struct Options: MoonBase.Options {
        public var activation = "linear"
        public init() {}
        public static var fields: [OptionField<Options>] {
            [OptionField("activation", \.activation, "applied to x + block(x)")]
        }
    }
}
