import LuaKit
import MoonData
import MoonEngine

/// The metatable of a `data.kfold` loop's state.
let kfoldMeta: StaticString = "moonlab.kfold"

/// One `data.kfold` loop: the dataset and its validation folds.
final class KFoldLoop {
    let dataset: Dataset
    let folds: [[Int]]
    init(dataset: Dataset, folds: [[Int]]) { self.dataset = dataset; self.folds = folds }
}

/// `data.clocks`, `data.preview_clocks`, `data.concat`, `data.kfold`, `data.permutation`,
/// `data.inverse_permutation`, `data.permute_pixels`.
extension DataModule {
    static func generators(_ m: ModuleBuilder) {
        m.function("clocks", options: Clocks.Options.self, doc: """
            Generated analog clock faces, size x size, one channel, light ink on black, \
            anti-aliased: dial, 12 ticks (longer at 12, 3, 6, 9; the 12 doubled), a short thick \
            hour hand and a long thin minute hand from the centre. The hour hand moves on with \
            the minutes, as on a real clock. Targets are named: y.hour 0..11, y.minute 0..59, \
            y.time = hour + minute/60 (for regression); times are uniform over the dial. Drawn on \
            every core.
            """) { L, options, _ in
            L.push(try naming("data.clocks") { try Clocks.generate(options) })
            return 1
        }

        m.function("preview_clocks", "data.preview_clocks(ds, path, {n=32, cols=8})", """
            Writes a PNG grid of the first n clock faces of ds (a dataset with hour and minute \
            targets, e.g. from data.clocks), each captioned with its time (12:05 for hour 0).
            """) { L in
            let fn = "data.preview_clocks"
            let ds = try L.dataset(1, fn)
            let path = expandTilde(try L.string(2, fn))
            if !L.isNoneOrNil(3) { try L.checkTable(3, fn, "an option table {n=, cols=}") }
            try L.checkOptionKeys(3, fn, ["n", "cols"])
            let n = try L.optionInteger(3, "n", fn) ?? 32, cols = try L.optionInteger(3, "cols", fn) ?? 8
            try naming(fn) { try ClockPreview.write(ds, to: path, count: n, columns: cols) }
            return 0
        }

        m.function("concat", "data.concat{ds1, ds2, ...} --> dataset", """
            The samples of several datasets one after the other (copied). Sample shapes and \
            targets must agree; class names are kept when they agree. Also ds1:concat(ds2).
            """) { L in
            let fn = "data.concat"
            try L.checkTable(1, fn, "a Lua array of datasets {a, b, ...}")
            var parts: [Dataset] = []
            for i in 1...max(L.rawLength(1), 1) where i <= L.rawLength(1) {
                L.rawGet(1, i)
                defer { L.pop() }
                guard let d = L.datasetOrNil(-1) else {
                    throw LuaError("\(fn): entry \(i) must be a dataset, got \(L.describe(-1))")
                }
                parts.append(d)
            }
            L.push(try naming(fn) { try Dataset.concat(parts) })
            return 1
        }

        m.function("kfold", "data.kfold(ds, k, {seed=, stratify=false}) --> for fold, train, validation", """
            A for-iterator over k-fold cross-validation: for fold, tr, va in data.kfold(ds, 5, \
            {seed=1}) do ... end. The k validation parts are disjoint and together cover ds, \
            their sizes within one sample of each other; train is everything else. stratify=true \
            keeps each class's proportion in every fold (stratify="name" picks a named target). \
            seed fixes the folds; without it the global generator (moonlab.seed) draws them.
            """) { L in
            let fn = "data.kfold"
            let ds = try L.dataset(1, fn)
            let k = try L.integer(2, fn)
            if !L.isNoneOrNil(3) { try L.checkTable(3, fn, "an option table {seed=, stratify=}") }
            try L.checkOptionKeys(3, fn, ["seed", "stratify"])
            let gen = try L.generator(seedOption: 3, fn)
            let (stratify, target) = try stratifyOption(L, 3, fn)
            let folds = try naming(fn) { try ds.kfoldIndices(k, stratify: stratify, target: target, generator: gen) }
            L.push(nextFold)
            L.push(object: KFoldLoop(dataset: ds, folds: folds), metatable: kfoldMeta)
            L.push(0)
            return 3
        }

        m.function("permutation", "data.permutation(n, {seed=}) --> Lua array", """
            A random permutation of 1..n as a Lua array: new position i takes pixel perm[i] \
            (data.permute_pixels applies it). seed fixes it; without it the global generator \
            (moonlab.seed) draws it.
            """) { L in
            let fn = "data.permutation"
            let n = try L.integer(1, fn)
            if !L.isNoneOrNil(2) { try L.checkTable(2, fn, "an option table {seed=}") }
            try L.checkOptionKeys(2, fn, ["seed"])
            let gen = try L.generator(seedOption: 2, fn)
            let p = try naming(fn) { try PixelPermutation.random(n, generator: gen) }
            L.push(array: p.map { $0 + 1 })
            return 1
        }

        m.function("inverse_permutation", "data.inverse_permutation(perm) --> Lua array", """
            The inverse of a permutation (a Lua array of 1..n): permuting by perm and then by \
            its inverse restores the original order exactly.
            """) { L in
            let fn = "data.inverse_permutation"
            let perm = try L.integerArray(1, fn, "a Lua array permutation of 1..n").map { $0 - 1 }
            L.push(array: try naming(fn) { try PixelPermutation.inverse(perm) }.map { $0 + 1 })
            return 1
        }

        m.function("permute_pixels", "data.permute_pixels(ds_or_tensor, perm) --> same kind", """
            Applies one fixed permutation of pixel positions to every image: new position i \
            takes old position perm[i] (a Lua array of 1..n, e.g. from data.permutation). The \
            trailing dims whose sizes multiply to n are permuted: n = H*W moves every channel \
            alike, n = C*H*W moves all values. Works on a dataset (its x; targets unchanged) or \
            a tensor ({N, C, H, W} or one image). data.inverse_permutation undoes it exactly.
            """) { L in
            let fn = "data.permute_pixels"
            let perm = try L.integerArray(2, fn, "a Lua array permutation of 1..n").map { $0 - 1 }
            if let ds = L.datasetOrNil(1) {
                L.push(try naming(fn) { try ds.permutingPixels(perm) })
            } else if let t = L.tensorOrNil(1) {
                L.push(try naming(fn) { try PixelPermutation.apply(perm, to: t, sampleDims: t.rank) })
            } else {
                throw L.argumentError(fn, 1, "a dataset or a tensor")
            }
            return 1
        }
    }

