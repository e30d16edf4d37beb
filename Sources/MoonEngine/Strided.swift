import MoonKernels

/// Elements a thread should get at least before work is split across cores.
let parallelGrain = 32_768

/// A loop over one shape shared by several operands, each with its own strides (0 where it
/// is broadcast). Dims of size 1 are dropped and dims that stay adjacent in memory for every
/// operand are merged, so the innermost loop is as long as possible.
struct LoopPlan {
    private(set) var sizes: [Int]
    private(set) var strides: [[Int]]
    private(set) var rows = 1

    init(shape: [Int], strides operands: [[Int]]) {
        sizes = []
        strides = Array(repeating: [], count: operands.count)
        for d in shape.indices where shape[d] != 1 {
            sizes.append(shape[d])
            for k in operands.indices { strides[k].append(operands[k][d]) }
        }
        var i = sizes.count - 2
        while i >= 0 {
            if strides.allSatisfy({ $0[i] == $0[i + 1] * sizes[i + 1] }) {
                sizes[i] *= sizes[i + 1]
                sizes.remove(at: i + 1)
                for k in strides.indices { strides[k][i] = strides[k][i + 1]; strides[k].remove(at: i + 1) }
            }
            i -= 1
        }
        if sizes.isEmpty {
            sizes = [1]
            strides = Array(repeating: [0], count: operands.count)
        }
        rows = sizes.dropLast().reduce(1, *)
    }

    /// Length of the innermost loop.
    var inner: Int { sizes[sizes.count - 1] }
    /// Stride of operand `k` along the innermost loop.
    func innerStride(_ k: Int) -> Int { strides[k][sizes.count - 1] }

    /// Calls `body(offsets)` for each row in `range`, `offsets[k]` being operand k's element
    /// offset at the row's start.
    @inline(__always)
    func forRows(_ range: Range<Int>, _ body: (UnsafePointer<Int>) -> Void) {
        if range.isEmpty { return }
        let outerRank = sizes.count - 1, ops = strides.count
        withUnsafeTemporaryAllocation(of: Int.self, capacity: outerRank + ops) { buffer in
            let index = buffer.baseAddress!, offsets = index + outerRank
            for k in 0..<ops { offsets[k] = 0 }
            var r = range.lowerBound
            var d = outerRank - 1
            while d >= 0 {
                index[d] = r % sizes[d]
                r /= sizes[d]
                for k in 0..<ops { offsets[k] += index[d] * strides[k][d] }
                d -= 1
            }
            for _ in range {
                body(offsets)
                var d = outerRank - 1
                while d >= 0 {
                    index[d] += 1
                    for k in 0..<ops { offsets[k] += strides[k][d] }
                    if index[d] < sizes[d] { break }
                    for k in 0..<ops { offsets[k] -= strides[k][d] * sizes[d] }
                    index[d] = 0
                    d -= 1
                }
            }
        }
    }

    /// Runs the rows on both cores when there is enough work.
    @inline(__always)
    func parallelRows(_ body: (UnsafePointer<Int>) -> Void) {
        Threads.parallelFor(rows, minPerThread: max(1, parallelGrain / max(inner, 1))) { _, range in
            forRows(range, body)
        }
    }
}

extension Tensor {
    /// Copies `source`, broadcast to this tensor's shape, into this tensor's memory.
    func assign(from source: Tensor) {
        if count == 0 { return }
        let plan = LoopPlan(shape: shape, strides: [
            strides, Shape.broadcastStrides(source.shape, source.strides, to: shape)])
        let dst = base, src = source.base
        let n = plan.inner, ds = plan.innerStride(0), ss = plan.innerStride(1)
        plan.parallelRows { off in
            let d = dst + off[0], s = src + off[1]
            if ds == 1 && ss == 1 {
                d.update(from: s, count: n)
            } else if ss == 0 {
                let v = s[0]
                for i in 0..<n { d[i * ds] = v }
            } else {
                for i in 0..<n { d[i * ds] = s[i * ss] }
            }
        }
    }

    /// A contiguous tensor with this tensor's values: itself when already contiguous.
    /// Records no graph.
    func contiguousRaw(op: String = "contiguous") throws -> Tensor {
        if isContiguous { return self }
        let out = try Tensor.empty(shape, op: op)
        out.assign(from: self)
        return out
    }
}

/// `out[i] = f(x[i])` over any layout.
@inline(__always)
func mapKernel(_ x: Tensor, op: String, _ f: (Float) -> Float) throws -> Tensor {
    let out = try Tensor.empty(x.shape, op: op)
    let n = out.count
    if n == 0 { return out }
    let o = out.base, p = x.base
    if x.isContiguous {
        Threads.parallelFor(n, minPerThread: parallelGrain) { _, r in
            for i in r { o[i] = f(p[i]) }
        }
    } else {
        let plan = LoopPlan(shape: x.shape, strides: [out.strides, x.strides])
        let inner = plan.inner, xs = plan.innerStride(1)
        plan.parallelRows { off in
            let d = o + off[0], s = p + off[1]
            for i in 0..<inner { d[i] = f(s[i * xs]) }
        }
    }
    return out
}

