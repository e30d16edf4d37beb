import MoonEngine

/// What Dense and Conv2D share: a kernel and an optional bias made by initializers, an
/// activation, an l1/l2 regularizer on the kernel, an optional max-norm constraint, and
/// the config keys that save them.
open class KernelLayer: Layer {
    public let kernelOptions: KernelOptions
    public let regularizer: Regularizer
    public let maxNorm: MaxNorm?
    public var activation: String { kernelOptions.activation }
    public var initializer: Initializer { kernelOptions.initializer }
    public var biasInitializer: Initializer { kernelOptions.biasInitializer }
    public var useBias: Bool { kernelOptions.useBias }

    public internal(set) var kernel: Tensor?
    public internal(set) var bias: Tensor?

    /// Whether the kernel's first dim holds the output units (Conv2D's `{filters, ...}`),
    /// rather than its last (Dense's `{in, units}`); max-norm is taken per unit.
    open var unitsFirst: Bool { false }

    init(_ owner: String, _ options: KernelOptions, name: String) throws {
        _ = try checkActivation(options.activation, owner)
        self.kernelOptions = options
        self.regularizer = try Regularizer(l1: Float(options.l1), l2: Float(options.l2), owner: owner)
        self.maxNorm = try options.maxNorm.map { try MaxNorm(Float($0), owner: owner) }
        super.init(name: name)
    }

    /// Makes the kernel of `shape` and a bias of `units` (when used), both requiring grad.
    func makeWeights(kernel shape: [Int], units: Int) throws {
        kernel = try initializer.make(shape).requiringGrad()
        let fans = biasInitializer.usesKernelFans ? Initializer.fans(shape) : nil
        bias = useBias ? try biasInitializer.make([units], fans: fans).requiringGrad() : nil
    }

    /// The built kernel, or the error that names an unbuilt layer.
    func builtKernel() throws -> Tensor {
        guard let kernel else { throw TensorError("\(kind): layer \(displayName) is not built") }
        return kernel
    }

    public override var trainableWeights: [Tensor] { [kernel, bias].compactMap { $0 } }
    public override var weightNames: [String] { useBias ? ["kernel", "bias"] : ["kernel"] }

    public override func regularizationLoss() throws -> Tensor? {
        guard let kernel, regularizer.isActive else { return nil }
        return try regularizer.penalty(kernel)
    }

    public override func applyConstraints() throws {
        if let maxNorm, let kernel { try maxNorm.apply(to: kernel, unitsFirst: unitsFirst) }
    }

    public override var outputActivation: String? { activation == "linear" ? nil : activation }

    /// The shared description parts that follow a subclass's own.
    func describe(_ own: [String]) -> String {
        var parts = own
        if activation != "linear" { parts.append(activation) }
        if !useBias { parts.append("no bias") }
        return "\(kind)(" + parts.joined(separator: ", ") + ")"
    }
}
