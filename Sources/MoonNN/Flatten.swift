import MoonEngine

/// Flattens each sample to one dim: `{C, H, W}` becomes `{C·H·W}` (in C, H, W order).
public final class Flatten: Layer, ConfigurableLayer {
    public let options = NoOptions()
    public init(config: NoOptions = NoOptions(), name: String = "") { super.init(name: name) }
    public static var className: String { "Flatten" }
    public override var kind: String { Self.className }
    public override var namePrefix: String { "flatten" }
    public override func build(inputShape: [Int]) throws -> [Int] { [inputShape.reduce(1, *)] }
    public override func forward(_ x: Tensor) throws -> Tensor {
        guard x.rank >= 1 else { throw TensorError("Flatten: expected a batch, got a 0-d tensor") }
        return x.rank == 2 ? x : try x.reshape([x.shape[0], x.count / Swift.max(x.shape[0], 1)])
    }
    public override var description: String {
        "Flatten(" + (inputShape.map { "\(shapeText($0)) -> {\($0.reduce(1, *))}" } ?? "") + ")"
    }
}

/// Reshapes each sample to `targetShape` (one entry may be -1, inferred).
public final class Reshape: Layer, ConfigurableLayer {
    public let options: ReshapeOptions
    public var targetShape: [Int] { options.shape }

    public init(config options: ReshapeOptions, name: String = "") throws {
        let target = options.shape
        guard target.filter({ $0 == -1 }).count <= 1, target.allSatisfy({ $0 >= 1 || $0 == -1 }) else {
            throw TensorError("Reshape: target shape \(shapeText(target)) must have positive sizes and at most one -1")
        }
        self.options = options
        super.init(name: name)
    }

    public convenience init(_ targetShape: [Int], name: String = "") throws {
        try self.init(name: name) { $0.shape = targetShape }
    }

    public static var className: String { "Reshape" }
    public override var kind: String { Self.className }
    public override var namePrefix: String { "reshape" }

    public override func build(inputShape: [Int]) throws -> [Int] {
        let total = inputShape.reduce(1, *)
        let known = targetShape.filter { $0 != -1 }.reduce(1, *)
        var out = targetShape
        if let i = out.firstIndex(of: -1) {
            guard known > 0, total % known == 0 else {
                throw TensorError("Reshape: cannot reshape \(shapeText(inputShape)) to \(shapeText(targetShape))")
            }
            out[i] = total / known
        }
        guard out.reduce(1, *) == total else {
            throw TensorError("Reshape: cannot reshape \(shapeText(inputShape)) (\(total) values) to \(shapeText(targetShape))")
        }
        return out
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        guard let outputShape else { throw TensorError("Reshape: layer \(displayName) is not built") }
        return try x.reshape([x.shape[0]] + outputShape)
    }

    public override var config: JSONValue { options.json }
    public override var description: String { "Reshape(\(shapeText(targetShape)))" }
}

/// `nn.Reshape(shape)`.
public struct ReshapeOptions: Options {
    public var shape: [Int] = []
    public init() {}
    public static var fields: [OptionField<ReshapeOptions>] {
        [.argument("shape", \.shape, "the per-sample shape; one size may be -1")]
    }
}

extension Flatten {
    /// What `nn.Flatten` does, for help.
    public static let summary = "Flattens each sample to one dim: {C,H,W} to {C*H*W}."
}

extension Reshape {
    /// What `nn.Reshape` does, for help.
    public static let summary = "Reshapes each sample to shape (one size may be -1)."
}
