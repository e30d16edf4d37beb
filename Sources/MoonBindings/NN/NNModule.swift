import Foundation
import LuaKit
import MoonEngine
import MoonNN

/// The `nn` module: layer constructors, initializers, Sequential and graph models, layer
/// codes and ResNet-18. Training adds losses, callbacks and `nn.load` to the same table.
enum NNModule {
    static func install(_ L: LuaState) {
        LayerClass.install(L)
        ModelClass.install(L)
        NodeClass.install(L)
        InitializerClass.install(L)
        LuaLayers.install(L)
        L.defineModule("nn", doc: """
            Layers, models, initializers (and, from training, losses and callbacks). Layers are \
            built when their input shape is known: in nn.Sequential{input=...}, or when called on \
            a graph node from nn.Input. Shapes are per sample, channels first ({1, 28, 28}); the \
            batch dim comes first in every tensor.
            """) { m in
            layers(m)
            models(m)
            m.submodule("init", doc: """
                Initializers with Keras' names and meaning (fans of a dense kernel {in, units}: in, \
                units; of a conv kernel {F, C, kh, kw}: C*kh*kw, F*kh*kw). Pass one as a layer's \
                init= or bias_init= option; call one with a shape to sample it.
                """) { sub in initializers(sub) }
        }
    }

    // MARK: - Layers

    static func layers(_ m: ModuleBuilder) {
        m.layer(Dense.self)
        m.layer(Conv2D.self)
        m.layer(MaxPool2D.self)
        m.layer(AvgPool2D.self)
        m.layer(GlobalAvgPool2D.self)
        m.layer(Flatten.self)
        m.layer(Reshape.self)
        m.layer(Dropout.self)
        m.layer(BatchNorm.self)
        m.layer(Activation.self)
        m.function("Residual", options: Residual.Options.self, doc: """
            A skip connection: activation(x + block(x)). block is a layer or a table of layers; it \
            must keep the shape.
            """, leading: ["block"], extra: ["name"]) { L, o, extra in
            let block = try L.layerOrNil(1).map { [$0] } ?? L.list(1, of: "a layer") { L.layerOrNil($0) }
            L.push(layer: try L.named { try Residual(block, activation: o.activation, name: try extraOption(extra, "name", String.self, L.fn) ?? "") })
            return 1
        }
        m.layer(BasicBlock.self)
        m.layer(Add.self)
        m.layer(Concatenate.self)
        LuaLayers.functions(m)
    }

    // MARK: - Models

    static func models(_ m: ModuleBuilder) {
        m.function("Input", "nn.Input(shape, {name=})", """
            A graph input of per-sample shape ({1, 28, 28}); call layers on it to build a graph, \
            then nn.Model{inputs=..., outputs=...}.
            """) { L in
            let shape = try L.integerArray(1, "nn.Input")
            L.push(node: try Node.input(shape: shape, name: try L.optionString(2, "name") ?? ""))
            return 1
        }
        m.function("Sequential", "nn.Sequential{input={...}, layer1, layer2, ..., name=}", """
            A chain of layers; shapes are inferred from the per-sample input shape. A batch of \
            the wrong shape is an error naming both shapes.
            """) { L in
            try L.checkTable(1, "a table {input={...}, layer, ...}")
            guard let input = try L.optionShape(1, "input") else {
                throw L.fail("needs input={...}, the shape of one sample (e.g. input={1, 28, 28} or input={784})")
            }
            let layers = try L.list(1, of: "a layer") { L.layerOrNil($0) }
            var unknown: [String] = []
            L.forEachPair(1) {
                if L.type(-2) == .string, let k = L.toString(-2), k != "input", k != "name" { unknown.append(k) }
            }
            if !unknown.isEmpty { throw L.fail("unknown option \(unknown.sorted().joined(separator: ", ")) (valid: input, name)") }
            L.push(model: try Sequential(input: input, layers: layers, name: try L.optionString(1, "name") ?? "sequential"))
            return 1
        }
        m.function("Model", "nn.Model{inputs=node | {a=node, ...}, outputs=node | {name=node, ...}, name=}", """
            A graph model from nn.Input nodes to output nodes. Named outputs give a table of \
            tensors from model(x); a single output gives a tensor. Inputs and outputs given as \
            arrays are named after their layers.
            """) { L in
            try L.checkTable(1, "a table {inputs=..., outputs=...}")
            try L.checkOptionKeys(1, ["inputs", "outputs", "name"])
            func ends(_ key: String, single: String) throws -> [(String, Node)] {
                L.getField(1, key)
                defer { L.pop() }
                if let n = L.nodeOrNil(-1) { return [(single, n)] }
                guard L.type(-1) == .table else { throw L.fail("'\(key)' must be a node or a table of nodes, got \(L.describe(-1))") }
                let out = try L.keyed(-1, of: "a node") { L.nodeOrNil($0) }
                if out.isEmpty { throw L.fail("'\(key)' is empty") }
                return out.map { ($0.name ?? "", $0.value) }
            }
            let model = try Model(inputs: try ends("inputs", single: "input"), outputs: try ends("outputs", single: "output"),
                                  name: try L.optionString(1, "name") ?? "model", arrayNamesFromLayers: true)
            L.push(model: model)
            return 1
        }
        m.function("from_code", options: LayerCodes.Options.self, doc: """
            A Sequential model from a layer code: c=Conv2D p=MaxPool2D d=Dropout n=BatchNorm f=Dense. \
            A Flatten goes in before the first f that no c or p follows (earlier f's map channels); \
            the code's last f is the classes-way output layer (logits unless output_activation), \
            as in the study (cpcpdnfff: two Dense(64) and the output), else one is appended. \
            The study codes cpcpdnfff ccpdnff cfpdndff cpdnfndff cfpncfpdnff default to the study's \
            settings.
            """, leading: ["code"], extra: ["name"]) { L, options, extra in
            let model = try LayerCodes.model(try L.string(1), options)
            if let n = try extraOption(extra, "name", String.self, "nn.from_code") { model.name = n }
            L.push(model: model)
            return 1
        }
        m.function("resnet18", options: ResNet.Options.self, doc: """
            ResNet-18 for small images: a 3x3 stem without the initial max-pool, four stages of two \
            BasicBlocks (64-128-256-512), global average pooling, a classes-way Dense (logits).
            """) { L, options, _ in
            L.push(model: try ResNet.resnet18(options))
            return 1
        }
    }

