import LuaKit
import MoonData
import MoonEngine

/// The dataset class: fields `x`, `y`, `class_names`, `name`, `classes`; `#ds`; `ds[i]`;
/// `ds(i)`; methods `split`, `subset`, `shuffle`, `select`, `item`, `batches`,
/// `class_counts`, `map`, `concat`, `permute_pixels`.
enum DatasetClass {
    /// A sample `ds[i]` holds x and y twice ({x_i, y_i, x=, y=}) but prints them once.
    static let sampleMeta: StaticString = "moonlab.sample"

    static func install(_ L: LuaState) {
        L.defineClass(sampleMeta, methods: [], metamethods: [("__tostring", { L in
            let printer = ValuePrinter(state: L)
            L.getField(1, "x"); L.getField(1, "y")
            L.push("x = " + printer.format(-2) + "\ny = " + printer.format(-1))
            return 1
        })])
        L.defineClass(datasetMeta, name: "dataset", doc: """
            A data set in memory. Fields: ds.x (inputs, samples along dim 1, e.g. N x 1 x 28 x 28; \
            a table of named input tensors for a dataset made for a graph with several inputs), \
            ds.y (the label tensor {N}, or a table of named target tensors such as {hour=, minute=}), \
            ds.class_names (a Lua array; ds.class_names[label + 1] names a label), ds.name, \
            ds.classes (the number of classes). #ds is the number of samples; ds[i] gives sample i \
            (1-based) as a table {x_i, y_i, x=x_i, y=y_i} (Lua indexing yields one value); \
            ds(i) and ds:item(i) return x_i, y_i as two values. Operations return new datasets.
            """, methods: methods + ShowMethods.datasetMethods, metamethods: metamethods, index: index, fields: ["x", "y", "class_names", "name", "classes"])
    }

    static func selfDataset(_ L: LuaState) throws -> Dataset { try L.dataset(1) }

