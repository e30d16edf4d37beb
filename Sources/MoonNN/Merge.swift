import MoonEngine

/// Adds its inputs elementwise; they must have one shape.
public final class Add: MergeLayer, ConfigurableLayer {
    public let options = NoOptions()
    public init(config: NoOptions = NoOptions(), name: String = "") { super.init(name: name) }
    public static var className: String { "Add" }
    public override var kind: String { Self.className }
    public override var namePrefix: String { "add" }

    public override func build(inputShapes: [[Int]]) throws -> [Int] {
        guard let first = inputShapes.first, inputShapes.count >= 2 else {
            throw TensorError("Add: needs at least two inputs, got \(inputShapes.count)")
        }
        for s in inputShapes where s != first {
            throw TensorError("Add: inputs must have one shape, got \(inputShapes.map(shapeText).joined(separator: ", "))")
        }
        return first
    }

    public override func forward(inputs: [Tensor]) throws -> Tensor {
        guard var total = inputs.first else { throw TensorError("Add: needs inputs") }
        for t in inputs.dropFirst() { total = try total.add(t) }
        return total
    }

    public override var description: String { "Add()" }
}

/// Joins its inputs along a per-sample dim (`axis`, 1-based, default 1: features of flat
/// inputs, channels of images); the other dims must agree.
public final class Concatenate: MergeLayer, ConfigurableLayer {
    public let options: ConcatenateOptions
    public var axis: Int { options.axis }

    public init(config options: ConcatenateOptions, name: String = "") throws {
        guard options.axis >= 1 else { throw TensorError("Concatenate: axis must be 1 or more (per-sample dims, 1-based), got \(options.axis)") }
        self.options = options
        super.init(name: name)
    }

    public convenience init(axis: Int = ConcatenateOptions().axis, name: String = "") throws {
        try self.init(name: name) { $0.axis = axis }
    }

    public static var className: String { "Concatenate" }
    public override var kind: String { Self.className }
    public override var namePrefix: String { "concatenate" }

    public override func build(inputShapes: [[Int]]) throws -> [Int] {
        guard let first = inputShapes.first, inputShapes.count >= 2 else {
            throw TensorError("Concatenate: needs at least two inputs, got \(inputShapes.count)")
        }
        let a = axis - 1
        guard a < first.count else {
            throw TensorError("Concatenate: axis \(axis) out of range for inputs of shape \(shapeText(first))")
        }
        var out = first
        out[a] = 0
        for s in inputShapes {
            var rest = s
            guard s.count == first.count else {
                throw TensorError("Concatenate: inputs must have the same rank, got \(inputShapes.map(shapeText).joined(separator: ", "))")
            }
            rest[a] = 0
            var f = first
            f[a] = 0
            guard rest == f else {
                throw TensorError("Concatenate: inputs differ outside axis \(axis): \(inputShapes.map(shapeText).joined(separator: ", "))")
            }
            out[a] += s[a]
        }
        return out
    }

    public override func forward(inputs: [Tensor]) throws -> Tensor { try Tensor.cat(inputs, dim: axis) }
    public override var config: JSONValue { options.json }
    public override var description: String { "Concatenate(axis \(axis))" }
}

/// `nn.Concatenate({axis=1})`.
public struct ConcatenateOptions: Options {
    public var axis = 1
    public init() {}
    public static var fields: [OptionField<ConcatenateOptions>] {
        [OptionField("axis", \.axis, "the per-sample dim to join along (1: features or channels)")]
    }
}

extension Add {
    /// What `nn.Add` does, for help.
    public static let summary = "Adds several graph nodes of one shape: nn.Add()({a, b})."
}

extension Concatenate {
    /// What `nn.Concatenate` does, for help.
    public static let summary = "Joins graph nodes along a per-sample dim: nn.Concatenate()({a, b})."
}
