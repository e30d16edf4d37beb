import Foundation
import MoonEngine

/// A training loss by its Keras name, applied to one model output. Every loss is a mean
/// over the batch (and over the elements of a sample for mse, mae and binary cross-entropy).
///
/// Cross-entropy losses take what the model outputs. With `fromLogits` nil (the default) they
/// ask the model's output activation: after softmax (categorical) or sigmoid (binary) the
/// output is read as probabilities (clipped to [1e-7, 1 − 1e-7], as Keras does, and never
/// squashed again); anything else is read as logits and the loss applies a stable
/// log-softmax (or log-sigmoid) itself. `fromLogits` true or false overrides the guess.
///
/// A custom loss (a function written in Lua) maps the output and the targets to a scalar
/// tensor; it counts as a classification loss reading logits unless `fromLogits` is false.
public struct Loss: CustomStringConvertible, Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case sparseCategoricalCrossentropy = "sparse_categorical_crossentropy"
        case categoricalCrossentropy = "categorical_crossentropy"
        case mse
        case mae
        case binaryCrossentropy = "binary_crossentropy"
    }

    public let kind: Kind
    /// Whether predictions are logits; nil decides from the output activation.
    public var fromLogits: Bool?
    /// The function of a custom loss; `kind` is then only a placeholder.
    public let custom: CustomLoss?

    /// The names `Loss(name:)` accepts (Keras' and a few common aliases).
    public static let names = Kind.allCases.map(\.rawValue)
    static let aliases: [String: Kind] = [
        "mean_squared_error": .mse, "mean_absolute_error": .mae,
        "cross_entropy": .sparseCategoricalCrossentropy, "crossentropy": .sparseCategoricalCrossentropy,
        "bce": .binaryCrossentropy,
    ]

    public init(_ kind: Kind, fromLogits: Bool? = nil) {
        self.kind = kind
        self.fromLogits = fromLogits
        self.custom = nil
    }

    /// A loss computed by `custom`.
    public init(_ custom: CustomLoss, fromLogits: Bool? = nil) {
        self.kind = .sparseCategoricalCrossentropy
        self.fromLogits = fromLogits
        self.custom = custom
    }

    /// The loss named `name`; an unknown name throws, listing the valid ones.
    public init(name: String, fromLogits: Bool? = nil) throws {
        let key = name.lowercased()
        guard let kind = Kind(rawValue: key) ?? Loss.aliases[key] else {
            throw TrainingError("unknown loss '\(name)' (valid: \(Loss.names.joined(separator: ", ")))")
        }
        self.init(kind, fromLogits: fromLogits)
    }

    public var name: String { custom?.name ?? kind.rawValue }
    public var description: String { name }

    /// Whether this loss reads the output as logits, given the output's activation.
    public func readsLogits(outputActivation: String?) -> Bool {
        if let fromLogits { return fromLogits }
        if custom != nil { return true }
        switch kind {
        case .sparseCategoricalCrossentropy, .categoricalCrossentropy:
            return outputActivation != "softmax" && outputActivation != "sigmoid"
        case .binaryCrossentropy:
            return outputActivation != "sigmoid" && outputActivation != "softmax"
        case .mse, .mae:
            return false
        }
    }

    /// Whether targets are class ids (for accuracy and label checks).
    public var isClassification: Bool { custom != nil || (kind != .mse && kind != .mae) }

    /// The mean loss of `prediction` against `target`, recorded for backward.
    public func compute(_ prediction: Tensor, _ target: Tensor, outputActivation: String?) throws -> Tensor {
        if let custom {
            let value = try custom.compute(prediction, target)
            guard value.count == 1 else {
                throw TrainingError("loss \(custom.name) must return a scalar tensor (one value), got shape \(shapeText(value.shape))")
            }
            return value.rank == 0 ? value : try value.reshape([])
        }
        let logits = readsLogits(outputActivation: outputActivation)
        switch kind {
        case .sparseCategoricalCrossentropy:
            return try Losses.sparseCategoricalCrossentropy(prediction, target, fromLogits: logits)
        case .categoricalCrossentropy:
            return try Losses.categoricalCrossentropy(prediction, target, fromLogits: logits)
        case .binaryCrossentropy:
            return try Losses.binaryCrossentropy(prediction, target, fromLogits: logits)
        case .mse:
            return try Losses.meanSquaredError(prediction, target)
        case .mae:
            return try Losses.meanAbsoluteError(prediction, target)
        }
    }
}