    nonisolated(unsafe) static let methods: [LuaMethod] = [
        LuaMethod("split", "ds", options: SplitOptions.self, leading: ["fraction"], returns: "first, second", doc: """
            Splits at random into two datasets: `fraction` of the samples (rounded) and the rest. \
            stratify=true keeps each class's proportion in both parts (stratify="name" picks \
            the named target holding the classes). seed makes the split reproducible; without \
            it the global generator (moonlab.seed) draws it.
            """) { L, o in
            let ds = try selfDataset(L)
            let fraction = try L.number(2)
            let (a, b) = try L.named {
                try ds.split(fraction: fraction, stratify: o.stratify.enabled, target: o.stratify.target, generator: o.generator)
            }
            L.push(a); L.push(b)
            return 2
        },
        LuaMethod("subset", "ds:subset(first[, last]) --> dataset", """
            Samples first..last (1-based, inclusive; last defaults to the end; negative counts \
            from the end), sharing memory with ds: train:subset(1, 5000).
            """) { L in
            let ds = try selfDataset(L)
            let a = try L.samplePosition(try L.integer(2), count: ds.count)
            let b = L.isNoneOrNil(3) ? ds.count - 1
                : try L.samplePosition(try L.integer(3), count: ds.count)
            guard a <= b else {
                throw L.fail("first (\(a + 1)) must not exceed last (\(b + 1))")
            }
            L.push(try L.named { try ds.subset(a..<(b + 1)) })
            return 1
        },
        LuaMethod("shuffle", "ds:shuffle([seed]) --> dataset", """
            The samples in a random order: from `seed` when given, else from the global \
            generator (moonlab.seed). The same seed gives the same order.
            """) { L in
            let ds = try selfDataset(L)
            let gen = L.isNoneOrNil(2) ? RandomGenerator.global
                : RandomGenerator(seed: UInt64(bitPattern: Int64(try L.integer(2))))
            L.push(try L.named { try ds.shuffled(generator: gen) })
            return 1
        },
        LuaMethod("select", "ds:select(positions) --> dataset", """
            The samples at the given 1-based positions (a Lua array or a 1-d tensor), in that \
            order, copied: ds:select{1, 5, 9}.
            """) { L in
            let ds = try selfDataset(L)
            let idx = try L.samplePositions(2, count: ds.count)
            L.push(try L.named { try ds.rows(idx) })
            return 1
        },
        LuaMethod("item", "ds:item(i) --> x_i, y_i", """
            Sample i (1-based; negative from the end): its input tensor and its label (a number), \
            or its target tensor, or a table of named targets.
            """) { L in
            let ds = try selfDataset(L)
            let i = try L.samplePosition(try L.integer(2), count: ds.count)
            let (x, y) = try L.named { try ds.sample(i) }
            L.push(fields: x)
            try L.push(itemFields: y)
            return 2
        },
        LuaMethod("batches", "ds:batches(size, {shuffle=false, seed=, drop_last=false})", """
            The same as data.batches(ds, size, opts): a for-iterator over minibatches x, y.
            """) { L in
            try DataModule.batches(L)
        },
        LuaMethod("map", "ds", options: MapOptions.self, leading: ["fn"], returns: "dataset", doc: """
            A new dataset of fn applied to every sample, eagerly, in order: fn(x_i, y_i) gets a \
            sample's input tensor (e.g. {1, 28, 28}) and its label (a number, a tensor, or a table \
            of named targets) and returns the new x_i and optionally the new y_i (nil keeps it). \
            All results must share one shape and are stacked. With {batch=true} fn is called once \
            with the whole ds.x and ds.y and returns the new x and optionally y (fast: tensor \
            operations on all samples at once).
            """) { L, o in
            let ds = try selfDataset(L)
            try L.checkFunction(2)
            if o.batch {
                L.pushValue(2)
                L.push(try L.named { try ds.singleInput("map") })
                L.push(fields: ds.targets)
                try L.call(nargs: 2, nresults: 2)
                let result: Dataset
                do {
                    defer { L.pop(2) }
                    guard let x = L.tensorOrNil(-2) else {
                        throw L.fail("the function must return a tensor x, got \(L.describe(-2))")
                    }
                    let y = try L.isNoneOrNil(-1) ? ds.targets : mapTargets(L, -1, batch: true)
                    result = try L.named {
                        try Dataset(name: ds.name, x: x.requiresGrad ? x.detach() : x, targets: y, classNames: ds.classNames)
                    }
                }
                L.push(result)
                return 1
            }
            let mapped = try L.named {
                try ds.map { i, x, y in
                    L.pushValue(2)
                    L.push(x)
                    try L.push(itemFields: y)
                    do { try L.call(nargs: 2, nresults: 2) } catch let e as LuaError {
                        throw L.fail("sample \(i + 1): \(e.message)")
                    }
                    defer { L.pop(2) }
                    guard let x2 = L.tensorOrNil(-2) else {
                        throw L.fail("sample \(i + 1): the function must return a tensor x, got \(L.describe(-2))")
                    }
                    let y2 = L.isNoneOrNil(-1) ? nil : try mapTargets(L, -1, batch: false)
                    return (x2, y2)
                }
            }
            L.push(mapped)
            return 1
        },
        LuaMethod("concat", "ds:concat(other) --> dataset", """
            The samples of ds followed by those of other (copied); the same as data.concat{ds, other}.
            """) { L in
            let ds = try selfDataset(L)
            let other = try L.dataset(2)
            L.push(try L.named { try Dataset.concat([ds, other]) })
            return 1
        },
        LuaMethod("permute_pixels", "ds:permute_pixels(perm) --> dataset", """
            The same as data.permute_pixels(ds, perm): one fixed permutation of pixel positions \
            (new position i takes old position perm[i]) applied to every image.
            """) { L in
            let ds = try selfDataset(L)
            let perm = try L.integerArray(2, "a Lua array permutation of 1..n").map { $0 - 1 }
            L.push(try L.named { try ds.permutingPixels(perm) })
            return 1
        },
        LuaMethod("class_counts", "ds:class_counts([target]) --> {n_0, n_1, ...}", """
            How many samples each class has, as a Lua array: entry k + 1 counts label k.
            """) { L in
            let ds = try selfDataset(L)
            let target = L.isNoneOrNil(2) ? nil : try L.string(2)
            L.push(array: try L.named { try ds.classCounts(target: target) })
            return 1
        },
    ]