    // MARK: - Initializers

    static func initializers(_ m: ModuleBuilder) {
        let docs: [(String, String, [String])] = [
            ("zeros", "All zeros.", []),
            ("ones", "All ones.", []),
            ("constant", "Every value `value` (default 0).", ["value"]),
            ("random_normal", "Normal values, mean 0 and std 0.05 unless given.", ["mean", "std", "stddev"]),
            ("random_uniform", "Uniform values in [min, max), default [-0.05, 0.05).", ["min", "max", "minval", "maxval"]),
            ("truncated_normal", "Normal values (mean 0, std 0.05 unless given) re-drawn beyond 2 std.", ["mean", "std", "stddev"]),
            ("glorot_normal", "variance_scaling{scale=1, mode=\"fan_avg\", distribution=\"truncated_normal\"}.", []),
            ("glorot_uniform", "variance_scaling{scale=1, mode=\"fan_avg\", distribution=\"uniform\"}: limit sqrt(6/(fan_in+fan_out)).", []),
            ("he_normal", "variance_scaling{scale=2, mode=\"fan_in\", distribution=\"truncated_normal\"}.", []),
            ("he_uniform", "variance_scaling{scale=2, mode=\"fan_in\", distribution=\"uniform\"}.", []),
            ("lecun_normal", "variance_scaling{scale=1, mode=\"fan_in\", distribution=\"truncated_normal\"}.", []),
            ("lecun_uniform", "variance_scaling{scale=1, mode=\"fan_in\", distribution=\"uniform\"}.", []),
            ("variance_scaling", """
                Keras' VarianceScaling: n = fan_in, fan_out or their mean (mode). uniform: limit \
                sqrt(3*scale/n); truncated_normal (and normal, its Keras alias): std \
                sqrt(scale/n)/0.87962566103423978, re-drawn beyond 2 std, so the values have std \
                sqrt(scale/n); untruncated_normal: std sqrt(scale/n). Defaults scale=1, \
                mode="fan_in", distribution="truncated_normal".
                """, ["scale", "mode", "distribution"]),
            ("pytorch_default", """
                PyTorch's default for nn.Linear and nn.Conv2d: uniform in [-1/sqrt(fan_in), \
                1/sqrt(fan_in)] (kaiming_uniform with a=sqrt(5) for the kernel). As bias_init, the \
                bound uses the layer's kernel fan-in, as PyTorch does: init="pytorch_default", \
                bias_init="pytorch_default" builds a layer as PyTorch would.
                """, []),
        ]
        for (name, doc, keys) in docs {
            let signature = keys.isEmpty ? "nn.init.\(name)()" : "nn.init.\(name){\(keys.filter { !["stddev", "minval", "maxval"].contains($0) }.map { "\($0)=" }.joined(separator: ", "))}"
            m.function(name, signature, doc + " Returns an initializer for init= options; init(shape) samples one.") { L in
                try L.checkOptionKeys(1, Set(keys))
                L.push(initializer: try Initializer(name: name, options: try L.json(1), owner: L.fn))
                return 1
            }
        }
    }
}

/// Initializer objects: `tostring`, and `init(shape)` to sample.
enum InitializerClass {
    static func install(_ L: LuaState) {
        L.defineClass(initializerMeta, name: "initializer", doc: """
            An initializer (nn.init.<name>{...}): pass it as init= or bias_init=; init(shape) \
            returns a tensor drawn from it (fans from the shape, as for layer weights).
            """, methods: [
                LuaMethod("sample", "init:sample(shape)", "A tensor of the given shape drawn from the initializer.") { L in
                    try sample(L)
                },
            ], metamethods: [
                ("__tostring", { L in
                    let box = try L.object(1, initializerMeta, as: InitializerBox.self, expected: "an initializer")
                    L.push("nn.init." + box.value.description)
                    return 1
                }),
                ("__call", { L in try sample(L) }),
            ])
    }

    static func sample(_ L: LuaState) throws -> Int32 {
        let box = try L.object(1, initializerMeta, as: InitializerBox.self, expected: "an initializer")
        let shape = try L.integerArray(2, "initializer")
        guard shape.allSatisfy({ $0 >= 0 }) else { throw LuaError("initializer: sizes must be non-negative, got \(shapeText(shape))") }
        L.push(try box.value.make(shape))
        return 1
    }
}
