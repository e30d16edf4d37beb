import MoonEngine

/// Applies an activation by name (`relu tanh sigmoid elu selu hard_sigmoid exponential
/// linear softmax gelu leaky_relu swish`, also `silu softplus log_softmax`); `softmax`
/// normalizes over the last dim.
public final class Activation: Layer, ConfigurableLayer {
    public let options: ActivationOptions
    public var activation: String { options.activation }

    public init(config options: ActivationOptions, name: String = "") throws {
        _ = try checkActivation(options.activation, "Activation")
        self.options = options
        super.init(name: name)
    }

    public convenience init(_ activation: String, name: String = "") throws {
        try self.init(name: name) { $0.activation = activation }
    }

    public static var className: String { "Activation" }
    public override var kind: String { Self.className }
    public override var namePrefix: String { "activation" }
    public override func forward(_ x: Tensor) throws -> Tensor { try applyActivation(activation, x) }
    public override var outputActivation: String? { activation == "linear" ? nil : activation }
    public override var config: JSONValue { options.json }
    public override var description: String { "Activation(\(activation))" }
}

/// `nn.Activation(name)`.
public struct ActivationOptions: Options {
    public var activation = "linear"
    public init() {}
    public static var fields: [OptionField<ActivationOptions>] {
        [.argument("activation", \.activation, "relu tanh sigmoid elu selu hard_sigmoid exponential linear softmax gelu leaky_relu swish silu softplus log_softmax")]
    }
}

extension Activation {
    /// What `nn.Activation` does, for help.
    public static let summary = "Applies an activation; softmax is over the last dim."
}
