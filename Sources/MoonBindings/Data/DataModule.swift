import Foundation
import LuaKit
import MoonData
import MoonEngine

/// The `data` module: named data sets, IDX files, datasets from tensors, minibatches.
enum DataModule {
    static func install(_ L: LuaState) {
        DatasetClass.install(L)
        L.defineClass(batchesMeta, name: "batches", doc: """
            One pass of minibatches over a dataset, made by data.batches; #b is the number of \
            batches. Use it in a for loop: for x, y in data.batches(ds, 32) do ... end.
            """, methods: [], metamethods: batchesMetamethods)
        L.defineClass(kfoldMeta, name: "kfold", doc: """
            The state of a data.kfold loop; #loop is the number of folds. Use it in a for loop: \
            for fold, tr, va in data.kfold(ds, 5, {seed=1}) do ... end.
            """, methods: [], metamethods: kfoldMetamethods)
        L.defineModule("data", doc: """
            Data sets: MNIST and Fashion-MNIST (found through MOONLAB_DATA, then ~/.moonlab/data, \
            then /usr/share/datasets), IDX, CSV, NumPy .npy/.npz files and folders of PNG images, \
            generated clock faces, datasets from tensors, splits, k-fold, pixel permutations and \
            minibatches. A dataset has ds.x, ds.y, ds.class_names, #ds, ds[i]; see help(dataset) \
            after loading one, e.g. help(data.mnist{split="test"}).
            """) { m in
            namedSets(m)
            files(m)
            readers(m)
            generators(m)
            m.function("batches", "data.batches(ds, size, {shuffle=false, seed=, drop_last=false, prefetch=1})", """
                A for-iterator over minibatches of `size` samples: for x, y in data.batches(ds, 32, \
                {shuffle=true}) do ... end. x is {size, ...} (or a table of named input tensors); y is \
                the label tensor {size} (or a table of named target tensors). shuffle draws a new order for this pass from `seed`, \
                else from the global generator (moonlab.seed). The last batch is smaller unless \
                drop_last=true. In order, batches are views of ds (no copy); shuffled, each batch \
                gathers its rows, on a second thread `prefetch` batches ahead (0: no thread) while \
                the loop body runs; order and content never depend on timing. Leaving the loop \
                early (break) stops the thread at once.
                """) { L in try batches(L, "data.batches") }
        }
    }

    static func namedSets(_ m: ModuleBuilder) {
        for set in NamedSet.allCases {
            let lua = set == .mnist ? "mnist" : "fashion_mnist"
            let fn = "data.\(lua)"
            m.function(lua, "\(fn){split=\"train\"|\"test\"}", """
                The \(set.title) \(set == .mnist ? "handwritten digits" : "clothing images"): \
                x {N, 1, 28, 28} float32 in [0, 1], y {N} labels 0..9, class_names \
                \(set == .mnist ? "\"0\"..\"9\"" : "T-shirt/top, Trouser, ..., Ankle boot"). \
                split defaults to "train" (60000 samples); "test" has 10000. Files (gz or raw IDX) \
                are found in \(set.folders.prefix(2).joined(separator: " or ")) under MOONLAB_DATA, \
                ~/.moonlab/data or /usr/share/datasets; a missing set says where it looked and how \
                to get it.
                """) { L in
                let split = try splitArgument(L, fn)
                L.push(try naming(fn) { try DataSets.load(set, split: split) })
                return 1
            }
        }
    }

    /// The split from `data.mnist{split="test"}` or `data.mnist("test")`; train by default.
    static func splitArgument(_ L: LuaState, _ fn: String) throws -> Split {
        var name: String?
        if L.type(1) == .string {
            name = L.toString(1)
        } else if !L.isNoneOrNil(1) {
            try L.checkTable(1, fn, "an option table {split=\"train\"|\"test\"}")
            try L.checkOptionKeys(1, fn, ["split"])
            name = try L.optionString(1, "split", fn)
        }
        guard let name else { return .train }
        guard let split = Split(rawValue: name) else {
            throw LuaError("\(fn): unknown split \"\(name)\" (valid: train, test)")
        }
        return split
    }

