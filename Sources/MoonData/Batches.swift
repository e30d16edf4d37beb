import Foundation
import MoonEngine

/// One minibatch: inputs, targets, and the 0-based dataset positions they came from.
public struct Batch {
    public let inputs: Inputs
    public let targets: Targets
    public let indices: [Int]

    public init(inputs: Inputs, targets: Targets, indices: [Int]) {
        self.inputs = inputs
        self.targets = targets
        self.indices = indices
    }

    /// A batch of one input tensor.
    public init(x: Tensor, targets: Targets, indices: [Int]) {
        self.init(inputs: .single(x), targets: targets, indices: indices)
    }

    /// The input tensor; the first of named inputs.
    public var x: Tensor { inputs.tensors[0] }
}

/// Minibatches of a dataset, one pass: `size` samples each (the last one smaller unless
/// `dropLast`), in order or shuffled once when created. In order, batches are views into
/// the dataset (no copy); shuffled, each batch gathers its rows into new contiguous
/// tensors, so the whole set is never copied.
///
/// Batches that cost work (shuffled gathers, or a `prepare` step such as augmentation) are
/// assembled ahead on a second thread while the caller consumes the current one: a bounded
/// queue holds at most `prefetch` finished batches. The order and content of the batches
/// never depend on timing (the order is fixed at creation and the worker builds batches in
/// that order). The worker touches only the dataset's immutable tensors and what `prepare`
/// touches; it runs with gradient recording off. Abandoning the pass (`cancel()`, or
/// letting the object go) stops the worker and waits for it, so no thread outlives the pass.
public final class Batches {
    public let dataset: Dataset
    public let size: Int
    public let dropLast: Bool
    /// The sample order of this pass; nil: in order.
    let order: [Int]?
    /// Next sample position in the pass.
    public private(set) var position = 0
    /// The worker building batches ahead; nil: batches are made on the caller's thread.
    private let prefetcher: Prefetcher?
    private let prepare: ((Batch) throws -> Batch)?
    private var cancelled = false
    /// Batches returned so far.
    private var taken = 0

    /// - `generator`: draws the order when `shuffle` is set (the global one by default).
    /// - `prefetch`: batches to build ahead on a second thread (0: none, everything on the
    ///   caller's thread). In-order passes without `prepare` never use a thread (views are free).
    /// - `prepare`: applied to every batch before it is returned (on the worker when
    ///   prefetching). It must not touch a Lua state, and for reproducible runs it must draw
    ///   any randomness from its own generator, not one the caller's thread also uses.
    public init(_ dataset: Dataset, size: Int, shuffle: Bool = false, dropLast: Bool = false,
                generator: RandomGenerator = .global, prefetch: Int = 1,
                prepare: ((Batch) throws -> Batch)? = nil) throws {
        guard size >= 1 else { throw DataError(in: "batches", "batch size must be at least 1, got \(size)") }
        guard prefetch >= 0 && prefetch <= 64 else {
            throw DataError(in: "batches", "prefetch must lie in 0...64 batches, got \(prefetch)")
        }
        self.dataset = dataset
        self.size = size
        self.dropLast = dropLast
        let order = shuffle ? generator.permutation(dataset.count) : nil
        self.order = order
        self.prepare = prepare
        let count = Batches.count(dataset.count, size: size, dropLast: dropLast)
        if prefetch > 0 && (shuffle || prepare != nil) && count > 1 {
            prefetcher = Prefetcher(capacity: prefetch, count: count) { k in
                try Batches.assemble(dataset, order, k, size, prepare)
            }
        } else {
            prefetcher = nil
        }
    }

    /// A pass with the options of `data.batches`.
    public convenience init(_ dataset: Dataset, size: Int, _ o: BatchOptions) throws {
        try self.init(dataset, size: size, shuffle: o.shuffle, dropLast: o.dropLast,
                      generator: SeedOptions.generator(o.seed), prefetch: o.prefetch)
    }

    deinit { prefetcher?.cancel() }

    /// Number of batches in the pass.
    public var count: Int { Batches.count(dataset.count, size: size, dropLast: dropLast) }

    /// Batches of `size` in `samples`; no overflow for a huge size (samples + size - 1 would wrap).
    static func count(_ samples: Int, size: Int, dropLast: Bool) -> Int {
        samples / size + (dropLast || samples % size == 0 ? 0 : 1)
    }

    /// Whether a second thread builds the batches ahead.
    public var isPrefetching: Bool { prefetcher != nil }

    /// The next batch, or nil at the end of the pass (or after `cancel()`).
    public func next() throws -> Batch? {
        if cancelled { return nil }
        let k = taken
        if k >= count { return nil }
        let batch: Batch?
        if let prefetcher {
            batch = try prefetcher.take()
        } else {
            batch = try Batches.assemble(dataset, order, k, size, prepare)
        }
        if let batch { position += batch.indices.count; taken += 1 }
        return batch
    }

