import Foundation
import MoonData
import MoonEngine
import MoonNN
@testable import MoonTrain

/// A small dense model for the training tests: `y = act(x·W + b)` with weights set by hand,
/// so nothing depends on initializers or on the global random generator.
final class TinyModel: TrainableModel {
    let w: Tensor, b: Tensor
    let activation: String?
    var trainingMode = true
    var constraintCalls = 0
    var l2: Float = 0

    init(inputs: Int, outputs: Int, activation: String? = nil, seed: UInt64 = 1) throws {
        let g = RandomGenerator(seed: seed)
        w = try Tensor.randn([inputs, outputs], std: 0.1, generator: g).requiringGrad()
        b = try Tensor.zeros([outputs]).requiringGrad()
        self.activation = activation
    }

    var inputNames: [String] { ["input"] }
    var outputNames: [String] { ["output"] }
    func forward(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        let x = inputs["input"]!
        var y = try x.reshape([x.shape[0], -1]).matmul(w).add(b)
        if let activation { y = try y.activation(activation) }
        return ["output": y]
    }
    var parameters: [Tensor] { [w, b] }
    func setTraining(_ on: Bool) { trainingMode = on }
    func regularizationLoss() throws -> Tensor? { l2 > 0 ? try w.square().sum().mul(l2) : nil }
    func applyConstraints() throws { constraintCalls += 1 }
    func outputActivation(_ output: String) -> String? { activation }
    func namedWeights() -> [(name: String, tensor: Tensor)] { [("dense_1.kernel", w), ("dense_1.bias", b)] }
    func architecture() -> JSONValue { ["kind": "tiny", "inputs": .int(w.shape[0]), "outputs": .int(w.shape[1])] }
}

/// Two separable blobs in 2-d: class 0 around (-1, -1), class 1 around (1, 1).
func blobs(_ n: Int, seed: UInt64 = 3) throws -> Dataset {
    let g = RandomGenerator(seed: seed)
    var xs: [Float] = [], ys: [Float] = []
    for i in 0..<n {
        let c = Float(i % 2)
        let centre: Float = c == 0 ? -1 : 1
        xs += [centre + Float(g.nextNormal()) * 0.3, centre + Float(g.nextNormal()) * 0.3]
        ys.append(c)
    }
    return try Dataset(name: "blobs", x: try Tensor(xs, shape: [n, 2]), y: Tensor(ys))
}

func quiet(_ epochs: Int, batch: Int = 8, seed: UInt64 = 5) -> FitOptions {
    var o = FitOptions(epochs: epochs, batchSize: batch)
    o.verbose = 0
    o.output = .silent
    o.generator = RandomGenerator(seed: seed)
    o.log = { _ in }
    return o
}

func temporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "moontrain-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func close(_ a: Float, _ b: Double, _ tol: Double = 1e-6) -> Bool { Swift.abs(Double(a) - b) <= tol * Swift.max(1, Swift.abs(b)) }
func close(_ a: [Float], _ b: [Double], _ tol: Double = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { close($0, $1, tol) }
}
