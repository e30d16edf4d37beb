import LuaKit
import MoonAug
import MoonData
import MoonEngine

/// The transform class: every `aug` constructor returns one. Callable (`t(x)`), printable
/// (`aug.RandomRotation(10)`), with `apply` and `fit`.
enum TransformClass {
    static func install(_ L: LuaState) {
        L.defineClass(transformMeta, name: "transform", doc: """
            An augmentation transform (made by aug.RandomRotation, aug.Compose, \
            aug.ImageDataGenerator, ...). t(x) transforms a C x H x W image or an N x C x H x W \
            batch and returns a new tensor (x is unchanged), drawing random parameters from the \
            global generator (moonlab.seed). tostring(t) shows how it was made.
            """, methods: methods, metamethods: metamethods)
    }

    /// The receiver's name in messages: `aug.RandomRotation` from `aug.RandomRotation(10)`.
    static func callName(_ t: any Transform) -> String {
        let d = t.description
        return String(d.prefix { $0 != "(" && $0 != "{" && $0 != " " })
    }

    /// `t(x)` and `t:apply(x)`: x at `index`, optional `{seed=}` at `index + 1`.
    static func call(_ L: LuaState, _ index: Int32, _ what: String) throws -> Int32 {
        let t = try L.transform(1)
        L.fn = callName(t)
        guard let x = L.tensorOrNil(index) else {
            throw L.fail("expected a C x H x W image or N x C x H x W batch tensor, got \(L.describe(index))")
        }
        let gen = try L.options(SeedOptions.self, at: index + 1).generator
        L.push(try L.named { try t.apply(x, generator: gen) })
        return 1
    }

    nonisolated(unsafe) static let methods: [LuaMethod] = [
        LuaMethod("apply", "t:apply(x[, {seed=}]) --> tensor", """
            The same as t(x): transforms a C x H x W image or an N x C x H x W batch. With seed, \
            the random parameters come from a generator seeded with it (the same seed gives the \
            same output); else from the global generator.
            """) { L in try call(L, 2, "transform:apply") },
        LuaMethod("fit", "t:fit(ds | x) --> t", """
            For aug.ZCA and aug.ImageDataGenerator (featurewise_center, \
            featurewise_std_normalization, zca_whitening): computes the statistics on a dataset's \
            inputs or an N x C x H x W tensor. Returns t, so aug.ZCA():fit(train) chains.
            """) { L in
            let t = try L.transform(1)
            L.fn = callName(t) + ":fit"
            let x: Tensor
            if let ds = L.datasetOrNil(2) { x = try L.named { try ds.singleInput(L.fn) } }
            else if let tensor = L.tensorOrNil(2) { x = tensor }
            else { throw L.argumentError(2, "a dataset or an N x C x H x W tensor") }
            try L.named {
                if let zca = t as? ZCA { try zca.fit(x) }
                else if let g = t as? ImageDataGenerator { try g.fit(x) }
                else { throw L.fail("only aug.ZCA and aug.ImageDataGenerator are fitted; \(t) needs no statistics") }
            }
            L.pushValue(1)
            return 1
        },
    ]

    nonisolated(unsafe) static let metamethods: [(String, LuaFunction)] = [
        ("__call", { L in try call(L, 2, "transform call") }),
        ("__tostring", { L in L.push(try L.transform(1).description); return 1 }),
    ]
}
