import Foundation
import Testing
import MoonEngine
@testable import MoonNN

/// Parameter counts, summaries, layer codes, graphs, naming and the architecture round trip.
@Suite(.serialized) struct ModelTests {
    func dense(_ i: Int, _ u: Int) -> Int { i * u + u }
    func conv(_ c: Int, _ f: Int, _ k: Int) -> Int { c * k * k * f + f }
    func bn(_ c: Int) -> Int { 4 * c }

    @Test func mlpSummaryAndNames() throws {
        let m = try Sequential(input: [784], layers: [try Dense(64) { $0.activation = "relu" }, try Dense(64) { $0.activation = "relu" }, try Dense(10)])
        #expect(m.parameterCount == 55_050)
        #expect(m.layers.map(\.name) == ["dense_1", "dense_2", "dense_3"])
        let s = m.summary()
        #expect(s.contains("Total params: 55,050"))
        #expect(s.contains("Trainable params: 55,050"))
        #expect(s.contains("Non-trainable params: 0"))
        #expect(s.contains("dense_1 (Dense)") && s.contains("(None, 64)") && s.contains("50,240"))
        #expect(m.namedWeights().map(\.name) == ["dense_1.kernel", "dense_1.bias", "dense_2.kernel", "dense_2.bias", "dense_3.kernel", "dense_3.bias"])
        #expect(m.layers[0].description == "Dense(784 -> 64, relu)")
        #expect(message { try Sequential(input: [4], layers: [try Dense(2, name: "a"), try Dense(2, name: "a")]) }?.contains("named 'a'") == true)
    }

    @Test func layerCodeParameterCounts() throws {
        let cases: [(String, Int)] = [
            ("cpcpdnfff", conv(1, 96, 5) + conv(96, 96, 5) + bn(96) + dense(96 * 4 * 4, 64) + dense(64, 64) + dense(64, 10)),
            ("ccpdnff", conv(1, 32, 5) + conv(32, 128, 5) + bn(128) + dense(128 * 10 * 10, 128) + dense(128, 10)),
            ("cfpdndff", conv(1, 112, 3) + dense(112, 112) + bn(112) + dense(112 * 13 * 13, 112) + dense(112, 10)),
            ("cpdnfndff", conv(1, 112, 5) + bn(112) + dense(112 * 12 * 12, 112) + bn(112) + dense(112, 112) + dense(112, 10)),
            ("cfpncfpdnff", conv(1, 128, 5) + dense(128, 36) + bn(36) + conv(36, 128, 5) + dense(128, 36) + bn(36) + dense(36 * 4 * 4, 36) + dense(36, 10)),
        ]
        for (code, expected) in cases {
            let m = try LayerCodes.model(code)
            #expect(m.parameterCount == expected, "\(code): \(m.parameterCount) vs \(expected)")
            let bns = code.filter { $0 == "n" }.count
            #expect(m.summary().contains("Total params: \(Model.grouped(expected))"))
            #expect(m.parameterCount - m.trainableParameterCount == m.layers.compactMap { ($0 as? BatchNorm)?.inputShape?[0] }.reduce(0, +) * 2)
            #expect(m.layers.filter { $0 is BatchNorm }.count == bns)
            #expect(m.layers.last!.outputShape == [10])
        }
        var o = LayerCodes.Options()
        o.filters = [8]; o.kernels = [3]; o.units = [16]; o.classes = 5
        let small = try LayerCodes.model("cpf", o)
        #expect(small.parameterCount == conv(1, 8, 3) + dense(8 * 13 * 13, 5))
        #expect(message { try LayerCodes.model("cxf") }?.contains("unknown letter 'x'") == true)
    }

    /// `l1` and `l2` put the penalty on every kernel of a code's model, convolutions and dense
    /// layers, the output layer included, and on no bias: l1·Σ|w| + l2·Σw².
    @Test func layerCodePenaltiesCoverEveryKernel() throws {
        var o = LayerCodes.Options()
        o.filters = [4]; o.units = [6]; o.l1 = 1e-3; o.l2 = 1e-2
        let m = try LayerCodes.model("cfpdnff", o)
        let kernels = m.namedWeights().filter { $0.name.hasSuffix(".kernel") }
        #expect(kernels.count == 4)   // c, the f on channels, the dense layer after the flatten, the output
        var want = 0.0
        for k in kernels { for v in k.tensor.toArray() { want += 1e-3 * Double(abs(v)) + 1e-2 * Double(v * v) } }
        let got = try #require(try m.regularizationLoss()).item()
        #expect(abs(Double(got) - want) < 1e-5 * want)
        #expect(try LayerCodes.model("cfpdnff", LayerCodes.Options()).regularizationLoss() == nil)
    }

    @Test func resnet18ForSmallImages() throws {
        let r = try ResNet.resnet18(ResNet.Options())
        // CIFAR-style ResNet-18 has 11,173,962 trainable parameters for 3 input channels; one
        // channel saves 2·64·9. BatchNorm's moving statistics (4,800 channels) add 2·4,800.
        #expect(r.trainableParameterCount == 11_173_962 - 2 * 64 * 9)
        #expect(r.parameterCount == 11_173_962 - 2 * 64 * 9 + 2 * 4_800)
        #expect(r.layers.last!.outputShape == [10])
        let small = try ResNet.resnet18(input: [1, 8, 8], classes: 3, width: 4)
        let y = try small(random([2, 1, 8, 8]))
        #expect(y.shape == [2, 3])
        #expect(small.namedWeights().contains { $0.name == "basic_block_3.shortcut_conv.kernel" })
    }

