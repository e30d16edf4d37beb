import MoonData
import MoonEngine
import MoonNN

/// Whose names and layouts a weights file follows.
public enum WeightNaming: String, OptionChoice, Sendable {
    /// moonlab's own: `dense_1.kernel` `{in, units}`, `batch_normalization_1.moving_mean`.
    case moonlab
    /// A PyTorch `state_dict` (see `PyTorchWeights`).
    case pytorch
}

/// `{from="moonlab", strict=true}` of `model:load_weights` (its `map` is read by the binding).
public struct LoadWeightsOptions: Options {
    public var from = WeightNaming.moonlab
    public var strict = true
    public init() {}
    public static var fields: [OptionField<LoadWeightsOptions>] {
        [OptionField("from", \.from, "whose names and layouts the file holds: \"moonlab\" (dense_1.kernel) or \"pytorch\" (a state_dict: weight/bias/running_mean names, Linear weights transposed)"),
         OptionField("strict", \.strict, "a weight missing from the file or of another shape is an error and nothing is loaded; false: such weights are listed in the report and keep their values")]
    }
}

/// Loads weights by name from any safetensors file into a built model: each of the model's
/// weights is looked up under a file name (its own, or what `map` and `from` make of it),
/// converted to the model's layout, checked for shape, and copied in.
public enum WeightLoader {
    /// One weight of the model and the file's name for it (nil: deliberately left as it is).
    public struct Target {
        /// The model's name (`dense_1.kernel`).
        public let name: String
        /// The layer that owns the weight, and the weight's name in it (`kernel`).
        public let layer: Layer
        public let leaf: String
        public let tensor: Tensor
        public var fileName: String?
    }

    /// What was loaded and what was not.
    public struct Report {
        public var loaded: [(name: String, fileName: String)] = []
        public var missing: [String] = []
        public var mismatched: [String] = []
        public var skipped: [String] = []
        public var unused: [String] = []
        public var notes: [String] = []

        /// `{loaded = {ours = file name}, count =, missing = {...}, mismatched = {...},
        /// skipped = {...}, unused = {...}, notes = {...}}`.
        public var json: JSONValue {
            func list(_ items: [String]) -> JSONValue { .array(items.map { .string($0) }) }
            return ["loaded": .object(loaded.map { ($0.name, .string($0.fileName)) }), "count": .int(loaded.count),
                    "missing": list(missing), "mismatched": list(mismatched), "skipped": list(skipped),
                    "unused": list(unused), "notes": list(notes)]
        }
    }

    /// The model's weights with their default file names: their own under `moonlab`, PyTorch's
    /// under `pytorch`, after `map`. A map key is a weight name (its value the file's whole
    /// name) or a layer name or path (its value replaces that prefix: `{dense_1 = "fc"}` gives
    /// `fc.weight`); the longest key that fits wins; a nil value leaves the weight as it is.
    /// A key that names no weight or layer is an error (a typo would otherwise pass silently).
    public static func targets(_ model: Model, naming: WeightNaming, map: [String: String?] = [:]) throws -> [Target] {
        var out: [Target] = []
        func walk(_ layer: Layer, _ path: String) {
            for (leaf, t) in zip(layer.weightNames, layer.weights) {
                let leafName = naming == .pytorch ? PyTorchWeights.name(of: leaf, in: layer) : leaf
                out.append(Target(name: path + "." + leaf, layer: layer, leaf: leaf, tensor: t, fileName: path + "." + leafName))
            }
            for c in layer.children { walk(c, path + "." + c.name) }
        }
        for l in model.layers { walk(l, l.name) }
        let known = Set(out.flatMap { t in prefixes(of: t.name) })
        if let bad = map.keys.sorted().first(where: { !known.contains($0) }) {
            throw TrainingError("map names '\(bad)', which is no weight or layer of the model (its weights: \(out.map(\.name).joined(separator: ", ")))")
        }
        for i in out.indices {
            guard let key = prefixes(of: out[i].name).last(where: { map[$0] != nil }), let value = map[key] else { continue }
            guard let value else { out[i].fileName = nil; continue }
            out[i].fileName = key == out[i].name ? value : value + out[i].fileName!.dropFirst(key.count)
        }
        return out
    }

