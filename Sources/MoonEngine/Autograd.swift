import Foundation

/// The operation that produced a tensor: its inputs and how to carry a gradient back to them.
final class GradNode {
    let op: String
    let inputs: [Tensor]
    /// Given the gradient of the output, the gradients of the inputs (nil where not needed).
    /// A gradient may have the broadcast shape; `backward` reduces it to the input's shape.
    let backward: (Tensor) throws -> [Tensor?]

    init(op: String, inputs: [Tensor], backward: @escaping (Tensor) throws -> [Tensor?]) {
        self.op = op
        self.inputs = inputs
        self.backward = backward
    }
}

/// Releases graph nodes one at a time instead of recursively: dropping the last tensor
/// of a long chain (a loop of 100,000 recorded additions) would otherwise free the chain
/// in nested deinits and overflow the stack.
enum GraphReaper {
    private final class State: @unchecked Sendable {
        var mutex = pthread_mutex_t()
        var pending: [GradNode] = []
        var draining = false
        init() { pthread_mutex_init(&mutex, nil) }
    }
    private static let state = State()

    /// Takes the node out of `slot` (so the queue owns it alone) and frees the queue unless
    /// an outer call on this or another thread is already doing so.
    static func release(_ slot: inout GradNode?) {
        let s = state
        pthread_mutex_lock(&s.mutex)
        if let node = slot { s.pending.append(node) }
        slot = nil
        if s.draining { pthread_mutex_unlock(&s.mutex); return }
        s.draining = true
        while !s.pending.isEmpty {
            var next: GradNode? = s.pending.removeLast()
            pthread_mutex_unlock(&s.mutex)
            next = nil   // the last reference goes here, outside the lock
            pthread_mutex_lock(&s.mutex)
            _ = next
        }
        s.draining = false
        pthread_mutex_unlock(&s.mutex)
    }
}

/// Per-thread depth of `Tensor.noGrad` scopes.
private let noGradKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()

extension Tensor {
    /// Whether operations record a graph on this thread (false inside `Tensor.noGrad`).
    public static var isGradEnabled: Bool { pthread_getspecific(noGradKey) == nil }

    /// Runs `body` without recording any graph (on this thread); the previous mode is
    /// restored even when `body` throws.
    public static func noGrad<R>(_ body: () throws -> R) rethrows -> R {
        let depth = Int(bitPattern: pthread_getspecific(noGradKey))
        pthread_setspecific(noGradKey, UnsafeRawPointer(bitPattern: depth + 1))
        defer { pthread_setspecific(noGradKey, UnsafeRawPointer(bitPattern: depth)) }
        return try body()
    }

    /// Whether gradients flow to this tensor: set on leaves (parameters) by the user,
    /// true for results of operations on such tensors.
    public var requiresGrad: Bool {
        get { leafRequiresGrad || gradNode != nil || freedOp != nil }
        set { leafRequiresGrad = newValue }
    }

