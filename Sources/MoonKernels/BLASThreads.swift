import Foundation
import Synchronization
@preconcurrency import CBLAS

/// Runs `body` with OpenBLAS limited to one thread, restoring the previous count after.
/// moonlab keeps OpenBLAS on one thread anyway (`Threads`); this guards code that changed it.
@inlinable
public func withSingleThreadedBLAS<R>(_ body: () throws -> R) rethrows -> R {
    _ = Threads.blasConfigured
    let previous = openblas_get_num_threads()
    if previous == 1 { return try body() }
    openblas_set_num_threads(1)
    defer { openblas_set_num_threads(previous) }
    return try body()
}

/// Runs `body(worker, item)` for every item of `0..<total` on up to `workers` threads that
/// take the next item as they become free, so a core slowed by other work just does fewer
/// items. Inside a worker it runs on the calling thread. Returns the number of workers used
/// (worker indices are `0..<result`).
@usableFromInline
@discardableResult
func parallelItems(_ total: Int, workers: Int, _ body: (_ worker: Int, _ item: Int) -> Void) -> Int {
    if total <= 0 { return 0 }
    let used = Threads.isWorker ? 1 : max(1, min(workers, total))
    if used == 1 { for k in 0..<total { body(0, k) }; return 1 }
    let next = Atomic<Int>(0)
    withSingleThreadedBLAS {
        WorkerPool.shared.run(workers: used) { w in
            Threads.asWorker {
                while true {
                    let k = next.add(1, ordering: .relaxed).oldValue
                    if k >= total { break }
                    body(w, k)
                }
            }
        }
    }
    return used
}
