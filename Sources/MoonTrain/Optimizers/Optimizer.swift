import Foundation
import MoonEngine

/// The shared base of every optimizer (tinygrad style: subclasses differ only in `update`).
///
/// `step()` turns each parameter's `grad` into an effective gradient and hands it, with the
/// parameter and its state buffers, to the subclass's `update`, which changes the parameter
/// in place with a tight loop over contiguous memory (no graph, no per-element allocation).
///
/// The effective gradient, in this order:
/// 1. `clipvalue`: each element clamped to [-clipvalue, clipvalue] (Keras).
/// 2. `clipnorm`: each parameter's gradient rescaled so its L2 norm is at most `clipnorm`,
///    per parameter as Keras' `clipnorm` does; `globalClipnorm` rescales all gradients together
///    so their joint norm is at most the value (PyTorch's `clip_grad_norm_`, Keras' `global_clipnorm`).
/// 3. `weightDecay`: L2 added to the gradient, g + weight_decay · p, as `torch.optim` does for
///    SGD, Adam and the others (not AdamW's decoupled decay).
///
/// Parameters without a gradient are skipped. `iterations` counts `step()` calls (Keras'
/// `optimizer.iterations`); the bias corrections of Adam-like rules use it, starting at 1.
open class Optimizer: CustomStringConvertible {
    /// The tensors this optimizer updates.
    public private(set) var params: [Tensor]
    /// The learning rate; callbacks and users may change it between steps.
    public var lr: Float
    /// Per-parameter gradient-norm clipping (nil: off).
    public var clipnorm: Float?
    /// Joint gradient-norm clipping over all parameters (nil: off).
    public var globalClipnorm: Float?
    /// Elementwise gradient clipping (nil: off).
    public var clipvalue: Float?
    /// L2 penalty folded into the gradient.
    public var weightDecay: Float
    /// Number of completed `step()` calls.
    public internal(set) var iterations = 0
    /// Per parameter, one buffer per `slotNames` entry (created on the parameter's first step).
    public internal(set) var slots: [[Tensor]]
    /// Scratch for the effective gradient, reused between steps.
    private var scratch: [Tensor?]

    public init(params: [Tensor], lr: Float, settings o: OptimizerSettings) throws {
        let (clipnorm, globalClipnorm, clipvalue) = (o.clipnorm.map(Float.init), o.globalClipnorm.map(Float.init), o.clipvalue.map(Float.init))
        let weightDecay = Float(o.weightDecay)
        try Optimizer.checkRate(lr, "lr", kind: "optimizer")
        if let c = clipnorm { try Optimizer.checkPositive(c, "clipnorm") }
        if let c = globalClipnorm { try Optimizer.checkPositive(c, "global_clipnorm") }
        if let c = clipvalue { try Optimizer.checkPositive(c, "clipvalue") }
        try Optimizer.checkRate(weightDecay, "weight_decay", kind: "optimizer")
        self.params = []
        self.lr = lr
        self.clipnorm = clipnorm
        self.globalClipnorm = globalClipnorm
        self.clipvalue = clipvalue
        self.weightDecay = weightDecay
        self.slots = []
        self.scratch = []
        try setParams(params)
    }

    // MARK: what subclasses define

