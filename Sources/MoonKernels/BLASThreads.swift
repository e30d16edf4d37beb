import Foundation
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
    let counter = ItemCounter()
    withSingleThreadedBLAS {
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: used) { w in
                Threads.asWorker {
                    while let k = counter.next(below: total) { shared.value(w, k) }
                }
            }
        }
    }
    return used
}

/// A shared "next item" counter for `parallelItems`.
@usableFromInline
final class ItemCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    @usableFromInline init() {}
    @usableFromInline func next(below limit: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        if value >= limit { return nil }
        value += 1
        return value - 1
    }
}
