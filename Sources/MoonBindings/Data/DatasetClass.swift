import LuaKit
import MoonData
import MoonEngine

/// The dataset class: fields `x`, `y`, `class_names`, `name`, `classes`; `#ds`; `ds[i]`;
/// methods `split`, `subset`, `shuffle`, `select`, `item`, `batches`, `class_counts`.
enum DatasetClass {
    static func install(_ L: LuaState) {
        L.defineClass(datasetMeta, name: "dataset", doc: """
            A data set in memory. Fields: ds.x (inputs, samples along dim 1, e.g. N x 1 x 28 x 28), \
            ds.y (the label tensor {N}, or a table of named target tensors such as {hour=, minute=}), \
            ds.class_names (a Lua array; ds.class_names[label + 1] names a label), ds.name, \
            ds.classes (the number of classes). #ds is the number of samples; ds[i] gives sample i \
            (1-based) as a table {x_i, y_i, x=x_i, y=y_i} (Lua indexing yields one value; \
            ds:item(i) returns x_i, y_i as two). Operations return new datasets.
            """, methods: methods, metamethods: metamethods, index: index)
    }

    static func selfDataset(_ L: LuaState, _ fn: String) throws -> Dataset { try L.dataset(1, fn) }

    nonisolated(unsafe) static let methods: [LuaMethod] = [
        LuaMethod("split", "ds:split(fraction, {seed=, stratify=false}) --> first, second", """
            Splits at random into two datasets: `fraction` of the samples (rounded) and the rest. \
            stratify=true keeps each class's proportion in both parts (stratify="name" picks \
            the named target holding the classes). seed makes the split reproducible; without \
            it the global generator (moonlab.seed) draws it.
            """) { L in
            let fn = "dataset:split"
            let ds = try selfDataset(L, fn)
            let fraction = try L.number(2, fn)
            if !L.isNoneOrNil(3) { try L.checkTable(3, fn, "an option table {seed=, stratify=}") }
            try L.checkOptionKeys(3, fn, ["seed", "stratify"])
            let gen = try L.generator(seedOption: 3, fn)
            var stratify = false
            var target: String?
            if L.type(3) == .table {
                L.getField(3, "stratify")
                defer { L.pop() }
                switch L.type(-1) {
                case .nil: break
                case .boolean: stratify = L.toBool(-1)
                case .string: stratify = true; target = L.toString(-1)
                default: throw LuaError("\(fn): option 'stratify' must be a boolean or a target name, got \(L.describe(-1))")
                }
            }
            let (a, b) = try naming(fn) {
                try ds.split(fraction: fraction, stratify: stratify, target: target, generator: gen)
            }
            L.push(a); L.push(b)
            return 2
        },
        LuaMethod("subset", "ds:subset(first[, last]) --> dataset", """
            Samples first..last (1-based, inclusive; last defaults to the end; negative counts \
            from the end), sharing memory with ds: train:subset(1, 5000).
            """) { L in
            let fn = "dataset:subset"
            let ds = try selfDataset(L, fn)
            let a = try L.samplePosition(try L.integer(2, fn), count: ds.count, fn)
            let b = L.isNoneOrNil(3) ? ds.count - 1
                : try L.samplePosition(try L.integer(3, fn), count: ds.count, fn)
            guard a <= b else {
                throw LuaError("\(fn): first (\(a + 1)) must not exceed last (\(b + 1))")
            }
            L.push(try naming(fn) { try ds.subset(a..<(b + 1)) })
            return 1
        },
        LuaMethod("shuffle", "ds:shuffle([seed]) --> dataset", """
            The samples in a random order: from `seed` when given, else from the global \
            generator (moonlab.seed). The same seed gives the same order.
            """) { L in
            let fn = "dataset:shuffle"
            let ds = try selfDataset(L, fn)
            let gen = L.isNoneOrNil(2) ? RandomGenerator.global
                : RandomGenerator(seed: UInt64(bitPattern: Int64(try L.integer(2, fn))))
            L.push(try naming(fn) { try ds.shuffled(generator: gen) })
            return 1
        },
        LuaMethod("select", "ds:select(positions) --> dataset", """
            The samples at the given 1-based positions (a Lua array or a 1-d tensor), in that \
            order, copied: ds:select{1, 5, 9}.
            """) { L in
            let fn = "dataset:select"
            let ds = try selfDataset(L, fn)
            let idx = try L.samplePositions(2, count: ds.count, fn)
            L.push(try naming(fn) { try ds.rows(idx) })
            return 1
        },
        LuaMethod("item", "ds:item(i) --> x_i, y_i", """
            Sample i (1-based; negative from the end): its input tensor and its label (a number), \
            or its target tensor, or a table of named targets.
            """) { L in
            let fn = "dataset:item"
            let ds = try selfDataset(L, fn)
            let i = try L.samplePosition(try L.integer(2, fn), count: ds.count, fn)
            let (x, y) = try naming(fn) { try ds.item(i) }
            L.push(x)
            try L.push(itemTargets: y)
            return 2
        },
        LuaMethod("batches", "ds:batches(size, {shuffle=false, seed=, drop_last=false})", """
            The same as data.batches(ds, size, opts): a for-iterator over minibatches x, y.
            """) { L in
            try DataModule.batches(L, "dataset:batches")
        },
        LuaMethod("class_counts", "ds:class_counts([target]) --> {n_0, n_1, ...}", """
            How many samples each class has, as a Lua array: entry k + 1 counts label k.
            """) { L in
            let fn = "dataset:class_counts"
            let ds = try selfDataset(L, fn)
            let target = L.isNoneOrNil(2) ? nil : try L.string(2, fn)
            L.push(array: try naming(fn) { try ds.classCounts(target: target) })
            return 1
        },
    ]

    nonisolated(unsafe) static let metamethods: [(String, LuaFunction)] = [
        ("__len", { L in L.push(try L.dataset(1, "#dataset").count); return 1 }),
        ("__tostring", { L in L.push(try L.dataset(1, "tostring").description); return 1 }),
        ("__newindex", { L in
            throw LuaError("dataset: fields are read-only (tried to set \(L.describe(2))); make a new dataset with select, subset, shuffle or split")
        }),
    ]

    /// Keys the method table does not answer: `ds[i]` and the fields.
    nonisolated(unsafe) static let index: LuaFunction = { L in
        let ds = try L.dataset(1, "dataset index")
        if L.type(2) == .number {
            guard let i = L.toInteger(2) else {
                throw LuaError("dataset[\(L.describe(2))]: positions are integers")
            }
            let fn = "dataset[\(i)]"
            let (x, y) = try naming(fn) { try ds.item(try L.samplePosition(i, count: ds.count, fn)) }
            L.newTable(arrayCount: 2, fieldCount: 2)
            L.push(x); L.pushValue(-1); L.setField(-3, "x"); L.rawSet(-2, 1)
            try L.push(itemTargets: y); L.pushValue(-1); L.setField(-3, "y"); L.rawSet(-2, 2)
            return 1
        }
        guard L.type(2) == .string, let key = L.toString(2) else { L.pushNil(); return 1 }
        switch key {
        case "x": L.push(ds.x)
        case "y": L.push(targets: ds.targets)
        case "class_names":
            if let names = ds.classNames { L.push(array: names) } else { L.pushNil() }
        case "name": L.push(ds.name)
        case "classes":
            if let k = ds.classCount { L.push(k) } else { L.pushNil() }
        default: L.pushNil()
        }
        return 1
    }
}
