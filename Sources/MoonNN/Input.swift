import MoonEngine

/// The entry of a graph model: a per-sample shape (`{1, 28, 28}`), no weights. `nn.Input`
/// returns a node made of it; models check each batch against the shape.
public final class InputLayer: Layer {
    public init(shape: [Int], name: String = "") throws {
        guard !shape.isEmpty, shape.allSatisfy({ $0 >= 1 }) else {
            throw TensorError("Input: shape must be a non-empty list of positive sizes, got \(shapeText(shape))")
        }
        super.init(name: name)
        inputShape = shape
        outputShape = shape
    }

    public override var kind: String { "InputLayer" }
    public override var namePrefix: String { "input" }
    public override var config: [String: Any] { ["shape": inputShape ?? []] }
    public override var description: String { "Input(\(shapeText(inputShape ?? [])))" }

    public override func checkInput(_ shape: [Int]) throws {
        guard let inputShape else { return }
        if shape.count != inputShape.count + 1 || Array(shape.dropFirst()) != inputShape {
            throw TensorError("\(displayName): expected input of shape \(shapeText([-1] + inputShape)), got shape \(shapeText(shape))")
        }
    }

    public static func fromConfig(_ c: [String: Any], name: String) throws -> InputLayer {
        try InputLayer(shape: try ConfigReader(c, owner: "Input").ints("shape"), name: name)
    }
}
