import Foundation
import Testing
@testable import MoonData
import MoonEngine

/// A small dataset: x row i is filled with i, y is i % classes.
func numbered(_ n: Int, classes: Int = 3) throws -> Dataset {
    var xs: [Float] = []
    for i in 0..<n { xs += [Float(i), Float(i), Float(i), Float(i)] }
    return try Dataset(name: "numbered", x: try Tensor(xs, shape: [n, 1, 2, 2]),
                       y: Tensor((0..<n).map { Float($0 % classes) }))
}

/// The row ids of a numbered dataset (x's first value of each row).
func ids(_ ds: Dataset) -> [Int] {
    let v = ds.x.toArray()
    return stride(from: 0, to: v.count, by: 4).map { Int(v[$0]) }
}

@Suite struct DatasetTests {
    /// Loaded once for the suite (read-only).
    nonisolated(unsafe) static let mnistTest = try! Fixtures.realTestSet()

    @Test func itemsAndCounts() throws {
        let ds = try numbered(10)
        #expect(ds.count == 10)
        #expect(ds.sampleShape == [1, 2, 2])
        let (x, y) = try ds.item(7)
        #expect(x.shape == [1, 2, 2] && x.toArray() == [7, 7, 7, 7])
        #expect(try y.single!.item() == 1)
        #expect(message { try ds.item(10) }?.contains("position 11 out of range 1..10") == true)
        #expect(ds.classCount == 3)
    }

    @Test func countsMustAgree() throws {
        let m = message { try Dataset(name: "d", x: try Tensor.zeros([4, 2]), y: try Tensor.zeros([3])) }
        #expect(m?.contains("{3}") == true && m?.contains("4 samples") == true)
        let n = message {
            try Dataset(name: "d", x: try Tensor.zeros([4, 2]),
                        targets: .named([("hour", try Tensor.zeros([4])), ("minute", try Tensor.zeros([5]))]))
        }
        #expect(n?.contains("target 'minute'") == true)
    }

    @Test func subsetIsAViewOfTheRange() throws {
        let ds = try numbered(100)
        let s = try ds.subset(10..<20)
        #expect(ids(s) == Array(10..<20))
        #expect(s.x.storage === ds.x.storage)
        #expect(s.y!.toArray() == (10..<20).map { Float($0 % 3) })
        #expect(message { try ds.subset(90..<101) }?.contains("out of range") == true)
    }

    @Test func shuffleIsAPermutationAndDeterministic() throws {
        let ds = try numbered(200)
        let a = try ds.shuffled(generator: RandomGenerator(seed: 5))
        let b = try ds.shuffled(generator: RandomGenerator(seed: 5))
        let c = try ds.shuffled(generator: RandomGenerator(seed: 6))
        #expect(ids(a) == ids(b))
        #expect(ids(a) != ids(c))
        #expect(ids(a).sorted() == Array(0..<200))
        // Labels follow their rows.
        #expect(zip(ids(a), a.y!.toArray()).allSatisfy { Float($0 % 3) == $1 })
    }

    @Test func rowsSelectsInOrder() throws {
        let ds = try numbered(10)
        let r = try ds.rows([3, 3, 9, 0])
        #expect(ids(r) == [3, 3, 9, 0])
        #expect(r.y!.toArray() == [0, 0, 0, 0])
        #expect(message { try ds.rows([1, 10]) }?.contains("position 11") == true)
    }

    @Test func splitCoversEverythingOnce() throws {
        let ds = try numbered(101)
        let (a, b) = try ds.split(fraction: 0.8, generator: RandomGenerator(seed: 1))
        #expect(a.count == 81 && b.count == 20)
        #expect((ids(a) + ids(b)).sorted() == Array(0..<101))
        let (a2, _) = try ds.split(fraction: 0.8, generator: RandomGenerator(seed: 1))
        #expect(ids(a) == ids(a2))
        #expect(message { try ds.split(fraction: 1.0) }?.contains("strictly between 0 and 1") == true)
        #expect(message { try ds.split(fraction: 0.001) }?.contains("leaves a part empty") == true)
    }

    @Test func stratifiedSplitKeepsClassProportions() throws {
        let ds = Self.mnistTest
        let counts = try ds.classCounts()
        for fraction in [0.8, 0.5, 0.1, 0.333] {
            let (a, b) = try ds.split(fraction: fraction, stratify: true, generator: RandomGenerator(seed: 3))
            #expect(a.count == Int((fraction * 10000).rounded()))
            #expect(a.count + b.count == 10000)
            let ca = try a.classCounts(), cb = try b.classCounts()
            for k in 0..<10 {
                #expect(abs(Double(ca[k]) - fraction * Double(counts[k])) < 1, "class \(k): \(ca[k]) of \(counts[k]) at \(fraction)")
                #expect(ca[k] + cb[k] == counts[k])
            }
            // Parts are shuffled, not sorted by class.
            #expect(Array(a.y!.toArray().prefix(20)) != Array(a.y!.toArray().prefix(20)).sorted())
        }
        // Unstratified on a tiny, skewed set can lose a class; stratified never does.
        let skewed = try Dataset(name: "s", x: try Tensor.zeros([20, 1]),
                                 y: Tensor((0..<20).map { $0 < 2 ? 1 : 0 }))
        for seed in 0..<20 {
            let (a, b) = try skewed.split(fraction: 0.5, stratify: true, generator: RandomGenerator(seed: UInt64(seed)))
            #expect(try a.classCounts() == [9, 1] && b.classCounts() == [9, 1])
        }
    }

    @Test func namedTargetsFollowTheirRows() throws {
        let n = 50
        let x = try Tensor((0..<n).map(Float.init), shape: [n, 1])
        let hour = Tensor((0..<n).map { Float($0 % 12) })
        let minute = Tensor((0..<n).map { Float($0) })
        let ds = try Dataset(name: "clocks", x: x, targets: .named([("hour", hour), ("minute", minute)]))
        #expect(ds.description == "dataset clocks: 50 x {1}, targets hour, minute")
        #expect(ds.y == nil)
        let (a, b) = try ds.split(fraction: 0.6, stratify: true, target: "hour", generator: RandomGenerator(seed: 2))
        for part in [a, b] {
            let xs = part.x.toArray()
            #expect(part.targets["minute"]!.toArray() == xs)
            #expect(part.targets["hour"]!.toArray() == xs.map { Float(Int($0) % 12) })
        }
        #expect(message { try ds.split(fraction: 0.5, stratify: true) }?.contains("say which one") == true)
        #expect(message { try ds.split(fraction: 0.5, stratify: true, target: "day") }?.contains("no target 'day'") == true)
        let batch = try Batches(ds, size: 7, shuffle: true, generator: RandomGenerator(seed: 1)).next()!
        #expect(batch.targets["minute"]!.toArray() == batch.x.toArray())
    }
}
