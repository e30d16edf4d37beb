import Foundation
import Testing
@testable import MoonData
import MoonEngine

@Suite struct DatasetOperationsTests {
    @Test func concatKeepsOrderAndChecksShapes() throws {
        let a = try numbered(5), b = try numbered(3).rows([2, 1, 0])
        let c = try Dataset.concat([a, b])
        #expect(c.count == 8)
        #expect(ids(c) == [0, 1, 2, 3, 4, 2, 1, 0])
        #expect(c.y!.toArray() == [0, 1, 2, 0, 1, 2, 1, 0])
        let other = try Dataset(name: "o", x: try Tensor.zeros([2, 4]), y: Tensor([0, 1]))
        #expect(message { try Dataset.concat([a, other]) }?.contains("concat: dataset 2 (o) has samples of shape {4}") == true)
        let named = try Dataset(name: "n", x: try Tensor.zeros([2, 1, 2, 2]), targets: .named([("hour", Tensor([1, 2]))]))
        #expect(message { try Dataset.concat([a, named]) }?.contains("has targets hour") == true)
        let n2 = try Dataset.concat([named, named])
        #expect(n2.targets["hour"]!.toArray() == [1, 2, 1, 2])
    }

    @Test func mapAppliesPerSample() throws {
        let ds = try numbered(6)
        let doubled = try ds.map { _, x, y in (try x.mul(2), nil) }
        #expect(ids(doubled) == [0, 2, 4, 6, 8, 10])
        #expect(doubled.y!.toArray() == ds.y!.toArray())
        let relabelled = try ds.map { i, x, _ in (try x.reshape([4]), .single(Tensor(Float(i * 10)))) }
        #expect(relabelled.x.shape == [6, 4])
        #expect(relabelled.y!.toArray() == [0, 10, 20, 30, 40, 50])
        #expect(message { try ds.map { i, x, _ in (i == 3 ? try x.reshape([4]) : x, nil) } }?
            .contains("map: sample 4 returned x of shape {4}, sample 1 {1,2,2}") == true)
    }

    @Test func kfoldFoldsAreDisjointAndCover() throws {
        let ds = try numbered(103, classes: 4)
        for stratify in [false, true] {
            let folds = try ds.kfoldIndices(5, stratify: stratify, generator: RandomGenerator(seed: 1))
            #expect(folds.count == 5)
            #expect(folds.flatMap { $0 }.sorted() == Array(0..<103))
            let sizes = folds.map(\.count)
            #expect(sizes.max()! - sizes.min()! <= 1)
            if stratify {
                let labels = try ds.classLabels()
                for f in folds {
                    var counts = [0, 0, 0, 0]
                    for i in f { counts[labels[i]] += 1 }
                    #expect(counts.allSatisfy { abs(Double($0) - 103.0 / 20) <= 1.5 }, "\(counts)")
                }
            }
            let (train, validation) = try ds.fold(2, of: folds)
            #expect(train.count + validation.count == 103)
            #expect(Set(ids(train)).isDisjoint(with: Set(ids(validation))))
            #expect(ids(validation) == folds[2])
        }
        #expect(try ds.kfoldIndices(3, generator: RandomGenerator(seed: 4)) == ds.kfoldIndices(3, generator: RandomGenerator(seed: 4)))
        #expect(message { try ds.kfoldIndices(1) }?.contains("k must be at least 2") == true)
        #expect(message { try ds.kfoldIndices(200) }?.contains("need at least 200 samples") == true)
    }

    @Test func pixelPermutationAndItsInverse() throws {
        let mnist = try Fixtures.realTestSet().subset(0..<50)
        let perm = try PixelPermutation.random(784, generator: RandomGenerator(seed: 7))
        let p = try mnist.permutingPixels(perm)
        #expect(p.x.shape == mnist.x.shape)
        #expect(p.y!.toArray() == mnist.y!.toArray())
        let orig = mnist.x.toArray(), moved = p.x.toArray()
        #expect(moved != orig)
        // New position i takes old position perm[i], in every image.
        for img in [0, 49] { for i in [0, 100, 783] { #expect(moved[img * 784 + i] == orig[img * 784 + perm[i]]) } }
        let back = try p.permutingPixels(try PixelPermutation.inverse(perm))
        #expect(back.x.toArray() == orig)
        // H*W permutations move every channel alike; C*H*W ones move everything.
        let rgb = try Tensor((0..<24).map(Float.init), shape: [2, 3, 2, 2])
        let swapped = try PixelPermutation.apply([3, 2, 1, 0], to: rgb, sampleDims: 3).toArray()
        #expect(Array(swapped[0..<8]) == [3, 2, 1, 0, 7, 6, 5, 4])
        let all = try PixelPermutation.apply(Array((0..<12).reversed()), to: rgb, sampleDims: 3).toArray()
        #expect(Array(all[0..<3]) == [11, 10, 9])
        #expect(message { try PixelPermutation.apply([0, 1, 2], to: rgb, sampleDims: 3) }?.contains("does not match") == true)
        #expect(message { try PixelPermutation.apply([0, 0, 1, 2], to: rgb, sampleDims: 3) }?.contains("appears twice") == true)
        #expect(message { try PixelPermutation.apply([0, 1, 2, 4], to: rgb, sampleDims: 3) }?.contains("outside 1..4") == true)
    }
}

@Suite struct PrefetchTests {
    func run(_ pass: Batches) throws -> [[Int]] {
        var out: [[Int]] = []
        while let b = try pass.next() {
            #expect(b.x.toArray() == b.indices.flatMap { [Float](repeating: Float($0), count: 4) })
            out.append(b.indices)
        }
        return out
    }

    @Test func prefetchedBatchesEqualSynchronousOnes() throws {
        let ds = try numbered(1003)
        for capacity in [1, 2] {
            let ahead = try Batches(ds, size: 64, shuffle: true, generator: RandomGenerator(seed: 9), prefetch: capacity)
            #expect(ahead.isPrefetching)
            let now = try Batches(ds, size: 64, shuffle: true, generator: RandomGenerator(seed: 9), prefetch: 0)
            #expect(!now.isPrefetching)
            let a = try run(ahead), b = try run(now)
            #expect(a == b && a.count == 16)
            #expect(try ahead.next() == nil)
        }
        // A slow consumer and a slow producer give the same batches.
        let slow = try Batches(ds, size: 100, shuffle: true, generator: RandomGenerator(seed: 2), prefetch: 2) { b in
            usleep(2000); return b
        }
        var got: [[Int]] = []
        while let b = try slow.next() { usleep(UInt32(1000 * (got.count % 3))); got.append(b.indices) }
        #expect(got == (try run(try Batches(ds, size: 100, shuffle: true, generator: RandomGenerator(seed: 2), prefetch: 0))))
        // In order without a prepare step: views, no thread.
        #expect(!(try Batches(ds, size: 64)).isPrefetching)
    }

    @Test func abandonedPassesStopTheirWorker() throws {
        let ds = try numbered(5000)
        let counter = Counter()
        for _ in 0..<50 {
            let pass = try Batches(ds, size: 10, shuffle: true, prefetch: 2) { b in counter.add(); return b }
            _ = try pass.next()
            pass.cancel()
            #expect(try pass.next() == nil)
        }
        // Each worker built at most the taken batch plus its queue plus one in progress.
        let built = counter.value
        #expect(built <= 50 * 4)
        usleep(20_000)
        #expect(counter.value == built)   // nothing runs after cancel returned
        // Passes simply dropped stop too (deinit).
        for _ in 0..<20 { _ = try Batches(ds, size: 10, shuffle: true, prefetch: 1).next() }
    }

    @Test func errorsReachTheConsumerInOrder() throws {
        struct Boom: Error {}
        let ds = try numbered(100)
        // The fourth batch's rows, from a pass made in place with the same order.
        let plain = try Batches(ds, size: 10, shuffle: true, generator: RandomGenerator(seed: 8), prefetch: 0)
        for _ in 0..<3 { _ = try plain.next() }
        let fourth = try plain.next()!.indices
        let pass = try Batches(ds, size: 10, shuffle: true, generator: RandomGenerator(seed: 8), prefetch: 2) { b in
            if b.indices == fourth { throw Boom() }
            return b
        }
        var n = 0
        do { while try pass.next() != nil { n += 1 } } catch is Boom { }
        #expect(n == 3)
        #expect(try pass.next() == nil)
    }
}

/// A thread-safe counter.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.lock(); n += 1; lock.unlock() }
    /// The count before this call, then one more.
    func next() -> Int { lock.lock(); defer { n += 1; lock.unlock() }; return n }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
