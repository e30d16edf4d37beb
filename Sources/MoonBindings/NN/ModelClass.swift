import LuaKit
import MoonData
import MoonEngine
import MoonNN
import MoonTrain

/// Model objects: forward by call, summary, parameters, modes, layers, activations; training
/// adds compile/fit/evaluate/predict/save (`TrainingBindings.modelMethods`).
enum ModelClass {
    static func install(_ L: LuaState) {
        L.defineClass(modelMeta, name: "model", doc: """
            A model (nn.Sequential, nn.Model, nn.from_code, nn.resnet18). model(x) runs a batch: a \
            tensor for a single output, a table of named tensors for several. Fields: name, \
            inputs, outputs (names), training, history (the last fit's).
            """, methods: methods + TrainingBindings.modelMethods, metamethods: metamethods, index: index)
    }

    static func selfModel(_ L: LuaState, _ fn: String) throws -> Model { try L.model(1, "model:\(fn)") }

    /// The inputs of a call: a tensor for a single-input model, or a table of named tensors.
    static func inputs(_ L: LuaState, _ index: Int32, _ model: Model, _ fn: String) throws -> [String: Tensor] {
        if let x = L.tensorOrNil(index) {
            guard model.inputNames.count == 1 else {
                throw LuaError("\(fn): the model has inputs \(model.inputNames.joined(separator: ", ")); pass a table {name=tensor, ...}")
            }
            return [model.inputNames[0]: x]
        }
        guard L.type(index) == .table else { throw L.argumentError(fn, index, "a tensor or a table of named tensors") }
        var out: [String: Tensor] = [:]
        var bad: String?
        L.forEachPair(index) {
            guard L.type(-2) == .string, let k = L.toString(-2), let t = L.tensorOrNil(-1) else {
                bad = "\(L.describe(-2)) = \(L.describe(-1))"
                return
            }
            out[k] = t
        }
        if let bad { throw LuaError("\(fn): inputs must be name = tensor pairs, found \(bad)") }
        return out
    }

    /// Pushes a model's outputs: a tensor, or a table by name when there are several.
    static func pushOutputs(_ L: LuaState, _ model: Model, _ out: [String: Tensor]) {
        if model.outputNames.count == 1, let y = out[model.outputNames[0]] {
            L.push(y)
            return
        }
        L.newTable(fieldCount: Int32(out.count))
        for n in model.outputNames { if let t = out[n] { L.push(t); L.setField(-2, n) } }
    }

    /// A layer by 1-based position (negative positions count from the end, -1 the last, as
    /// `string.sub` does), or by name.
    static func layer(_ L: LuaState, _ model: Model, _ index: Int32, _ fn: String) throws -> Layer {
        if L.type(index) == .number, let i = L.toInteger(index) {
            let count = model.layers.count
            let position = i < 0 ? count + 1 + i : i
            guard position >= 1 && position <= count else {
                throw LuaError("\(fn): layer \(i) out of range (the model has \(count) layers: positions 1 to \(count), or -1 to -\(count) from the end)")
            }
            return model.layers[position - 1]
        }
        if L.type(index) == .string, let n = L.toString(index) {
            guard let l = model.layer(named: n) else {
                throw LuaError("\(fn): no layer named '\(n)' (layers: \(model.layers.map(\.name).joined(separator: ", ")))")
            }
            return l
        }
        if let l = L.layerOrNil(index) { return l }
        throw L.argumentError(fn, index, "a layer position, name or layer")
    }

