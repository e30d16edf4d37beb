import MoonEngine

/// Models written as layer codes, as in architecture studies: `c` Conv2D, `p` MaxPool2D,
/// `d` Dropout, `n` BatchNorm, `f` Dense. A Flatten goes in before the first `f` that no
/// `c` or `p` follows (an earlier `f` acts on the channels at every position, as Keras'
/// Dense does on images: `cfp...`). The code's last `f` is the `classes`-way output layer,
/// as in the study that named these models (`cpcpdnfff`: two Dense(64) "excluding the
/// output layer"); a code that does not end in `f` gets the output layer appended.
public enum LayerCodes {
    /// The settings of a code. Each of `filters`, `kernels`, `units`, `dropouts` is used in
    /// turn by the letters of its kind; the last entry repeats.
    public struct Options {
        public var input: [Int] = [1, 28, 28]
        public var classes = 10
        public var filters: [Int]? = nil
        public var kernels: [Int]? = nil
        public var units: [Int]? = nil
        public var dropouts: [Float]? = nil
        public var pool = 2
        public var padding: LayerPadding = .valid
        /// Activation of convolutions and hidden dense layers.
        public var activation = "relu"
        /// Activation of hidden dense layers when it differs (`sigmoid` in one study model).
        public var denseActivation: String? = nil
        /// Of the appended output layer: `linear` (logits, the default) or `softmax`.
        public var outputActivation = "linear"
        public var initializer: Initializer = .glorotUniform
        /// L1 and L2 penalties on every kernel (Keras' kernel_regularizer on each layer).
        public var l1 = 0.0, l2 = 0.0
        public init() {}
    }

    /// The study's settings for its five codes (study 000): filters, kernel, units, dropout.
    nonisolated(unsafe) public static let presets: [String: (filters: [Int], kernels: [Int], units: [Int], dropout: Float)] = [
        "cpcpdnfff": ([96], [5], [64], 0.1),
        "ccpdnff": ([32, 128], [5], [128], 0.1),
        "cfpdndff": ([112], [3], [112], 0.1),
        "cpdnfndff": ([112], [5], [112], 0.1),
        "cfpncfpdnff": ([128], [5], [36], 0.1),
    ]

    /// Defaults for other codes.
    nonisolated(unsafe) public static let defaults = (filters: [32], kernels: [3], units: [128], dropout: Float(0.1))

    /// The layers of `code` (without the input).
    public static func layers(_ code: String, _ o: Options) throws -> [Layer] {
        let letters = Array(code)
        guard !letters.isEmpty else { throw TensorError("from_code: the code is empty (letters: c p d n f)") }
        for (k, ch) in letters.enumerated() where !"cpdnf".contains(ch) {
            throw TensorError("from_code: unknown letter '\(ch)' at position \(k + 1) of \"\(code)\" (c=Conv2D p=MaxPool2D d=Dropout n=BatchNorm f=Dense)")
        }
        guard o.classes >= 1 else { throw TensorError("from_code: classes must be positive, got \(o.classes)") }
        let preset = presets[code]
        let filters = o.filters ?? preset?.filters ?? defaults.filters
        let kernels = o.kernels ?? preset?.kernels ?? defaults.kernels
        let units = o.units ?? preset?.units ?? defaults.units
        let dropouts = o.dropouts ?? [preset?.dropout ?? defaults.dropout]
        for (what, list) in [("filters", filters), ("kernel", kernels), ("units", units)] {
            if list.isEmpty { throw TensorError("from_code: '\(what)' must not be empty") }
            if let bad = list.first(where: { $0 < 1 }) { throw TensorError("from_code: '\(what)' must hold positive integers, got \(bad)") }
        }
        for a in [o.activation, o.outputActivation] + (o.denseActivation.map { [$0] } ?? []) { _ = try checkActivation(a, "from_code") }
        guard !dropouts.isEmpty else { throw TensorError("from_code: 'dropout' must not be empty") }
        func pick<T>(_ list: [T], _ i: Int) -> T { list[Swift.min(i, list.count - 1)] }
        let lastSpatial = letters.lastIndex { $0 == "c" || $0 == "p" } ?? -1
        var out: [Layer] = []
        var counts: [Character: Int] = [:]
        var flattened = false
        for (k, ch) in letters.enumerated() {
            let i = counts[ch, default: 0]
            counts[ch] = i + 1
            switch ch {
            case "c":
                let ks = pick(kernels, i)
                out.append(try Conv2D(pick(filters, i), kernel: Pair(ks)) {
                    $0.padding = o.padding; $0.activation = o.activation; $0.initializer = o.initializer
                    $0.l1 = o.l1; $0.l2 = o.l2
                })
            case "p":
                out.append(try MaxPool2D(Pair(o.pool)))
            case "d":
                out.append(try Dropout(pick(dropouts, i)))
            case "n":
                out.append(try BatchNorm())
            default:
                if k > lastSpatial && !flattened {
                    out.append(Flatten())
                    flattened = true
                }
                if k == letters.count - 1 {
                    out.append(try output(o))
                } else {
                    out.append(try Dense(pick(units, i)) {
                        $0.activation = o.denseActivation ?? o.activation; $0.initializer = o.initializer
                        $0.l1 = o.l1; $0.l2 = o.l2
                    })
                }
            }
        }
        if letters.last != "f" {
            if !flattened { out.append(Flatten()) }
            out.append(try output(o))
        }
        return out
    }

    /// The `classes`-way output layer.
    private static func output(_ o: Options) throws -> Dense {
        try Dense(o.classes) { $0.activation = o.outputActivation; $0.initializer = o.initializer; $0.l1 = o.l1; $0.l2 = o.l2 }
    }

    /// A Sequential model of `code`, named after it.
    public static func model(_ code: String, _ o: Options = Options()) throws -> Sequential {
        try Sequential(input: o.input, layers: try layers(code, o), name: code)
    }
}

extension LayerCodes.Options: Options {
    public static var fields: [OptionField<LayerCodes.Options>] {
        [OptionField("input", \.input, "the per-sample input shape"),
         OptionField("classes", \.classes, "units of the output layer"),
         OptionField("filters", \.filters, "a number or a list used letter by letter (nil: the study's, else 32)"),
         OptionField("kernel", \.kernels, "a number or a list used letter by letter (nil: the study's, else 3)"),
         OptionField("units", \.units, "a number or a list used letter by letter (nil: the study's, else 128)"),
         OptionField("dropout", \.dropouts, "a rate or a list used letter by letter (nil: the study's, else 0.1)"),
         OptionField("pool", \.pool, "the max-pooling size"),
         OptionField("padding", \.padding, "the convolutions' padding"),
         OptionField("activation", \.activation, "of convolutions and hidden dense layers"),
         OptionField("dense_activation", \.denseActivation, "of hidden dense layers when it differs"),
         OptionField("output_activation", \.outputActivation, "of the output layer (linear: logits)"),
         OptionField("init", \.initializer, "every kernel's initializer"),
         OptionField("l1", \.l1, "l1 penalty on every kernel, added to the loss"),
         OptionField("l2", \.l2, "l2 penalty on every kernel, added to the loss")]
    }
}
