import MoonEngine

/// ResNet-18 (He et al. 2016) adapted to small images, as for CIFAR: a 3x3 stem (64
/// filters, stride 1, no bias) with BN and relu and no initial max-pool, then four stages of
/// two BasicBlocks (64, 128, 256, 512 channels; stride 2 at the start of stages 2-4, with
/// projection shortcuts), global average pooling and a `classes`-way Dense (logits).
/// `width` scales the channel counts (64 by default). For a 1x28x28 input and 10 classes it
/// has 11,172,810 trainable parameters (11,182,410 with BatchNorm's moving statistics).
public enum ResNet {
    public static func resnet18(_ o: Options) throws -> Sequential {
        try resnet18(input: o.input, classes: o.classes, width: o.width)
    }

    /// `nn.resnet18{...}`.
    public struct Options: MoonBase.Options {
        public var input = [1, 28, 28]
        public var classes = 10
        public var width = 64
        public init() {}
        public static var fields: [OptionField<Options>] {
            [OptionField("input", \.input, "the per-sample image shape {C, H, W}"),
             OptionField("classes", \.classes, "units of the output layer (logits)"),
             OptionField("width", \.width, "channels of the first stage (64; the stages double it)")]
        }
    }

    public static func resnet18(input: [Int], classes: Int, width: Int) throws -> Sequential {
        guard input.count == 3 else { throw TensorError("resnet18: input must be an image shape {C,H,W}, got \(shapeText(input))") }
        guard classes >= 1 else { throw TensorError("resnet18: classes must be positive, got \(classes)") }
        guard width >= 1 else { throw TensorError("resnet18: width must be positive, got \(width)") }
        let he = try Initializer(name: "variance_scaling", options: ["scale": 2.0, "mode": "fan_out", "distribution": "untruncated_normal"])
        var layers: [Layer] = [
            try Conv2D(width, kernel: Pair(3)) { $0.padding = .symmetric(1); $0.initializer = he; $0.useBias = false },
            try BatchNorm(),
            try Activation("relu"),
        ]
        for (stage, mult) in [1, 2, 4, 8].enumerated() {
            layers.append(try BasicBlock(width * mult, stride: stage == 0 ? 1 : 2))
            layers.append(try BasicBlock(width * mult))
        }
        layers.append(GlobalAvgPool2D())
        layers.append(try Dense(classes))
        return try Sequential(input: input, layers: layers, name: "resnet18")
    }
}
