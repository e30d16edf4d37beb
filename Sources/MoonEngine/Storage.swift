import Foundation

/// The memory behind one or more tensors: a 64-byte aligned buffer of `count` floats,
/// freed when the last tensor viewing it goes away.
public final class TensorStorage {
    /// Start of the buffer.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of floats in the buffer.
    public let count: Int

    /// Largest single allocation accepted, in bytes: `MOONLAB_MEMORY_LIMIT` (bytes, or with a
    /// K/M/G suffix) when set, else the machine's physical memory.
    public nonisolated(unsafe) static var byteLimit: Int = {
        let physical = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        guard let text = ProcessInfo.processInfo.environment["MOONLAB_MEMORY_LIMIT"],
              let n = byteCount(text), n > 0 else { return physical }
        return Swift.min(physical, n)
    }()

    /// Allocates room for `count` floats; `op` and `shape` name the request in errors.
    init(count: Int, zeroed: Bool, op: String, shape: [Int]) throws {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        if overflow || bytes > TensorStorage.byteLimit {
            let shown = Shape.formatBytes(Double(count) * Double(MemoryLayout<Float>.stride))
            throw TensorError(in: op, "cannot allocate \(shown) bytes for shape \(shapeText(shape))")
        }
        _ = TensorStorage.mallocConfigured
        let size = max(bytes, 64)
        var fresh: UnsafeMutableRawPointer?
        guard let raw = BlockCache.shared.take(bytes: size) ?? (posix_memalign(&fresh, 64, size) == 0 ? fresh : nil) else {
            throw TensorError(in: op, "cannot allocate \(bytes) bytes for shape \(shapeText(shape)): out of memory")
        }
        if zeroed { memset(raw, 0, size) }
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        self.count = count
    }

    deinit { BlockCache.shared.give(UnsafeMutableRawPointer(pointer), bytes: max(count * MemoryLayout<Float>.stride, 64)) }

    /// Blocks of this many bytes and more come from mmap: glibc's highest threshold (its
    /// default rises to it). BlockCache keeps such blocks.
    static let mmapThreshold = 32 << 20

    /// glibc gives large blocks (activations, gradients, column buffers: megabytes each) fresh
    /// pages from mmap and returns them on free, so every training step page-faults and zeroes
    /// them again. Keep blocks below `mmapThreshold` in the heap and trim it only above 256 MB free.
    private static let mallocConfigured: Bool = {
        #if os(Linux)
        _ = glibcMallopt(-3, Int32(mmapThreshold))   // M_MMAP_THRESHOLD (<malloc.h>, not in Swift's Glibc module)
        _ = glibcMallopt(-1, 256 << 20)   // M_TRIM_THRESHOLD
        #endif
        return true
    }()
}

/// A byte count written as digits with an optional K, M or G suffix (powers of 1,024), or nil.
func byteCount(_ text: String) -> Int? {
    let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
    var digits = Substring(text.uppercased())
    var scale = 1
    if let last = digits.last, let u = units[last] { scale = u; digits = digits.dropLast() }
    guard let n = Int(digits), n >= 0 else { return nil }
    let (v, overflow) = n.multipliedReportingOverflow(by: scale)
    return overflow ? nil : v
}

#if os(Linux)
/// glibc's `int mallopt(int param, int value)`.
@_silgen_name("mallopt")
private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
#endif

/// The one check for a buffer sized by user input (tensors, data sets, tables of results):
/// `count` items of `bytesEach` bytes must neither overflow nor exceed `TensorStorage.byteLimit`,
/// else a "cannot allocate" error naming the operation, instead of a fatal allocation failure.
public enum Allocation {
    public static func check(count: Int, bytesEach: Int, op: String, what: String) throws {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: bytesEach)
        if count < 0 || overflow || bytes > TensorStorage.byteLimit {
            throw TensorError(in: op, "cannot allocate \(Shape.formatBytes(Double(count) * Double(bytesEach))) bytes for \(what)")
        }
    }

    /// The product of `factors` (sizes of a grid, a matrix), checked like `check`.
    public static func count(_ factors: [Int], bytesEach: Int, op: String, what: String) throws -> Int {
        var n = 1
        for f in factors {
            let (p, overflow) = n.multipliedReportingOverflow(by: f)
            if f < 0 || overflow {
                let bytes = factors.reduce(Double(bytesEach)) { $0 * Double($1) }
                throw TensorError(in: op, "cannot allocate \(Shape.formatBytes(bytes)) bytes for \(what)")
            }
            n = p
        }
        try check(count: n, bytesEach: bytesEach, op: op, what: what)
        return n
    }
}
