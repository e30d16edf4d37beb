import MoonEngine

/// A transform whose options are one `Options` declaration: the Lua constructor and its help
/// come from `Config`.
public protocol ConfigurableTransform: Transform {
    associatedtype Config: Options
    /// What the transform does, for help (its options document themselves).
    static var summary: String { get }
    static func make(_ config: Config) throws -> Self
}

/// The names of the fill modes, as options take them.
public enum FillName: String, OptionChoice, Sendable {
    case constant, nearest, reflect, wrap
}

/// What geometric transforms put outside the image: `fill_mode` and its `value` (Keras'
/// `cval`) for "constant".
public struct FillOptions {
    public var mode = FillName.constant
    public var value = 0.0
    public init() {}

    public func fill(_ op: String) throws -> FillMode {
        guard value.isFinite else { throw AugError(in: op, "the fill value must be finite, got \(value)") }
        return FillMode(name: mode.rawValue, value: Float(value))!
    }

    static func fields<Root>(_ path: WritableKeyPath<Root, FillOptions>) -> [OptionField<Root>] {
        [OptionField("fill_mode", path.appending(path: \.mode), "outside the image: constant, nearest, reflect or wrap"),
         OptionField("value", path.appending(path: \.value), "the constant fill", aliases: ["cval"])]
    }
}

/// `aug.RandomRotation(degrees | {lo, hi}, {...})`.
public struct RotationOptions: Options {
    public var degrees = Spread(0)
    public var fill = FillOptions()
    public init() {}
    public static var fields: [OptionField<RotationOptions>] {
        [.argument("degrees", \.degrees, "angles from [-degrees, degrees] or [lo, hi]")] + FillOptions.fields(\.fill)
    }
}

/// `aug.RandomZoom(factor | {lo, hi}, {...})`.
public struct ZoomOptions: Options {
    public var factor = Spread(0)
    public var fill = FillOptions()
    public init() {}
    public static var fields: [OptionField<ZoomOptions>] {
        [.argument("factor", \.factor, "scale factors from [1 - factor, 1 + factor] or [lo, hi]")] + FillOptions.fields(\.fill)
    }
}

/// `aug.RandomShear(degrees | {lo, hi}, {...})`.
public struct ShearOptions: Options {
    public var degrees = Spread(0)
    public var fill = FillOptions()
    public init() {}
    public static var fields: [OptionField<ShearOptions>] {
        [.argument("degrees", \.degrees, "shear angles from [-degrees, degrees] or [lo, hi], below 90")] + FillOptions.fields(\.fill)
    }
}

/// `aug.RandomShift{...}`.
public struct ShiftOptions: Options {
    public var width = 0.0
    public var height = 0.0
    public var fill = FillOptions()
    public init() {}
    public static var fields: [OptionField<ShiftOptions>] {
        [OptionField("width", \.width, "moves by a fraction of the width from [-width, width]"),
         OptionField("height", \.height, "moves by a fraction of the height from [-height, height]")] + FillOptions.fields(\.fill)
    }
}

/// `aug.ColorJitter{...}`.
public struct ColorJitterOptions: Options {
    public var brightness = 0.0
    public var contrast = 0.0
    public init() {}
    public static var fields: [OptionField<ColorJitterOptions>] {
        [OptionField("brightness", \.brightness, "multiplies by a factor from [max(0, 1-b), 1+b]"),
         OptionField("contrast", \.contrast, "blends with the mean grey level by a factor from [max(0, 1-c), 1+c]")]
    }
}

/// `aug.Normalize{...}`.
public struct NormalizeOptions: Options {
    public var mean: [Double] = []
    public var std: [Double] = []
    public init() {}
    public static var fields: [OptionField<NormalizeOptions>] {
        [OptionField("mean", \.mean, "subtracted: a number, or one a channel"),
         OptionField("std", \.std, "divided by: a number, or one a channel")]
    }
}

/// `aug.ZCA{...}`.
public struct ZCAOptions: Options {
    public var epsilon = 1e-6
    public init() {}
    public static var fields: [OptionField<ZCAOptions>] {
        [OptionField("epsilon", \.epsilon, "added to the covariance's eigenvalues")]
    }
}

extension RandomRotation: ConfigurableTransform {
    public static func make(_ o: RotationOptions) throws -> RandomRotation {
        let fill = try o.fill.fill("RandomRotation")
        return try o.degrees.hi.map { try RandomRotation(degrees: o.degrees.lo, $0, fill: fill) } ?? RandomRotation(degrees: o.degrees.lo, fill: fill)
    }
}

extension RandomZoom: ConfigurableTransform {
    public static func make(_ o: ZoomOptions) throws -> RandomZoom {
        let fill = try o.fill.fill("RandomZoom")
        return try o.factor.hi.map { try RandomZoom(scale: o.factor.lo, $0, fill: fill) } ?? RandomZoom(factor: o.factor.lo, fill: fill)
    }
}

extension RandomShear: ConfigurableTransform {
    public static func make(_ o: ShearOptions) throws -> RandomShear {
        let fill = try o.fill.fill("RandomShear")
        return try o.degrees.hi.map { try RandomShear(degrees: o.degrees.lo, $0, fill: fill) } ?? RandomShear(degrees: o.degrees.lo, fill: fill)
    }
}

extension RandomShift: ConfigurableTransform {
    public static func make(_ o: ShiftOptions) throws -> RandomShift {
        try RandomShift(width: o.width, height: o.height, fill: try o.fill.fill("RandomShift"))
    }
}

extension ColorJitter: ConfigurableTransform {
    public static func make(_ o: ColorJitterOptions) throws -> ColorJitter {
        try ColorJitter(brightness: o.brightness, contrast: o.contrast)
    }
}

extension Normalize: ConfigurableTransform {
    public static func make(_ o: NormalizeOptions) throws -> Normalize {
        guard !o.mean.isEmpty, !o.std.isEmpty else {
            throw AugError(in: "Normalize", "needs both mean and std, e.g. aug.Normalize{mean=0.5, std=0.5}")
        }
        return try Normalize(mean: o.mean.map(Float.init), std: o.std.map(Float.init))
    }
}

extension ZCA: ConfigurableTransform {
    public static func make(_ o: ZCAOptions) throws -> ZCA { try ZCA(epsilon: o.epsilon) }
}

extension ImageDataGenerator: ConfigurableTransform {
    public static func make(_ o: Options) throws -> ImageDataGenerator { try ImageDataGenerator(o) }
}
