import Foundation

/// Reusable float buffers for kernels' temporaries (column matrices, per-thread partial
/// sums), so hot paths do not allocate per call.
///
/// A buffer is checked out for the duration of a closure and then returned; the pool keeps
/// the most recently returned buffers (up to `maxKept`) and hands out the smallest one that
/// fits. Safe to use from several threads at once.
public enum Scratch {
    /// Most buffers kept for reuse; when more come back the smallest are freed.
    public static let maxKept = 16

    /// Runs `body` with a buffer of at least `count` floats, 64-byte aligned, with
    /// unspecified contents; the buffer must not escape `body`.
    @inlinable
    public static func withBuffer<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let buffer = pool.take(max(count, 1))
        defer { pool.give(buffer) }
        return try body(buffer.base)
    }

    @usableFromInline static let pool = ScratchPool()
}

@usableFromInline
struct ScratchBuffer: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutablePointer<Float>
    @usableFromInline let capacity: Int
}

@usableFromInline
final class ScratchPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [ScratchBuffer] = []   // sorted by capacity, smallest first

    @usableFromInline func take(_ count: Int) -> ScratchBuffer {
        lock.lock()
        if let k = free.firstIndex(where: { $0.capacity >= count }) {
            let b = free.remove(at: k)
            lock.unlock()
            return b
        }
        lock.unlock()
        let capacity = (count + 15) & ~15
        let raw = UnsafeMutableRawPointer.allocate(byteCount: capacity * 4, alignment: 64)
        return ScratchBuffer(base: raw.bindMemory(to: Float.self, capacity: capacity), capacity: capacity)
    }

    @usableFromInline func give(_ b: ScratchBuffer) {
        lock.lock()
        let k = free.firstIndex(where: { $0.capacity >= b.capacity }) ?? free.count
        free.insert(b, at: k)
        let evicted = free.count > Scratch.maxKept ? free.removeFirst() : nil
        lock.unlock()
        evicted?.base.deallocate()
    }
}
