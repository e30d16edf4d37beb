import Foundation
import Synchronization
import Testing
@testable import MoonEngine

/// Large tensor buffers kept for the next tensor of the same size (BlockCache). Each test uses
/// sizes no other test allocates, since the cache is shared by every test in the process.
@Suite struct BlockCacheTests {
    /// Floats of a buffer just over the cache's threshold, made unique by `salt`.
    func largeCount(_ salt: Int) -> Int { BlockCache.shared.minimumBytes / 4 + 4_099 * salt + 13 }

    @Test func aFreedLargeBufferServesTheNextTensorOfItsSizeZeroed() throws {
        let n = largeCount(1)
        var t: Tensor? = try Tensor.zeros([n])
        let address = UInt(bitPattern: t!.base)
        t!.base[7] = 42
        t!.base[n - 1] = -1
        t = nil
        let u = try Tensor.zeros([n])
        #expect(UInt(bitPattern: u.base) == address, "the kept block was not reused")
        #expect(u.base[7] == 0 && u.base[n - 1] == 0, "a reused block handed out dirty")
        // A size one float larger takes a block of its own.
        let v = try Tensor.zeros([n + 1])
        #expect(UInt(bitPattern: v.base) != address)
    }

    @Test func beyondCapacityTheLongestKeptBlocksAreFreed() throws {
        let sizes = [1_000, 2_000, 3_000, 4_000]
        let cache = BlockCache(minimumBytes: 1_000, capacity: 9_100)
        func block(_ bytes: Int) -> UnsafeMutableRawPointer { malloc(bytes)! }
        for bytes in sizes { cache.give(block(bytes), bytes: bytes) }
        #expect(cache.keptBytes == 9_000)   // 1,000 + ... + 4,000 = 10,000 > 9,100: the oldest went
        #expect(cache.take(bytes: 1_000) == nil)
        let p = cache.take(bytes: 3_000)
        #expect(p != nil && cache.keptBytes == 6_000)
        free(p)
        cache.give(block(500), bytes: 500)          // below the threshold: freed, not kept
        #expect(cache.take(bytes: 500) == nil && cache.keptBytes == 6_000)
        cache.give(block(10_000), bytes: 10_000)    // larger than the capacity: evicts all, itself too
        #expect(cache.keptBytes == 0)
        cache.give(block(2_000), bytes: 2_000)
        cache.capacity = 1_500                      // lowering the capacity frees what no longer fits
        #expect(cache.keptBytes == 0)
        cache.capacity = 9_000
        cache.give(block(2_000), bytes: 2_000)
        cache.give(block(2_000), bytes: 2_000)
        cache.clear()
        #expect(cache.keptBytes == 0 && cache.take(bytes: 2_000) == nil)
    }

    @Test func threadsAllocatingAndFreeingLargeTensorsAtOnce() throws {
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { k in
            for round in 0..<3 {
                let n = largeCount(10 + k % 2)
                guard let t = try? Tensor.zeros([n]) else { failures.add(1, ordering: .relaxed); continue }
                if t.base[n / 2] != 0 || t.base[0] != 0 { failures.add(1, ordering: .relaxed) }
                for i in stride(from: 0, to: n, by: 4_096) { t.base[i] = Float(round + 1) }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
    }
}
