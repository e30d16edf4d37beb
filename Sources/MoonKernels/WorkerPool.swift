import Foundation
import Synchronization
import CMoonSpin

/// The threads that run moonlab's parallel kernels: `Threads.count - 1` persistent workers
/// beside the calling thread, which takes part as worker 0.
///
/// Why not `DispatchQueue.concurrentPerform`: between two kernels its idle threads sleep,
/// and on a virtual machine waking a sleeping core costs 50-150 µs (measured here: a
/// 256×256 product split over two cores took 280 µs where either half alone takes 165 µs).
/// These workers spin for `spinMicroseconds` after each job (so back-to-back kernels of a
/// training step find them awake), then park on a condition variable until the next one.
///
/// One job runs at a time; a thread that finds the pool busy (a background augmentation
/// thread while the main thread trains, say) runs its job on its own thread instead.
@usableFromInline
final class WorkerPool: @unchecked Sendable {
    @usableFromInline static let shared = WorkerPool()

    /// How long an idle worker spins before it parks (microseconds).
    nonisolated(unsafe) static var spinMicroseconds: UInt64 = {
        if let text = ProcessInfo.processInfo.environment["MOONLAB_SPIN_US"], let n = UInt64(text) { return n }
        return 1000
    }()

    /// Bumped once a job, after `job` and `participants` are written.
    private let generation = Atomic<Int>(0)
    /// Pool threads that have not yet finished the current job.
    private let remaining = Atomic<Int>(0)
    private var job: ((Int) -> Void)?
    private var participants = 0
    private var threadCount = 0

    private let submitLock = NSLock()
    private var parkMutex = pthread_mutex_t()
    private var parkCondition = pthread_cond_t()
    private var parked = 0   // guarded by parkMutex

    private init() {
        pthread_mutex_init(&parkMutex, nil)
        pthread_cond_init(&parkCondition, nil)
    }

    /// Runs `body(0)` ... `body(workers - 1)` at once, `body(0)` on the calling thread, and
    /// returns when all have finished. Runs them one after another on the calling thread when
    /// the pool is busy with another caller's job.
    @usableFromInline func run(workers: Int, _ body: (Int) -> Void) {
        if workers <= 1 { body(0); return }
        guard submitLock.try() else {
            for w in 0..<workers { body(w) }
            return
        }
        defer { submitLock.unlock() }
        grow(to: workers - 1)
        withoutActuallyEscaping(body) { body in
            job = body
            participants = workers
            remaining.store(threadCount, ordering: .relaxed)
            generation.add(1, ordering: .sequentiallyConsistent)
            pthread_mutex_lock(&parkMutex)
            if parked > 0 { pthread_cond_broadcast(&parkCondition) }
            pthread_mutex_unlock(&parkMutex)

            body(0)

            var spins = 0
            while remaining.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins < 20_000 { moon_cpu_relax() } else { sched_yield() }
            }
            job = nil
        }
    }

    /// Starts pool threads until there are `count` (never stops any).
    private func grow(to count: Int) {
        while threadCount < count {
            threadCount += 1
            let index = threadCount, start = generation.load(ordering: .sequentiallyConsistent)
            let thread = Thread { [self] in self.workerLoop(index: index, seen: start) }
            thread.name = "moonlab worker \(index)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    private func workerLoop(index: Int, seen start: Int) {
        pthread_setspecific(Threads.workerKey, UnsafeRawPointer(bitPattern: 1))
        var seen = start
        while true {
            seen = waitForJob(after: seen)
            if index < participants, let job { job(index) }
            remaining.subtract(1, ordering: .releasing)
        }
    }

    /// Spins while the generation is `seen`, then parks; returns the new generation.
    private func waitForJob(after seen: Int) -> Int {
        var spins = 0
        var deadline: UInt64 = 0
        while true {
            let current = generation.load(ordering: .acquiring)
            if current != seen { return current }
            spins += 1
            if spins & 255 != 0 { moon_cpu_relax(); continue }
            let now = DispatchTime.now().uptimeNanoseconds
            if deadline == 0 { deadline = now + WorkerPool.spinMicroseconds * 1000; continue }
            if now < deadline { continue }
            pthread_mutex_lock(&parkMutex)
            parked += 1
            while generation.load(ordering: .sequentiallyConsistent) == seen {
                pthread_cond_wait(&parkCondition, &parkMutex)
            }
            parked -= 1
            pthread_mutex_unlock(&parkMutex)
            deadline = 0
        }
    }
}
