import MoonEngine

/// Applies an activation by name (`relu tanh sigmoid elu selu hard_sigmoid exponential
/// linear softmax gelu leaky_relu swish`, also `silu softplus log_softmax`); `softmax`
/// normalizes over the last dim.
public final class Activation: Layer {
    public let activation: String

    public init(_ activation: String, name: String = "") throws {
        self.activation = try checkActivation(activation, "Activation")
        super.init(name: name)
    }

    public override var kind: String { "Activation" }
    public override var namePrefix: String { "activation" }
    public override func forward(_ x: Tensor) throws -> Tensor { try applyActivation(activation, x) }
    public override var outputActivation: String? { activation == "linear" ? nil : activation }
    public override var config: [String: Any] { ["activation": activation] }
    public override var description: String { "Activation(\(activation))" }

    public static func fromConfig(_ c: [String: Any], name: String) throws -> Activation {
        try Activation(try ConfigReader(c, owner: "Activation").string("activation"), name: name)
    }
}
