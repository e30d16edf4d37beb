import MoonEngine

/// One tensor, or several named ones kept in the order given, with the samples along dim 0
/// of each: a dataset's inputs (one image tensor, or named inputs for a graph with several
/// `nn.Input`s) and its targets (one tensor of labels `{N}`, or named ones such as `hour`
/// and `minute` for a model with several outputs).
public enum Fields {
    case single(Tensor)
    case named([(name: String, values: Tensor)])

    /// The tensors, in order.
    public var tensors: [Tensor] {
        switch self {
        case .single(let t): return [t]
        case .named(let list): return list.map(\.values)
        }
    }

    /// The names of named tensors; nil for a single one.
    public var names: [String]? {
        if case .named(let list) = self { return list.map(\.name) }
        return nil
    }

    /// The single tensor; nil for named ones.
    public var single: Tensor? {
        if case .single(let t) = self { return t }
        return nil
    }

    /// The named tensor `name`; nil if there is none of that name.
    public subscript(name: String) -> Tensor? {
        if case .named(let list) = self { return list.first { $0.name == name }?.values }
        return nil
    }

    /// The same structure with every tensor transformed (row selection, slicing).
    public func map(_ f: (Tensor) throws -> Tensor) rethrows -> Fields {
        switch self {
        case .single(let t): return .single(try f(t))
        case .named(let list): return .named(try list.map { ($0.name, try f($0.values)) })
        }
    }

    /// `"y"`-style label for messages: the names joined, or `single` for one tensor.
    func describeNames(single: String) -> String { names?.joined(separator: ", ") ?? single }

    /// Checks the structure (names, one or several) and the number of samples: every tensor
    /// rank ≥ 1 with `n` rows. `what` is "target"/"input", `single` how one tensor is called,
    /// `against` the tensor that set `n` and `shape` its shape (for the message).
    func check(samples n: Int, what: String, single: String, dataset: String, against: String, shape: [Int]) throws {
        if case .named(let list) = self {
            guard !list.isEmpty else { throw DataError("dataset \(dataset): named \(what)s need at least one entry") }
            var seen = Set<String>()
            for (key, _) in list where !seen.insert(key).inserted {
                throw DataError("dataset \(dataset): \(what) name '\(key)' appears twice")
            }
        }
        for (i, t) in tensors.enumerated() {
            let label = names.map { "\(what) '\($0[i])'" } ?? single
            guard t.rank >= 1, t.shape[0] == n else {
                throw DataError("dataset \(dataset): \(label) has shape \(shapeText(t.shape)) but \(against) holds \(n) samples \(shapeText(shape)): the counts must agree")
            }
        }
    }
}

/// What a dataset's samples are labelled with.
public typealias Targets = Fields
/// What a dataset feeds a model: one tensor `x`, or named inputs.
public typealias Inputs = Fields

/// A data set in memory: inputs with the samples along dim 0 (one tensor `x`, `{N, 1, 28, 28}`
/// for MNIST, or named inputs for graphs with several `nn.Input`s), their targets, and
/// optionally what each class label means.
///
/// Positions in this Swift API are 0-based; the Lua bindings convert from 1-based. Datasets
/// are values: every operation returns a new dataset. `subset` shares storage with its
/// source (a view); `rows`, `shuffled` and `split` copy the selected rows.
public final class Dataset {
    /// A short name for printing (`fashion-mnist train`).
    public let name: String
    /// Inputs, samples along dim 0, contiguous: one tensor or named ones.
    public let inputs: Inputs
    /// Labels or named targets, samples along dim 0.
    public let targets: Targets
    /// `classNames[k]` names label k; nil when the labels carry no names.
    public let classNames: [String]?
    /// Number of samples.
    public let count: Int

    /// A dataset of inputs and targets with as many samples; every tensor is made contiguous.
    public init(name: String, inputs: Inputs, targets: Targets, classNames: [String]? = nil) throws {
        guard let first = inputs.tensors.first, first.rank >= 1 else {
            throw DataError("dataset \(name): x must have the samples along dim 1, got \(inputs.tensors.isEmpty ? "no input" : "a 0-d tensor")")
        }
        let n = first.shape[0]
        let against = inputs.names.map { "input '\($0[0])'" } ?? "x"
        try inputs.check(samples: n, what: "input", single: "x", dataset: name, against: against, shape: first.shape)
        try targets.check(samples: n, what: "target", single: "y", dataset: name, against: against, shape: first.shape)
        self.name = name
        self.inputs = try inputs.map { $0.isContiguous ? $0 : try $0.contiguous() }
        self.targets = try targets.map { $0.isContiguous ? $0 : try $0.contiguous() }
        self.classNames = classNames
        self.count = n
    }

