import MoonKernels

/// Reductions over all elements (giving a 0-d tensor) or over one dim.
extension Tensor {
    /// Sizes of this tensor's elements seen as {outer, n, inner} around dim `d`.
    func split(around d: Int) -> (outer: Int, n: Int, inner: Int) {
        (shape[..<d].reduce(1, *), shape[d], shape[(d + 1)...].reduce(1, *))
    }

    /// Shape after reducing dim `d`.
    func reducedShape(_ d: Int, keepdim: Bool) -> [Int] {
        var s = shape
        if keepdim { s[d] = 1 } else { s.remove(at: d) }
        return s
    }

    /// The sum of all elements, as a 0-d tensor.
    public func sum() throws -> Tensor {
        let x = try contiguousRaw(op: "sum")
        let out = Tensor(Float(sumAll(x.base, x.count)))
        let inShape = shape
        return out.recording("sum", [self]) { g in [try g.expand(inShape)] }
    }

    /// Sums over `dim`; `keepdim` keeps it with size 1.
    public func sum(dim: Int, keepdim: Bool = false) throws -> Tensor {
        let d = try Shape.normalize(dim: dim, rank: rank, op: "sum")
        let x = try contiguousRaw(op: "sum")
        let (outer, n, inner) = split(around: d)
        let out = try Tensor.empty(reducedShape(d, keepdim: keepdim), op: "sum")
        sumAlongDim(x.base, out.base, outer: outer, n: n, inner: inner)
        let inShape = shape, kept = reducedShape(d, keepdim: true)
        return out.recording("sum", [self]) { g in [try g.reshape(kept).expand(inShape)] }
    }

    /// Sums over several dims.
    public func sum(dims: [Int], keepdim: Bool = false) throws -> Tensor {
        let ds = Set(try dims.map { try Shape.normalize(dim: $0, rank: rank, op: "sum") }).sorted(by: >)
        var r = self
        for d in ds { r = try r.sum(dim: d, keepdim: true) }
        if keepdim { return r }
        var s = shape
        for d in ds { s.remove(at: d) }
        return try r.reshape(s)
    }

    /// The mean of all elements, as a 0-d tensor.
    public func mean() throws -> Tensor { try sum().div(Float(count)) }

    /// The mean over `dim`.
    public func mean(dim: Int, keepdim: Bool = false) throws -> Tensor {
        let d = try Shape.normalize(dim: dim, rank: rank, op: "mean")
        return try sum(dim: d, keepdim: keepdim).div(Float(shape[d]))
    }

    /// Variance over all elements, or over `dim`. Unbiased (divides by n − 1) by default,
    /// as PyTorch; `unbiased: false` divides by n.
    public func variance(dim: Int? = nil, unbiased: Bool = true, keepdim: Bool = false) throws -> Tensor {
        let divisor: Int
        if let dim {
            let d = try Shape.normalize(dim: dim, rank: rank, op: "var")
            divisor = unbiased ? shape[d] - 1 : shape[d]
            let deviation = try sub(try mean(dim: d, keepdim: true))
            return try deviation.square().sum(dim: d, keepdim: keepdim).div(Float(divisor))
        }
        divisor = unbiased ? count - 1 : count
        return try sub(try mean()).square().sum().div(Float(divisor))
    }

    /// Standard deviation: the square root of `variance` (same options).
    public func std(dim: Int? = nil, unbiased: Bool = true, keepdim: Bool = false) throws -> Tensor {
        try variance(dim: dim, unbiased: unbiased, keepdim: keepdim).sqrt()
    }

    /// The largest element, as a 0-d tensor (NaN if any element is NaN).
    public func max() throws -> Tensor { try extreme(op: "max", largest: true) }
    /// The smallest element, as a 0-d tensor.
    public func min() throws -> Tensor { try extreme(op: "min", largest: false) }

    /// Largest values over `dim` and their 0-based positions (first on ties).
    public func max(dim: Int, keepdim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try extreme(dim: dim, keepdim: keepdim, op: "max", largest: true)
    }

    /// Smallest values over `dim` and their 0-based positions (first on ties).
    public func min(dim: Int, keepdim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try extreme(dim: dim, keepdim: keepdim, op: "min", largest: false)
    }

    /// 0-based position of the largest element over `dim`, or in the flattened tensor.
    public func argmax(dim: Int? = nil, keepdim: Bool = false) throws -> Tensor {
        if let dim { return try max(dim: dim, keepdim: keepdim).indices }
        return Tensor(Float(try flatExtreme(op: "argmax", largest: true)))
    }

    /// 0-based position of the smallest element over `dim`, or in the flattened tensor.
    public func argmin(dim: Int? = nil, keepdim: Bool = false) throws -> Tensor {
        if let dim { return try min(dim: dim, keepdim: keepdim).indices }
        return Tensor(Float(try flatExtreme(op: "argmin", largest: false)))
    }

    private func flatExtreme(op: String, largest: Bool) throws -> Int {
        guard count > 0 else { throw TensorError(in: op, "cannot reduce an empty tensor of shape \(shapeText(shape))") }
        let x = try contiguousRaw(op: op), p = x.base
        var best = 0
        for i in 1..<count where beats(p[i], p[best], largest) { best = i }
        return best
    }

    private func extreme(op: String, largest: Bool) throws -> Tensor {
        let position = try flatExtreme(op: op, largest: largest)
        let x = try contiguousRaw(op: op)
        let inShape = shape
        return Tensor(x.base[position]).recording(op, [self]) { g in
            let grad = try Tensor.zeros(inShape)
            grad.base[position] = g.base[0]
            return [grad]
        }
    }

