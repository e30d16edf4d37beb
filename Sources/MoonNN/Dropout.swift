import MoonEngine

/// Inverted dropout: in training, zeroes each value with probability `rate` and scales the
/// rest by 1/(1 − rate); in evaluation it passes values through unchanged. The mask comes
/// from `RandomGenerator.global`, so `moonlab.seed` reproduces it.
public final class Dropout: Layer, ConfigurableLayer {
    public let options: DropoutOptions
    public var rate: Float { options.rate }

    public init(config options: DropoutOptions, name: String = "") throws {
        guard options.rate >= 0, options.rate < 1 else { throw TensorError("Dropout: rate must be in [0, 1), got \(options.rate)") }
        self.options = options
        super.init(name: name)
    }

    public convenience init(_ rate: Float, name: String = "") throws {
        try self.init(name: name) { $0.rate = rate }
    }

    public static var className: String { "Dropout" }
    public override var kind: String { Self.className }
    public override var namePrefix: String { "dropout" }
    public override func forward(_ x: Tensor) throws -> Tensor { try x.dropout(rate, training: training) }
    public override var config: JSONValue { options.json }
    public override var description: String { "Dropout(\(rate))" }
}

/// `nn.Dropout(rate)`.
public struct DropoutOptions: Options {
    public var rate: Float = 0.5
    public init() {}
    public static var fields: [OptionField<DropoutOptions>] {
        [.argument("rate", \.rate, "the probability of zeroing each value in training")]
    }
}

extension Dropout {
    /// What `nn.Dropout` does, for help.
    public static let summary = """
        Inverted dropout: in training zeroes each value with probability rate and scales the \
        rest by 1/(1-rate); the identity in evaluation (model:eval()).
        """
}
