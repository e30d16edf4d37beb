import Foundation
import Testing
@testable import MoonData
import MoonEngine

@Suite struct BatchesTests {
    @Test func shuffledBatchesCoverEveryRowOnce() throws {
        let ds = try numbered(1003)
        let pass = try Batches(ds, size: 64, shuffle: true, generator: RandomGenerator(seed: 9))
        #expect(pass.count == 16)
        var seen: [Int] = [], sizes: [Int] = []
        while let b = try pass.next() {
            sizes.append(b.x.shape[0])
            #expect(b.x.shape.dropFirst() == [1, 2, 2])
            #expect(b.x.isContiguous)
            // x rows and labels are the dataset's rows at the batch's indices.
            #expect(ids(try Dataset(name: "b", x: b.x, targets: b.targets)) == b.indices)
            #expect(b.targets.single!.toArray() == b.indices.map { Float($0 % 3) })
            seen += b.indices
        }
        #expect(seen.sorted() == Array(0..<1003))
        #expect(seen != Array(0..<1003))
        #expect(sizes == [Int](repeating: 64, count: 15) + [43])
        #expect(try pass.next() == nil)
    }

    @Test func inOrderBatchesAreViews() throws {
        let ds = try numbered(10)
        let pass = try Batches(ds, size: 4)
        var seen: [Int] = []
        while let b = try pass.next() {
            #expect(b.x.storage === ds.x.storage)
            seen += ids(try Dataset(name: "b", x: b.x, targets: b.targets))
        }
        #expect(seen == Array(0..<10))
    }

    @Test func dropLastAndSeeds() throws {
        let ds = try numbered(10)
        let pass = try Batches(ds, size: 4, shuffle: true, dropLast: true, generator: RandomGenerator(seed: 1))
        #expect(pass.count == 2)
        var n = 0
        while let b = try pass.next() { #expect(b.x.shape[0] == 4); n += 1 }
        #expect(n == 2)
        func order(_ seed: UInt64) throws -> [Int] {
            let p = try Batches(ds, size: 3, shuffle: true, generator: RandomGenerator(seed: seed))
            var out: [Int] = []
            while let b = try p.next() { out += b.indices }
            return out
        }
        #expect(try order(4) == order(4))
        #expect(try order(4) != order(5))
        #expect(message { try Batches(ds, size: 0) }?.contains("at least 1") == true)
    }
}
