import Foundation
import Synchronization

/// Tensor buffers too large for glibc's heap (its mmap threshold, 32 MB) are mapped fresh on
/// every allocation and unmapped on free, so a training step on large images (a batch of
/// 150x150 maps) page-faults and zeroes every activation again, step after step. The shared
/// cache keeps such blocks when their last tensor dies and hands them to the next request of
/// exactly the same size, which in a training loop is the same tensor one step later.
///
/// A cache holds at most `capacity` bytes; beyond it the longest-kept blocks are freed.
/// `clear()` frees everything (fit calls it when training ends).
public final class BlockCache: Sendable {
    /// The cache tensor storage uses: blocks of 32 MB and more, up to `MOONLAB_BLOCK_CACHE`
    /// bytes (digits with an optional K, M or G suffix; 0 turns it off) when set, else an
    /// eighth of physical memory, at most 2 GB.
    public static let shared: BlockCache = {
        let physical = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        var capacity = Swift.min(physical / 8, 2 << 30)
        if let text = ProcessInfo.processInfo.environment["MOONLAB_BLOCK_CACHE"], let n = byteCount(text) { capacity = n }
        return BlockCache(minimumBytes: TensorStorage.mmapThreshold, capacity: capacity)
    }()

    /// Blocks of at least this many bytes are kept (smaller ones stay in malloc's heap).
    public let minimumBytes: Int

    /// A kept block: its address (an integer, so the list can sit behind a lock) and size.
    private struct Block: Sendable { let address: UInt, bytes: Int }
    private struct State: Sendable { var capacity: Int; var blocks: [Block] = [] }   // oldest first
    private let state: Mutex<State>

    public init(minimumBytes: Int, capacity: Int) {
        self.minimumBytes = minimumBytes
        state = Mutex(State(capacity: capacity))
    }

    /// Most bytes kept; lowering it frees the longest-kept blocks beyond it.
    public var capacity: Int {
        get { state.withLock { $0.capacity } }
        set { release(state.withLock { s in s.capacity = max(0, newValue); return Self.evict(&s) }) }
    }

    /// Bytes kept now.
    public var keptBytes: Int { state.withLock { $0.blocks.reduce(0) { $0 + $1.bytes } } }

    /// A kept block of exactly `bytes` bytes (the caller owns it), or nil.
    public func take(bytes: Int) -> UnsafeMutableRawPointer? {
        guard bytes >= minimumBytes else { return nil }
        let address: UInt? = state.withLock { s in
            guard let i = s.blocks.lastIndex(where: { $0.bytes == bytes }) else { return nil }
            return s.blocks.remove(at: i).address
        }
        return address.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
    }

    /// Keeps `pointer` (a block of `bytes` from malloc or posix_memalign) for reuse, or frees it.
    public func give(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        guard bytes >= minimumBytes else { free(pointer); return }
        release(state.withLock { s in
            s.blocks.append(Block(address: UInt(bitPattern: pointer), bytes: bytes))
            return Self.evict(&s)
        })
    }

    /// Frees every kept block.
    public func clear() {
        release(state.withLock { s in defer { s.blocks = [] }; return s.blocks })
    }

    /// Takes the oldest blocks out of `s` until it is within its capacity; returns them.
    private static func evict(_ s: inout State) -> [Block] {
        var total = s.blocks.reduce(0) { $0 + $1.bytes }, drop = 0
        while total > s.capacity { total -= s.blocks[drop].bytes; drop += 1 }
        defer { s.blocks.removeFirst(drop) }
        return Array(s.blocks[..<drop])
    }

    private func release(_ blocks: [Block]) {
        for b in blocks { free(UnsafeMutableRawPointer(bitPattern: b.address)) }
    }
}
