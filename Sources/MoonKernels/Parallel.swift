import Foundation
@preconcurrency import CBLAS

/// How many threads moonlab's own kernels use (`moonlab.threads(n)` sets it).
///
/// OpenBLAS itself always runs single-threaded (set once, before the first GEMM): its own
/// worker threads spin in `sched_yield` after every threaded call and steal the cores from
/// the parallel kernels that follow. Large GEMMs are split across `count` workers by `sgemm`
/// instead, and kernels that split work themselves call BLAS from every worker. The workers
/// are `WorkerPool`'s persistent threads plus the calling thread.
public enum Threads {
    nonisolated(unsafe) private static var _count: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Current thread count (at least 1).
    public static var count: Int { _count }

    /// Sets the thread count for moonlab's kernels (OpenBLAS stays single-threaded).
    public static func set(_ n: Int) {
        _ = blasConfigured
        _count = max(1, n)
    }

    /// Puts OpenBLAS on one thread, once; `sgemm` and the parallel helpers touch it first.
    @usableFromInline static let blasConfigured: Bool = {
        openblas_set_num_threads(1)
        return true
    }()

    /// Whether the calling thread is one of the workers of `parallelFor`/`parallelItems`
    /// (nested work, GEMMs included, then stays on it).
    @inlinable public static var isWorker: Bool { pthread_getspecific(workerKey) != nil }

    @usableFromInline static let workerKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Runs `body` marked as a worker (restoring the previous mark after).
    @inlinable static func asWorker(_ body: () -> Void) {
        let previous = pthread_getspecific(workerKey)
        pthread_setspecific(workerKey, UnsafeRawPointer(bitPattern: 1))
        body()
        pthread_setspecific(workerKey, previous)
    }

    /// Runs `body(chunkIndex, range)` over `0..<total` split into at most `count` contiguous
    /// chunks, in parallel when there is more than one chunk. Work below `minPerThread`
    /// items a chunk, and calls from inside a worker, stay on the calling thread.
    @inlinable
    public static func parallelFor(_ total: Int, minPerThread: Int = 1,
                                   _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
        if total <= 0 { return }
        let chunks = min(count, max(1, total / max(1, minPerThread)))
        if chunks <= 1 || isWorker { body(0, 0..<total); return }
        let per = (total + chunks - 1) / chunks
        _ = blasConfigured
        WorkerPool.shared.run(workers: chunks) { c in
            let lo = c * per, hi = min(total, lo + per)
            if lo < hi { asWorker { body(c, lo..<hi) } }
        }
    }
}
