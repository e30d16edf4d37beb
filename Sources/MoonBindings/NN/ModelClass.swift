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
            """, methods: methods + TrainingBindings.modelMethods + ShowMethods.modelMethods, metamethods: metamethods, index: index, fields: ["name", "inputs", "outputs", "training", "kind", "history"])
    }

    static func selfModel(_ L: LuaState) throws -> Model { try L.model(1) }

    /// The inputs of a call: a tensor for a single-input model, or a table of named tensors.
    static func inputs(_ L: LuaState, _ index: Int32, _ model: Model) throws -> [String: Tensor] {
        guard let x = L.fieldsOrNil(index) else { throw L.argumentError(index, "a tensor or a table of named tensors") }
        return try L.named { try ModelInputs.feed(x, to: model, L.fn) }
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

    /// A layer by 1-based position (negative from the end), name, or the layer itself.
    static func layer(_ L: LuaState, _ model: Model, _ index: Int32) throws -> Layer {
        if let l = L.layerOrNil(index) { return l }
        guard L.type(index) == .number || L.type(index) == .string else { throw L.argumentError(index, "a layer position, name or layer") }
        return try L.named { try model.layer(at: try L.json(index)) }
    }

    nonisolated(unsafe) static let methods: [LuaMethod] = [
        LuaMethod("summary", "model:summary([{print=true}]) --> text", """
            Prints Keras' summary table: each layer with its output shape (None = batch) and \
            parameter count, then total, trainable and non-trainable parameters. With \
            {print=false} returns the text instead.
            """) { L in
            let m = try selfModel(L)
            let text = m.summary()
            if try !L.options(SummaryOptions.self, at: 2).print { L.push(text); return 1 }
            try L.printText(text)
            return 0
        },
        LuaMethod("parameters", "model:parameters() --> {tensor, ...}", """
            The trainable tensors (they require grad) in layer order, each layer's in get_weights \
            order: the same tensors the model uses, for a hand-written optimizer loop.
            """) { L in
            L.push(array: try selfModel(L).parameters) { L.push($0) }
            return 1
        },
        LuaMethod("forward", "model:forward(x | {name=x, ...})", "Runs a batch, as model(x).") { L in
            let m = try selfModel(L)
            pushOutputs(L, m, try m.forward(try inputs(L, 2, m)))
            return 1
        },
        LuaMethod("train", "model:train() --> model", "Training mode: dropout on, batch norm uses batch statistics.") { L in
            try selfModel(L).setTraining(true)
            L.pushValue(1)
            return 1
        },
        LuaMethod("eval", "model:eval() --> model", "Evaluation mode: dropout off, batch norm uses its moving statistics.") { L in
            try selfModel(L).setTraining(false)
            L.pushValue(1)
            return 1
        },
        LuaMethod("layer", "model:layer(i | name) --> layer", "A layer by 1-based position or name (basic_block_1.conv1 reaches a sub-layer).") { L in
            let m = try selfModel(L)
            L.push(layer: try layer(L, m, 2))
            return 1
        },
        LuaMethod("layers", "model:layers() --> {layer, ...}", "The model's layers in order.") { L in
            L.push(array: try selfModel(L).layers) { L.push(layer: $0) }
            return 1
        },
        LuaMethod("activations", "model:activations(x | dataset, layer[, {batch=256}]) --> tensor N x units", """
            The values after a layer (position, name or layer object), one row a sample, flattened \
            to N x units; computed in evaluation mode without gradients. A dataset is run in \
            batches over its inputs.
            """) { L in
            let m = try selfModel(L)
            let target = try layer(L, m, 3)
            let batch = try L.options(ActivationsOptions.self, at: 4).batch
            guard let x = L.datasetOrNil(2)?.inputs ?? L.fieldsOrNil(2) else {
                throw L.argumentError(2, "a tensor, a table of named tensors or a dataset")
            }
            L.push(try L.named { try Inference.activations(m, inputs: x, at: target, batchSize: batch, L.fn) })
            return 1
        },
        LuaMethod("count_params", "model:count_params() --> n", "The number of weight values (trainable or not).") { L in
            L.push(try selfModel(L).parameterCount)
            return 1
        },
        LuaMethod("flops", "model:flops() --> n", """
            Floating-point operations of one sample's forward pass in the Dense and Conv2D layers' \
            matrix products (2 per multiply-add; activations, pooling and normalization not \
            counted): the GEMM work. A training step costs about 3x (forward, and the two \
            gradients); samples/s x 3 x flops gives the FLOP/s a run reaches.
            """) { L in
            L.push(try selfModel(L).forwardFlops)
            return 1
        },
        LuaMethod("get_weights", "model:get_weights() --> {tensor, ...}", "Copies of every weight, layer by layer in get_weights order.") { L in
            L.push(array: try selfModel(L).getWeights()) { L.push($0) }
            return 1
        },
        LuaMethod("set_weights", "model:set_weights{tensor, ...}", "Sets every weight from get_weights' order; counts and shapes must match.") { L in
            let m = try selfModel(L)
            try m.setWeights(try L.weightList(2))
            return 0
        },
        LuaMethod("named_weights", "model:named_weights() --> {name=tensor}", "Every weight by its stable name (dense_1.kernel, batch_normalization_1.moving_mean).") { L in
            let ws = try selfModel(L).namedWeights()
            L.newTable(fieldCount: Int32(ws.count))
            for (n, t) in ws { L.push(t); L.setField(-2, n) }
            return 1
        },
        LuaMethod("architecture", "model:architecture() --> table", "The architecture as saved with the model (layers, configs, graph).") { L in
            L.push(json: try selfModel(L).architecture())
            return 1
        },
    ]

    nonisolated(unsafe) static let metamethods: [(String, LuaFunction)] = [
        ("__call", { L in
            let m = try L.model(1)
            pushOutputs(L, m, try m.forward(try inputs(L, 2, m)))
            return 1
        }),
        ("__tostring", { L in L.push(try L.model(1).listing); return 1 }),
    ]

    nonisolated(unsafe) static let index: LuaFunction = { L in
        let m = try L.model(1)
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
                    guard let n = L.nodeOrNil(1) else { throw L.argumentError(1, "a node") }
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
