import Foundation

extension Tensor {
    /// An uninitialized contiguous tensor; `op` names the caller in allocation errors.
    static func empty(_ shape: [Int], op: String, zeroed: Bool = false) throws -> Tensor {
        let n = try Shape.elementCount(shape, op: op)
        return Tensor(storage: try TensorStorage(count: n, zeroed: zeroed, op: op, shape: shape), shape: shape)
    }

    /// A contiguous tensor whose elements `fill` writes (e.g. from a file).
    public static func make(_ shape: [Int], op: String = "tensor",
                            _ fill: (UnsafeMutableBufferPointer<Float>) throws -> Void) throws -> Tensor {
        let t = try empty(shape, op: op)
        try fill(UnsafeMutableBufferPointer(start: t.base, count: t.count))
        return t
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) throws -> Tensor {
        try empty(shape, op: "zeros", zeroed: true)
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) throws -> Tensor { try full(shape, 1, op: "ones") }

    /// A tensor with every element `value`.
    public static func full(_ shape: [Int], _ value: Float) throws -> Tensor {
        try full(shape, value, op: "full")
    }

    static func full(_ shape: [Int], _ value: Float, op: String) throws -> Tensor {
        let t = try empty(shape, op: op)
        t.base.initialize(repeating: value, count: t.count)
        return t
    }

    /// Zeros of another tensor's shape.
    public static func zeros(like t: Tensor) throws -> Tensor { try zeros(t.shape) }
    /// Ones of another tensor's shape.
    public static func ones(like t: Tensor) throws -> Tensor { try ones(t.shape) }

    /// A 0-d tensor (scalar) holding `value`.
    public convenience init(_ value: Float) {
        // Four bytes; failing to get them is not a user error.
        let storage = try! TensorStorage(count: 1, zeroed: false, op: "scalar", shape: [])
        storage.pointer[0] = value
        self.init(storage: storage, shape: [])
    }

    /// A tensor of `shape` holding `values` in row-major order.
    public convenience init(_ values: [Float], shape: [Int]) throws {
        let n = try Shape.elementCount(shape, op: "tensor")
        guard n == values.count else {
            throw TensorError(in: "tensor", "\(values.count) values do not fill shape \(shapeText(shape)) (\(n) elements)")
        }
        let storage = try TensorStorage(count: n, zeroed: false, op: "tensor", shape: shape)
        values.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: n) }
        self.init(storage: storage, shape: shape)
    }

    /// A 1-d tensor holding `values`.
    public convenience init(_ values: [Float]) {
        try! self.init(values, shape: [values.count])
    }

    /// A tensor from nested arrays of numbers (`[[1, 2, 3], [4, 5, 6]]` gives shape {2,3}),
    /// or from a single number (a 0-d tensor). Rows must have equal lengths.
    public static func from(nested value: Any) throws -> Tensor {
        var shape: [Int] = []
        var probe: Any = value
        while let array = probe as? [Any] {
            shape.append(array.count)
            guard let first = array.first else { break }
            probe = first
        }
        var values: [Float] = []
        values.reserveCapacity(try Shape.elementCount(shape, op: "from"))
        func walk(_ v: Any, _ depth: Int, _ path: [Int]) throws {
            if depth == shape.count {
                guard let x = number(v) else {
                    throw TensorError(in: "from", "element at position {\(path.map { String($0 + 1) }.joined(separator: ","))} is not a number")
                }
                values.append(x)
                return
            }
            guard let array = v as? [Any], array.count == shape[depth] else {
                let what = (v as? [Any]).map { "has \($0.count) elements" } ?? "is not a list"
                throw TensorError(in: "from", "ragged nesting: the entry at position {\(path.map { String($0 + 1) }.joined(separator: ","))} \(what), expected \(shape[depth])")
            }
            for (i, x) in array.enumerated() { try walk(x, depth + 1, path + [i]) }
        }
        try walk(value, 0, [])
        return try Tensor(values, shape: shape)
    }

    private static func number(_ v: Any) -> Float? {
        switch v {
        case let x as Float: return x
        case let x as Double: return Float(x)
        case let x as Int: return Float(x)
        case let x as Bool: return x ? 1 : 0
        default: return nil
        }
    }

    /// Values `start, start+step, …` below `end` (above it for a negative step), as a 1-d tensor.
    public static func arange(_ start: Double, _ end: Double, step: Double = 1) throws -> Tensor {
        guard step != 0, step.isFinite, start.isFinite, end.isFinite else {
            throw TensorError(in: "arange", "needs finite bounds and a non-zero step, got \(start), \(end), step \(step)")
        }
        let n = Swift.max(0, (end - start) / step).rounded(.up)
        guard n < 1e15 else {
            throw TensorError(in: "arange", "\(start) to \(end) in steps of \(step) is too long")
        }
        let t = try empty([Int(n)], op: "arange")
        for i in 0..<t.count { t.base[i] = Float(start + Double(i) * step) }
        return t
    }

    /// The `n`×`m` identity matrix (`m` defaults to `n`).
    public static func eye(_ n: Int, _ m: Int? = nil) throws -> Tensor {
        let cols = m ?? n
        guard n >= 0, cols >= 0 else { throw TensorError(in: "eye", "sizes must be non-negative, got \(n), \(cols)") }
        let t = try empty([n, cols], op: "eye", zeroed: true)
        for i in 0..<Swift.min(n, cols) { t.base[i * cols + i] = 1 }
        return t
    }

    /// Uniform random values in [`low`, `high`) from `generator`.
    public static func rand(_ shape: [Int], low: Float = 0, high: Float = 1,
                            generator: RandomGenerator = .global) throws -> Tensor {
        guard high > low else { throw TensorError(in: "rand", "high (\(high)) must exceed low (\(low))") }
        let t = try empty(shape, op: "rand")
        generator.fillUniform(t.base, count: t.count, low: low, high: high)
        return t
    }

    /// Normal random values with `mean` and standard deviation `std` from `generator`.
    public static func randn(_ shape: [Int], mean: Float = 0, std: Float = 1,
                             generator: RandomGenerator = .global) throws -> Tensor {
        guard std >= 0 else { throw TensorError(in: "randn", "std must be non-negative, got \(std)") }
        let t = try empty(shape, op: "randn")
        generator.fillNormal(t.base, count: t.count, mean: mean, std: std)
        return t
    }

    /// The elements in row-major order.
    public func toArray() -> [Float] {
        guard let c = try? contiguousRaw(op: "toArray") else { return [] }
        return Array(UnsafeBufferPointer(start: c.base, count: c.count))
    }

    /// The elements as nested arrays (`[[Float]]` for a 2-d tensor, a `Float` for a 0-d one).
    public func toNested() -> Any {
        let flat = toArray()
        func build(_ dim: Int, _ start: Int) -> Any {
            if dim == rank { return flat[start] }
            let step = shape[(dim + 1)...].reduce(1, *)
            return (0..<shape[dim]).map { build(dim + 1, start + $0 * step) }
        }
        return rank == 0 ? flat[0] : build(0, 0)
    }
}
