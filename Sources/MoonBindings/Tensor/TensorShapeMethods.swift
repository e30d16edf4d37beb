import LuaKit
import MoonEngine

/// Shape queries, views and conversions.
extension TensorClass {
    static func selfTensor(_ L: LuaState) throws -> Tensor { try L.tensor(1) }

    nonisolated(unsafe) static let shapeMethods: [LuaMethod] = [
        LuaMethod("shape", "t:shape() --> {d1, d2, ...}", "The sizes of every dim, as a Lua array.") { L in
            L.push(array: try selfTensor(L).shape); return 1
        },
        LuaMethod("size", "t:size([dim]) --> n", "The size of one dim; without a dim, the shape as a Lua array.") { L in
            let t = try selfTensor(L)
            if L.isNoneOrNil(2) { L.push(array: t.shape); return 1 }
            L.push(t.shape[try L.dim(2, rank: t.rank)]); return 1
        },
        LuaMethod("dim", "t:dim() --> n", "The number of dims (0 for a scalar tensor).") { L in
            L.push(try selfTensor(L).rank); return 1
        },
        LuaMethod("numel", "t:numel() --> n", "The number of elements.") { L in
            L.push(try selfTensor(L).count); return 1
        },
        LuaMethod("item", "t:item() --> number", "The value of a one-element tensor.") { L in
            L.push(entry: try selfTensor(L).item()); return 1
        },
        LuaMethod("totable", "t:totable() --> nested Lua arrays", "The values as nested Lua arrays (a number for a 0-d tensor).") { L in
            let t = try selfTensor(L)
            let flat = t.toArray()
            if t.rank == 0 { L.push(entry: flat[0]); return 1 }
            try L.ensureStack(Int32(t.rank) + 4)
            var pos = 0
            func build(_ d: Int) {
                L.newTable(arrayCount: Int32(t.shape[d]))
                for i in 0..<t.shape[d] {
                    if d == t.rank - 1 { L.push(entry: flat[pos]); pos += 1 } else { build(d + 1) }
                    L.rawSet(-2, i + 1)
                }
            }
            build(0)
            return 1
        },
        LuaMethod("reshape", "t:reshape{d1, ...}", "The same values in a new shape (one size may be -1); a view when possible, else a copy.") { L in
            L.push(try selfTensor(L).reshape(try L.integerArray(2, "reshape"))); return 1
        },
        LuaMethod("view", "t:view{d1, ...}", "A view with a new shape sharing storage (one size may be -1); an error if the strides do not allow it.") { L in
            L.push(try selfTensor(L).view(try L.integerArray(2, "view"))); return 1
        },
        LuaMethod("flatten", "t:flatten([from[, to]])", "Merges dims from..to (default all) into one.") { L in
            let t = try selfTensor(L)
            let a = try L.optionalDim(2, rank: t.rank) ?? 0
            let b = try L.optionalDim(3, rank: t.rank) ?? -1
            L.push(try t.flatten(from: a, through: b)); return 1
        },
        LuaMethod("permute", "t:permute{d1, d2, ...}", "A view with dims reordered: new dim i is old dim d_i.") { L in
            let t = try selfTensor(L)
            let dims = try L.integerArray(2, "permute").map { try L.zeroBasedDim($0, rank: t.rank) }
            L.push(try t.permute(dims)); return 1
        },
        LuaMethod("transpose", "t:transpose(d1, d2)", "A view with two dims swapped.") { L in
            let t = try selfTensor(L)
            L.push(try t.transpose(try L.dim(2, rank: t.rank), try L.dim(3, rank: t.rank))); return 1
        },
        LuaMethod("t", "t:t()", "The transpose of a 2-d tensor (a view).") { L in
            L.push(try selfTensor(L).t()); return 1
        },
        LuaMethod("narrow", "t:narrow(dim, start, length)", "A view of `length` entries from position `start` along `dim`.") { L in
            let t = try selfTensor(L)
            let d = try L.dim(2, rank: t.rank)
            let start = try L.integer(3), len = try L.integer(4)
            // Compared without adding, so huge numbers cannot overflow.
            guard start >= 1, len >= 0, start - 1 <= t.shape[d], len <= t.shape[d] - (start - 1) else {
                throw LuaError("narrow: \(len) entries from position \(start) out of range for dim \(d + 1) of size \(t.shape[d])")
            }
            L.push(try t.narrow(d, start - 1, len)); return 1
        },
        LuaMethod("select", "t:select(dim, i)", "A view of position i along dim, with that dim removed.") { L in
            let t = try selfTensor(L)
            let d = try L.dim(2, rank: t.rank)
            L.push(try t.select(d, try position(L, try L.integer(3), size: t.shape[d]))); return 1
        },
        LuaMethod("expand", "t:expand{d1, ...}", "A broadcast view to a larger shape (size-1 dims repeat; -1 keeps a size).") { L in
            L.push(try selfTensor(L).expand(try L.integerArray(2, "expand"))); return 1
        },
        LuaMethod("squeeze", "t:squeeze([dim])", "Removes size-1 dims (or just `dim`).") { L in
            let t = try selfTensor(L)
            L.push(try t.squeeze(try L.optionalDim(2, rank: t.rank))); return 1
        },
        LuaMethod("unsqueeze", "t:unsqueeze(dim)", "Inserts a size-1 dim at position `dim`.") { L in
            let t = try selfTensor(L)
            L.push(try t.unsqueeze(try L.dim(2, rank: t.rank + 1))); return 1
        },
        LuaMethod("contiguous", "t:contiguous()", "The tensor itself if its storage is row-major contiguous, else a contiguous copy.") { L in
            L.push(try selfTensor(L).contiguous()); return 1
        },
        LuaMethod("is_contiguous", "t:is_contiguous() --> boolean", "Whether the storage is row-major contiguous.") { L in
            L.push(try selfTensor(L).isContiguous); return 1
        },
        LuaMethod("clone", "t:clone()", "A copy with its own storage (keeps the graph: gradients flow back).") { L in
            L.push(try selfTensor(L).clone()); return 1
        },
        LuaMethod("index_select", "t:index_select(dim, positions)", "Rows (or slices along dim) at the given 1-based positions (a Lua array or a tensor); e.g. a batch.") { L in
            let t = try selfTensor(L)
            let d = try L.dim(2, rank: t.rank)
            let positions: [Int]
            positions = try L.positions(3)
            let zero = try positions.map { try position(L, $0, size: t.shape[d]) }
            L.push(try t.indexSelect(d, zero)); return 1
        },
        LuaMethod("gather", "t:gather(dim, positions)", "Picks, along dim, the entry at each 1-based position of a tensor shaped like t except along dim (e.g. class scores).") { L in
            let t = try selfTensor(L)
            let d = try L.dim(2, rank: t.rank)
            let idx = try L.tensor(3)
            L.push(try t.gather(d, try idx.sub(1))); return 1
        },
        LuaMethod("one_hot", "labels:one_hot(k)", "One-hot rows {N, k} from class labels 0..k-1.") { L in
            L.push(try selfTensor(L).oneHot(try L.integer(2))); return 1
        },
    ]
}