    /// The `stratify` option: false, true, or a target name.
    static func stratifyOption(_ L: LuaState, _ index: Int32, _ fn: String) throws -> (Bool, String?) {
        guard L.type(index) == .table else { return (false, nil) }
        L.getField(index, "stratify")
        defer { L.pop() }
        switch L.type(-1) {
        case .nil: return (false, nil)
        case .boolean: return (L.toBool(-1), nil)
        case .string: return (true, L.toString(-1))
        default: throw LuaError("\(fn): option 'stratify' must be a boolean or a target name, got \(L.describe(-1))")
        }
    }

    /// The k-fold iterator: (loop, fold) --> fold + 1, train, validation; nil after the last.
    static let nextFold: LuaFunctionHandle = LuaState.register { L in
        guard let loop = L.object(1, kfoldMeta, as: KFoldLoop.self) else {
            throw L.argumentError("data.kfold iterator", 1, "a kfold loop")
        }
        let done = L.toInteger(2) ?? 0
        guard done >= 0 && done < loop.folds.count else { L.pushNil(); return 1 }
        let (train, validation) = try naming("data.kfold") { try loop.dataset.fold(done, of: loop.folds) }
        L.push(done + 1)
        L.push(train)
        L.push(validation)
        return 3
    }

    nonisolated(unsafe) static let kfoldMetamethods: [(String, LuaFunction)] = [
        ("__len", { L in
            guard let loop = L.object(1, kfoldMeta, as: KFoldLoop.self) else { throw L.argumentError("#kfold", 1, "a kfold loop") }
            L.push(loop.folds.count); return 1
        }),
        ("__tostring", { L in
            guard let loop = L.object(1, kfoldMeta, as: KFoldLoop.self) else { throw L.argumentError("tostring", 1, "a kfold loop") }
            L.push("kfold of \(loop.dataset.name): \(loop.folds.count) folds of \(loop.folds.map { String($0.count) }.joined(separator: ", "))")
            return 1
        }),
    ]
}