    /// Marks this tensor as a leaf that requires grad and returns it.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        leafRequiresGrad = flag
        return self
    }

    /// True for tensors not produced by a recorded operation (parameters, data).
    public var isLeaf: Bool { gradNode == nil && freedOp == nil }

    /// Name of the operation that produced this tensor, when recorded.
    public var gradOp: String? { gradNode?.op }

    /// Sets `grad` to nil.
    public func zeroGrad() { grad = nil }

    /// A tensor sharing this tensor's storage, cut from the graph (no grad).
    public func detach() -> Tensor { rawView(shape, strides, offset) }

    /// Records that this tensor is `op` applied to `inputs`, with `backward` mapping the
    /// output's gradient to the inputs' gradients. Does nothing when grad mode is off or
    /// no input requires grad. Returns self. This is how every differentiable operation
    /// (including ones defined outside this module) joins the graph.
    @discardableResult
    public func recording(_ op: String, _ inputs: [Tensor],
                          _ backward: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
        if Tensor.isGradEnabled && inputs.contains(where: { $0.requiresGrad }) {
            gradNode = GradNode(op: op, inputs: inputs, backward: backward)
        }
        return self
    }

    /// Computes the gradient of this tensor with respect to every leaf that requires grad
    /// and adds it into their `grad`. A one-element output needs no `gradient`; any other
    /// needs one of its shape. The graph is freed afterwards unless `retainGraph` is set.
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false) throws {
        if gradNode == nil, let op = freedOp {
            throw TensorError(in: "backward", "the graph behind this tensor (\(op)) was already freed by an earlier backward; pass retainGraph to the first call to backward twice")
        }
        guard requiresGrad else {
            throw TensorError(in: "backward", "tensor of shape \(shapeText(shape)) does not require grad (no input of its computation requires grad)")
        }
        let seed: Tensor
        if let gradient {
            guard gradient.shape == shape else {
                throw TensorError(in: "backward", "gradient of shape \(shapeText(gradient.shape)) does not match the output's shape \(shapeText(shape))")
            }
            seed = gradient
        } else {
            guard count == 1 else {
                throw TensorError(in: "backward", "needs a gradient for a non-scalar output of shape \(shapeText(shape))")
            }
            seed = try Tensor.ones(shape)
        }
        let order = topologicalOrder()
        if let freed = order.first(where: { $0.gradNode == nil && $0.freedOp != nil }) {
            throw TensorError(in: "backward", "the graph through \(freed.freedOp!) was already freed by an earlier backward; pass retainGraph to the first call to backward twice")
        }
        try Tensor.noGrad {
            var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
            for t in order.reversed() {
                guard let g = grads.removeValue(forKey: ObjectIdentifier(t)) else { continue }
                guard let node = t.gradNode else {
                    if t.leafRequiresGrad { try t.accumulateGrad(g) }
                    continue
                }
                let inputGrads = try node.backward(g)
                for (input, ig) in zip(node.inputs, inputGrads) {
                    guard input.requiresGrad, let ig else { continue }
                    let reduced = try ig.reduceBroadcast(to: input.shape, op: node.op)
                    let key = ObjectIdentifier(input)
                    grads[key] = try grads[key].map { try $0.add(reduced) } ?? reduced
                }
                if !retainGraph {
                    t.freedOp = node.op
                    t.gradNode = nil
                }
            }
        }
    }

    /// Adds `g` into `grad`, copying on first use so `grad` never shares memory.
    private func accumulateGrad(_ g: Tensor) throws {
        if let grad, grad.shape == g.shape {
            try grad.addInPlace(g)
        } else {
            let copy = try Tensor.empty(shape, op: "backward")
            copy.assign(from: g)
            grad = copy
        }
    }

    /// Every tensor this one depends on through recorded operations (inputs before outputs).
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(self)]
        var stack: [(Tensor, Int)] = [(self, 0)]
        while let (t, next) = stack.popLast() {
            if let node = t.gradNode, next < node.inputs.count {
                stack.append((t, next + 1))
                let input = node.inputs[next]
                if input.requiresGrad && visited.insert(ObjectIdentifier(input)).inserted {
                    stack.append((input, 0))
                }
            } else {
                order.append(t)
            }
        }
        return order
    }

    /// Sums a broadcast gradient back to `target`, the shape of the input it belongs to.
    func reduceBroadcast(to target: [Int], op: String) throws -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        var dims = Array(0..<Swift.max(lead, 0))
        var fits = lead >= 0
        if fits {
            for i in target.indices where target[i] != shape[lead + i] {
                if target[i] == 1 { dims.append(lead + i) } else { fits = false }
            }
        }
        guard fits else {
            throw TensorError(in: "backward", "internal error: \(op) gave a gradient of shape \(shapeText(shape)) for an input of shape \(shapeText(target))")
        }
        return try sum(dims: dims, keepdim: true).reshape(target)
    }
}
