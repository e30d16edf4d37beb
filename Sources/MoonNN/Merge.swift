import MoonEngine

/// Adds its inputs elementwise; they must have one shape.
public final class Add: MergeLayer {
    public override init(name: String = "") { super.init(name: name) }
    public override var kind: String { "Add" }
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
public final class Concatenate: MergeLayer {
    public let axis: Int

    public init(axis: Int = 1, name: String = "") throws {
        guard axis >= 1 else { throw TensorError("Concatenate: axis must be 1 or more (per-sample dims, 1-based), got \(axis)") }
        self.axis = axis
        super.init(name: name)
    }

    public override var kind: String { "Concatenate" }
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
    public override var config: [String: Any] { ["axis": axis] }
    public override var description: String { "Concatenate(axis \(axis))" }

    public static func fromConfig(_ c: [String: Any], name: String) throws -> Concatenate {
        try Concatenate(axis: try ConfigReader(c, owner: "Concatenate").int("axis", default: 1), name: name)
    }
}
