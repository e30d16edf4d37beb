import Testing
import MoonEngine
import MoonNN
@testable import MoonTrain

/// `WeightLoader`: the file names a model's weights are looked for under, and what loading
/// a PyTorch state_dict converts.
@Suite struct WeightLoadingTests {
    static func model() throws -> Sequential {
        try Sequential(input: [4, 6, 6], layers: [try BasicBlock(4), Flatten(), try Dense(3)])
    }

    @Test func pytorchNamesFollowLayerPrefixesLongestFirst() throws {
        let m = try Self.model()
        let map: [String: String?] = ["basic_block_1": "layer1.0", "basic_block_1.conv2": "custom",
                                      "dense_1": "fc", "dense_1.bias": nil]
        let names = Dictionary(uniqueKeysWithValues: try WeightLoader.targets(m, naming: .pytorch, map: map).map { ($0.name, $0.fileName) })
        #expect(names["basic_block_1.conv1.kernel"] == "layer1.0.conv1.weight")
        #expect(names["basic_block_1.bn1.moving_variance"] == "layer1.0.bn1.running_var")
        #expect(names["basic_block_1.conv2.kernel"] == "custom.weight")
        #expect(names["dense_1.kernel"] == "fc.weight")
        #expect(names["dense_1.bias"] == .some(nil))
        let own = try WeightLoader.targets(m, naming: .moonlab)
        #expect(own.map(\.name) == own.map(\.fileName) && own.map(\.name) == m.namedWeights().map(\.name))
        #expect(throws: TrainingError.self) { try WeightLoader.targets(m, naming: .pytorch, map: ["basic_block_9": "x"]) }
    }

    @Test func linearWeightsArriveTransposedAndStrictLoadsAllOrNothing() throws {
        let m = try Sequential(input: [2], layers: [try Dense(3)])
        let targets = try WeightLoader.targets(m, naming: .pytorch, map: ["dense_1": "fc"])
        let weight = try Tensor([1, 2, 3, 4, 5, 6], shape: [3, 2])   // PyTorch's {out, in}
        let report = try WeightLoader.load(targets, from: [("fc.weight", weight), ("fc.bias", Tensor([7, 8, 9]))],
                                           naming: .pytorch, strict: true, source: "f")
        #expect(report.loaded.count == 2 && report.unused.isEmpty)
        let kernel = m.namedWeights()[0].tensor
        #expect(kernel.shape == [2, 3] && kernel.toArray() == [1, 3, 5, 2, 4, 6])
        // A missing bias under strict: an error, and the kernel keeps its values.
        #expect(throws: TrainingError.self) {
            try WeightLoader.load(targets, from: [("fc.weight", try Tensor.zeros([3, 2]))], naming: .pytorch, strict: true, source: "f")
        }
        #expect(kernel.toArray() == [1, 3, 5, 2, 4, 6])
        let partial = try WeightLoader.load(targets, from: [("fc.weight", try Tensor.zeros([3, 2]))], naming: .pytorch, strict: false, source: "f")
        #expect(partial.missing == ["dense_1.bias (as 'fc.bias')"] && kernel.toArray() == [0, 0, 0, 0, 0, 0])
    }
}