    /// The optimizer's name as users write it (`SGD`, `Adam`).
    open var name: String { "Optimizer" }
    /// Names of the per-parameter state buffers (`["m", "v"]` for Adam).
    open var slotNames: [String] { [] }
    /// Initial value of each slot (Adagrad starts its accumulator at 0.1).
    open func initialValue(slot: Int) -> Float { 0 }
    /// The rule's own hyperparameters (not lr, clipping or decay), for printing: the options
    /// the optimizer was made with.
    public var hyperparameters: [(String, Double)] {
        optionValues.filter { $0.0 != "lr" && !OptimizerSettings.keys.contains($0.0) }
    }
    /// Scalars of optimizer-wide state beyond `iterations` (Nadam's momentum product).
    open var extraState: [String: Double] {
        get { [:] }
        set {}
    }
    /// Called once per `step()` before any parameter is updated (`t` = iterations after this step).
    open func beginStep(t: Int) {}
    /// Updates one parameter of `n` elements in place. `t` counts steps from 1.
    open func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int,
                     _ s: [UnsafeMutablePointer<Float>], t: Int) {}

    // MARK: the shared machinery

    /// Replaces the parameter list (state is reset).
    public func setParams(_ params: [Tensor]) throws {
        for (i, p) in params.enumerated() where !p.isContiguous {
            throw TensorError("\(name): parameter \(i + 1) of shape {\(p.shape.map(String.init).joined(separator: ","))} is not contiguous")
        }
        self.params = params
        slots = Array(repeating: [], count: params.count)
        scratch = Array(repeating: nil, count: params.count)
        iterations = 0
    }

    /// Sets every parameter's gradient to nil (the next backward starts from zero).
    public func zeroGrad() {
        for p in params { p.zeroGrad() }
    }

    /// Applies one update to every parameter that has a gradient.
    public func step() throws {
        let t = iterations + 1
        var grads: [Tensor?] = []
        grads.reserveCapacity(params.count)
        for (i, p) in params.enumerated() {
            guard let g = p.grad else { grads.append(nil); continue }
            guard g.shape == p.shape else {
                throw TensorError("\(name).step: gradient of shape \(shapeText(g.shape)) does not match parameter \(i + 1) of shape \(shapeText(p.shape))")
            }
            grads.append(try effectiveGradient(i, p, g))
        }
        if let limit = globalClipnorm {
            var total = 0.0
            for g in grads.compactMap({ $0 }) { total += Optimizer.squaredNorm(g.storage.pointer, g.count) }
            let norm = total.squareRoot()
            if norm > Double(limit) {
                let scale = Float(Double(limit) / (norm + 1e-6))
                for g in grads.compactMap({ $0 }) { Optimizer.scale(g.storage.pointer, g.count, scale) }
            }
        }
        beginStep(t: t)
        for (i, p) in params.enumerated() {
            guard let g = grads[i] else { continue }
            if slots[i].isEmpty {
                slots[i] = try slotNames.indices.map { try Tensor.full(p.shape, initialValue(slot: $0)) }
            }
            let state = slots[i].map { $0.storage.pointer }
            update(p.storage.pointer + p.offset, g.storage.pointer + g.offset, p.count, state, t: t)
        }
        iterations = t
    }

    /// The gradient after clipping and weight decay, in this parameter's scratch buffer.
    private func effectiveGradient(_ i: Int, _ p: Tensor, _ grad: Tensor) throws -> Tensor {
        // Nothing to change: the gradient itself (read only by `update`), no copy.
        if clipvalue == nil && clipnorm == nil && globalClipnorm == nil && weightDecay == 0 && grad.isContiguous {
            return grad
        }
        let buffer: Tensor
        if let s = scratch[i] { buffer = s } else { buffer = try Tensor.zeros(p.shape); scratch[i] = buffer }
        try buffer.copy(from: grad)
        let g = buffer.storage.pointer, n = p.count
        if let v = clipvalue {
            for j in 0..<n { g[j] = Swift.min(Swift.max(g[j], -v), v) }
        }
        if let limit = clipnorm {
            let norm = Optimizer.squaredNorm(g, n).squareRoot()
            if norm > Double(limit) { Optimizer.scale(g, n, Float(Double(limit) / norm)) }
        }
        if weightDecay != 0 {
            let w = p.storage.pointer + p.offset, wd = weightDecay
            for j in 0..<n { g[j] += wd * w[j] }
        }
        return buffer
    }

    static func squaredNorm(_ g: UnsafePointer<Float>, _ n: Int) -> Double {
        var s = 0.0
        for j in 0..<n { s += Double(g[j]) * Double(g[j]) }
        return s
    }

    static func scale(_ g: UnsafeMutablePointer<Float>, _ n: Int, _ c: Float) {
        for j in 0..<n { g[j] *= c }
    }

    // MARK: checks and printing

    /// Throws unless `value` is finite and non-negative.
    public static func checkRate(_ value: Float, _ option: String, kind: String) throws {
        guard value.isFinite, value >= 0 else {
            throw TensorError("\(kind): \(option) must be a non-negative number, got \(value)")
        }
    }

    static func checkPositive(_ value: Float, _ option: String) throws {
        guard value.isFinite, value > 0 else {
            throw TensorError("optimizer: \(option) must be a positive number, got \(value)")
        }
    }

    /// Throws unless 0 <= value < 1 (betas, rho, momentum).
    public static func checkFraction(_ value: Float, _ option: String, kind: String, closed: Bool = false) throws {
        guard value.isFinite, value >= 0, closed ? value <= 1 : value < 1 else {
            throw TensorError("\(kind): \(option) must be in [0, 1\(closed ? "]" : ")"), got \(value)")
        }
    }


    /// `Adam{lr=0.001, beta1=0.9, beta2=0.999, eps=1e-07, params=4}`.
    public var description: String {
        var parts = ["lr=\(Optimizer.format(Double(lr)))"]
        parts += hyperparameters.map { "\($0.0)=\(Optimizer.format($0.1))" }
        if let c = clipnorm { parts.append("clipnorm=\(Optimizer.format(Double(c)))") }
        if let c = globalClipnorm { parts.append("global_clipnorm=\(Optimizer.format(Double(c)))") }
        if let c = clipvalue { parts.append("clipvalue=\(Optimizer.format(Double(c)))") }
        if weightDecay != 0 { parts.append("weight_decay=\(Optimizer.format(Double(weightDecay)))") }
        parts.append("params=\(params.count)")
        return "\(name){" + parts.joined(separator: ", ") + "}"
    }

    static func format(_ v: Double) -> String {
        if v == v.rounded(), Swift.abs(v) < 1e15 { return String(Int(v)) }
        return String(Float(v))
    }
}