    @Test func graphWithTwoNamedOutputs() throws {
        let inp = try Node.input(shape: [1, 12, 12])
        let h = try Flatten().call(try MaxPool2D(Pair(2, 2)).call(try Conv2D(4, kernel: Pair(3, 3)) { $0.activation = "relu" }.call(inp)))
        let hour = try Dense(12) { $0.activation = "softmax" }.call(h), minute = try Dense(1).call(h)
        let m = try Model(inputs: [("image", inp)], outputs: [("hour", hour), ("minute", minute)])
        #expect(m.outputNames == ["hour", "minute"])
        #expect(m.parameterCount == conv(1, 4, 3) + dense(100, 12) + dense(100, 1))
        let out = try m.forward(["image": random([3, 1, 12, 12])])
        #expect(out["hour"]!.shape == [3, 12] && out["minute"]!.shape == [3, 1])
        #expect(close(try out["hour"]!.sum(dim: 1).toArray(), [1, 1, 1], tol: 1e-5))
        #expect(m.outputActivation("hour") == "softmax" && m.outputActivation("minute") == nil)
        #expect(m.summary().contains("Connected to"))
        #expect(message { try m.forward(["image": random([3, 1, 10, 10])]) }?.contains("{N,1,12,12}") == true)
        // Two inputs merged.
        let a = try Node.input(shape: [4]), b = try Node.input(shape: [6])
        let joined = try Concatenate().call([a, b])
        let m2 = try Model(inputs: [("a", a), ("b", b)], outputs: [("y", try Dense(2).call(joined))])
        #expect(try m2.forward(["a": random([5, 4]), "b": random([5, 6])])["y"]!.shape == [5, 2])
        let stray = try Node.input(shape: [4])
        #expect(message { try Model(inputs: [("a", a)], outputs: [("y", try Dense(2).call(stray))]) }?.contains("not among the model's inputs") == true)
    }

    /// Through JSON text, as a saved file would go.
    func roundTrip(_ m: Model) throws -> Model {
        let back = try JSONValue.parse(m.architecture().encoded)
        let r = try Model.fromArchitecture(back)
        let mine = Dictionary(uniqueKeysWithValues: m.namedWeights().map { ($0.name, $0.tensor) })
        #expect(r.namedWeights().map(\.name) == m.namedWeights().map(\.name))
        for (name, t) in r.namedWeights() { try t.copy(from: mine[name]!) }
        return r
    }

    @Test func architectureRoundTripSequential() throws {
        var o = LayerCodes.Options()
        o.filters = [4, 6]; o.kernels = [3]; o.units = [8]
        let m = try LayerCodes.model("ccpdnff", o)
        let x = random([2, 1, 28, 28], seed: 31)
        _ = try m(x)   // moves the batch-norm statistics away from their start
        let r = try roundTrip(m)
        #expect(r is Sequential && r.parameterCount == m.parameterCount && r.name == m.name)
        m.setTraining(false); r.setTraining(false)
        #expect(close(try r(x).toArray(), try m(x).toArray(), tol: 1e-5))
        let res = try ResNet.resnet18(input: [1, 8, 8], classes: 3, width: 2)
        let rr = try roundTrip(res)
        res.setTraining(false); rr.setTraining(false)
        let y = random([2, 1, 8, 8], seed: 32)
        #expect(close(try rr(y).toArray(), try res(y).toArray(), tol: 1e-5))
        let reg = try Sequential(input: [3], layers: [
            try Dense(4) { $0.activation = "tanh"; $0.initializer = try Initializer(name: "variance_scaling", options: ["scale": 2.0]); $0.l1 = 0.1; $0.l2 = 0.2; $0.maxNorm = 3 },
            try Residual([try Dense(4), try Activation("relu")]),
        ])
        let back = try roundTrip(reg)
        let d = back.layers[0] as! Dense
        #expect(d.regularizer == reg.layers.compactMap { $0 as? Dense }[0].regularizer && d.maxNorm?.maxValue == 3)
        #expect(d.initializer.description == "variance_scaling{scale=2.0, mode=\"fan_in\", distribution=\"truncated_normal\"}")
    }

    @Test func architectureRoundTripGraph() throws {
        let inp = try Node.input(shape: [5])
        let h = try Dense(6) { $0.activation = "relu" }.call(inp)
        let m = try Model(inputs: [("x", inp)], outputs: [("p", try Dense(3) { $0.activation = "softmax" }.call(h)), ("v", try Dense(1).call(h))])
        let r = try roundTrip(m)
        #expect(r.outputNames == ["p", "v"] && r.inputNames == ["x"])
        let x = random([4, 5], seed: 33)
        let a = try m.forward(["x": x]), b = try r.forward(["x": x])
        #expect(close(a["p"]!.toArray(), b["p"]!.toArray()) && close(a["v"]!.toArray(), b["v"]!.toArray()))
    }

    @Test func activationsAndModes() throws {
        let m = try Sequential(input: [4], layers: [try Dense(3) { $0.activation = "relu" }, try Dropout(0.5), try Dense(2)])
        let x = random([6, 4], seed: 34)
        let acts = try m.activations(["input": x], at: m.layers[0])
        #expect(acts.shape == [6, 3])
        #expect(m.training)   // restored
        m.setTraining(false)
        #expect(m.layers.allSatisfy { !$0.training })
        #expect(m.layer(named: "dropout_1") === m.layers[1])
    }
}
