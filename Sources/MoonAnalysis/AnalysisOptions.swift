import MoonBase
import MoonEngine

/// The option tables of `analysis.summary` and `analysis.rsa`, declared once.
extension Correlation {
    /// `{absolute=false, diagonal=false}` of `analysis.summary`.
    public struct SummaryOptions: Options {
        public var absolute = false
        public var diagonal = false
        public init() {}
        public static var fields: [OptionField<SummaryOptions>] {
            [OptionField("absolute", \.absolute, "summarise |c|: co-activation strength regardless of sign"),
             OptionField("diagonal", \.diagonal, "include the diagonal, as np.mean(c) and np.std(c) over the whole matrix")]
        }
    }
}

extension Correlation.Summary {
    /// `{mean=, std=, min=, max=, count=}`.
    public var json: JSONValue {
        ["mean": .double(mean), "std": .double(std), "min": .double(min), "max": .double(max), "count": .int(count)]
    }
}

extension RSA.Method: OptionChoice {}

extension RSA {
    /// `{method="spearman", samples=2000, seed=0}` of `analysis.rsa`.
    public struct Options: MoonBase.Options {
        public var method = Method.spearman
        public var samples = RSA.defaultSamples
        public var seed = 0
        public init() {}
        public static var fields: [OptionField<Options>] {
            [OptionField("method", \.method, "how the two dissimilarity matrices are compared"),
             OptionField("samples", \.samples, "above this many samples (at most \(RSA.maxSamples)) a random subset, the same for both, is used"),
             OptionField("seed", \.seed, "seeds the subset's own generator")]
        }
    }
}

extension ClassificationReport {
    /// `{digits=2, print=true}` of `metrics.report`.
    public struct Options: MoonBase.Options {
        public var digits = 2
        public var print = true
        public init() {}
        public static var fields: [OptionField<Options>] {
            [OptionField("digits", \.digits, "decimals of the printed ratios, 0..10"),
             OptionField("print", \.print, "print the report (false: only return it)")]
        }
    }

    /// The report as a table: `{accuracy=, macro_avg={precision=, recall=, f1=, support=},
    /// weighted_avg={...}, classes={{label=0, name=, ...}, ...}, text=}`.
    public func json(text: String) -> JSONValue {
        func row(_ r: Row, label: Int?) -> JSONValue {
            .object((label.map { [("label", JSONValue.int($0))] } ?? [])
                + [("name", .string(r.name)), ("precision", .double(r.precision)), ("recall", .double(r.recall)),
                   ("f1", .double(r.f1)), ("support", .int(r.support))])
        }
        return ["accuracy": .double(accuracy), "macro_avg": row(macroAverage, label: nil),
                "weighted_avg": row(weightedAverage, label: nil),
                "classes": .array(classes.enumerated().map { row($0.element, label: $0.offset) }), "text": .string(text)]
    }
}