    /// A dataset of one input tensor `x` and targets.
    public convenience init(name: String, x: Tensor, targets: Targets, classNames: [String]? = nil) throws {
        try self.init(name: name, inputs: .single(x), targets: targets, classNames: classNames)
    }

    /// A dataset with one label tensor.
    public convenience init(name: String, x: Tensor, y: Tensor, classNames: [String]? = nil) throws {
        try self.init(name: name, x: x, targets: .single(y), classNames: classNames)
    }

    /// The single label tensor; nil for named targets.
    public var y: Tensor? { targets.single }

    /// The input tensor; for named inputs the first of them (operations on one image tensor
    /// ask `singleInput` instead, which refuses named inputs).
    public var x: Tensor { inputs.tensors[0] }

    /// Whether the inputs are named (a dataset for a graph with several inputs).
    public var hasNamedInputs: Bool { inputs.names != nil }

    /// The one input tensor, for operations that transform or read images (`op` names the
    /// operation in the error raised for named inputs).
    public func singleInput(_ op: String) throws -> Tensor {
        if let names = inputs.names {
            throw DataError("dataset \(name) has named inputs (\(names.joined(separator: ", "))); \(op) works on a dataset with one input x")
        }
        return x
    }

    /// The shape of one sample (`[1, 28, 28]`); of the first input when they are named.
    public var sampleShape: [Int] { Array(x.shape.dropFirst()) }

    /// Number of classes: the class names' count, else one more than the largest label of
    /// a 1-d integral single target; nil when neither applies.
    public var classCount: Int? {
        if let classNames { return classNames.count }
        guard let y, y.rank == 1, count > 0 else { return nil }
        let values = y.toArray()
        guard values.allSatisfy({ $0 >= 0 && $0 == $0.rounded() }) else { return nil }
        return Int(values.max() ?? 0) + 1
    }

    /// Sample `i` (0-based) of a dataset with one input: its input (a view, `{1, 28, 28}`) and
    /// targets (0-d tensors for 1-d labels).
    public func item(_ i: Int) throws -> (x: Tensor, y: Targets) {
        _ = try singleInput("item")
        let (inputs, y) = try sample(i)
        return (inputs.tensors[0], y)
    }

    /// Sample `i` (0-based): its inputs (views) and targets.
    public func sample(_ i: Int) throws -> (inputs: Inputs, targets: Targets) {
        guard i >= 0 && i < count else {
            throw DataError("dataset \(name): position \(i + 1) out of range 1..\(count)")
        }
        return (try inputs.map { try $0.select(0, i) }, try targets.map { try $0.select(0, i) })
    }

    /// A new dataset of the samples at `indices` (0-based, in that order, repeats allowed),
    /// copied into contiguous tensors.
    public func rows(_ indices: [Int]) throws -> Dataset {
        if let bad = indices.firstIndex(where: { $0 < 0 || $0 >= count }) {
            throw DataError("dataset \(name): position \(indices[bad] + 1) (entry \(bad + 1) of the selection) out of range 1..\(count)")
        }
        return try Dataset(name: name, inputs: try inputs.map { try $0.indexSelect(0, indices) },
                           targets: try targets.map { try $0.indexSelect(0, indices) }, classNames: classNames)
    }

    /// The samples in `range` (0-based, half-open), as views sharing this dataset's storage.
    public func subset(_ range: Range<Int>) throws -> Dataset {
        guard range.lowerBound >= 0, range.upperBound <= count else {
            throw DataError("dataset \(name): subset \(range.lowerBound + 1)..\(range.upperBound) out of range 1..\(count)")
        }
        return try Dataset(name: name, inputs: try inputs.map { try $0.narrow(0, range.lowerBound, range.count) },
                           targets: try targets.map { try $0.narrow(0, range.lowerBound, range.count) },
                           classNames: classNames)
    }

    /// The samples in a random order drawn from `generator`.
    public func shuffled(generator: RandomGenerator = .global) throws -> Dataset {
        try rows(generator.permutation(count))
    }

    /// Integer class labels of a 1-d target (the single one, or the named `target`), checked.
    public func classLabels(target: String? = nil, op: String = "labels") throws -> [Int] {
        let t: Tensor
        if let target {
            guard let named = targets[target] else {
                throw DataError(in: op, "dataset \(name) has no target '\(target)' (targets: \(targets.names?.joined(separator: ", ") ?? "one unnamed y"))")
            }
            t = named
        } else {
            guard let single = targets.single else {
                throw DataError(in: op, "dataset \(name) has named targets (\(targets.names!.joined(separator: ", "))): say which one holds the classes")
            }
            t = single
        }
        guard t.rank == 1 else {
            throw DataError(in: op, "class labels must be a 1-d tensor, got shape \(shapeText(t.shape))")
        }
        let values = t.toArray()
        var out: [Int] = []
        out.reserveCapacity(values.count)
        for (i, v) in values.enumerated() {
            guard v >= 0, v == v.rounded(), v < 1e7 else {
                throw DataError(in: op, "label \(v) at position \(i + 1) is not a class id (an integer 0..K-1)")
            }
            out.append(Int(v))
        }
        return out
    }

