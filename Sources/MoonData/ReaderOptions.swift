import MoonEngine

/// The option declarations of the data readers and generators (`data.csv{...}`,
/// `data.clocks{...}`): the Lua constructors and their help come from these.
extension CSVReader.Options: Options {
    public static var fields: [OptionField<CSVReader.Options>] {
        [OptionField("label", \.label, "the labels' column: its header name, its 1-based position, or false (no labels)"),
         OptionField("header", \.header, "whether the first line names the columns (nil: yes when a field is not a number)"),
         OptionField("scale", \.scale, "multiplies the features (1/255 for pixel bytes)"),
         OptionField("shape", \.shape, "the shape of one sample, e.g. {1, 28, 28} (nil: {features})"),
         OptionField("delimiter", \.separator, "the field separator, one character")]
    }

    /// `delimiter` as options write it: one character.
    public var separator: Separator {
        get { Separator(byte: delimiter) }
        set { delimiter = newValue.byte }
    }
}

/// A one-character field separator.
public struct Separator: OptionValue, Sendable {
    public var byte: UInt8
    public init(byte: UInt8) { self.byte = byte }
    public init?(option: JSONValue) throws {
        guard let s = option.string else { return nil }
        guard s.utf8.count == 1, let b = s.utf8.first, b != 10, b != 13 else {
            throw DataError("must be one character, got \"\(s)\"")
        }
        byte = b
    }
    public var option: JSONValue { .string(String(decoding: [byte], as: UTF8.self)) }
    public static var optionType: String { "one character" }
}

extension CSVReader.LabelColumn: OptionValue {
    public init?(option: JSONValue) throws {
        switch option {
        case .string(let name): self = .name(name)
        case .bool(false): self = .none
        case .bool(true): throw DataError("must be a column name, a position or false, got true")
        default:
            guard let p = option.int else { return nil }
            guard p >= 1 else { throw DataError("must be a column name or a 1-based position, got \(p)") }
            self = .position(p - 1)
        }
    }
    public var option: JSONValue {
        switch self {
        case .automatic: return .null
        case .name(let n): return .string(n)
        case .position(let p): return .int(p + 1)
        case .none: return .bool(false)
        }
    }
    public static var optionType: String { "a column name, a 1-based position or false" }
}

extension Clocks.Options: Options {
    public static var fields: [OptionField<Clocks.Options>] {
        [OptionField("n", \.count, "how many faces"),
         OptionField("size", \.size, "side of the square images, in pixels (at least 16)"),
         OptionField("seed", \.seedOption, "the same seed gives the same images (nil: the global generator)"),
         OptionField("rotate", \.rotation, "turns each face by up to this many degrees either way (true: any angle)"),
         OptionField("noise", \.noise, "standard deviation of Gaussian noise on every pixel"),
         OptionField("thickness", \.thicknessRange, "a per-image factor on every line width: a number or {lo, hi}"),
         OptionField("invert", \.invert, "dark ink on a light background")]
    }

    public var seedOption: Int? {
        get { seed.map { Int(bitPattern: UInt($0)) } }
        set { seed = newValue.map { UInt64(bitPattern: Int64($0)) } }
    }

    public var rotation: Rotation {
        get { Rotation(degrees: rotate) }
        set { rotate = newValue.degrees }
    }

    public var thicknessRange: Spread {
        get { thickness.low == thickness.high ? Spread(thickness.low) : Spread(thickness.low, thickness.high) }
        set { thickness = (newValue.lo, newValue.hi ?? newValue.lo) }
    }
}

/// Degrees of rotation as an option: a number, or a boolean (true: any angle, 180).
public struct Rotation: OptionValue, Sendable {
    public var degrees: Double
    public init(degrees: Double) { self.degrees = degrees }
    public init?(option: JSONValue) {
        if case .bool(let b) = option { degrees = b ? 180 : 0; return }
        guard let d = option.number else { return nil }
        degrees = d
    }
    public var option: JSONValue { .double(degrees) }
    public static var optionType: String { "a boolean or a number of degrees" }
}
