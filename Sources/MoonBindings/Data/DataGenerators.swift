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
            L.push(try L.named { try Clocks.generate(options) })
            return 1
        }

        m.function("preview_clocks", options: PreviewOptions.self, doc: """
            Writes a PNG grid of the first n clock faces of ds (a dataset with hour and minute \
            targets, e.g. from data.clocks), each captioned with its time (12:05 for hour 0).
            """, leading: ["ds", "path"]) { L, o, _ in
            let ds = try L.dataset(1)
            let path = expandTilde(try L.string(2))
            try L.named { try ClockPreview.write(ds, to: path, count: o.n, columns: o.cols) }
            return 0
        }

        m.function("concat", "data.concat{ds1, ds2, ...} --> dataset", """
            The samples of several datasets one after the other (copied). Sample shapes and \
            targets must agree; class names are kept when they agree. Also ds1:concat(ds2).
            """) { L in
            let parts = try L.list(1, of: "a dataset") { L.datasetOrNil($0) }
            L.push(try L.named { try Dataset.concat(parts) })
            return 1
        }

        m.function("kfold", options: SplitOptions.self, doc: """
            A for-iterator over k-fold cross-validation: for fold, tr, va in data.kfold(ds, 5, \
            {seed=1}) do ... end. The k validation parts are disjoint and together cover ds, \
            their sizes within one sample of each other; train is everything else. stratify=true \
            keeps each class's proportion in every fold (stratify="name" picks a named target). \
            seed fixes the folds; without it the global generator (moonlab.seed) draws them.
            """, leading: ["ds", "k"], returns: "for fold, train, validation") { L, o, _ in
            let ds = try L.dataset(1)
            let k = try L.integer(2)
            let folds = try L.named { try ds.kfoldIndices(k, stratify: o.stratify.enabled, target: o.stratify.target, generator: o.generator) }
            L.push(nextFold)
            L.push(object: KFoldLoop(dataset: ds, folds: folds), metatable: kfoldMeta)
            L.push(0)
            return 3
        }

        m.function("permutation", options: SeedOptions.self, doc: """
            A random permutation of 1..n as a Lua array: new position i takes pixel perm[i] \
            (data.permute_pixels applies it). seed fixes it; without it the global generator \
            (moonlab.seed) draws it.
            """, leading: ["n"], returns: "Lua array") { L, o, _ in
            let n = try L.integer(1)
            let p = try L.named { try PixelPermutation.random(n, generator: o.generator) }
            L.push(array: p.map { $0 + 1 })
            return 1
        }

        m.function("inverse_permutation", "data.inverse_permutation(perm) --> Lua array", """
            The inverse of a permutation (a Lua array of 1..n): permuting by perm and then by \
            its inverse restores the original order exactly.
            """) { L in
            let perm = try L.integerArray(1, "a Lua array permutation of 1..n").map { $0 - 1 }
            L.push(array: try L.named { try PixelPermutation.inverse(perm) }.map { $0 + 1 })
            return 1
        }

        m.function("permute_pixels", "data.permute_pixels(ds_or_tensor, perm) --> same kind", """
            Applies one fixed permutation of pixel positions to every image: new position i \
            takes old position perm[i] (a Lua array of 1..n, e.g. from data.permutation). The \
            trailing dims whose sizes multiply to n are permuted: n = H*W moves every channel \
            alike, n = C*H*W moves all values. Works on a dataset (its x; targets unchanged) or \
            a tensor ({N, C, H, W} or one image). data.inverse_permutation undoes it exactly.
            """) { L in
            let perm = try L.integerArray(2, "a Lua array permutation of 1..n").map { $0 - 1 }
            if let ds = L.datasetOrNil(1) {
                L.push(try L.named { try ds.permutingPixels(perm) })
            } else if let t = L.tensorOrNil(1) {
                L.push(try L.named { try PixelPermutation.apply(perm, to: t, sampleDims: t.rank) })
            } else {
                throw L.argumentError(1, "a dataset or a tensor")
            }
            return 1
        }
    }

    /// The `stratify` option: false, true, or a target name.
    /// The k-fold iterator: (loop, fold) --> fold + 1, train, validation; nil after the last.
    static let nextFold: LuaFunctionHandle = LuaState.register { L in
        let loop = try L.object(1, kfoldMeta, as: KFoldLoop.self, expected: "a kfold loop")
        let done = L.toInteger(2) ?? 0
        guard done >= 0 && done < loop.folds.count else { L.pushNil(); return 1 }
        let (train, validation) = try L.named { try loop.dataset.fold(done, of: loop.folds) }
        L.push(done + 1)
        L.push(train)
        L.push(validation)
        return 3
    }

    nonisolated(unsafe) static let kfoldMetamethods: [(String, LuaFunction)] = [
        ("__len", { L in
            let loop = try L.object(1, kfoldMeta, as: KFoldLoop.self, expected: "a kfold loop")
            L.push(loop.folds.count); return 1
        }),
        ("__tostring", { L in
            let loop = try L.object(1, kfoldMeta, as: KFoldLoop.self, expected: "a kfold loop")
            L.push("kfold of \(loop.dataset.name): \(loop.folds.count) folds of \(loop.folds.map { String($0.count) }.joined(separator: ", "))")
            return 1
        }),
    ]
}
