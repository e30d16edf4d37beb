import Foundation
import LuaKit
import MoonBase
import MoonData
import MoonEngine

/// The `data` module: named data sets, IDX files, datasets from tensors, minibatches.
enum DataModule {
    static func install(_ L: LuaState) {
        DatasetClass.install(L)
        L.defineClass(batchesMeta, name: "batches", doc: """
            One pass of minibatches over a dataset, data.batches' second result; #pass is the \
            number of batches (local _, pass = data.batches(ds, 32)). Use it in a for loop: \
            for x, y in data.batches(ds, 32) do ... end.
            """, methods: [], metamethods: batchesMetamethods)
        L.defineClass(kfoldMeta, name: "kfold", doc: """
            The state of a data.kfold loop, its second result; #loop is the number of folds. Use it in a for loop: \
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
                """) { L in try batches(L) }
        }
    }

    static func namedSets(_ m: ModuleBuilder) {
        for set in NamedSet.allCases {
            let lua = set == .mnist ? "mnist" : "fashion_mnist"
            m.function(lua, "data.\(lua){split=\"train\"|\"test\"} --> dataset", """
                The \(set.title) \(set == .mnist ? "handwritten digits" : "clothing images"): \
                x {N, 1, 28, 28} float32 in [0, 1], y {N} labels 0..9, class_names \
                \(set == .mnist ? "\"0\"..\"9\"" : "T-shirt/top, Trouser, ..., Ankle boot"). \
                split defaults to "train" (60000 samples); "test" has 10000. Files (gz or raw IDX) \
                are found in \(set.folders.prefix(2).joined(separator: " or ")) under MOONLAB_DATA, \
                ~/.moonlab/data or /usr/share/datasets; a missing set says where it looked and how \
                to get it.
                """) { L in
                // data.mnist("test") or data.mnist{split="test"}.
                let given: JSONValue = L.type(1) == .string ? ["split": .string(L.toString(1)!)] : try L.json(1)
                let split = try Split.Options(reading: given, argument: 1).split
                L.push(try L.named { try DataSets.load(set, split: split) })
                return 1
            }
        }
    }

    static func files(_ m: ModuleBuilder) {
        m.function("idx", options: DatasetLabels.self, doc: """
            A dataset from an IDX image file and an IDX label file (each gzipped or raw), checked: \
            magic number, dims, exact payload length and equal counts. Unsigned-byte images \
            are scaled into [0, 1]; N x H x W images become N x 1 x H x W. Other IDX types \
            (signed byte, short, int, float, double) are read as stored.
            """, leading: ["images_path", "labels_path"]) { L, o, _ in
            let images = try L.string(1), labels = try L.string(2)
            L.push(try L.named {
                try DataSets.idx(images: expandTilde(images), labels: expandTilde(labels),
                                 name: o.name, classNames: o.classNames)
            })
            return 1
        }
        m.function("dataset", options: DatasetLabels.self, doc: """
            A dataset from tensors: x with the samples along dim 1, or a table of named input \
            tensors {image=a, extra=b} for a graph with several inputs (fit feeds each to the \
            nn.Input of that name); y a tensor of as many labels (or targets), or a table of named \
            target tensors {hour=h, minute=m} for models with several outputs (names kept in order).
            """, leading: ["x", "y"]) { L, o, _ in
            let x: Inputs
            if let given = L.fieldsOrNil(1) { x = given }
            else { throw L.argumentError(1, "a tensor or a table of named input tensors") }
            guard let targets = L.fieldsOrNil(2) else {
                throw L.argumentError(2, "a tensor of labels or a table of named target tensors (name = tensor)")
            }
            L.push(try L.named { try Dataset(name: o.name ?? "dataset", inputs: x, targets: targets, classNames: o.classNames) })
            return 1
        }
    }

    static func expandTilde(_ path: String) -> String { (path as NSString).expandingTildeInPath }

    // MARK: batches

    /// `data.batches(ds, size, opts)` and `ds:batches(size, opts)`: returns the iterator
    /// function and the pass object, for a generic for.
    static func batches(_ L: LuaState) throws -> Int32 {
        let ds = try L.dataset(1)
        let size = try L.integer(2)
        let o = try L.options(BatchOptions.self, at: 3)
        let pass = try L.named { try Batches(ds, size: size, o) }
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
        let pass = try L.object(1, batchesMeta, as: Batches.self, expected: "a batches object")
        guard let batch = try L.named({ try pass.next() }) else {
            L.pushNil(); return 1
        }
        L.push(fields: batch.inputs)
        L.push(fields: batch.targets)
        return 2
    }

    nonisolated(unsafe) static let batchesMetamethods: [(String, LuaFunction)] = [
        ("__len", { L in
            let pass = try L.object(1, batchesMeta, as: Batches.self, expected: "a batches object")
            L.push(pass.count); return 1
        }),
        ("__close", { L in
            L.object(1, batchesMeta, as: Batches.self)?.cancel()
            return 0
        }),
        ("__tostring", { L in
            let pass = try L.object(1, batchesMeta, as: Batches.self, expected: "a batches object")
            L.push("batches of \(pass.size) over \(pass.dataset.name): \(pass.count) batches")
            return 1
        }),
    ]
}