    static func files(_ m: ModuleBuilder) {
        m.function("idx", "data.idx(images_path, labels_path[, {name=, class_names=}])", """
            A dataset from an IDX image file and an IDX label file (each gzipped or raw), checked: \
            magic number, dims, exact payload length and equal counts. Unsigned-byte images \
            are scaled into [0, 1]; N x H x W images become N x 1 x H x W. Other IDX types \
            (signed byte, short, int, float, double) are read as stored.
            """) { L in
            let fn = "data.idx"
            let images = try L.string(1, fn), labels = try L.string(2, fn)
            if !L.isNoneOrNil(3) { try L.checkTable(3, fn, "an option table {name=, class_names=}") }
            try L.checkOptionKeys(3, fn, ["name", "class_names"])
            let name = try L.optionString(3, "name", fn)
            let classNames = try optionStrings(L, 3, "class_names", fn)
            L.push(try naming(fn) {
                try DataSets.idx(images: expandTilde(images), labels: expandTilde(labels),
                                 name: name, classNames: classNames)
            })
            return 1
        }
        m.function("dataset", "data.dataset(x, y[, {name=, class_names=}])", """
            A dataset from tensors: x with the samples along dim 1, or a table of named input \
            tensors {image=a, extra=b} for a graph with several inputs (fit feeds each to the \
            nn.Input of that name); y a tensor of as many labels (or targets), or a table of named \
            target tensors {hour=h, minute=m} for models with several outputs (names kept in order).
            """) { L in
            let fn = "data.dataset"
            let x: Inputs
            if let given = L.fieldsOrNil(1) { x = given }
            else { throw L.argumentError(fn, 1, "a tensor or a table of named input tensors") }
            let targets: Targets
            if let y = L.tensorOrNil(2) {
                targets = .single(y)
            } else if L.type(2) == .table {
                var list: [(name: String, values: Tensor)] = []
                try L.forEachPair(2) {
                    guard L.type(-2) == .string, let key = L.toString(-2) else {
                        throw LuaError("\(fn): named targets need string keys, got \(L.describe(-2))")
                    }
                    guard let t = L.tensorOrNil(-1) else {
                        throw LuaError("\(fn): target '\(key)' must be a tensor, got \(L.describe(-1))")
                    }
                    list.append((key, t))
                }
                if list.isEmpty { throw LuaError("\(fn): argument 2 is an empty table; give a tensor or named tensors") }
                targets = .named(list.sorted { $0.name < $1.name })
            } else {
                throw L.argumentError(fn, 2, "a tensor of labels or a table of named target tensors")
            }
            if !L.isNoneOrNil(3) { try L.checkTable(3, fn, "an option table {name=, class_names=}") }
            try L.checkOptionKeys(3, fn, ["name", "class_names"])
            let name = try L.optionString(3, "name", fn) ?? "dataset"
            let classNames = try optionStrings(L, 3, "class_names", fn)
            L.push(try naming(fn) { try Dataset(name: name, inputs: x, targets: targets, classNames: classNames) })
            return 1
        }
    }

    /// `opts[key]` as a Lua array of strings, or nil when absent.
    static func optionStrings(_ L: LuaState, _ index: Int32, _ key: String, _ fn: String) throws -> [String]? {
        guard L.type(index) == .table else { return nil }
        L.getField(index, key)
        defer { L.pop() }
        if L.isNoneOrNil(-1) { return nil }
        guard L.type(-1) == .table else {
            throw LuaError("\(fn): option '\(key)' must be a Lua array of strings, got \(L.describe(-1))")
        }
        var out: [String] = []
        for i in 1...max(L.rawLength(-1), 1) where i <= L.rawLength(-1) {
            L.rawGet(-1, i)
            defer { L.pop() }
            guard L.type(-1) == .string, let s = L.toString(-1) else {
                throw LuaError("\(fn): option '\(key)' entry \(i) must be a string, got \(L.describe(-1))")
            }
            out.append(s)
        }
        return out
    }

    static func expandTilde(_ path: String) -> String { (path as NSString).expandingTildeInPath }

    // MARK: batches

    /// `data.batches(ds, size, opts)` and `ds:batches(size, opts)`: returns the iterator
    /// function and the pass object, for a generic for.
    static func batches(_ L: LuaState, _ fn: String) throws -> Int32 {
        let ds = try L.dataset(1, fn)
        let size = try L.integer(2, fn)
        if !L.isNoneOrNil(3) { try L.checkTable(3, fn, "an option table {shuffle=, seed=, drop_last=, prefetch=}") }
        try L.checkOptionKeys(3, fn, ["shuffle", "seed", "drop_last", "prefetch"])
        let shuffle = try L.optionBool(3, "shuffle", fn) ?? false
        let dropLast = try L.optionBool(3, "drop_last", fn) ?? false
        let prefetch = try L.optionInteger(3, "prefetch", fn) ?? 1
        let gen = try L.generator(seedOption: 3, fn)
        guard size >= 1 else { throw LuaError("\(fn): batch size must be at least 1, got \(size)") }
        let pass = try naming(fn) {
            try Batches(ds, size: size, shuffle: shuffle, dropLast: dropLast, generator: gen, prefetch: prefetch)
        }
        // Iterator, state, control, and the pass again as the loop's closing value: a break
        // out of the loop calls its __close, which stops the prefetching thread at once.
        L.push(nextBatch)
        L.push(object: pass, metatable: batchesMeta)
        L.pushNil()
        L.pushValue(-2)
        return 4
    }

    /// The iterator a generic for calls with the pass object: pushes x, y or nil at the end.
    static let nextBatch: LuaFunctionHandle = LuaState.register { L in
        guard let pass = L.object(1, batchesMeta, as: Batches.self) else {
            throw L.argumentError("data.batches iterator", 1, "a batches object")
        }
        guard let batch = try naming("data.batches", { try pass.next() }) else {
            L.pushNil(); return 1
        }
        L.push(fields: batch.inputs)
        L.push(fields: batch.targets)
        return 2
    }

    nonisolated(unsafe) static let batchesMetamethods: [(String, LuaFunction)] = [
        ("__len", { L in
            guard let pass = L.object(1, batchesMeta, as: Batches.self) else { throw L.argumentError("#batches", 1, "a batches object") }
            L.push(pass.count); return 1
        }),
        ("__close", { L in
            L.object(1, batchesMeta, as: Batches.self)?.cancel()
            return 0
        }),
        ("__tostring", { L in
            guard let pass = L.object(1, batchesMeta, as: Batches.self) else { throw L.argumentError("tostring", 1, "a batches object") }
            L.push("batches of \(pass.size) over \(pass.dataset.name): \(pass.count) batches")
            return 1
        }),
    ]
}
