import LuaKit
import MoonData
import MoonEngine

/// `data.csv`, `data.npy`, `data.save_npy`, `data.npz`, `data.images`: the file readers.
extension DataModule {
    static func readers(_ m: ModuleBuilder) {
        m.function("csv", options: CSVReader.Options.self, doc: """
            A dataset from a numeric CSV file (plain or .gz): one column holds the labels, every \
            other column is a feature (label's default: the column named "label", else the first). \
            Every row must have as many fields as the first; a bad field names its line and column.
            """, leading: ["path"], extra: ["name", "class_names"]) { L, options, extra in
            let fn = "data.csv"
            let path = expandTilde(try L.string(1, fn))
            let name = try extraOption(extra, "name", String.self, fn)
            let classNames = try extraOption(extra, "class_names", [String].self, fn)
            L.push(try naming(fn) {
                let ds = try CSVReader.read(path, options: options)
                if name == nil && classNames == nil { return ds }
                return try Dataset(name: name ?? ds.name, inputs: ds.inputs, targets: ds.targets, classNames: classNames)
            })
            return 1
        }

        m.function("npy", "data.npy(path) --> tensor", """
            Reads a NumPy .npy file into a float32 tensor of its shape. dtypes: f2 f4 f8, i1 i2 \
            i4 i8, u1 u2 u4 u8, b1, little or big endian; C or Fortran order. A truncated or \
            malformed file, an unknown dtype or non-finite values are errors naming the file.
            """) { L in
            let fn = "data.npy"
            let path = expandTilde(try L.string(1, fn))
            L.push(try naming(fn) { try NPYFormat.read(path) })
            return 1
        }

        m.function("save_npy", "data.save_npy(path, tensor)", """
            Writes a tensor as a NumPy .npy file (dtype <f4, C order), atomically: a temporary \
            file beside it is renamed over path. np.load(path) reads it back.
            """) { L in
            let fn = "data.save_npy"
            let path = expandTilde(try L.string(1, fn))
            let t = try L.tensor(2, fn)
            try naming(fn) { try NPYFormat.write(t, to: path) }
            return 0
        }

        m.function("npz", "data.npz(path[, {x=, y=, scale=, shape=, name=, class_names=}]) --> table or dataset", """
            Reads a NumPy .npz archive (np.savez or np.savez_compressed): a table of tensors \
            keyed by array name. With x= (an array name) it returns a dataset instead: y= names \
            the label array, or is a table of names for named targets ({hour="h", minute="m"}). \
            Arrays of unsigned bytes are scaled into [0, 1] unless scale= says otherwise; N x H x W \
            inputs become N x 1 x H x W unless shape= gives the sample shape.
            """) { L in
            let fn = "data.npz"
            let path = expandTilde(try L.string(1, fn))
            if !L.isNoneOrNil(2) { try L.checkTable(2, fn, "an option table {x=, y=, scale=, shape=}") }
            try L.checkOptionKeys(2, fn, ["x", "y", "scale", "shape", "name", "class_names"])
            let arrays = try naming(fn) { try NPZArchive.readDetailed(path) }
            guard let xName = try L.optionString(2, "x", fn) else {
                for k in ["y", "scale", "shape"] where L.type(2) == .table {
                    let present = L.getField(2, k) != .nil
                    L.pop()
                    if present { throw LuaError("\(fn): option '\(k)' needs x= (the name of the input array)") }
                }
                L.newTable(fieldCount: Int32(arrays.count))
                for a in arrays { L.push(a.array); L.setField(-2, a.name) }
                return 1
            }
            let available = arrays.map(\.name).joined(separator: ", ")
            func array(_ name: String) throws -> (array: Tensor, descr: String) {
                guard let a = arrays.first(where: { $0.name == name }) else {
                    throw LuaError("\(fn): \(path) has no array '\(name)' (arrays: \(available))")
                }
                return (a.array, a.descr)
            }
            let (rawX, descr) = try array(xName)
            guard rawX.rank >= 1 else { throw LuaError("\(fn): array '\(xName)' is 0-d; x needs the samples along dim 1") }
            let scale = try L.optionNumber(2, "scale", fn) ?? (descr.hasSuffix("u1") ? 1.0 / 255 : 1)
            var x = scale == 1 ? rawX : try naming(fn) { try rawX.mul(Float(scale)) }
            if let shape = try optionShape(L, 2, "shape", fn) {
                x = try naming(fn) { try x.reshape([x.shape[0]] + shape) }
            } else if x.rank == 3 {
                x = try naming(fn) { try x.reshape([x.shape[0], 1, x.shape[1], x.shape[2]]) }
            }
            let targets = try npzTargets(L, fn, count: x.shape[0], array)
            let name = try L.optionString(2, "name", fn) ?? xName
            let classNames = try optionStrings(L, 2, "class_names", fn)
            let ds = try naming(fn) { try Dataset(name: name, x: x, targets: targets, classNames: classNames) }
            L.push(ds)
            return 1
        }

        m.function("save_png", "data.save_png(path, image)", """
            Writes one image tensor, {H, W}, {1, H, W} (gray) or {3, H, W} (RGB) with values in \
            [0, 1] (clamped), as an 8-bit PNG file, atomically. data.images reads such files.
            """) { L in
            let fn = "data.save_png"
            let path = expandTilde(try L.string(1, fn))
            let t = try L.tensor(2, fn)
            try naming(fn) { try PNGWriter.write(t, to: path) }
            return 0
        }

        m.function("images", "data.images(folder, {size={h, w}, gray=})", """
            A dataset from a folder of PNG images, one subfolder a class: folder/<class>/*.png. \
            Class names are the subfolder names, sorted; label k is class_names[k + 1]. x is \
            N x C x H x W in [0, 1]: gray=true gives one channel, gray=false RGB, and by default \
            RGB when any image is in colour, else gray (alpha is dropped). size={h, w} resizes \
            every image (bilinear, pixel centres aligned as in PyTorch); without it all images \
            must share one size. Decoded through libpng on every core.
            """) { L in
            let fn = "data.images"
            let folder = expandTilde(try L.string(1, fn))
            if !L.isNoneOrNil(2) { try L.checkTable(2, fn, "an option table {size={h, w}, gray=}") }
            try L.checkOptionKeys(2, fn, ["size", "gray"])
            var options = ImageFolder.Options()
            if let size = try optionShape(L, 2, "size", fn) {
                guard size.count == 2 else { throw LuaError("\(fn): option 'size' must be {h, w}, got \(size.count) sizes") }
                options.size = (size[0], size[1])
            }
            options.gray = try L.optionBool(2, "gray", fn)
            L.push(try naming(fn) { try ImageFolder.read(folder, options: options) })
            return 1
        }
    }