    nonisolated(unsafe) static let metamethods: [(String, LuaFunction)] = [
        ("__len", { L in L.push(try L.dataset(1).count); return 1 }),
        ("__call", { L in
            let ds = try L.dataset(1)
            guard L.type(2) == .number, let i = L.toInteger(2) else {
                throw LuaError("dataset(i): the position must be an integer, got \(L.describe(2))")
            }
            L.fn = "dataset(\(i))"
            let (x, y) = try L.named { try ds.sample(try L.samplePosition(i, count: ds.count)) }
            L.push(fields: x)
            try L.push(itemFields: y)
            return 2
        }),
        ("__tostring", { L in L.push(try L.dataset(1).description); return 1 }),
        ("__newindex", { L in
            throw LuaError("dataset: fields are read-only (tried to set \(L.describe(2))); make a new dataset with select, subset, shuffle or split")
        }),
    ]

    /// Keys the method table does not answer: `ds[i]` and the fields.
    nonisolated(unsafe) static let index: LuaFunction = { L in
        let ds = try L.dataset(1)
        if L.type(2) == .number {
            guard let i = L.toInteger(2) else {
                throw LuaError("dataset[\(L.describe(2))]: positions are integers")
            }
            L.fn = "dataset[\(i)]"
            let (x, y) = try L.named { try ds.sample(try L.samplePosition(i, count: ds.count)) }
            L.newTable(arrayCount: 2, fieldCount: 2)
            L.push(fields: x); L.pushValue(-1); L.setField(-3, "x"); L.rawSet(-2, 1)
            try L.push(itemFields: y); L.pushValue(-1); L.setField(-3, "y"); L.rawSet(-2, 2)
            L.setMetatable(-1, named: sampleMeta)
            return 1
        }
        guard L.type(2) == .string, let key = L.toString(2) else { L.pushNil(); return 1 }
        switch key {
        case "x": L.push(fields: ds.inputs)
        case "y": L.push(fields: ds.targets)
        case "class_names":
            if let names = ds.classNames { L.push(array: names) } else { L.pushNil() }
        case "name": L.push(ds.name)
        case "classes":
            if let k = ds.classCount { L.push(k) } else { L.pushNil() }
        default: L.pushNil()
        }
        return 1
    }


    /// Targets returned by a map function: a number (one label), a tensor, or a table of
    /// named numbers or tensors.
    static func mapTargets(_ L: LuaState, _ index: Int32, batch: Bool) throws -> Targets {
        func one(_ i: Int32, _ what: String) throws -> Tensor {
            if let t = L.tensorOrNil(i) { return t.requiresGrad ? t.detach() : t }
            if !batch, L.type(i) == .number, let v = L.toNumber(i) { return Tensor(Float(v)) }
            throw L.fail("\(what) must be \(batch ? "a tensor" : "a number or a tensor"), got \(L.describe(i))")
        }
        if L.type(index) == .table {
            var list: [(name: String, values: Tensor)] = []
            try L.forEachPair(index) {
                guard L.type(-2) == .string, let key = L.toString(-2) else {
                    throw L.fail("named targets need string keys, got \(L.describe(-2))")
                }
                list.append((key, try one(-1, "target '\(key)'")))
            }
            guard !list.isEmpty else { throw L.fail("the returned targets are an empty table") }
            return .named(list.sorted { $0.name < $1.name })
        }
        return .single(try one(index, "y"))
    }
}
