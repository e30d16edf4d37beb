import MoonEngine

/// Inverted dropout: in training, zeroes each value with probability `rate` and scales the
/// rest by 1/(1 − rate); in evaluation it passes values through unchanged. The mask comes
/// from `RandomGenerator.global`, so `moonlab.seed` reproduces it.
public final class Dropout: Layer {
    public let rate: Float

    public init(_ rate: Float, name: String = "") throws {
        guard rate >= 0, rate < 1 else { throw TensorError("Dropout: rate must be in [0, 1), got \(rate)") }
        self.rate = rate
        super.init(name: name)
    }

    public override var kind: String { "Dropout" }
    public override var namePrefix: String { "dropout" }
    public override func forward(_ x: Tensor) throws -> Tensor { try x.dropout(rate, training: training) }
    public override var config: [String: Any] { ["rate": Double(rate)] }
    public override var description: String { "Dropout(\(rate))" }

    public static func fromConfig(_ c: [String: Any], name: String) throws -> Dropout {
        try Dropout(Float(try ConfigReader(c, owner: "Dropout").double("rate")), name: name)
    }
}
