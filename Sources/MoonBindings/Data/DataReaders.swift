import LuaKit
import MoonData
import MoonEngine

/// `data.csv`, `data.npy`, `data.save_npy`, `data.npz`, `data.save_npz`, `data.images`: the
/// file readers and writers.
extension DataModule {
    static func readers(_ m: ModuleBuilder) {
        m.function("csv", options: CSVReader.Options.self, doc: """
            A dataset from a numeric CSV file (plain or .gz): one column holds the labels, every \
            other column is a feature (label's default: the column named "label", else the first). \
            Every row must have as many fields as the first; a bad field names its line and column.
            """, leading: ["path"], extra: ["name", "class_names"]) { L, options, extra in
            let path = expandTilde(try L.string(1))
            let name = try extraOption(extra, "name", String.self, L.fn)
            let classNames = try extraOption(extra, "class_names", [String].self, L.fn)
            L.push(try L.named {
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
            let path = expandTilde(try L.string(1))
            L.push(try L.named { try NPYFormat.read(path) })
            return 1
        }

        m.function("save_npy", "data.save_npy(path, tensor)", """
            Writes a tensor as a NumPy .npy file (dtype <f4, C order), atomically: a temporary \
            file beside it is renamed over path. np.load(path) reads it back.
            """) { L in
            let path = expandTilde(try L.string(1))
            let t = try L.tensor(2)
            try L.named { try NPYFormat.write(t, to: path) }
            return 0
        }

        m.function("npz", options: NPZArchive.Options.self, doc: """
            Reads a NumPy .npz archive (np.savez or np.savez_compressed): a table of tensors \
            keyed by array name. With x= (an array name) it returns a dataset instead: y= names \
            the label array, or is a table of names for named targets ({hour="h", minute="m"}).
            """, leading: ["path"], returns: "table or dataset") { L, o, _ in
            let path = expandTilde(try L.string(1))
            let arrays = try L.named { try NPZArchive.readDetailed(path) }
            if let ds = try L.named({ try NPZArchive.dataset(arrays, path: path, o) }) {
                L.push(ds)
            } else {
                L.newTable(fieldCount: Int32(arrays.count))
                for a in arrays { L.push(a.array); L.setField(-2, a.name) }
            }
            return 1
        }

        m.function("save_npz", options: NPZArchive.WriteOptions.self, doc: """
            Writes a NumPy .npz archive (as np.savez: uncompressed .npy entries), atomically. \
            Given a table of name = tensor, every array is float32 unless int64= names it. Given \
            a dataset, it writes x (float32) and y, or each named target under its name (int64 \
            when the labels are whole numbers), so data.npz(path, {x="x", y="y"}) reads the \
            dataset back; np.load(path) reads either.
            """, leading: ["path", "arrays"]) { L, o, _ in
            let path = expandTilde(try L.string(1))
            let arrays: [NPZArchive.NamedArray]
            if let ds = L.datasetOrNil(2) {
                guard o.int64.isEmpty else { throw L.fail("option 'int64' applies to a table of arrays; a dataset's labels are int64 by themselves") }
                arrays = try L.named { try NPZArchive.arrays(ds) }
            } else if case .named(let list)? = L.fieldsOrNil(2) {
                arrays = try L.named { try NPZArchive.arrays(list, o) }
            } else {
                throw L.argumentError(2, "a dataset or a table of name = tensor")
            }
            try L.named { try NPZArchive.write(arrays, to: path) }
            return 0
        }

        m.function("save_png", "data.save_png(path, image)", """
            Writes one image tensor, {H, W}, {1, H, W} (gray) or {3, H, W} (RGB) with values in \
            [0, 1] (clamped), as an 8-bit PNG file, atomically. data.images reads such files.
            """) { L in
            let path = expandTilde(try L.string(1))
            let t = try L.tensor(2)
            try L.named { try PNGWriter.write(t, to: path) }
            return 0
        }

        m.function("images", options: ImageFolder.Options.self, doc: """
            A dataset from a folder of PNG images, one subfolder a class: folder/<class>/*.png. \
            Class names are the subfolder names, sorted; label k is class_names[k + 1]. x is \
            N x C x H x W in [0, 1]: gray=true gives one channel, gray=false RGB, and by default \
            RGB when any image is in colour, else gray (alpha is dropped). size={h, w} resizes \
            every image (bilinear, pixel centres aligned as in PyTorch); without it all images \
            must share one size. Decoded through libpng on every core.
            """, leading: ["folder"]) { L, options, _ in
            let folder = expandTilde(try L.string(1))
            L.push(try L.named { try ImageFolder.read(folder, options: options) })
            return 1
        }
    }
}