    private func extreme(dim: Int, keepdim: Bool, op: String, largest: Bool) throws -> (values: Tensor, indices: Tensor) {
        let d = try Shape.normalize(dim: dim, rank: rank, op: op)
        guard shape[d] > 0 else {
            throw TensorError(in: op, "cannot reduce dim \(d + 1) of size 0 in shape \(shapeText(shape))")
        }
        let x = try contiguousRaw(op: op)
        let (outer, n, inner) = split(around: d)
        let outShape = reducedShape(d, keepdim: keepdim)
        let values = try Tensor.empty(outShape, op: op), indices = try Tensor.empty(outShape, op: op)
        let p = x.base, v = values.base, ix = indices.base
        Threads.parallelFor(outer * inner, minPerThread: Swift.max(1, parallelGrain / n)) { _, range in
            for u in range {
                let o = u / inner, i = u % inner
                let start = p + o * n * inner + i
                var best = 0
                for j in 1..<n where beats(start[j * inner], start[best * inner], largest) { best = j }
                v[u] = start[best * inner]
                ix[u] = Float(best)
            }
        }
        let inShape = shape, kept = reducedShape(d, keepdim: true)
        values.recording(op, [self]) { g in
            [try Tensor.zeros(inShape).scatterAdd(d, index: indices.reshape(kept), source: g.reshape(kept))]
        }
        return (values, indices)
    }
}

/// Whether `v` should replace `best` as the extreme; NaN wins, as in PyTorch.
@inline(__always)
func beats(_ v: Float, _ best: Float, _ largest: Bool) -> Bool {
    if v.isNaN { return !best.isNaN }
    return largest ? v > best : v < best
}

/// Sum of `n` floats: 8-lane float partial sums over short blocks, added in double, in
/// an order that does not depend on the thread count.
func sumAll(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
    let block = 65_536
    let blocks = (n + block - 1) / block
    if blocks <= 1 { return sumBlock(p, n) }
    var partial = [Double](repeating: 0, count: blocks)
    partial.withUnsafeMutableBufferPointer { out in
        let o = out.baseAddress!
        Threads.parallelFor(blocks, minPerThread: 1) { _, range in
            for b in range { o[b] = sumBlock(p + b * block, Swift.min(block, n - b * block)) }
        }
    }
    return partial.reduce(0, +)
}

@inline(__always)
func sumBlock(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
    let raw = UnsafeRawPointer(p)
    var total = 0.0, i = 0
    while i + 8 <= n {
        var acc = SIMD8<Float>(repeating: 0)
        let end = Swift.min(n, i + 1024) - 7
        while i < end {
            acc += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        total += Double(acc.sum())
    }
    while i < n { total += Double(p[i]); i += 1 }
    return total
}

/// Σ (p[i] − mean)² over `n` floats, summed like `sumBlock` (8-lane float partials over short
/// blocks, added in double).
func squaredDeviationBlock(_ p: UnsafePointer<Float>, _ n: Int, mean: Float) -> Double {
    let raw = UnsafeRawPointer(p), m = SIMD8<Float>(repeating: mean)
    var total = 0.0, i = 0
    while i + 8 <= n {
        var acc = SIMD8<Float>(repeating: 0)
        let end = Swift.min(n, i + 1024) - 7
        while i < end {
            let d = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - m
            acc += d * d
            i += 8
        }
        total += Double(acc.sum())
    }
    while i < n { let d = Double(p[i]) - Double(mean); total += d * d; i += 1 }
    return total
}

/// (Σ g[i], Σ g[i]·(x[i] − mean)) over `n` floats, summed like `sumBlock`: a batch norm's
/// backward sums for one block of a channel.
func gradientMomentsBlock(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int,
                          mean: Float) -> (Double, Double) {
    let rg = UnsafeRawPointer(g), rx = UnsafeRawPointer(x), m = SIMD8<Float>(repeating: mean)
    var sumG = 0.0, sumGX = 0.0, i = 0
    while i + 8 <= n {
        var a = SIMD8<Float>(repeating: 0), b = SIMD8<Float>(repeating: 0)
        let end = Swift.min(n, i + 1024) - 7
        while i < end {
            let gv = rg.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let d = rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - m
            a += gv
            b += gv * d
            i += 8
        }
        sumG += Double(a.sum()); sumGX += Double(b.sum())
    }
    while i < n { sumG += Double(g[i]); sumGX += Double(g[i]) * (Double(x[i]) - Double(mean)); i += 1 }
    return (sumG, sumGX)
}

/// `out[o, i] = Σ_j x[o, j, i]` for contiguous `x` seen as {outer, n, inner}.
func sumAlongDim(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int) {
    if inner == 1 {
        Threads.parallelFor(outer, minPerThread: Swift.max(1, parallelGrain / Swift.max(n, 1))) { _, range in
            for o in range { out[o] = Float(sumBlock(x + o * n, n)) }
        }
        return
    }
    func columns(_ o: Int, _ cols: Range<Int>) {
        let dst = out + o * inner, src = x + o * n * inner
        for i in cols { dst[i] = 0 }
        for j in 0..<n {
            let row = src + j * inner
            for i in cols { dst[i] += row[i] }
        }
    }
    if outer > 1 {
        Threads.parallelFor(outer, minPerThread: Swift.max(1, parallelGrain / Swift.max(n * inner, 1))) { _, range in
            for o in range { columns(o, 0..<inner) }
        }
    } else {
        Threads.parallelFor(inner, minPerThread: Swift.max(16, parallelGrain / Swift.max(n, 1))) { _, range in
            columns(0, range)
        }
    }
}
