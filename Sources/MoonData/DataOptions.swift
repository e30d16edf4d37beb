import MoonBase
import MoonEngine

/// The option tables of the dataset operations (`ds:split`, `data.kfold`, `data.batches`,
/// ...), declared once: their Lua reading and their help come from here.

/// `{seed=}`: a seed for one operation's draws; without it the global generator draws them.
public struct SeedOptions: Options {
    public var seed: Int? = nil
    public init() {}
    public static var fields: [OptionField<SeedOptions>] { [seedField(\.seed)] }
    public var generator: RandomGenerator { Self.generator(seed) }

    static func seedField<Root>(_ path: WritableKeyPath<Root, Int?>) -> OptionField<Root> {
        OptionField("seed", path, "makes the draws reproducible (nil: the global generator, moonlab.seed)")
    }
    public static func generator(_ seed: Int?) -> RandomGenerator {
        seed.map { RandomGenerator(seed: UInt64(bitPattern: Int64($0))) } ?? .global
    }
}

/// Which labels a split keeps in proportion: none, the labels, or a named target's.
public enum Stratify: OptionValue, Sendable, Equatable {
    case none, labels, target(String)

    public init?(option: JSONValue) {
        switch option {
        case .bool(let b): self = b ? .labels : .none
        case .string(let name): self = .target(name)
        default: return nil
        }
    }
    public var option: JSONValue {
        switch self {
        case .none: return .bool(false)
        case .labels: return .bool(true)
        case .target(let name): return .string(name)
        }
    }
    public static var optionType: String { "a boolean or a target name" }
    public var enabled: Bool { self != .none }
    public var target: String? { if case .target(let t) = self { return t }; return nil }
}

/// `{seed=, stratify=false}` of `ds:split`, `data.kfold` and `tune.crossval`.
public struct SplitOptions: Options {
    public var seed: Int? = nil
    public var stratify = Stratify.none
    public init() {}
    public static var fields: [OptionField<SplitOptions>] {
        [SeedOptions.seedField(\.seed),
         OptionField("stratify", \.stratify, "keep each class's proportion in every part (a name picks a named target)")]
    }
    public var generator: RandomGenerator { SeedOptions.generator(seed) }
}

/// `{shuffle=false, seed=, drop_last=false, prefetch=1}` of `data.batches` and `ds:batches`.
public struct BatchOptions: Options {
    public var shuffle = false
    public var seed: Int? = nil
    public var dropLast = false
    public var prefetch = 1
    public init() {}
    public static var fields: [OptionField<BatchOptions>] {
        [OptionField("shuffle", \.shuffle, "a new random order each pass"),
         SeedOptions.seedField(\.seed),
         OptionField("drop_last", \.dropLast, "leave out a last batch smaller than the size"),
         OptionField("prefetch", \.prefetch, "batches assembled ahead on another thread (0: none)")]
    }
}

/// `{name=, class_names=}`: how `data.idx` and `data.dataset` label what they make.
public struct DatasetLabels: Options {
    public var name: String? = nil
    public var classNames: [String]? = nil
    public init() {}
    public static var fields: [OptionField<DatasetLabels>] {
        [OptionField("name", \.name, "the dataset's name"),
         OptionField("class_names", \.classNames, "a name per label, in label order")]
    }
}

/// `{n=32, cols=8}` of `data.preview_clocks`.
public struct PreviewOptions: Options {
    public var n = 32
    public var cols = 8
    public init() {}
    public static var fields: [OptionField<PreviewOptions>] {
        [OptionField("n", \.n, "how many samples, from the first"),
         OptionField("cols", \.cols, "images a row")]
    }
}

extension ImageFolder.Options: Options {
    public static var fields: [OptionField<ImageFolder.Options>] {
        [OptionField("size", \.imageSize, "{h, w} to resize every image to, bilinear (nil: all images share one size)"),
         OptionField("gray", \.gray, "one gray channel (true), RGB (false), or RGB when any image is in colour (nil)")]
    }

    /// `size` as options write it.
    public var imageSize: ImageSize? {
        get { size.map { ImageSize(height: $0.height, width: $0.width) } }
        set { size = newValue.map { ($0.height, $0.width) } }
    }
}

/// An image size `{h, w}`, both positive.
public struct ImageSize: OptionValue, Sendable {
    public var height: Int, width: Int
    public init(height: Int, width: Int) { self.height = height; self.width = width }
    public init?(option: JSONValue) throws {
        guard case .array(let items) = option else { return nil }
        let sizes = items.compactMap(\.int)
        guard sizes.count == 2, items.count == 2, sizes.allSatisfy({ $0 >= 1 }) else {
            throw DataError("must be {h, w}, two positive integers, got \(option.shortText)")
        }
        (height, width) = (sizes[0], sizes[1])
    }
    public var option: JSONValue { .array([.int(height), .int(width)]) }
    public static var optionType: String { "{h, w}" }
}

/// `{batch=false}` of `ds:map`.
public struct MapOptions: Options {
    public var batch = false
    public init() {}
    public static var fields: [OptionField<MapOptions>] {
        [OptionField("batch", \.batch, "call the function once with all of x and y (fast: tensor operations on every sample at once)")]
    }
}
