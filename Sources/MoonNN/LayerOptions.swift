import MoonEngine

/// A layer whose options are one `Options` declaration: the Lua constructor, the saved
/// config and the help text all come from `Config` (see MoonBase's `Options`).
public protocol ConfigurableLayer: Layer {
    associatedtype Config: Options
    /// The class name saved files use (`Dense`), and the constructor's in Lua (`nn.Dense`).
    static var className: String { get }
    /// What the layer computes, for help (its options document themselves).
    static var summary: String { get }
    init(config: Config, name: String) throws
    var options: Config { get }
}

extension ConfigurableLayer {
    /// The layer with its options set in Swift: `Dense(name: "fc") { $0.units = 10 }`.
    public init(name: String = "", _ configure: (inout Config) throws -> Void = { _ in }) throws {
        var o = Config()
        try configure(&o)
        try self.init(config: o, name: name)
    }

    /// The layer rebuilt from a saved config.
    public static func make(config: JSONValue, name: String) throws -> Self {
        do {
            return try Self(config: try Config(reading: config), name: name)
        } catch let e as MoonError where e.operation == nil && !e.message.hasPrefix(className) {
            throw e.within(className)
        }
    }
}

/// What Dense and Conv2D share: activation, the kernel's and the bias' initializers, l1/l2
/// on the kernel, max-norm per unit.
public struct KernelOptions {
    public var activation = "linear"
    public var initializer: Initializer = .glorotUniform
    public var biasInitializer: Initializer = .zeros
    public var useBias = true
    public var l1 = 0.0
    public var l2 = 0.0
    public var maxNorm: Double? = nil
    public init() {}

    /// The fields, reached through `path` of an owning options type.
    static func fields<Root>(_ path: WritableKeyPath<Root, KernelOptions>) -> [OptionField<Root>] {
        [OptionField("activation", path.appending(path: \.activation), "applied to the output (relu, softmax, ...)"),
         OptionField("init", path.appending(path: \.initializer), "the kernel's initializer"),
         OptionField("bias_init", path.appending(path: \.biasInitializer), "the bias' initializer"),
         OptionField("l1", path.appending(path: \.l1), "l1 penalty on the kernel, added to the loss"),
         OptionField("l2", path.appending(path: \.l2), "l2 penalty on the kernel, added to the loss"),
         OptionField("max_norm", path.appending(path: \.maxNorm), "caps each unit's incoming weight norm after every step"),
         OptionField("use_bias", path.appending(path: \.useBias), "whether the layer adds a bias")]
    }
}

/// A size or step per axis: a number (both axes) or `{h, w}`.
public struct Pair: OptionValue, Equatable, Sendable {
    public var h: Int, w: Int
    public init(_ h: Int, _ w: Int) { self.h = h; self.w = w }
    public init(_ n: Int) { self.init(n, n) }
    public var tuple: (Int, Int) { (h, w) }

    public init?(option: JSONValue) {
        if let n = option.int { self.init(n); return }
        guard let a = option.items, a.count == 2, let h = a[0].int, let w = a[1].int else { return nil }
        self.init(h, w)
    }
    public var option: JSONValue { .array([.int(h), .int(w)]) }
    public static var optionType: String { "a number or a pair {h, w}" }

    /// `3` or `3x2`.
    public var text: String { h == w ? "\(h)" : "\(h)x\(w)" }
}

extension LayerPadding: OptionValue {
    public init?(option: JSONValue) throws {
        switch option {
        case .string(let s):
            switch s {
            case "valid": self = .valid
            case "same": self = .same
            default: throw MoonError("unknown padding \"\(s)\" (valid: valid, same, a number of pixels)")
            }
        case .int, .double:
            guard let p = option.int else { return nil }
            guard p >= 0 else { throw TensorError("padding must be non-negative, got \(p)") }
            self = p == 0 ? .valid : .explicit(top: p, bottom: p, left: p, right: p)
        case .array(let items):
            let v = items.compactMap(\.int)
            guard v.count == items.count, v.allSatisfy({ $0 >= 0 }) else { return nil }
            if v.count == 2 { self = .explicit(top: v[0], bottom: v[0], left: v[1], right: v[1]) }
            else if v.count == 4 { self = .explicit(top: v[0], bottom: v[1], left: v[2], right: v[3]) }
            else { return nil }
        default: return nil
        }
    }

    public var option: JSONValue {
        switch self {
        case .valid: return "valid"
        case .same: return "same"
        case let .explicit(t, b, l, r): return .array([.int(t), .int(b), .int(l), .int(r)])
        }
    }

    public static var optionType: String { "\"valid\", \"same\" or a number of pixels" }
}

extension Initializer: OptionValue {
    public init?(option: JSONValue) throws {
        switch option {
        case .string(let s): try self.init(named: s)
        case .object:
            guard let name = option["name"]?.string else { return nil }
            try self.init(name: name, options: option.removing("name"))
        default: return nil
        }
    }
    public var option: JSONValue { config }
    public static var optionType: String { "an initializer name or nn.init.<name>{...}" }
}