    /// A `map` table read from its JSON: weight or layer names to file names, `false` to
    /// leave a weight as it is.
    public static func map(from json: JSONValue) throws -> [String: String?] {
        if case .array(let items) = json, items.isEmpty { return [:] }
        guard case .object(let pairs) = json else {
            throw TrainingError("option 'map' must be a table of name = file name (or false), or a function, got \(json.shortText)")
        }
        var map: [String: String?] = [:]
        for (key, value) in pairs {
            switch value {
            case .string(let s): map.updateValue(s, forKey: key)
            case .bool(false): map.updateValue(nil, forKey: key)
            default: throw TrainingError("option 'map': entry '\(key)' must be a file name or false, got \(value.shortText)")
            }
        }
        return map
    }

    /// `a`, `a.b`, `a.b.c` for `a.b.c`: the names a map key may give.
    static func prefixes(of name: String) -> [String] {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return (1...parts.count).map { parts.prefix($0).joined(separator: ".") }
    }

    /// Copies the file's tensors into the targets. With `strict`, any weight missing from the
    /// file or of another shape is an error listing every problem, and nothing is copied;
    /// otherwise those weights keep their values and the report lists them.
    public static func load(_ targets: [Target], from file: [(name: String, tensor: Tensor)], naming: WeightNaming,
                            strict: Bool, source: String) throws -> Report {
        let byName = Dictionary(file.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        var report = Report()
        var copies: [(Tensor, Tensor)] = []
        for t in targets {
            guard let fileName = t.fileName else { report.skipped.append(t.name); continue }
            guard let stored = byName[fileName] else {
                report.missing.append(fileName == t.name ? t.name : "\(t.name) (as '\(fileName)')")
                continue
            }
            let value = naming == .pytorch ? try PyTorchWeights.convert(stored, leaf: t.leaf, in: t.layer) : stored
            guard let value, value.shape == t.tensor.shape else {
                let layout = naming == .pytorch ? PyTorchWeights.layoutNote(leaf: t.leaf, in: t.layer) : ""
                report.mismatched.append("\(t.name) is \(shapeText(t.tensor.shape)) in the model, '\(fileName)' is \(shapeText(stored.shape)) in the file\(layout)")
                continue
            }
            copies.append((t.tensor, value))
            report.loaded.append((t.name, fileName))
        }
        let used = Set(report.loaded.map(\.fileName))
        report.unused = file.map(\.name).filter { !used.contains($0) }
        if naming == .pytorch { report.notes = PyTorchWeights.notes(targets.map(\.layer)) }
        if strict && !(report.missing.isEmpty && report.mismatched.isEmpty) {
            var problems: [String] = []
            if !report.missing.isEmpty { problems.append("missing from the file: " + report.missing.joined(separator: ", ")) }
            problems += report.mismatched
            let unused = report.unused.prefix(20).joined(separator: ", ") + (report.unused.count > 20 ? ", ..." : "")
            throw TrainingError("\(source) does not fit the model: " + problems.joined(separator: "; ")
                + (report.unused.isEmpty ? "" : " (the file's names not used: \(unused))") + "; nothing was loaded (strict=false loads what fits)")
        }
        try Tensor.noGrad { for (t, v) in copies { try t.copy(from: v) } }
        return report
    }

    /// Loads the safetensors file at `path` into `targets` (from `targets(_:naming:map:)`).
    public static func load(_ path: String, into targets: [Target], _ options: LoadWeightsOptions) throws -> Report {
        guard !targets.isEmpty else { throw TrainingError("the model has no weights to load (is it built? give it an input shape)") }
        let (file, _) = try SafeTensors.read(path)
        return try load(targets, from: file, naming: options.from, strict: options.strict, source: path)
    }
}
