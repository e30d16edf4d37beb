/// Shape arithmetic shared by every operation: counting, strides, broadcasting, dims.
enum Shape {
    /// `{2,3}`: how shapes appear in error messages.
    static func describe(_ shape: [Int]) -> String {
        "{" + shape.map(String.init).joined(separator: ",") + "}"
    }

    /// `2x3`, or `scalar` for a 0-d tensor: how shapes appear in a tensor's printed footer.
    static func footer(_ shape: [Int]) -> String {
        shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: "x")
    }

    /// A dim as the user wrote it: 1-based when non-negative, unchanged when negative.
    static func userDim(_ dim: Int) -> String { dim >= 0 ? String(dim + 1) : String(dim) }

    /// The number of elements of `shape`, refusing negative sizes and overflow.
    static func elementCount(_ shape: [Int], op: String) throws -> Int {
        if let bad = shape.first(where: { $0 < 0 }) {
            throw TensorError(in: op, "negative size \(bad) in shape \(describe(shape))")
        }
        // Even an empty tensor's other dims must multiply within Int: strides, views and
        // reductions multiply them ({0, 2^40, 2^40} is refused, not carried along).
        if shape.contains(0) {
            var span = 1
            for d in shape where d > 0 {
                let (p, overflow) = span.multipliedReportingOverflow(by: d)
                if overflow { throw TensorError(in: op, "shape \(describe(shape)) is too large (its sizes multiply beyond \(Int.max))") }
                span = p
            }
            return 0
        }
        var n = 1
        for d in shape {
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            if overflow {
                let bytes = shape.reduce(Double(MemoryLayout<Float>.stride)) { $0 * Double($1) }
                throw TensorError(in: op, "cannot allocate \(formatBytes(bytes)) bytes for shape \(describe(shape))")
            }
            n = p
        }
        return n
    }

    static func formatBytes(_ bytes: Double) -> String {
        bytes < 9e18 ? String(Int(bytes)) : String(format: "%.3g", bytes)
    }

    /// Row-major strides of a contiguous tensor.
    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var s = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = s
            // Wrapping: only an empty tensor ({0, 2^53, 2^53}) can get here with a product
            // beyond Int, and its strides are never used to address anything.
            s = s &* max(shape[i], 1)   // never wraps: elementCount refused such shapes
        }
        return strides
    }

    /// The NumPy broadcast of two shapes.
    /// Whether `part`, without its leading 1s, is the trailing dims of `whole` (so a contiguous
    /// `part` repeats along `whole`'s leading dims, as a bias {K} does along {N, K}), and is
    /// not empty.
    static func isTrailing(_ part: [Int], of whole: [Int]) -> Bool {
        let core = part.drop { $0 == 1 }
        guard !core.isEmpty, core.count <= whole.count, core.reduce(1, *) > 0 else { return false }
        return Array(whole.suffix(core.count)) == Array(core)
    }

    static func broadcast(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        if a == b { return a }
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else {
                throw TensorError(in: op, "shapes \(describe(a)) and \(describe(b)) cannot be broadcast together")
            }
        }
        return out
    }

    /// Strides that read a tensor of `shape`/`strides` as if broadcast to `target`
    /// (0 along new leading dims and along dims of size 1 that grow).
    static func broadcastStrides(_ shape: [Int], _ strides: [Int], to target: [Int]) -> [Int] {
        let lead = target.count - shape.count
        var out = [Int](repeating: 0, count: target.count)
        for i in 0..<shape.count where shape[i] == target[lead + i] && shape[i] != 1 {
            out[lead + i] = strides[i]
        }
        return out
    }

    /// Resolves a 0-based dim, negative counting from the end, for a tensor of `rank` dims.
    static func normalize(dim: Int, rank: Int, op: String) throws -> Int {
        let d = dim < 0 ? dim + rank : dim
        guard d >= 0 && d < rank else {
            throw TensorError(in: op, "dim \(userDim(dim)) out of range for a \(rank)-d tensor")
        }
        return d
    }

    /// Strides that view memory laid out as `shape`/`strides` with `newShape`, without
    /// copying; nil when no such view exists (PyTorch's `computeStride`).
    static func viewStrides(_ shape: [Int], _ strides: [Int], as newShape: [Int]) -> [Int]? {
        if shape.contains(0) || shape.isEmpty { return contiguousStrides(newShape) }
        var newStrides = [Int](repeating: 0, count: newShape.count)
        var viewD = newShape.count - 1
        var chunkBase = strides[strides.count - 1]
        var tensorNumel = 1, viewNumel = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            tensorNumel *= shape[d]
            if d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBase) {
                while viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1) {
                    newStrides[viewD] = viewNumel * chunkBase
                    viewNumel *= newShape[viewD]
                    viewD -= 1
                }
                if viewNumel != tensorNumel { return nil }
                if d > 0 { chunkBase = strides[d - 1]; tensorNumel = 1; viewNumel = 1 }
            }
        }
        return viewD == -1 ? newStrides : nil
    }
}