    /// The `y` option of `data.npz`: an array name, a table of target names to array names,
    /// or nothing (all-zero labels).
    static func npzTargets(_ L: LuaState, _ fn: String, count: Int,
                           _ array: (String) throws -> (array: Tensor, descr: String)) throws -> Targets {
        L.getField(2, "y")
        defer { L.pop() }
        switch L.type(-1) {
        case .string: return .single(try array(L.toString(-1)!).array)
        case .table:
            var list: [(name: String, values: Tensor)] = []
            try L.forEachPair(-1) {
                guard L.type(-2) == .string, let key = L.toString(-2), L.type(-1) == .string, let arr = L.toString(-1) else {
                    throw LuaError("\(fn): option 'y' must map target names to array names, got \(L.describe(-2)) = \(L.describe(-1))")
                }
                list.append((key, try array(arr).array))
            }
            guard !list.isEmpty else { throw LuaError("\(fn): option 'y' is an empty table") }
            return .named(list.sorted { $0.name < $1.name })
        case .nil: return .single(try naming(fn) { try Tensor.zeros([count]) })
        default: throw LuaError("\(fn): option 'y' must be an array name or a table of names, got \(L.describe(-1))")
        }
    }

    /// `opts[key]` as a Lua array of positive sizes, or nil when absent.
    static func optionShape(_ L: LuaState, _ index: Int32, _ key: String, _ fn: String) throws -> [Int]? {
        guard L.type(index) == .table else { return nil }
        L.getField(index, key)
        defer { L.pop() }
        if L.isNoneOrNil(-1) { return nil }
        guard L.type(-1) == .table else {
            throw LuaError("\(fn): option '\(key)' must be a Lua array of sizes, got \(L.describe(-1))")
        }
        let t = L.absolute(-1)
        var sizes: [Int] = []
        for i in 1...max(L.rawLength(t), 1) where i <= L.rawLength(t) {
            L.rawGet(t, i)
            defer { L.pop() }
            guard L.type(-1) == .number, let v = L.toInteger(-1) else {
                throw LuaError("\(fn): option '\(key)' must be a Lua array of sizes, but entry \(i) is \(L.describe(-1))")
            }
            sizes.append(v)
        }
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 1 }) else {
            throw LuaError("\(fn): option '\(key)' must hold positive sizes, got {\(sizes.map(String.init).joined(separator: ","))}")
        }
        return sizes
    }
}
