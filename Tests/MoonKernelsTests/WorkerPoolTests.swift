import Foundation
import Testing
@testable import MoonKernels

/// The worker pool behind `parallelFor`, `parallelItems` and split GEMMs: every chunk runs
/// exactly once, on more than one thread when asked, nested calls stay on the worker, and
/// callers on two threads at once both get their work done.
@Suite(.serialized) struct WorkerPoolTests {
    final class Marks: @unchecked Sendable {
        var counts: [Int]
        var threads = Set<UInt>()
        let lock = NSLock()
        init(_ n: Int) { counts = Array(repeating: 0, count: n) }
        func hit(_ i: Int) {
            lock.lock(); counts[i] += 1; threads.insert(UInt(bitPattern: Int(bitPattern: pthread_self()))); lock.unlock()
        }
        var threadCount: Int { lock.lock(); defer { lock.unlock() }; return threads.count }
    }

    @Test func parallelForCoversEveryItemOnce() {
        let saved = Threads.count
        defer { Threads.set(saved) }
        for threads in [1, 2, 3, 5] {
            Threads.set(threads)
            for total in [0, 1, 2, 7, 100, 1001] {
                let marks = Marks(total)
                var chunks = Set<Int>()
                let chunkLock = NSLock()
                Threads.parallelFor(total) { c, range in
                    chunkLock.lock(); chunks.insert(c); chunkLock.unlock()
                    if threads > 1 && total > 1 { #expect(Threads.isWorker) }
                    for i in range { marks.hit(i) }
                    // The first chunk waits (up to 5 s) for another thread to take a chunk, so
                    // the check below does not depend on how busy the machine is.
                    if c == 0 && threads > 1 && total >= threads {
                        let deadline = Date().addingTimeInterval(5)
                        while Date() < deadline && marks.threadCount < 2 { usleep(200) }
                    }
                }
                #expect(marks.counts.allSatisfy { $0 == 1 }, "threads \(threads), total \(total)")
                #expect(chunks.count <= threads && (total == 0) == chunks.isEmpty)
                if threads > 1 && total >= threads { #expect(marks.threads.count > 1, "ran on one thread") }
            }
        }
        #expect(!Threads.isWorker)
    }

    @Test func parallelItemsTakesEachItemOnce() {
        let saved = Threads.count
        defer { Threads.set(saved) }
        Threads.set(2)
        let marks = Marks(333)
        let used = parallelItems(333, workers: 4) { w, k in
            #expect(w >= 0 && w < 4)
            marks.hit(k)
        }
        #expect(used == 4)
        #expect(marks.counts.allSatisfy { $0 == 1 })
    }

    @Test func nestedCallsStayOnTheWorker() {
        let saved = Threads.count
        defer { Threads.set(saved) }
        Threads.set(2)
        let marks = Marks(40)
        Threads.parallelFor(4) { _, outer in
            for o in outer {
                let me = pthread_self()
                Threads.parallelFor(10) { _, inner in
                    #expect(pthread_equal(pthread_self(), me) != 0)
                    for i in inner { marks.hit(o * 10 + i) }
                }
            }
        }
        #expect(marks.counts.allSatisfy { $0 == 1 })
    }

    @Test func twoCallingThreadsBothFinish() {
        let saved = Threads.count
        defer { Threads.set(saved) }
        Threads.set(2)
        let a = Marks(50_000), b = Marks(50_000)
        DispatchQueue.concurrentPerform(iterations: 2) { side in
            let marks = side == 0 ? a : b
            for round in 0..<50 {
                Threads.parallelFor(1000) { _, range in
                    for i in range { marks.hit(round * 1000 + i) }
                }
            }
        }
        #expect(a.counts.allSatisfy { $0 == 1 })
        #expect(b.counts.allSatisfy { $0 == 1 })
    }

    @Test func parkedWorkersWakeForTheNextJob() {
        let saved = Threads.count, savedSpin = WorkerPool.spinMicroseconds
        defer { Threads.set(saved); WorkerPool.spinMicroseconds = savedSpin }
        Threads.set(2)
        WorkerPool.spinMicroseconds = 1
        for round in 0..<20 {
            let marks = Marks(64)
            Threads.parallelFor(64) { _, range in for i in range { marks.hit(i) } }
            #expect(marks.counts.allSatisfy { $0 == 1 }, "round \(round)")
            if round % 5 == 0 { usleep(5_000) }   // long enough for the worker to park
        }
    }

    @Test func splitProductMatchesSingleThreaded() {
        let saved = Threads.count
        defer { Threads.set(saved) }
        Threads.set(2)
        let m = 300, n = 260, k = 200
        var state: UInt64 = 7
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24) - 0.5
        }
        let a = (0..<(m * k)).map { _ in next() }, b = (0..<(k * n)).map { _ in next() }
        var split = [Float](repeating: 0, count: m * n), single = split
        sgemm(transA: false, transB: false, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &split, ldc: n)
        sgemmSingle(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n,
                    beta: 0, c: &single, ldc: n)
        #expect(m * n * k >= GemmTuning.splitMinimum)
        // OpenBLAS may pick another kernel path for a block than for the whole product (seen on
        // AMD EPYC), so equal up to rounding; the split itself repeats bit for bit.
        var worst: Float = 0
        for i in 0..<(m * n) { worst = max(worst, abs(split[i] - single[i])) }
        #expect(worst <= 1e-5 * max(1, single.map(abs).max()!), "largest difference \(worst)")
        var again = [Float](repeating: 0, count: m * n)
        sgemm(transA: false, transB: false, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &again, ldc: n)
        #expect(again.elementsEqual(split) { $0.bitPattern == $1.bitPattern })
    }
}