/// `out = f(a, b)` with NumPy broadcasting; fast paths for same-shape contiguous operands
/// and for one scalar operand.
@inline(__always)
func zipKernel(_ a: Tensor, _ b: Tensor, op: String, _ f: (Float, Float) -> Float) throws -> Tensor {
    let shape = try Shape.broadcast(a.shape, b.shape, op: op)
    let out = try Tensor.empty(shape, op: op)
    let n = out.count
    if n == 0 { return out }
    let o = out.base, pa = a.base, pb = b.base
    if a.count == n && b.count == n && a.isContiguous && b.isContiguous {
        Threads.parallelFor(n, minPerThread: parallelGrain) { _, r in
            for i in r { o[i] = f(pa[i], pb[i]) }
        }
    } else if b.count == 1 && a.count == n && a.isContiguous {
        let s = pb[0]
        Threads.parallelFor(n, minPerThread: parallelGrain) { _, r in
            for i in r { o[i] = f(pa[i], s) }
        }
    } else if a.count == 1 && b.count == n && b.isContiguous {
        let s = pa[0]
        Threads.parallelFor(n, minPerThread: parallelGrain) { _, r in
            for i in r { o[i] = f(s, pb[i]) }
        }
    } else if a.count == n && a.isContiguous && b.isContiguous && Shape.isTrailing(b.shape, of: shape) {
        // A row broadcast along the leading dims (a bias {K} added to {N, K}): row by row.
        let m = b.count
        Threads.parallelFor(n / m, minPerThread: Swift.max(1, parallelGrain / m)) { _, rows in
            for row in rows { let x = pa + row * m, d = o + row * m; for j in 0..<m { d[j] = f(x[j], pb[j]) } }
        }
    } else if b.count == n && b.isContiguous && a.isContiguous && Shape.isTrailing(a.shape, of: shape) {
        let m = a.count
        Threads.parallelFor(n / m, minPerThread: Swift.max(1, parallelGrain / m)) { _, rows in
            for row in rows { let y = pb + row * m, d = o + row * m; for j in 0..<m { d[j] = f(pa[j], y[j]) } }
        }
    } else {
        let plan = LoopPlan(shape: shape, strides: [
            out.strides,
            Shape.broadcastStrides(a.shape, a.strides, to: shape),
            Shape.broadcastStrides(b.shape, b.strides, to: shape)])
        let inner = plan.inner, sa = plan.innerStride(1), sb = plan.innerStride(2)
        plan.parallelRows { off in
            let d = o + off[0], x = pa + off[1], y = pb + off[2]
            if sa == 1 && sb == 1 {
                for i in 0..<inner { d[i] = f(x[i], y[i]) }
            } else if sb == 0 {
                let v = y[0]
                for i in 0..<inner { d[i] = f(x[i * sa], v) }
            } else if sa == 0 {
                let v = x[0]
                for i in 0..<inner { d[i] = f(v, y[i * sb]) }
            } else {
                for i in 0..<inner { d[i] = f(x[i * sa], y[i * sb]) }
            }
        }
    }
    return out
}

/// `out = f(a, b, c)` with NumPy broadcasting of all three.
@inline(__always)
func zip3Kernel(_ a: Tensor, _ b: Tensor, _ c: Tensor, op: String,
                _ f: (Float, Float, Float) -> Float) throws -> Tensor {
    let shape = try Shape.broadcast(try Shape.broadcast(a.shape, b.shape, op: op), c.shape, op: op)
    let out = try Tensor.empty(shape, op: op)
    let n = out.count
    if n == 0 { return out }
    let o = out.base, pa = a.base, pb = b.base, pc = c.base
    if a.count == n && b.count == n && c.count == n && a.isContiguous && b.isContiguous && c.isContiguous {
        Threads.parallelFor(n, minPerThread: parallelGrain) { _, r in
            for i in r { o[i] = f(pa[i], pb[i], pc[i]) }
        }
    } else {
        let plan = LoopPlan(shape: shape, strides: [
            out.strides,
            Shape.broadcastStrides(a.shape, a.strides, to: shape),
            Shape.broadcastStrides(b.shape, b.strides, to: shape),
            Shape.broadcastStrides(c.shape, c.strides, to: shape)])
        let inner = plan.inner
        let sa = plan.innerStride(1), sb = plan.innerStride(2), sc = plan.innerStride(3)
        plan.parallelRows { off in
            let d = o + off[0], x = pa + off[1], y = pb + off[2], z = pc + off[3]
            for i in 0..<inner { d[i] = f(x[i * sa], y[i * sb], z[i * sc]) }
        }
    }
    return out
}
