import LuaKit
import MoonEngine

/// Reading tensors, scalars, shapes and dims from Lua, and pushing tensors back.
/// Lua positions and dims are 1-based; the engine's are 0-based: converted only here.
let tensorMeta: StaticString = "moonlab.tensor"

/// Bytes of Swift memory a tensor object costs beside its values (shape, strides, header).
private let tensorOverheadBytes = 320

extension LuaState {
    /// Pushes a tensor, telling Lua's collector the memory the new userdata keeps alive (its
    /// values and header), so loops making tensors stay flat. Only what Lua holds is counted:
    /// the engine's own temporaries (a fit's activations and gradients) are freed as they go.
    func push(_ t: Tensor) {
        LuaState.noteAllocation(bytes: tensorOverheadBytes + t.count * MemoryLayout<Float>.stride)
        push(object: t, metatable: tensorMeta)
    }

    /// Pushes a tensor entry: integral values as Lua integers (labels print as `3`, not `3.0`).
    func push(entry v: Float) {
        if v == v.rounded(), Swift.abs(v) < 9.0e15 { push(Int(v)) } else { push(Double(v)) }
    }

    func tensorOrNil(_ index: Int32) -> Tensor? { object(index, tensorMeta, as: Tensor.self) }

    func tensor(_ index: Int32) throws -> Tensor { try object(index, tensorMeta, as: Tensor.self, expected: "a tensor") }

    /// A tensor, or a number turned into a 0-d tensor.
    func tensorOrNumber(_ index: Int32) throws -> Tensor {
        if let t = tensorOrNil(index) { return t }
        if type(index) == .number, let v = toNumber(index) { return Tensor(Float(v)) }
        throw argumentError(index, "a tensor or a number")
    }

    /// A shape given as a table `{2, 3}` or as integers `2, 3` starting at `index`.
    func shape(from index: Int32) throws -> [Int] {
        let dims: [Int]
        if type(index) == .table {
            dims = try integerArray(index, "a table of sizes")
        } else {
            var out: [Int] = []
            var i = index
            while i <= top && type(i) == .number {
                guard let v = toInteger(i) else { throw argumentError(i, "an integer size") }
                out.append(v); i += 1
            }
            if out.isEmpty { throw argumentError(index, "a table of sizes like {2, 3}") }
            dims = out
        }
        for d in dims where d < 0 {
            throw fail("sizes must be non-negative, got {\(dims.map(String.init).joined(separator: ","))}")
        }
        return dims
    }

    /// A 1-based (or negative, from the end) dim turned into the engine's 0-based dim.
    func dim(_ index: Int32, rank: Int) throws -> Int {
        let d = try integer(index)
        return try zeroBasedDim(d, rank: rank)
    }

    func optionalDim(_ index: Int32, rank: Int) throws -> Int? {
        isNoneOrNil(index) ? nil : try dim(index, rank: rank)
    }

    func zeroBasedDim(_ d: Int, rank: Int) throws -> Int {
        guard rank > 0 else { throw fail("dim \(d) out of range: a 0-d tensor (a scalar) has no dims") }
        let r = rank
        if d >= 1 && d <= r { return d - 1 }
        if d <= -1 && d >= -r { return r + d }
        throw fail("dim \(d) out of range for a \(rank)-d tensor (valid: 1..\(r) or -\(r)..-1)")
    }

    /// A list of tensors from the table at `index` (for `cat`, `stack`).
    /// Integers (1-based positions, unchecked for range) from a Lua array or a 1-d tensor; a
    /// tensor entry that is not an integer (NaN, 2.5, 1e30) is an error.
    func positions(_ index: Int32) throws -> [Int] {
        guard let t = tensorOrNil(index) else { return try integerArray(index, "a Lua array or 1-d tensor of positions") }
        guard t.rank == 1 else { throw fail("positions must be a 1-d tensor, got shape \(shapeText(t.shape))") }
        return try t.toArray().enumerated().map { (k, v) in
            guard let n = Int(exactly: v) else { throw fail("position \(v) (entry \(k + 1)) is not an integer") }
            return n
        }
    }

    func tensorList(_ index: Int32) throws -> [Tensor] {
        try checkTable(index, "a table of tensors")
        let n = rawLength(index)
        var out: [Tensor] = []
        for i in 0..<n {
            rawGet(index, i + 1)
            defer { pop() }
            guard let t = tensorOrNil(-1) else {
                throw fail("element \(i + 1) of the list is \(describe(-1)), not a tensor")
            }
            out.append(t)
        }
        if out.isEmpty { throw fail("needs at least one tensor") }
        return out
    }

    /// Reads a number or nested Lua arrays of numbers into flat values and a shape.
    func nestedNumbers(_ index: Int32) throws -> (values: [Float], shape: [Int]) {
        var values: [Float] = []
        var shape: [Int] = []
        func walk(_ idx: Int32, depth: Int, path: String) throws {
            if type(idx) == .number {
                if depth != shape.count && !(depth == 0 && shape.isEmpty) {
                    throw fail("ragged nested table: a number at \(path) where a table of length \(shape[depth]) belongs")
                }
                values.append(Float(toNumber(idx) ?? 0))
                return
            }
            guard type(idx) == .table else {
                let hint = tensorOrNil(idx) != nil ? " (use tensor.stack to combine tensors)" : ""
                throw fail("expected numbers, found \(describe(idx)) at \(path)\(hint)")
            }
            // Checked before going deeper: a table nested 100,000 deep must not exhaust the stack.
            if depth >= 64 { throw fail("nested too deeply (more than 64 levels) at \(path.prefix(60))...") }
            let n = rawLength(idx)
            if depth == shape.count {
                guard values.isEmpty else {
                    throw fail("ragged nested table: a table at \(path) where a number belongs")
                }
                shape.append(n)
            } else if shape[depth] != n {
                throw fail("ragged nested table: length \(n) at \(path), expected \(shape[depth])")
            }
            try ensureStack(4)
            for i in 1...max(n, 1) where i <= n {
                rawGet(idx, i)
                defer { pop() }
                try walk(absolute(-1), depth: depth + 1, path: path + "[\(i)]")
            }
        }
        try walk(absolute(index), depth: 0, path: "value")
        return (values, shape)
    }
}


/// A tensor passed where a value is read as JSON (a plot's series, a heatmap's matrix) stands
/// for its values as nested arrays.
extension Tensor: LuaJSONRepresentable {
    public var jsonValue: JSONValue { json }
}
