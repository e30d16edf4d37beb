import Foundation
import MoonEngine

/// How a layer fills a new weight tensor, with Keras' names and meaning.
///
/// Fans follow Keras: a dense kernel `{in, units}` has fan-in `in` and fan-out `units`; a
/// convolution kernel `{filters, in_channels, kh, kw}` has fan-in `in_channels·kh·kw` and
/// fan-out `filters·kh·kw` (receptive field times channels); a vector `{n}` has both `n`.
///
/// - `zeros`, `ones`, `constant{value}`
/// - `random_normal{mean=0, std=0.05}`, `random_uniform{min=-0.05, max=0.05}`,
///   `truncated_normal{mean=0, std=0.05}` (values beyond 2 std re-drawn)
/// - `variance_scaling{scale=1, mode="fan_in"|"fan_out"|"fan_avg", distribution=
///   "truncated_normal"|"normal"|"untruncated_normal"|"uniform"}`: with n the chosen fan,
///   `uniform` draws from [-√(3·scale/n), √(3·scale/n)]; `truncated_normal` (and `normal`, as
///   in Keras, where it is an alias) draws a normal truncated at 2 std with std
///   √(scale/n) / 0.87962566103423978 so the truncated values have std √(scale/n);
///   `untruncated_normal` a plain normal with std √(scale/n).
/// - `glorot_uniform` = variance_scaling(1, fan_avg, uniform), `glorot_normal` = (1, fan_avg,
///   truncated_normal), `he_uniform`/`he_normal` = (2, fan_in, ...), `lecun_uniform`/
///   `lecun_normal` = (1, fan_in, ...).
/// - `pytorch_default`: PyTorch's default for `nn.Linear` and `nn.Conv2d`, uniform in
///   [-1/√fan_in, 1/√fan_in] — for a kernel, `kaiming_uniform_(a=√5)`, whose bound
///   gain·√(3/fan_in) with gain √(2/(1+a²)) = √(1/3) is exactly 1/√fan_in; for a bias, the
///   same bound with the fan-in of the layer's kernel (a layer passes its kernel's fans).
///
/// Random values come from `RandomGenerator.global` unless another generator is given, so
/// `moonlab.seed` reproduces every initialization.
public struct Initializer: CustomStringConvertible, Sendable {
    public enum Mode: String, CaseIterable, Sendable { case fanIn = "fan_in", fanOut = "fan_out", fanAvg = "fan_avg" }
    public enum Distribution: String, CaseIterable, Sendable {
        case truncatedNormal = "truncated_normal", untruncatedNormal = "untruncated_normal", uniform = "uniform"
    }

    public enum Kind: Sendable {
        case zeros, ones
        case constant(Float)
        case randomNormal(mean: Float, std: Float)
        case randomUniform(min: Float, max: Float)
        case truncatedNormal(mean: Float, std: Float)
        case varianceScaling(scale: Float, mode: Mode, distribution: Distribution)
        /// Uniform in ±1/√fan_in (PyTorch's default; a bias takes its kernel's fan-in).
        case fanInUniform
    }

    /// True when a bias made with this initializer needs its kernel's fans (`pytorch_default`).
    public var usesKernelFans: Bool {
        if case .fanInUniform = kind { return true }
        return false
    }

    public let kind: Kind
    /// The name it was given (`glorot_uniform`, `variance_scaling`): kept for saving and printing.
    public let name: String

    /// The std correction of a normal truncated at two standard deviations (Keras' constant).
    public static let truncationStdCorrection: Float = 0.879_625_661_034_239_78

    /// Names accepted as strings.
    public static let names = ["zeros", "ones", "random_normal", "random_uniform", "truncated_normal",
                               "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
                               "lecun_normal", "lecun_uniform", "variance_scaling", "pytorch_default"]

