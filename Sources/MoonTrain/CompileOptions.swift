import MoonBase

/// A value for the whole model or one per output: `loss="mse"` or
/// `loss={hour="sparse_categorical_crossentropy", minute="mae"}`.
public enum PerOutput<V: OptionValue>: OptionValue {
    case all(V)
    case named([(String, V)])

    public init?(option: JSONValue) throws {
        if case .object(let pairs) = option {
            var out: [(String, V)] = []
            for (name, value) in pairs {
                guard let v = try V(option: value) else {
                    throw TrainingError("output '\(name)' must be \(V.optionType), got \(value.shortText)")
                }
                out.append((name, v))
            }
            self = .named(out)
        } else if let v = try V(option: option) {
            self = .all(v)
        } else {
            return nil
        }
    }
    public var option: JSONValue {
        switch self {
        case .all(let v): return v.option
        case .named(let pairs): return .object(pairs.map { ($0.0, $0.1.option) })
        }
    }
    public static var optionType: String { "\(V.optionType) or a table of them by output name" }
}

/// The options of `model:compile{...}` but the optimizer (an object the caller reads):
/// losses, their weights, metrics and from_logits.
public struct CompileOptions: Options {
    public var loss: PerOutput<String>? = nil
    public var lossWeights: PerOutput<Double>? = nil
    public var metrics: PerOutput<[String]>? = nil
    public var fromLogits: Bool? = nil
    /// Losses given as functions, by output name ("" for the model's single output); they
    /// take the place of `loss` for those outputs.
    public var lossFunctions: [String: CustomLoss] = [:]
    /// Metrics given as functions: for every output with a loss ("") or by output name.
    public var metricFunctions: [String: [CustomMetric]] = [:]
    public init() {}
    public static var fields: [OptionField<CompileOptions>] {
        [OptionField("loss", \.loss, "required: a loss name (\(Loss.names.joined(separator: ", "))) or a function(prediction, target) returning a scalar tensor, or one per output"),
         OptionField("loss_weights", \.lossWeights, "per output (default 1): the training loss is their weighted sum plus the layers' l1/l2 penalties"),
         OptionField("metrics", \.metrics, "{\"accuracy\", \"mae\", \"mse\", name=function(prediction, target) returning a number}, or a list per output; a flat list gives accuracy to classification outputs and mae/mse to regression ones, functions to every output"),
         OptionField("from_logits", \.fromLogits, "whether cross-entropy reads the output as logits (nil: unless the model ends in softmax/sigmoid)")]
    }

    /// Losses, loss weights and metrics by output name, for a model with `outputs`.
    public func resolve(outputs: [String]) throws -> (losses: [String: Loss], weights: [String: Double], metrics: [String: [Metric]]) {
        var losses: [String: Loss] = [:]
        func single() throws -> String {
            guard outputs.count == 1 else {
                throw TrainingError("the model has outputs \(outputs.joined(separator: ", ")); give a loss per output: loss={\(outputs.map { "\($0)=..." }.joined(separator: ", "))}")
            }
            return outputs[0]
        }
        switch loss {
        case nil:
            if lossFunctions.isEmpty { throw TrainingError("needs a loss (valid: \(Loss.names.joined(separator: ", ")), or a function)") }
        case .all(let name)?:
            losses[try single()] = try Loss(name: name, fromLogits: fromLogits)
        case .named(let pairs)?:
            for (output, name) in pairs { losses[output] = try Loss(name: name, fromLogits: fromLogits) }
        }
        for (output, f) in lossFunctions { losses[output.isEmpty ? try single() : output] = Loss(f, fromLogits: fromLogits) }
        var weights: [String: Double] = [:]
        switch lossWeights {
        case nil: break
        case .all(let w)?: for output in outputs { weights[output] = w }
        case .named(let pairs)?: for (output, w) in pairs { weights[output] = w }
        }
        var metrics: [String: [Metric]] = [:]
        switch self.metrics {
        case nil: break
        case .all(let names)?: metrics = Metric.assign(try names.map(Metric.init(name:)), outputs: outputs, losses: losses)
        case .named(let pairs)?: for (output, names) in pairs { metrics[output] = try names.map(Metric.init(name:)) }
        }
        for (output, fs) in metricFunctions {
            for name in output.isEmpty ? outputs.filter({ losses[$0] != nil }) : [output] {
                metrics[name, default: []] += fs.map(Metric.init)
            }
        }
        return (losses, weights, metrics)
    }
}

/// `{batch=32, output=}` of `model:evaluate`, `model:predict` and `model:classify`.
public struct InferenceOptions: Options {
    public var batch = 32
    public var output: String? = nil
    public init() {}
    public static var fields: [OptionField<InferenceOptions>] {
        [OptionField("batch", \.batch, "samples a forward pass", aliases: ["batch_size"]),
         OptionField("output", \.output, "classify: the output holding the classes, for a model with several")]
    }

    /// `batch`, checked.
    public func batchSize() throws -> Int {
        guard batch >= 1 else { throw TrainingError("batch must be at least 1, got \(batch)") }
        return batch
    }

    /// The output `classify` reads: `output=`, or the only one.
    public func classOutput(of outputs: [String]) throws -> String {
        if let output {
            guard outputs.contains(output) else {
                throw TrainingError("the model has no output '\(output)' (outputs: \(outputs.joined(separator: ", ")))")
            }
            return output
        }
        guard outputs.count == 1 else {
            throw TrainingError("the model has outputs \(outputs.joined(separator: ", ")); say which: {output=\"\(outputs[0])\"}")
        }
        return outputs[0]
    }
}

/// `{from_logits=true}` of the cross-entropy functions in `nn.losses`.
public struct LossOptions: Options {
    public var fromLogits = true
    public init() {}
    public static var fields: [OptionField<LossOptions>] {
        [OptionField("from_logits", \.fromLogits, "whether the prediction holds logits (false: probabilities)")]
    }
}

/// `{print=true}` of `model:summary`.
public struct SummaryOptions: Options {
    public var print = true
    public init() {}
    public static var fields: [OptionField<SummaryOptions>] {
        [OptionField("print", \.print, "print the table (false: return it)")]
    }
}

/// `{batch=256}` of `model:activations`.
public struct ActivationsOptions: Options {
    public var batch = 256
    public init() {}
    public static var fields: [OptionField<ActivationsOptions>] {
        [OptionField("batch", \.batch, "samples a forward pass")]
    }
}
