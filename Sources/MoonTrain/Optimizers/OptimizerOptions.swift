import MoonEngine

/// What every optimizer takes beyond its own rule: gradient clipping and weight decay
/// (applied in that order: clipvalue, clipnorm, weight_decay).
public struct OptimizerSettings {
    public var clipnorm: Double? = nil
    public var globalClipnorm: Double? = nil
    public var clipvalue: Double? = nil
    public var weightDecay = 0.0
    public init() {}

    static let keys: Set<String> = ["clipnorm", "global_clipnorm", "clipvalue", "weight_decay"]

    static func fields<Root>(_ path: WritableKeyPath<Root, OptimizerSettings>) -> [OptionField<Root>] {
        [OptionField("clipnorm", path.appending(path: \.clipnorm), "each parameter's gradient rescaled to at most this L2 norm (Keras' clipnorm)"),
         OptionField("global_clipnorm", path.appending(path: \.globalClipnorm), "all gradients rescaled together (PyTorch's clip_grad_norm_)"),
         OptionField("clipvalue", path.appending(path: \.clipvalue), "each gradient element clamped to [-v, v]"),
         OptionField("weight_decay", path.appending(path: \.weightDecay), "L2 added to the gradient, g + wd*p (torch.optim's, not AdamW's)")]
    }
}

/// An optimizer's options: its learning rate (whose default is the optimizer's own), its
/// rule's hyperparameters and the shared settings.
public protocol OptimizerOptions: Options {
    var lr: Double { get set }
    var settings: OptimizerSettings { get set }
}

/// An optimizer whose options are one `OptimizerOptions` declaration: `optim.<name>{...}`,
/// its help, and the options saved with a model all come from `Config`.
public protocol ConfigurableOptimizer: Optimizer {
    associatedtype Config: OptimizerOptions
    /// The name users write (`Adam`).
    static var optimizerName: String { get }
    /// What the rule computes, for help (its options document themselves).
    static var summary: String { get }
    init(params: [Tensor], config: Config) throws
    var options: Config { get }
}

extension ConfigurableOptimizer {
    /// The optimizer with its options set in Swift: `Adam(params: p) { $0.lr = 0.01 }`.
    public init(params: [Tensor] = [], _ configure: (inout Config) throws -> Void = { _ in }) throws {
        var o = Config()
        try configure(&o)
        try self.init(params: params, config: o)
    }

    /// The optimizer from option values (a Lua table's, or a saved file's).
    static func make(params: [Tensor], options: JSONValue) throws -> Optimizer {
        try Self(params: params, config: try Config(reading: options))
    }
}

extension Optimizer {
    /// Every option as a name and a number (booleans as 0/1), for printing.
    var optionValues: [(String, Double)] {
        guard let c = self as? any ConfigurableOptimizer else { return [] }
        return c.options.json.pairs.compactMap { key, value in
            switch value {
            case .bool(let b): return (key, b ? 1 : 0)
            default: return value.number.map { (key, $0) }
            }
        }
    }
}