    public init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }

    public static let zeros = Initializer(kind: .zeros, name: "zeros")
    public static let ones = Initializer(kind: .ones, name: "ones")
    public static let glorotUniform = try! Initializer(named: "glorot_uniform")

    /// An initializer by its Keras name, with default parameters; unknown names list the valid ones.
    public init(named name: String, owner: String = "initializer") throws {
        try self.init(name: name, options: .object([]), owner: owner)
    }

    /// An initializer by name with options (`mean`, `std`/`stddev`, `min`/`minval`,
    /// `max`/`maxval`, `value`, `scale`, `mode`, `distribution`).
    public init(name: String, options: JSONValue, owner: String = "initializer") throws {
        let known: Set<String> = ["mean", "std", "stddev", "min", "minval", "max", "maxval", "value", "scale", "mode", "distribution"]
        for (k, _) in options.pairs where !known.contains(k) {
            throw TensorError("\(owner) \(name): unknown option '\(k)'" + (nearestName(to: k, in: known.sorted()).map { " (did you mean '\($0)'?)" } ?? ""))
        }
        func number(_ keys: [String], _ d: Double) throws -> Float {
            for k in keys {
                guard let v = options[k], v != .null else { continue }
                guard let x = v.number else { throw TensorError("\(owner) \(name): '\(k)' must be a number, got \(v.shortText)") }
                return Float(x)
            }
            return Float(d)
        }
        func text(_ key: String, _ d: String) throws -> String {
            guard let v = options[key], v != .null else { return d }
            guard let s = v.string else { throw TensorError("\(owner) \(name): '\(key)' must be a string, got \(v.shortText)") }
            return s
        }
        switch name {
        case "zeros": kind = .zeros
        case "ones": kind = .ones
        case "constant": kind = .constant(try number(["value"], 0))
        case "random_normal", "normal":
            kind = .randomNormal(mean: try number(["mean"], 0), std: try number(["std", "stddev"], 0.05))
        case "random_uniform", "uniform":
            kind = .randomUniform(min: try number(["min", "minval"], -0.05), max: try number(["max", "maxval"], 0.05))
        case "truncated_normal":
            kind = .truncatedNormal(mean: try number(["mean"], 0), std: try number(["std", "stddev"], 0.05))
        case "glorot_normal": kind = .varianceScaling(scale: 1, mode: .fanAvg, distribution: .truncatedNormal)
        case "glorot_uniform": kind = .varianceScaling(scale: 1, mode: .fanAvg, distribution: .uniform)
        case "he_normal": kind = .varianceScaling(scale: 2, mode: .fanIn, distribution: .truncatedNormal)
        case "he_uniform": kind = .varianceScaling(scale: 2, mode: .fanIn, distribution: .uniform)
        case "lecun_normal": kind = .varianceScaling(scale: 1, mode: .fanIn, distribution: .truncatedNormal)
        case "lecun_uniform": kind = .varianceScaling(scale: 1, mode: .fanIn, distribution: .uniform)
        case "pytorch_default": kind = .fanInUniform
        case "variance_scaling":
            let scale = try number(["scale"], 1)
            guard scale > 0 else { throw TensorError("\(owner) variance_scaling: scale must be positive, got \(scale)") }
            let modeName = try text("mode", "fan_in")
            guard let mode = Mode(rawValue: modeName) else {
                throw unknownName("mode", modeName, "\(owner) variance_scaling", valid: Mode.allCases.map(\.rawValue))
            }
            let distName = try text("distribution", "truncated_normal")
            let distribution: Distribution
            switch distName {
            case "normal", "truncated_normal": distribution = .truncatedNormal
            case "untruncated_normal": distribution = .untruncatedNormal
            case "uniform": distribution = .uniform
            default:
                throw unknownName("distribution", distName, "\(owner) variance_scaling",
                                  valid: ["normal", "truncated_normal", "untruncated_normal", "uniform"])
            }
            kind = .varianceScaling(scale: scale, mode: mode, distribution: distribution)
        default:
            throw unknownName("initializer", name, owner, valid: Initializer.names)
        }
        if case let .randomNormal(_, std) = kind, std < 0 { throw TensorError("\(owner) \(name): std must be non-negative, got \(std)") }
        if case let .truncatedNormal(_, std) = kind, std < 0 { throw TensorError("\(owner) \(name): std must be non-negative, got \(std)") }
        if case let .randomUniform(lo, hi) = kind, hi < lo {
            throw TensorError("\(owner) \(name): max (\(hi)) must not be below min (\(lo))")
        }
        self.name = name
    }

    /// A name for the plain named ones, a dictionary with every parameter otherwise.
    public var config: JSONValue {
        switch kind {
        case .zeros, .ones, .fanInUniform: return .string(name)
        case let .constant(v): return ["name": "constant", "value": v.option]
        case let .randomNormal(mean, std): return ["name": "random_normal", "mean": mean.option, "std": std.option]
        case let .randomUniform(lo, hi): return ["name": "random_uniform", "min": lo.option, "max": hi.option]
        case let .truncatedNormal(mean, std): return ["name": "truncated_normal", "mean": mean.option, "std": std.option]
        case let .varianceScaling(scale, mode, distribution):
            if name != "variance_scaling" { return .string(name) }
            return ["name": "variance_scaling", "scale": scale.option, "mode": .string(mode.rawValue),
                    "distribution": .string(distribution.rawValue)]
        }
    }

    public var description: String {
        switch kind {
        case let .varianceScaling(scale, mode, distribution) where name == "variance_scaling":
            return "variance_scaling{scale=\(scale), mode=\"\(mode.rawValue)\", distribution=\"\(distribution.rawValue)\"}"
        case let .randomNormal(mean, std): return "random_normal{mean=\(mean), std=\(std)}"
        case let .randomUniform(lo, hi): return "random_uniform{min=\(lo), max=\(hi)}"
        case let .truncatedNormal(mean, std): return "truncated_normal{mean=\(mean), std=\(std)}"
        case let .constant(v): return "constant{value=\(v)}"
        default: return name
        }
    }

    /// Keras' fans for a weight shape in moonlab's layouts (see the type's documentation).
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (shape[0], shape[0])
        case 2: return (shape[0], shape[1])
        default:
            let receptive = shape[2...].reduce(1, *)
            return (shape[1] * receptive, shape[0] * receptive)
        }
    }

    /// A new tensor of `shape`, filled. `fans` overrides the fans computed from the shape.
    public func make(_ shape: [Int], fans given: (fanIn: Int, fanOut: Int)? = nil,
                     generator: RandomGenerator = .global) throws -> Tensor {
        switch kind {
        case .zeros: return try Tensor.zeros(shape)
        case .ones: return try Tensor.ones(shape)
        case let .constant(v): return try Tensor.full(shape, v)
        case let .randomNormal(mean, std): return try Tensor.randn(shape, mean: mean, std: std, generator: generator)
        case let .randomUniform(lo, hi):
            return hi > lo ? try Tensor.rand(shape, low: lo, high: hi, generator: generator) : try Tensor.full(shape, lo)
        case let .truncatedNormal(mean, std):
            return try Initializer.truncated(shape, mean: mean, std: std, generator: generator)
        case .fanInUniform:
            let limit = 1 / Float(Swift.max(1, (given ?? Initializer.fans(shape)).fanIn)).squareRoot()
            return try Tensor.rand(shape, low: -limit, high: limit, generator: generator)
        case let .varianceScaling(scale, mode, distribution):
            let (fanIn, fanOut) = given ?? Initializer.fans(shape)
            let n: Float
            switch mode {
            case .fanIn: n = Float(fanIn)
            case .fanOut: n = Float(fanOut)
            case .fanAvg: n = Float(fanIn + fanOut) / 2
            }
            let variance = scale / Swift.max(1, n)
            switch distribution {
            case .uniform:
                let limit = (3 * variance).squareRoot()
                return try Tensor.rand(shape, low: -limit, high: limit, generator: generator)
            case .untruncatedNormal:
                return try Tensor.randn(shape, mean: 0, std: variance.squareRoot(), generator: generator)
            case .truncatedNormal:
                return try Initializer.truncated(shape, mean: 0, std: variance.squareRoot() / Initializer.truncationStdCorrection,
                                                 generator: generator)
            }
        }
    }

    /// Normal values with `mean` and `std`, re-drawing any beyond two standard deviations.
    static func truncated(_ shape: [Int], mean: Float, std: Float, generator: RandomGenerator) throws -> Tensor {
        let t = try Tensor.randn(shape, mean: 0, std: 1, generator: generator)
        try t.withUnsafeMutableBufferPointer { p in
            for i in p.indices {
                var v = p[i]
                while Swift.abs(v) > 2 { v = Float(generator.nextNormal()) }
                p[i] = mean + std * v
            }
        }
        return t
    }
}
