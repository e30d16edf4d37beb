import LuaKit
import MoonData
import MoonEngine

/// `tensor.save`, `tensor.load`: named tensors in safetensors files.
extension TensorModule {
    static func files(_ m: ModuleBuilder) {
        m.function("save", options: SafeTensors.SaveOptions.self, doc: """
            Writes named tensors to a safetensors file (float32, F32), atomically: a temporary \
            file beside path is renamed over it. Python reads it with safetensors' load_file \
            (numpy or torch) and tensor.load reads it back.
            """, leading: ["path", "tensors"]) { L, options, _ in
            let path = DataModule.expandTilde(try L.string(1))
            guard case .named(let list)? = L.fieldsOrNil(2) else {
                throw L.argumentError(2, "a table of name = tensor")
            }
            try L.named { try SafeTensors.save(list, options, to: path) }
            return 0
        }

        m.function("load", "tensor.load(path) --> {name = tensor, ...}, metadata", """
            Reads a safetensors file (PyTorch's, Hugging Face's, moonlab's): a table of float32 \
            tensors by name, and the header's __metadata__ as a table of strings. dtypes F32 F16 \
            BF16 F64, I64 I32 I16 I8, U64 U32 U16 U8, BOOL are converted to float32. A \
            truncated or malformed file is an error naming the file.
            """) { L in
            let path = DataModule.expandTilde(try L.string(1))
            let (tensors, metadata) = try L.named { try SafeTensors.read(path) }
            L.newTable(fieldCount: Int32(tensors.count))
            for (name, t) in tensors { L.push(t); L.setField(-2, name) }
            L.newTable(fieldCount: Int32(metadata.count))
            for (key, value) in metadata { L.push(value); L.setField(-2, key) }
            return 2
        }
    }
}
