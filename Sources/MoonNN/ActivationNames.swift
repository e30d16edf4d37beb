import MoonEngine

/// Names every valid choice in an error for an unknown one.
func unknownName(_ what: String, _ name: String, _ owner: String, valid: [String]) -> TensorError {
    TensorError("\(owner): unknown \(what) \"\(name)\" (valid: \(valid.joined(separator: ", ")))")
}

/// The activation names a layer accepts (Keras' names; `linear` is the identity).
public let activationNames = ["relu", "tanh", "sigmoid", "elu", "selu", "hard_sigmoid", "exponential",
                              "linear", "softmax", "gelu", "leaky_relu", "swish", "silu", "softplus",
                              "log_softmax"]

/// Checks an activation name, throwing a message that lists the valid ones.
public func checkActivation(_ name: String, _ owner: String) throws -> String {
    guard activationNames.contains(name) else {
        throw unknownName("activation", name, owner, valid: activationNames)
    }
    return name
}

/// Applies a named activation (`linear`: unchanged).
func applyActivation(_ name: String, _ x: Tensor) throws -> Tensor {
    name == "linear" ? x : try x.activation(name)
}
