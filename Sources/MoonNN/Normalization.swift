import MoonEngine

/// Batch normalization over the first per-sample dim: the features of `{F}` inputs
/// (1-d) or the channels of `{C, H, W}` images (2-d, statistics over batch and positions).
///
/// `y = gamma · (x − mean) / √(var + eps) + beta`. Training uses the batch's mean and biased
/// variance and updates the moving statistics, Keras style: `moving = momentum · moving +
/// (1 − momentum) · batch`; evaluation uses the moving statistics. Keras' defaults:
/// momentum 0.99, eps 1e-3; gamma starts at 1, beta at 0, moving mean 0, moving variance 1.
/// Weights (Keras order): gamma, beta (trainable), moving_mean, moving_variance (not).
public final class BatchNorm: Layer, ConfigurableLayer {
    public let options: BatchNormOptions
    public var momentum: Float { options.momentum }
    public var eps: Float { options.eps }
    public var center: Bool { options.center }
    public var scale: Bool { options.scale }

    public private(set) var gamma: Tensor?
    public private(set) var beta: Tensor?
    public private(set) var movingMean: Tensor?
    public private(set) var movingVariance: Tensor?

    public init(config options: BatchNormOptions, name: String = "") throws {
        guard options.momentum >= 0, options.momentum <= 1 else { throw TensorError("BatchNorm: momentum must be in [0, 1], got \(options.momentum)") }
        guard options.eps > 0 else { throw TensorError("BatchNorm: eps must be positive, got \(options.eps)") }
        self.options = options
        super.init(name: name)
    }


    public static var className: String { "BatchNorm" }
    public override var kind: String { Self.className }
    public override var namePrefix: String { "batch_normalization" }

    public override func build(inputShape: [Int]) throws -> [Int] {
        guard let c = inputShape.first else { throw TensorError("BatchNorm: needs input with at least one dim") }
        gamma = scale ? try Tensor.ones([c]).requiringGrad() : nil
        beta = center ? try Tensor.zeros([c]).requiringGrad() : nil
        movingMean = try Tensor.zeros([c])
        movingVariance = try Tensor.ones([c])
        return inputShape
    }

    public override func forward(_ x: Tensor) throws -> Tensor { try forward(x, residual: nil, relu: false) }

    /// relu(bn(x) + residual) in one pass (either part optional): how a block that owns this
    /// layer ends without the intermediate tensors.
    public func forward(_ x: Tensor, residual: Tensor?, relu: Bool) throws -> Tensor {
        guard let movingMean, let movingVariance else { throw TensorError("BatchNorm: layer \(displayName) is not built") }
        if training && x.shape.first == 1 && x.rank == 2 {
            throw TensorError("BatchNorm: training needs more than one sample per batch for {N,F} input, got shape \(shapeText(x.shape))")
        }
        return try Tensor.batchNorm(x, gamma: gamma, beta: beta, runningMean: movingMean, runningVar: movingVariance,
                                    momentum: momentum, eps: eps, training: training, residual: residual, relu: relu)
    }

    public override var trainableWeights: [Tensor] { [gamma, beta].compactMap { $0 } }
    public override var weights: [Tensor] { [gamma, beta, movingMean, movingVariance].compactMap { $0 } }
    public override var weightNames: [String] {
        (scale ? ["gamma"] : []) + (center ? ["beta"] : []) + ["moving_mean", "moving_variance"]
    }

    public override var config: JSONValue { options.json }

    public override var description: String {
        var parts: [String] = []
        if let c = inputShape?.first { parts.append("\(c)") }
        if momentum != 0.99 { parts.append("momentum \(momentum)") }
        if eps != 1e-3 { parts.append("eps \(eps)") }
        return "BatchNorm(" + parts.joined(separator: ", ") + ")"
    }
}

/// `nn.BatchNorm{...}`, with Keras' defaults.
public struct BatchNormOptions: Options {
    public var momentum: Float = 0.99
    public var eps: Float = 1e-3
    public var center = true
    public var scale = true
    public init() {}
    public static var fields: [OptionField<BatchNormOptions>] {
        [OptionField("momentum", \.momentum, "moving = momentum * moving + (1 - momentum) * batch"),
         OptionField("eps", \.eps, "added to the variance", aliases: ["epsilon"]),
         OptionField("center", \.center, "whether to learn beta"),
         OptionField("scale", \.scale, "whether to learn gamma")]
    }
}

extension BatchNorm {
    /// What `nn.BatchNorm` does, for help.
    public static let summary = """
        Batch normalization of the features of {F} inputs or the channels of {C,H,W} images. \
        Training uses batch statistics and updates the moving ones (Keras' rule); evaluation \
        uses the moving statistics. Weights: gamma, beta, moving_mean, moving_variance.
        """
}
