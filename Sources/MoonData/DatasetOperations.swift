import MoonEngine

/// Combining and transforming datasets: concatenation, per-sample maps, k-fold splits and
/// fixed pixel permutations.
extension Fields {
    /// The tensors of several structures of the same kind (checked by the caller) joined
    /// along the samples.
    static func concat(_ parts: [Fields]) throws -> Fields {
        switch parts[0] {
        case .single: return .single(try Tensor.cat(parts.map { $0.single! }, dim: 0))
        case .named(let list):
            return .named(try list.map { entry in (entry.name, try Tensor.cat(parts.map { $0[entry.name]! }, dim: 0)) })
        }
    }
}

extension Dataset {
    // MARK: concat

    /// The samples of several datasets one after the other, copied. Input and target
    /// structure (names and per-sample shapes) must agree; class names are kept when all
    /// datasets have the same ones (or only the first has any).
    public static func concat(_ parts: [Dataset], name: String? = nil) throws -> Dataset {
        guard let first = parts.first else { throw DataError(in: "concat", "needs at least one dataset") }
        for (k, d) in parts.enumerated().dropFirst() {
            let which = "dataset \(k + 1) (\(d.name))", one = "dataset 1 (\(first.name))"
            guard d.inputs.names == first.inputs.names else {
                throw DataError(in: "concat", "\(which) has inputs \(d.inputs.describeNames(single: "x")), \(one) \(first.inputs.describeNames(single: "x"))")
            }
            for (a, b) in zip(first.inputs.tensors, d.inputs.tensors) where a.shape.dropFirst() != b.shape.dropFirst() {
                throw DataError(in: "concat", "\(which) has samples of shape \(shapeText(Array(b.shape.dropFirst()))), \(one) \(shapeText(Array(a.shape.dropFirst())))")
            }
            guard d.targets.names == first.targets.names else {
                throw DataError(in: "concat", "\(which) has targets \(d.targets.describeNames(single: "y")), \(one) \(first.targets.describeNames(single: "y"))")
            }
            for (a, b) in zip(first.targets.tensors, d.targets.tensors) where a.shape.dropFirst() != b.shape.dropFirst() {
                throw DataError(in: "concat", "\(which) has targets of shape \(shapeText(Array(b.shape.dropFirst()))) a sample, \(one) \(shapeText(Array(a.shape.dropFirst())))")
            }
            if let names = d.classNames, let firstNames = first.classNames, names != firstNames {
                throw DataError(in: "concat", "\(which) names its classes differently from \(one)")
            }
        }
        return try Dataset(name: name ?? parts.map(\.name).joined(separator: " + "),
                           inputs: try Fields.concat(parts.map(\.inputs)),
                           targets: try Fields.concat(parts.map(\.targets)), classNames: first.classNames)
    }

    // MARK: map

    /// A new dataset of `f` applied to every sample, in order. `f` receives a sample's input
    /// (`{1, 28, 28}`) and targets (0-d tensors for labels) and returns new ones; nil
    /// targets keep the sample's own. Every sample must give the same input shape and target
    /// structure; the results are stacked.
    public func map(_ f: (Int, Tensor, Targets) throws -> (Tensor, Targets?)) throws -> Dataset {
        _ = try singleInput("map")
        var xs: [Tensor] = []
        var ys: [[Tensor]] = []
        xs.reserveCapacity(count)
        var names: [String]?? = nil
        for i in 0..<count {
            let (x, y) = try item(i)
            let (x2, y2) = try f(i, x, y)
            let t = y2 ?? y
            if let names, names != t.names {
                throw DataError(in: "map", "sample \(i + 1) returned targets \(t.names?.joined(separator: ", ") ?? "y"), sample 1 \(names?.joined(separator: ", ") ?? "y")")
            }
            names = .some(t.names)
            if let x0 = xs.first, x0.shape != x2.shape {
                throw DataError(in: "map", "sample \(i + 1) returned x of shape \(shapeText(x2.shape)), sample 1 \(shapeText(x0.shape))")
            }
            let tensors = t.tensors
            if let y0 = ys.first {
                for (a, b) in zip(y0, tensors) where a.shape != b.shape {
                    throw DataError(in: "map", "sample \(i + 1) returned a target of shape \(shapeText(b.shape)), sample 1 \(shapeText(a.shape))")
                }
            }
            xs.append(x2.requiresGrad ? x2.detach() : x2)
            ys.append(tensors)
        }
        guard !xs.isEmpty else { return self }
        let x = try Tensor.stack(xs, dim: 0)
        let stacked = try (0..<ys[0].count).map { k in try Tensor.stack(ys.map { $0[k] }, dim: 0) }
        let targets: Targets
        if let n = names!, !n.isEmpty {
            targets = .named(Array(zip(n, stacked)).map { ($0.0, $0.1) })
        } else {
            targets = .single(stacked[0])
        }
        return try Dataset(name: name, x: x, targets: targets, classNames: classNames)
    }

    // MARK: k-fold

