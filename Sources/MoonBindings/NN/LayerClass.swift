import LuaKit
import MoonEngine
import MoonNN

/// Layer objects: weights, printing, and calling on graph nodes or tensors.
enum LayerClass {
    static func install(_ L: LuaState) {
        L.defineClass(layerMeta, name: "layer", doc: """
            A layer (nn.Dense, nn.Conv2D, ...). layer(node) extends a graph; layer(x) runs it on a \
            batch (building it for x's shape). Fields: name, kind, input_shape, output_shape.
            """, methods: methods, metamethods: metamethods, index: index, fields: ["name", "kind", "input_shape", "output_shape", "training"])
    }

    static func selfLayer(_ L: LuaState) throws -> Layer { try L.layer(1) }

    nonisolated(unsafe) static let methods: [LuaMethod] = [
        LuaMethod("get_weights", "layer:get_weights() --> {tensor, ...}", """
            Copies of the weights in Keras order: Dense {kernel {in, units}, bias {units}}; Conv2D \
            {kernel {filters, in_channels, kh, kw}, bias}; BatchNorm {gamma, beta, moving_mean, \
            moving_variance}; sub-layers' after. Empty before the layer is built.
            """) { L in
            let ws = try selfLayer(L).getWeights()
            L.push(array: ws) { L.push($0) }
            return 1
        },
        LuaMethod("set_weights", "layer:set_weights{tensor, ...}", """
            Copies values into the weights, in get_weights order; a count or shape mismatch is an \
            error naming both shapes.
            """) { L in
            let layer = try selfLayer(L)
            try layer.setWeights(try L.weightList(2))
            return 0
        },
        LuaMethod("count_params", "layer:count_params() --> n", "The number of weight values (trainable or not).") { L in
            L.push(try selfLayer(L).parameterCount)
            return 1
        },
        LuaMethod("config", "layer:config() --> table", "The options that rebuild the layer, as saved with a model.") { L in
            L.push(json: try selfLayer(L).config)
            return 1
        },
        LuaMethod("weight_names", "layer:weight_names() --> {names}", "The names of get_weights' tensors (kernel, bias, ...).") { L in
            L.push(array: try selfLayer(L).allNamedWeights.map(\.name))
            return 1
        },
    ]

    nonisolated(unsafe) static let metamethods: [(String, LuaFunction)] = [
        ("__tostring", { L in
            L.push("nn." + (try L.layer(1)).description)
            return 1
        }),
        ("__call", { L in
            let layer = try L.layer(1)
            L.fn = "\(layer.kind)(...)"
            if let node = L.nodeOrNil(2) {
                L.push(node: try layer.call(node))
                return 1
            }
            if let x = L.tensorOrNil(2) {
                guard x.rank >= 2 else {
                    throw L.fail("expected a batch (samples along dim 1), got shape \(shapeText(x.shape))")
                }
                let merge = layer as? MergeLayer
                if let merge { try merge.ensureBuilt(inputShapes: [Array(x.shape.dropFirst())]) } else {
                    try layer.ensureBuilt(inputShape: Array(x.shape.dropFirst()))
                }
                try layer.checkInput(x.shape)
                L.push(try layer.forward(x))
                return 1
            }
            if L.type(2) == .table, let merge = layer as? MergeLayer {
                L.push(node: try merge.call(try L.list(2, of: "a graph node") { L.nodeOrNil($0) }))
                return 1
            }
            throw L.argumentError(2, layer is MergeLayer ? "a table of graph nodes" : "a graph node (from nn.Input) or a tensor batch")
        }),
    ]

    nonisolated(unsafe) static let index: LuaFunction = { L in
        let layer = try L.layer(1)
        guard L.type(2) == .string, let key = L.toString(2) else { L.pushNil(); return 1 }
        switch key {
        case "name": L.push(layer.name)
        case "kind": L.push(layer.kind)
        case "input_shape": if let s = layer.inputShape { L.push(array: s) } else { L.pushNil() }
        case "output_shape": if let s = layer.outputShape { L.push(array: s) } else { L.pushNil() }
        case "training": L.push(layer.training)
        default:
            // A layer written in Lua answers its own fields (options, weights).
            guard let host = (layer as? CustomLayer)?.host as? LuaLayers.Host else { L.pushNil(); return 1 }
            host.object.push(L)
            L.pushValue(2)
            L.rawGetTop(-2)
            L.remove(-2)
        }
        return 1
    }
}

extension LuaState {
    /// The tensors of the array at `index` (`set_weights{...}`).
    func weightList(_ index: Int32) throws -> [Tensor] {
        try checkTable(index, "a table of tensors")
        var out: [Tensor] = []
        for i in 0..<rawLength(index) {
            rawGet(index, i + 1)
            defer { pop() }
            guard let t = tensorOrNil(-1) else { throw fail("element \(i + 1) is \(describe(-1)), not a tensor") }
            out.append(t)
        }
        return out
    }
}