/// A loss given as a function of a batch's predictions and targets returning a scalar tensor
/// that carries gradient (a function written in Lua); `name` keys it in saved settings.
public struct CustomLoss: Sendable {
    public let name: String
    public let compute: @Sendable (Tensor, Tensor) throws -> Tensor
    public init(name: String, _ compute: @escaping @Sendable (Tensor, Tensor) throws -> Tensor) {
        (self.name, self.compute) = (name, compute)
    }
}

/// The losses as functions of tensors.
public enum Losses {
    /// Probabilities are clipped to [ε, 1 − ε] before the log (Keras' ε).
    public static let epsilon: Float = 1e-7

    /// Mean cross-entropy of predictions {N, K} against class ids {N} (0..K−1).
    public static func sparseCategoricalCrossentropy(_ prediction: Tensor, _ labels: Tensor, fromLogits: Bool = true) throws -> Tensor {
        let op = "sparse_categorical_crossentropy"
        guard prediction.rank == 2 else {
            throw TrainingError("\(op): expects predictions of shape {N,K}, got \(shapeText(prediction.shape))")
        }
        let (n, k) = (prediction.shape[0], prediction.shape[1])
        guard labels.count == n, labels.rank <= 2, labels.rank == 1 || labels.shape.last == 1 else {
            throw TrainingError("\(op): labels of shape \(shapeText(labels.shape)) do not match predictions of shape \(shapeText(prediction.shape)) (expected {\(n)})")
        }
        try checkLabels(labels, classes: k, op: op)
        if fromLogits { return try Tensor.crossEntropy(prediction, try labels.reshape([n])) }
        let logp = try prediction.clamp(min: epsilon, max: 1 - epsilon).log()
        return try logp.gather(1, try labels.reshape([n, 1])).mean().neg()
    }

    /// Mean cross-entropy of predictions {N, K} against one-hot (or soft) targets {N, K}.
    public static func categoricalCrossentropy(_ prediction: Tensor, _ target: Tensor, fromLogits: Bool = true) throws -> Tensor {
        let op = "categorical_crossentropy"
        guard prediction.rank == 2, target.shape == prediction.shape else {
            throw TrainingError("\(op): targets of shape \(shapeText(target.shape)) do not match predictions of shape \(shapeText(prediction.shape)) (expected one-hot rows {N,K})")
        }
        let logp = fromLogits ? try prediction.logSoftmax(1)
                              : try prediction.clamp(min: epsilon, max: 1 - epsilon).log()
        return try logp.mul(target).sum().div(Float(prediction.shape[0])).neg()
    }

    /// Mean binary cross-entropy of predictions against targets in [0, 1] of the same size.
    /// From logits z: max(z, 0) − z·t + log(1 + e^−|z|) (softplus(z) − z·t), stable for any z.
    public static func binaryCrossentropy(_ prediction: Tensor, _ target: Tensor, fromLogits: Bool = true) throws -> Tensor {
        let t = try aligned(target, prediction, "binary_crossentropy")
        if fromLogits {
            return try prediction.softplus().sub(try prediction.mul(t)).mean()
        }
        let p = try prediction.clamp(min: epsilon, max: 1 - epsilon)
        let positive = try t.mul(try p.log())
        let negative = try t.rsub(1).mul(try p.rsub(1).log())
        return try positive.add(negative).mean().neg()
    }

    /// Mean squared error over every element.
    public static func meanSquaredError(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
        try prediction.sub(try aligned(target, prediction, "mse")).square().mean()
    }

    /// Mean absolute error over every element.
    public static func meanAbsoluteError(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
        try prediction.sub(try aligned(target, prediction, "mae")).abs().mean()
    }

    /// Throws unless every label is an integer in 0..<classes, naming the first bad one.
    public static func checkLabels(_ labels: Tensor, classes: Int, op: String) throws {
        for (i, v) in labels.toArray().enumerated() where !(v == v.rounded() && v >= 0 && v < Float(classes)) {
            let why = v == v.rounded() ? "is outside 0..\(classes - 1)" : "is not a class id (0..\(classes - 1))"
            throw TrainingError("\(op): label \(v == v.rounded() && Swift.abs(v) < 1e9 ? String(Int(v)) : String(v)) at position \(i + 1) \(why)")
        }
    }

    /// A target read in the prediction's shape ({N} against {N,1}); sizes must agree.
    static func aligned(_ target: Tensor, _ prediction: Tensor, _ op: String) throws -> Tensor {
        if target.shape == prediction.shape { return target }
        guard target.count == prediction.count else {
            throw TrainingError("\(op): targets of shape \(shapeText(target.shape)) do not match predictions of shape \(shapeText(prediction.shape))")
        }
        return try target.reshape(prediction.shape)
    }

}
