import LuaKit
import MoonEngine
import MoonNN
import MoonTrain

/// `model:save_weights`, `model:load_weights`: weights by name in safetensors files.
extension TrainingBindings {
    nonisolated(unsafe) static let saveWeights = LuaMethod("save_weights", "model:save_weights(path)", """
        Saves the weights alone, under the model's names (dense_1.kernel, \
        batch_normalization_1.moving_mean), to a safetensors file, atomically. \
        model:load_weights(path) reads it into a model with those names; model:save keeps the \
        architecture and optimizer too.
        """) { L in
        let model = try selfModel(L)
        let path = DataModule.expandTilde(try L.string(2))
        try L.named { try ModelFile.saveWeights(model, to: path) }
        return 0
    }

    nonisolated(unsafe) static let loadWeights = LuaMethod("load_weights", "model", options: LoadWeightsOptions.self,
                                                           leading: ["path"], extra: ["map"], returns: "report", doc: """
        Loads weights by name from a safetensors file (moonlab's, PyTorch's state_dict, any) \
        into the built model. Each weight is looked up under its name (dense_1.kernel), or \
        what map= makes of it: a table whose keys are weight names (value: the file's whole \
        name) or layer names (value: the file's prefix for that layer, {dense_1="fc"} gives \
        fc.kernel, or fc.weight with from="pytorch"), false to leave a weight as it is; or a \
        function(name, proposed) returning the file's name, or nil to leave it. from="pytorch" \
        renames weight/bias/running_mean/running_var and transposes Linear weights (see \
        docs/weights.md). Returns a report: loaded (ours = file's), count, missing, \
        mismatched, skipped, unused (file names not loaded), notes.
        """) { L, o in
        let model = try L.model(1)
        let path = DataModule.expandTilde(try L.string(2))
        var function: Int32? = nil
        var map: [String: String?] = [:]
        if L.type(3) == .table {
            L.getField(3, "map")
            if L.type(-1) == .function { function = L.top } else if !L.isNoneOrNil(-1) {
                let json = try L.json(-1, "option 'map'")
                map = try L.named { try WeightLoader.map(from: json) }
            }
        }
        var targets = try L.named { try WeightLoader.targets(model, naming: o.from, map: map) }
        if let function {
            for i in targets.indices {
                L.pushValue(function)
                L.push(targets[i].name)
                if let proposed = targets[i].fileName { L.push(proposed) } else { L.pushNil() }
                try L.call(nargs: 2, nresults: 1)
                if L.type(-1) == .string { targets[i].fileName = L.toString(-1) }
                else if L.isNoneOrNil(-1) || (L.type(-1) == .boolean && !L.toBool(-1)) { targets[i].fileName = nil }
                else { throw L.fail("option 'map': the function must return a file name or nil for \(targets[i].name), got a \(L.typeName(-1))") }
                L.pop()
            }
        }
        L.push(json: try L.named { try WeightLoader.load(path, into: targets, o) }.json)
        return 1
    }
}
