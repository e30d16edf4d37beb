import MoonEngine

/// The entry of a graph model: a per-sample shape (`{1, 28, 28}`), no weights. `nn.Input`
/// returns a node made of it; models check each batch against the shape.
public final class InputLayer: Layer, ConfigurableLayer {
    public let options: InputOptions

    public init(config options: InputOptions, name: String = "") throws {
        let shape = options.shape
        guard !shape.isEmpty, shape.allSatisfy({ $0 >= 1 }) else {
            throw TensorError("Input: shape must be a non-empty list of positive sizes, got \(shapeText(shape))")
        }
        self.options = options
        super.init(name: name)
        inputShape = shape
        outputShape = shape
    }

    public convenience init(shape: [Int], name: String = "") throws {
        try self.init(name: name) { $0.shape = shape }
    }

    public static var className: String { "InputLayer" }
    public override var kind: String { Self.className }
    public override var namePrefix: String { "input" }
    public override var config: JSONValue { options.json }
    public override var description: String { "Input(\(shapeText(inputShape ?? [])))" }

    public override func checkInput(_ shape: [Int]) throws {
        guard let inputShape else { return }
        if shape.count != inputShape.count + 1 || Array(shape.dropFirst()) != inputShape {
            throw TensorError("\(displayName): expected input of shape \(batchShapeText(inputShape)), got shape \(shapeText(shape))")
        }
    }
}

/// `nn.Input(shape)`.
public struct InputOptions: Options {
    public var shape: [Int] = []
    public init() {}
    public static var fields: [OptionField<InputOptions>] {
        [.argument("shape", \.shape, "the per-sample shape ({1, 28, 28})")]
    }
}

extension InputLayer {
    /// The layer a graph's `nn.Input` makes (not a constructor of its own).
    public static let summary = "A graph input of a per-sample shape; nn.Input makes it."
}
