import Foundation
@preconcurrency import CBLAS

/// How many threads moonlab's own kernels use (`moonlab.threads(n)` sets it).
///
/// Kernels that split work across threads call BLAS single-threaded inside each worker, so
/// the cores are never oversubscribed; large lone GEMMs let OpenBLAS use the threads itself.
public enum Threads {
    nonisolated(unsafe) private static var _count: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Current thread count (at least 1).
    public static var count: Int { _count }

    /// Sets the thread count for moonlab's kernels and for OpenBLAS.
    public static func set(_ n: Int) {
        _count = max(1, n)
        openblas_set_num_threads(Int32(_count))
    }

    /// Runs `body(chunkIndex, range)` over `0..<total` split into at most `count` contiguous
    /// chunks, in parallel when there is more than one chunk. Work below `minPerThread`
    /// items a chunk stays on the calling thread.
    @inlinable
    public static func parallelFor(_ total: Int, minPerThread: Int = 1,
                                   _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
        if total <= 0 { return }
        let chunks = min(count, max(1, total / max(1, minPerThread)))
        if chunks <= 1 { body(0, 0..<total); return }
        let per = (total + chunks - 1) / chunks
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = c * per, hi = min(total, lo + per)
                if lo < hi { shared.value(c, lo..<hi) }
            }
        }
    }
}

/// Carries a value into `concurrentPerform`; the kernels guarantee that the chunks touch
/// disjoint memory, which the compiler cannot see.
@usableFromInline
struct UncheckedBox<T>: @unchecked Sendable {
    @usableFromInline let value: T
    @usableFromInline init(_ value: T) { self.value = value }
}