    /// The validation positions of `k` folds: disjoint, covering every sample, sizes within
    /// one of each other, each sorted. The samples are dealt in a random order drawn from
    /// `generator`; with `stratify` they are grouped by class first, so every fold holds
    /// each class in proportion (within one sample).
    public func kfoldIndices(_ k: Int, stratify: Bool = false, target: String? = nil,
                             generator: RandomGenerator = .global) throws -> [[Int]] {
        guard k >= 2 else { throw DataError(in: "kfold", "k must be at least 2, got \(k)") }
        guard k <= count else { throw DataError(in: "kfold", "k = \(k) folds need at least \(k) samples, the dataset has \(count)") }
        var order: [Int]
        if stratify {
            let labels = try classLabels(target: target, op: "kfold")
            let classes = (labels.max() ?? 0) + 1
            try Allocation.check(count: classes, bytesEach: MemoryLayout<[Int]>.stride, op: "kfold", what: "\(classes) classes")
            var groups: [[Int]] = Array(repeating: [], count: classes)
            for (i, l) in labels.enumerated() { groups[l].append(i) }
            order = []
            order.reserveCapacity(count)
            for g in groups { order += generator.permutation(g.count).map { g[$0] } }
        } else {
            order = generator.permutation(count)
        }
        var folds = [[Int]](repeating: [], count: k)
        for (j, i) in order.enumerated() { folds[j % k].append(i) }
        return folds.map { $0.sorted() }
    }

    /// The training and validation datasets of fold `fold` (0-based) of `folds`.
    public func fold(_ fold: Int, of folds: [[Int]]) throws -> (train: Dataset, validation: Dataset) {
        guard fold >= 0 && fold < folds.count else { throw DataError(in: "kfold", "fold \(fold + 1) out of range 1..\(folds.count)") }
        var inValidation = [Bool](repeating: false, count: count)
        for i in folds[fold] { inValidation[i] = true }
        let train = (0..<count).filter { !inValidation[$0] }
        return (try rows(train), try rows(folds[fold]))
    }

    // MARK: pixel permutation

    /// The dataset with one fixed permutation of pixel positions applied to every sample
    /// (see `PixelPermutation.apply`).
    public func permutingPixels(_ perm: [Int]) throws -> Dataset {
        let x = try singleInput("permute_pixels")
        return try Dataset(name: name, x: try PixelPermutation.apply(perm, to: x, sampleDims: x.rank - 1),
                    targets: targets, classNames: classNames)
    }
}

/// Fixed permutations of pixel positions, as in the permuted-MNIST test of MLPs and CNNs.
public enum PixelPermutation {
    /// A random permutation of 0..<n: new position i takes old position `perm[i]`.
    public static func random(_ n: Int, generator: RandomGenerator = .global) throws -> [Int] {
        guard n >= 1 else { throw DataError(in: "permutation", "n must be at least 1, got \(n)") }
        // The positions, and the Lua array they become (16 bytes an entry).
        try Allocation.check(count: n, bytesEach: MemoryLayout<Int>.stride + 16, op: "permutation", what: "a permutation of \(n)")
        return generator.permutation(n)
    }

    /// The inverse: applying `inverse(p)` after `p` restores the original order.
    public static func inverse(_ perm: [Int]) throws -> [Int] {
        try check(perm, "inverse_permutation")
        var inv = [Int](repeating: 0, count: perm.count)
        for (i, p) in perm.enumerated() { inv[p] = i }
        return inv
    }

    /// Fails unless `perm` holds each of 0..<count exactly once.
    static func check(_ perm: [Int], _ op: String) throws {
        var seen = [Bool](repeating: false, count: perm.count)
        for (i, p) in perm.enumerated() {
            guard p >= 0 && p < perm.count else {
                throw DataError(in: op, "entry \(i + 1) is \(p + 1), outside 1..\(perm.count)")
            }
            guard !seen[p] else { throw DataError(in: op, "position \(p + 1) appears twice: not a permutation") }
            seen[p] = true
        }
    }

    /// `x` with the permutation applied to its trailing dims: the last dims whose sizes
    /// multiply to `perm.count` (within the last `sampleDims`) are flattened, and new
    /// position i takes old position `perm[i]` there. A permutation of H*W pixels thus moves
    /// every channel of every image alike; one of C*H*W values moves them all.
    public static func apply(_ perm: [Int], to x: Tensor, sampleDims: Int) throws -> Tensor {
        try check(perm, "permute_pixels")
        var inner = 1, dims = 0
        while inner < perm.count && dims < min(sampleDims, x.rank) {
            inner *= x.shape[x.rank - 1 - dims]
            dims += 1
        }
        guard inner == perm.count, dims >= 1 else {
            throw DataError(in: "permute_pixels", "a permutation of \(perm.count) positions does not match the trailing dims of shape \(shapeText(x.shape)) (e.g. \(x.rank >= 2 ? "\(x.shape[x.rank - 1] * x.shape[x.rank - 2]) for H*W" : "\(x.shape.last ?? 1)"))")
        }
        let src = x.isContiguous ? x : try x.contiguous()
        let outer = x.count / max(inner, 1)
        let y = try Tensor.make(x.shape, op: "permute_pixels") { _ in }
        try src.withUnsafeMutableBufferPointer { s in
            try y.withUnsafeMutableBufferPointer { d in
                let box = UncheckedSendable((s.baseAddress!, d.baseAddress!))
                perm.withUnsafeBufferPointer { p in
                    let pb = UncheckedSendable(p.baseAddress!)
                    parallelChunks(outer, minPerChunk: max(1, (1 << 18) / max(inner, 1))) { range in
                        let (sp, dp) = box.value
                        for o in range {
                            let a = sp + o * inner, b = dp + o * inner
                            for i in 0..<inner { b[i] = a[pb.value[i]] }
                        }
                    }
                }
            }
        }
        return y
    }
}
