import MoonEngine

/// What Dense and Conv2D share: a kernel and an optional bias made by initializers, an
/// activation, an l1/l2 regularizer on the kernel, an optional max-norm constraint, and
/// the config keys that save them.
open class KernelLayer: Layer {
    public let activation: String
    public let initializer: Initializer
    public let biasInitializer: Initializer
    public let useBias: Bool
    public let regularizer: Regularizer
    public let maxNorm: MaxNorm?

    public internal(set) var kernel: Tensor?
    public internal(set) var bias: Tensor?

    /// Whether the kernel's first dim holds the output units (Conv2D's `{filters, ...}`),
    /// rather than its last (Dense's `{in, units}`); max-norm is taken per unit.
    open var unitsFirst: Bool { false }

    init(_ owner: String, activation: String, initializer: Initializer, biasInitializer: Initializer,
         useBias: Bool, regularizer: Regularizer?, maxNorm: MaxNorm?, name: String) throws {
        self.activation = try checkActivation(activation, owner)
        self.initializer = initializer
        self.biasInitializer = biasInitializer
        self.useBias = useBias
        self.regularizer = try regularizer ?? Regularizer()
        self.maxNorm = maxNorm
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

    /// The shared config keys, merged into a subclass's own.
    func kernelConfig(_ own: [String: Any]) -> [String: Any] {
        var c = own
        c["activation"] = activation
        c["init"] = initializer.config
        c["bias_init"] = biasInitializer.config
        c["use_bias"] = useBias
        c["l1"] = Double(regularizer.l1)
        c["l2"] = Double(regularizer.l2)
        if let maxNorm { c["max_norm"] = Double(maxNorm.maxValue) }
        return c
    }

    /// The shared description parts that follow a subclass's own.
    func describe(_ own: [String]) -> String {
        var parts = own
        if activation != "linear" { parts.append(activation) }
        if !useBias { parts.append("no bias") }
        return "\(kind)(" + parts.joined(separator: ", ") + ")"
    }
}

/// The shared options read back from a saved config.
struct KernelOptions {
    let activation: String
    let initializer: Initializer
    let biasInitializer: Initializer
    let useBias: Bool
    let regularizer: Regularizer
    let maxNorm: MaxNorm?

    init(_ config: [String: Any], owner: String) throws {
        let c = ConfigReader(config, owner: owner)
        activation = try c.string("activation", default: "linear")
        initializer = try c.has("init") ? Initializer(config: config["init"]!, owner: owner) : .glorotUniform
        biasInitializer = try c.has("bias_init") ? Initializer(config: config["bias_init"]!, owner: owner) : .zeros
        useBias = try c.bool("use_bias", default: true)
        regularizer = try Regularizer(l1: Float(try c.double("l1", default: 0)), l2: Float(try c.double("l2", default: 0)), owner: owner)
        maxNorm = try c.optionalDouble("max_norm").map { try MaxNorm(Float($0), owner: owner) }
    }
}
