import Testing
@testable import MoonData
import MoonEngine

/// Datasets with named inputs (for graphs with several `nn.Input`s): row i of input `a` holds
/// i, of `b` holds 10 i (two values), the label is i % 2.
private func twoInputs(_ n: Int) throws -> Dataset {
    let a = try Tensor((0..<n).map { Float($0) }, shape: [n, 1])
    let b = try Tensor((0..<n).flatMap { [Float(10 * $0), Float(10 * $0)] }, shape: [n, 2])
    return try Dataset(name: "pairs", inputs: .named([("a", a), ("b", b)]),
                       targets: .single(Tensor((0..<n).map { Float($0 % 2) })))
}

/// Row ids of input `a` and of input `b` (divided by 10): equal when the rows stayed together.
private func rowIds(_ inputs: Inputs) -> (a: [Int], b: [Int]) {
    let a = inputs["a"]!.toArray().map { Int($0) }
    let b = stride(from: 0, to: inputs["b"]!.count, by: 2).map { Int(inputs["b"]!.toArray()[$0]) / 10 }
    return (a, b)
}

@Suite struct NamedInputsTests {
    @Test func rowsSubsetConcatAndSamplesKeepInputsTogether() throws {
        let ds = try twoInputs(12)
        #expect(ds.hasNamedInputs && ds.count == 12)
        #expect(ds.description == "dataset pairs: 12 x {a={1}, b={2}}")
        let picked = try ds.rows([5, 0, 5])
        #expect(rowIds(picked.inputs).a == [5, 0, 5] && rowIds(picked.inputs).b == [5, 0, 5])
        #expect(picked.y!.toArray() == [1, 0, 1])
        let sub = try ds.subset(3..<6)
        #expect(rowIds(sub.inputs).b == [3, 4, 5])
        #expect(sub.inputs["b"]!.storage === ds.inputs["b"]!.storage)
        let shuffled = try ds.shuffled(generator: RandomGenerator(seed: 2))
        let ids = rowIds(shuffled.inputs)
        #expect(ids.a == ids.b && ids.a.sorted() == Array(0..<12) && ids.a != Array(0..<12))
        let both = try Dataset.concat([ds, sub])
        #expect(rowIds(both.inputs).a == Array(0..<12) + [3, 4, 5])
        let (x, y) = try ds.sample(7)
        let label = try y.single!.item()
        #expect(x["b"]!.toArray() == [70, 70] && label == 1)
    }

    @Test func shuffledBatchesGatherEveryInputInTheSameOrder() throws {
        let ds = try twoInputs(50)
        let pass = try Batches(ds, size: 8, shuffle: true, generator: RandomGenerator(seed: 4), prefetch: 2)
        var order: [Int] = []
        while let batch = try pass.next() {
            let ids = rowIds(batch.inputs)
            #expect(ids.a == ids.b)
            #expect(batch.targets.single!.toArray().map { Int($0) } == ids.a.map { $0 % 2 })
            order += ids.a
        }
        #expect(order.sorted() == Array(0..<50) && order != Array(0..<50))
    }

    @Test func operationsOnOneImageTensorRefuseNamedInputs() throws {
        let ds = try twoInputs(4)
        #expect(message { try ds.permutingPixels([0]) }?.contains("dataset pairs has named inputs (a, b); permute_pixels works on a dataset with one input x") == true)
        #expect(message { try ds.item(0) }?.contains("item works on a dataset with one input x") == true)
        #expect(message { try ds.map { _, x, y in (x, y) } }?.contains("map works on") == true)
        let single = try numbered(4)
        #expect(message { try Dataset.concat([ds, single]) }?.contains("has inputs x, dataset 1 (pairs) a, b") == true)
    }

    @Test func inputCountsMustAgree() throws {
        let m = message {
            try Dataset(name: "d", inputs: .named([("a", try Tensor.zeros([4, 1])), ("b", try Tensor.zeros([3, 2]))]),
                        targets: .single(try Tensor.zeros([4])))
        }
        #expect(m?.contains("input 'b' has shape {3,2} but input 'a' holds 4 samples {4,1}") == true)
        let twice = message {
            try Dataset(name: "d", inputs: .named([("a", try Tensor.zeros([4, 1])), ("a", try Tensor.zeros([4, 1]))]),
                        targets: .single(try Tensor.zeros([4])))
        }
        #expect(twice?.contains("input name 'a' appears twice") == true)
    }
}