    nonisolated(unsafe) static let methods: [LuaMethod] = [
        LuaMethod("summary", "model:summary([{print=true}]) --> text", """
            Prints Keras' summary table: each layer with its output shape (None = batch) and \
            parameter count, then total, trainable and non-trainable parameters. With \
            {print=false} returns the text instead.
            """) { L in
            let m = try selfModel(L, "summary")
            let text = m.summary()
            if try L.optionBool(2, "print", "model:summary") == false { L.push(text); return 1 }
            try L.printText(text)
            return 0
        },
        LuaMethod("parameters", "model:parameters() --> {tensor, ...}", """
            The trainable tensors (they require grad) in layer order, each layer's in get_weights \
            order: the same tensors the model uses, for a hand-written optimizer loop.
            """) { L in
            L.push(array: try selfModel(L, "parameters").parameters) { L.push($0) }
            return 1
        },
        LuaMethod("forward", "model:forward(x | {name=x, ...})", "Runs a batch, as model(x).") { L in
            let m = try selfModel(L, "forward")
            pushOutputs(L, m, try m.forward(try inputs(L, 2, m, "model:forward")))
            return 1
        },
        LuaMethod("train", "model:train() --> model", "Training mode: dropout on, batch norm uses batch statistics.") { L in
            try selfModel(L, "train").setTraining(true)
            L.pushValue(1)
            return 1
        },
        LuaMethod("eval", "model:eval() --> model", "Evaluation mode: dropout off, batch norm uses its moving statistics.") { L in
            try selfModel(L, "eval").setTraining(false)
            L.pushValue(1)
            return 1
        },
        LuaMethod("layer", "model:layer(i | name) --> layer", "A layer by 1-based position or name (basic_block_1.conv1 reaches a sub-layer).") { L in
            let m = try selfModel(L, "layer")
            L.push(layer: try layer(L, m, 2, "model:layer"))
            return 1
        },
        LuaMethod("layers", "model:layers() --> {layer, ...}", "The model's layers in order.") { L in
            L.push(array: try selfModel(L, "layers").layers) { L.push(layer: $0) }
            return 1
        },
        LuaMethod("activations", "model:activations(x | dataset, layer[, {batch=256}]) --> tensor N x units", """
            The values after a layer (position, name or layer object), one row a sample, flattened \
            to N x units; computed in evaluation mode without gradients. A dataset is run in \
            batches over its inputs.
            """) { L in
            let fn = "model:activations"
            let m = try selfModel(L, "activations")
            let target = try layer(L, m, 3, fn)
            let batch = try L.optionInteger(4, "batch", fn) ?? 256
            guard batch >= 1 else { throw LuaError("\(fn): batch must be positive, got \(batch)") }
            if let ds = L.object(2, datasetMeta, as: Dataset.self) {
                let feed = try ModelInputs.feed(ds.inputs, to: m, fn)
                var parts: [Tensor] = []
                var start = 0
                while start < ds.count {
                    let n = min(batch, ds.count - start)
                    parts.append(try m.activations(try feed.mapValues { try $0.narrow(0, start, n) }, at: target))
                    start += n
                }
                guard !parts.isEmpty else { throw LuaError("\(fn): the dataset is empty") }
                L.push(try Tensor.cat(parts, dim: 0))
                return 1
            }
            L.push(try m.activations(try inputs(L, 2, m, fn), at: target))
            return 1
        },
        LuaMethod("count_params", "model:count_params() --> n", "The number of weight values (trainable or not).") { L in
            L.push(try selfModel(L, "count_params").parameterCount)
            return 1
        },
        LuaMethod("get_weights", "model:get_weights() --> {tensor, ...}", "Copies of every weight, layer by layer in get_weights order.") { L in
            L.push(array: try selfModel(L, "get_weights").getWeights()) { L.push($0) }
            return 1
        },
        LuaMethod("set_weights", "model:set_weights{tensor, ...}", "Sets every weight from get_weights' order; counts and shapes must match.") { L in
            let m = try selfModel(L, "set_weights")
            try m.setWeights(try L.weightList(2, "model:set_weights"))
            return 0
        },
        LuaMethod("named_weights", "model:named_weights() --> {name=tensor}", "Every weight by its stable name (dense_1.kernel, batch_normalization_1.moving_mean).") { L in
            let ws = try selfModel(L, "named_weights").namedWeights()
            L.newTable(fieldCount: Int32(ws.count))
            for (n, t) in ws { L.push(t); L.setField(-2, n) }
            return 1
        },
        LuaMethod("architecture", "model:architecture() --> table", "The architecture as saved with the model (layers, configs, graph).") { L in
            L.push(json: try selfModel(L, "architecture").architecture())
            return 1
        },
    ]

    nonisolated(unsafe) static let metamethods: [(String, LuaFunction)] = [
        ("__call", { L in
            let m = try L.model(1, "model()")
            pushOutputs(L, m, try m.forward(try inputs(L, 2, m, "model()")))
            return 1
        }),
        ("__tostring", { L in
            let m = try L.model(1, "tostring")
            var lines = ["nn.\(m.kind) \"\(m.name)\" {"]
            if m is Sequential {
                lines.append("  input: \(shapeText(m.inputNodes[0].shape))")
            } else {
                lines.append("  inputs: " + zip(m.inputNames, m.inputNodes).map { "\($0) \(shapeText($1.shape))" }.joined(separator: ", "))
            }
            for (k, l) in m.layers.enumerated() { lines.append("  (\(k + 1)) \(l.name): nn.\(l.description)") }
            if !(m is Sequential) {
                lines.append("  outputs: " + zip(m.outputNames, m.outputNodes).map { "\($0) <- \($1.layer.name)" }.joined(separator: ", "))
            }
            lines.append("}  \(Model.grouped(m.parameterCount)) parameters")
            L.push(lines.joined(separator: "\n"))
            return 1
        }),
    ]

    nonisolated(unsafe) static let index: LuaFunction = { L in
        let m = try L.model(1, "model index")
        guard L.type(2) == .string, let key = L.toString(2) else { L.pushNil(); return 1 }
        switch key {
        case "name": L.push(m.name)
        case "inputs": L.push(array: m.inputNames)
        case "outputs": L.push(array: m.outputNames)
        case "training": L.push(m.training)
        case "kind": L.push(m.kind)
        case "history":
            // The last fit's history (its finished epochs when Ctrl-C stopped it).
            if let h = CompiledModels.state(m)?.lastHistory { TrainingBindings.push(history: h, L) } else { L.pushNil() }
        default: L.pushNil()
        }
        return 1
    }
}

/// Graph nodes (`nn.Input{...}`, `layer(node)`): printable, with a shape.
enum NodeClass {
    static func install(_ L: LuaState) {
        L.defineClass(nodeMeta, name: "node", doc: """
            A symbolic value in a graph: call layers on it, then nn.Model{inputs=..., outputs=...}. \
            Fields: shape (per sample), layer.
            """, methods: [], metamethods: [
                ("__tostring", { L in
                    guard let n = L.nodeOrNil(1) else { throw L.argumentError("tostring", 1, "a node") }
                    L.push("nn.Node(\(n.layer.name.isEmpty ? n.layer.kind : n.layer.name) -> \(batchShapeText(n.shape)))")
                    return 1
                }),
            ], index: { L in
                guard let n = L.nodeOrNil(1), L.type(2) == .string, let key = L.toString(2) else { L.pushNil(); return 1 }
                switch key {
                case "shape": L.push(array: n.shape)
                case "layer": L.push(layer: n.layer)
                default: L.pushNil()
                }
                return 1
            })
    }
}
