/// An N-dimensional float32 tensor: a view (`shape`, `strides`, `offset`) into shared storage.
///
/// Views (reshape, permute, narrow, select, expand, …) share storage with the tensor they
/// come from; `contiguous()` copies only when the layout requires it. Dims and indices in
/// this Swift API are 0-based, negative dims count from the end; error messages show them
/// 1-based, as the Lua user writes them. A 0-d tensor (shape `[]`) is a scalar.
///
/// Tensors that `requiresGrad` record the operations applied to them, and `backward()`
/// accumulates gradients into `grad` (reverse-mode automatic differentiation).
public final class Tensor {
    /// The memory this tensor views.
    public let storage: TensorStorage
    /// Size of each dim.
    public let shape: [Int]
    /// Elements to step in storage for one step along each dim (0 for broadcast dims).
    public let strides: [Int]
    /// Position of the first element in storage.
    public let offset: Int
    /// Number of elements (1 for a 0-d tensor).
    public let count: Int

    /// The accumulated gradient of the last `backward()` calls, for leaves that require grad.
    public var grad: Tensor?

    var leafRequiresGrad = false
    /// The operation that produced this tensor and how to carry gradients back through it.
    var gradNode: GradNode?
    /// Name of the operation whose graph an earlier `backward()` freed.
    var freedOp: String?

    init(storage: TensorStorage, shape: [Int], strides: [Int], offset: Int) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.count = shape.reduce(1, *)
    }

    deinit {
        if gradNode != nil { GraphReaper.release(&gradNode) }
    }

    /// A contiguous tensor over all of `storage`.
    convenience init(storage: TensorStorage, shape: [Int]) {
        self.init(storage: storage, shape: shape, strides: Shape.contiguousStrides(shape), offset: 0)
    }

    /// Number of dims (0 for a scalar).
    public var rank: Int { shape.count }

    /// Whether the elements lie in storage in row-major order without gaps.
    public var isContiguous: Bool {
        var expected = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) where shape[i] != 1 {
            if strides[i] != expected { return false }
            expected *= shape[i]
        }
        return true
    }

    /// Size of one dim (0-based, negative from the end).
    public func size(_ dim: Int) throws -> Int {
        shape[try Shape.normalize(dim: dim, rank: rank, op: "size")]
    }

    /// Pointer to the first element.
    var base: UnsafeMutablePointer<Float> { storage.pointer + offset }

    /// The single value of a one-element tensor.
    public func item() throws -> Float {
        guard count == 1 else {
            throw TensorError(in: "item", "expects a tensor with one element, got shape \(shapeText(shape))")
        }
        return base[0]
    }

    /// A new tensor viewing the same storage.
    func rawView(_ shape: [Int], _ strides: [Int], _ offset: Int) -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset)
    }

    /// Gives `body` the elements of a contiguous tensor; throws for a non-contiguous one.
    /// Writing through the pointer changes every tensor sharing the storage and records no graph.
    public func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R) throws -> R {
        guard isContiguous else {
            throw TensorError(in: "withUnsafeMutableBufferPointer", "tensor of shape \(shapeText(shape)) is not contiguous")
        }
        return try body(UnsafeMutableBufferPointer(start: base, count: count))
    }
}
