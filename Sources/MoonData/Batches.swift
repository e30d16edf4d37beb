import MoonEngine

/// One minibatch: inputs, targets, and the 0-based dataset positions they came from.
public struct Batch {
    public let x: Tensor
    public let targets: Targets
    public let indices: [Int]
}

/// Minibatches of a dataset, one pass: `size` samples each (the last one smaller unless
/// `dropLast`), in order or shuffled once when created. In order, batches are views into
/// the dataset (no copy); shuffled, each batch gathers its rows into new contiguous
/// tensors, so the whole set is never copied.
public final class Batches {
    public let dataset: Dataset
    public let size: Int
    public let dropLast: Bool
    /// The sample order of this pass; nil: in order.
    let order: [Int]?
    /// Next sample position in the pass.
    public private(set) var position = 0

    /// - `generator`: draws the order when `shuffle` is set (the global one by default).
    public init(_ dataset: Dataset, size: Int, shuffle: Bool = false, dropLast: Bool = false,
                generator: RandomGenerator = .global) throws {
        guard size >= 1 else { throw DataError("batches: batch size must be at least 1, got \(size)") }
        self.dataset = dataset
        self.size = size
        self.dropLast = dropLast
        self.order = shuffle ? generator.permutation(dataset.count) : nil
    }

    /// Number of batches in the pass.
    public var count: Int {
        dropLast ? dataset.count / size : (dataset.count + size - 1) / size
    }

    /// The next batch, or nil at the end of the pass.
    public func next() throws -> Batch? {
        let n = dataset.count
        let take = min(size, n - position)
        if take <= 0 || (dropLast && take < size) { return nil }
        let start = position
        position += take
        if let order {
            let idx = Array(order[start..<start + take])
            return Batch(x: try dataset.x.indexSelect(0, idx),
                         targets: try dataset.targets.map { try $0.indexSelect(0, idx) }, indices: idx)
        }
        return Batch(x: try dataset.x.narrow(0, start, take),
                     targets: try dataset.targets.map { try $0.narrow(0, start, take) },
                     indices: Array(start..<start + take))
    }
}
