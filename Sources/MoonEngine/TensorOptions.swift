import MoonBase

/// The option tables of tensor methods (`t:std(dim, {...})`, `t:backward(g, {...})`).
extension Tensor {
    /// `{unbiased=true, keepdim=false}` of `t:var` and `t:std`.
    public struct SpreadOptions: Options {
        public var unbiased = true
        public var keepdim = false
        public init() {}
        public static var fields: [OptionField<SpreadOptions>] {
            [OptionField("unbiased", \.unbiased, "divide by n - 1 (Bessel's correction), as PyTorch does by default"),
             OptionField("keepdim", \.keepdim, "keep the reduced dim with size 1")]
        }
    }

    /// `{retain_graph=false}` of `t:backward`.
    public struct BackwardOptions: Options {
        public var retainGraph = false
        public init() {}
        public static var fields: [OptionField<BackwardOptions>] {
            [OptionField("retain_graph", \.retainGraph, "keep the graph for another backward pass")]
        }
    }
}