    /// Ends the pass early: stops and joins the worker; `next()` then returns nil.
    public func cancel() {
        cancelled = true
        prefetcher?.cancel()
    }

    /// Batch `k` of a pass.
    static func assemble(_ dataset: Dataset, _ order: [Int]?, _ k: Int, _ size: Int,
                         _ prepare: ((Batch) throws -> Batch)?) throws -> Batch {
        let start = k * size
        let take = min(size, dataset.count - start)
        var batch: Batch
        if let order {
            let idx = Array(order[start..<start + take])
            batch = Batch(inputs: try dataset.inputs.map { try gatherRows($0, idx) },
                          targets: try dataset.targets.map { try gatherRows($0, idx) }, indices: idx)
        } else {
            batch = Batch(inputs: try dataset.inputs.map { try $0.narrow(0, start, take) },
                          targets: try dataset.targets.map { try $0.narrow(0, start, take) },
                          indices: Array(start..<start + take))
        }
        if let prepare { batch = try prepare(batch) }
        return batch
    }
}

/// The rows of a contiguous tensor at `indices`, copied on the calling thread alone (a
/// batch is small; fanning it out over the cores would fight the training thread's BLAS
/// threads for them).
func gatherRows(_ t: Tensor, _ indices: [Int]) throws -> Tensor {
    let row = t.shape.dropFirst().reduce(1, *)
    let out = try Tensor.make([indices.count] + Array(t.shape.dropFirst()), op: "batches") { _ in }
    try t.withUnsafeMutableBufferPointer { src in
        try out.withUnsafeMutableBufferPointer { dst in
            for (k, i) in indices.enumerated() {
                (dst.baseAddress! + k * row).update(from: src.baseAddress! + i * row, count: row)
            }
        }
    }
    return out
}

/// A worker thread building batches 0..<count in order, at most `capacity` ahead of the
/// consumer. The consumer never waits for the worker to be scheduled: a batch that nobody
/// has started yet it builds itself (the content is the same whoever builds it); it waits
/// only for a batch the worker is already building.
final class Prefetcher: @unchecked Sendable {
    private let condition = NSCondition()
    private let make: (Int) throws -> Batch
    private let count: Int
    private let capacity: Int
    /// Finished batches by index.
    private var ready: [Int: Result<Batch, Error>] = [:]
    /// The next index nobody has claimed.
    private var nextClaim = 0
    /// The next index the consumer takes.
    private var nextTake = 0
    private var stopped = false
    private var failed = false
    /// The consumer has been handed an error: the pass is over for it, whatever the worker
    /// finished meanwhile (it may have built later batches before the failure was known).
    private var errorDelivered = false
    private var workerDone = false

    init(capacity: Int, count: Int, make: @escaping (Int) throws -> Batch) {
        self.capacity = capacity
        self.count = count
        self.make = make
        let thread = Thread { [self] in
            Tensor.noGrad { self.run() }
        }
        thread.name = "moonlab batches"
        thread.start()
    }

    private func run() {
        condition.lock()
        while !stopped && !failed {
            if nextClaim >= count { break }
            if nextClaim >= nextTake + capacity { condition.wait(); continue }
            let k = nextClaim
            nextClaim += 1
            condition.unlock()
            let result = Result { try make(k) }
            condition.lock()
            ready[k] = result
            if case .failure = result { failed = true }
            condition.broadcast()
        }
        workerDone = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch in order; nil when the pass is over, stopped or failed earlier.
    func take() throws -> Batch? {
        condition.lock()
        let k = nextTake
        while true {
            if stopped || errorDelivered || k >= count { condition.unlock(); return nil }
            if let result = ready.removeValue(forKey: k) {
                nextTake += 1
                if case .failure = result { errorDelivered = true }
                condition.broadcast()
                condition.unlock()
                return try result.get()
            }
            if failed { condition.unlock(); return nil }
            if k >= nextClaim { break }   // unclaimed: build it here
            condition.wait()              // the worker is building it
        }
        nextClaim = k + 1
        condition.unlock()
        let result = Result { try Tensor.noGrad { try make(k) } }
        condition.lock()
        nextTake = k + 1
        if case .failure = result { failed = true; errorDelivered = true }
        condition.broadcast()
        condition.unlock()
        return try result.get()
    }

    /// Stops the worker and waits until it has exited (at most one batch's work).
    func cancel() {
        condition.lock()
        stopped = true
        ready.removeAll()
        condition.broadcast()
        while !workerDone { condition.wait() }
        condition.unlock()
    }
}