    /// How many samples each class has (index k: label k); needs integer labels.
    public func classCounts(target: String? = nil) throws -> [Int] {
        let labels = try classLabels(target: target, op: "class_counts")
        let classes = max(classCount ?? 0, (labels.max() ?? -1) + 1)
        try Allocation.check(count: classes, bytesEach: MemoryLayout<Int>.stride, op: "class_counts", what: "\(classes) classes")
        var counts = [Int](repeating: 0, count: classes)
        for l in labels { counts[l] += 1 }
        return counts
    }

    /// The positions of a random split: `fraction` of the samples (rounded) in the first
    /// part, the rest in the second, each part in random order. With `stratify`, each class
    /// keeps its proportion in both parts (largest-remainder rounding, so the first part
    /// still holds `round(fraction * N)` samples); `target` names the label tensor of a
    /// dataset with named targets.
    public func splitIndices(fraction: Double, stratify: Bool = false, target: String? = nil,
                             generator: RandomGenerator = .global) throws -> (first: [Int], second: [Int]) {
        guard fraction.isFinite, fraction > 0, fraction < 1 else {
            throw DataError(in: "split", "fraction must lie strictly between 0 and 1, got \(fraction)")
        }
        let k = Int((fraction * Double(count)).rounded())
        guard k >= 1 && k <= count - 1 else {
            throw DataError(in: "split", "fraction \(fraction) of \(count) samples leaves a part empty (\(k) and \(count - k))")
        }
        if !stratify {
            let p = generator.permutation(count)
            return (Array(p[..<k]), Array(p[k...]))
        }
        let labels = try classLabels(target: target, op: "split")
        let classes = (labels.max() ?? 0) + 1
        try Allocation.check(count: classes, bytesEach: MemoryLayout<[Int]>.stride, op: "split", what: "\(classes) classes")
        var groups: [[Int]] = Array(repeating: [], count: classes)
        for (i, l) in labels.enumerated() { groups[l].append(i) }
        // Quotas: floor of each class's exact share, then the remainder to the largest fractions.
        let exact = groups.map { fraction * Double($0.count) }
        var quota = exact.map { Int($0.rounded(.down)) }
        let order = exact.indices.sorted { a, b in
            let ra = exact[a] - Double(quota[a]), rb = exact[b] - Double(quota[b])
            return ra != rb ? ra > rb : a < b
        }
        var missing = k - quota.reduce(0, +)
        for c in order where missing > 0 && quota[c] < groups[c].count {
            quota[c] += 1
            missing -= 1
        }
        var first: [Int] = [], second: [Int] = []
        first.reserveCapacity(k); second.reserveCapacity(count - k)
        for (c, members) in groups.enumerated() where !members.isEmpty {
            let p = generator.permutation(members.count)
            for (j, m) in p.enumerated() {
                if j < quota[c] { first.append(members[m]) } else { second.append(members[m]) }
            }
        }
        let pf = generator.permutation(first.count), ps = generator.permutation(second.count)
        return (pf.map { first[$0] }, ps.map { second[$0] })
    }

    /// Two datasets holding a random `fraction` of the samples and the rest (see `splitIndices`).
    public func split(fraction: Double, stratify: Bool = false, target: String? = nil,
                      generator: RandomGenerator = .global) throws -> (Dataset, Dataset) {
        let (a, b) = try splitIndices(fraction: fraction, stratify: stratify, target: target, generator: generator)
        return (try rows(a), try rows(b))
    }
}

extension Dataset: CustomStringConvertible {
    /// `dataset fashion-mnist train: 60000 x {1,28,28}, 10 classes`.
    public var description: String {
        var s = "dataset \(name): \(count) x "
        if case .named(let list) = inputs {
            s += "{" + list.map { "\($0.name)=\(shapeText(Array($0.values.shape.dropFirst())))" }.joined(separator: ", ") + "}"
        } else {
            s += shapeText(sampleShape)
        }
        if let names = targets.names { s += ", targets " + names.joined(separator: ", ") }
        if let k = classNames?.count { s += ", \(k) classes" }
        return s
    }
}
