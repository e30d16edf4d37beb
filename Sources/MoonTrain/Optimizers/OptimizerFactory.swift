import MoonEngine

/// Optimizers by name, from option dictionaries (what `optim.Adam{...}` passes, and what a
/// saved file records), and their state for checkpoints.
public enum OptimizerFactory {
    /// Every optimizer, in the order help lists them.
    public static let types: [any ConfigurableOptimizer.Type] = [SGD.self, Adam.self, Nadam.self, RMSprop.self,
                                                                 Adagrad.self, Adadelta.self, Adamax.self]

    /// The names users write, in the order help lists them.
    public static var names: [String] { types.map { $0.optimizerName } }

    /// The optimizer type named `name` in any letter case (`adam` → `Adam`), or nil.
    public static func type(named name: String) -> (any ConfigurableOptimizer.Type)? {
        types.first { $0.optimizerName.lowercased() == name.lowercased() }
    }

    /// Builds optimizer `name` from option values (missing ones take the declared defaults).
    public static func make(_ name: String, options: JSONValue = .object([]), params: [Tensor] = []) throws -> Optimizer {
        guard let type = type(named: name) else {
            throw TensorError("unknown optimizer '\(name)' (valid: \(names.joined(separator: ", ")))")
        }
        do {
            return try type.make(params: params, options: options)
        } catch let e as MoonError where !e.isArgumentError && !e.message.hasPrefix(type.optimizerName) {
            throw e.within(type.optimizerName)
        }
    }

    /// Option values as older files stored them (every value a number, booleans as 0/1), read
    /// as the options' declarations expect them.
    static func savedOptions(_ options: JSONValue) -> JSONValue {
        .object(options.pairs.map { key, value in
            if ["nesterov", "centered"].contains(key), let n = value.number { return (key, .bool(n != 0)) }
            return (key, value)
        })
    }
}

/// An optimizer's state as it goes into a file: its configuration and counters as JSON, its
/// per-parameter buffers as named tensors (`<parameter index>.<slot>`, 0-based).
extension Optimizer {
    /// Name, options, iterations and extra scalars: enough to rebuild it with `OptimizerFactory`.
    public var config: JSONValue {
        let options = (self as? any ConfigurableOptimizer).map { $0.options.json.removing("lr") } ?? .object([])
        return ["name": .string(name), "options": .object([("lr", .double(Double(lr)))] + options.pairs),
                "iterations": .int(iterations), "parameters": .int(params.count),
                "state": .object(extraState.map { ($0.key, .string(String($0.value))) })]
    }

    /// The per-parameter buffers, named `<parameter index>.<slot>`.
    public var stateTensors: [(name: String, tensor: Tensor)] {
        var out: [(String, Tensor)] = []
        for (i, buffers) in slots.enumerated() {
            for (j, t) in buffers.enumerated() where j < slotNames.count { out.append(("\(i).\(slotNames[j])", t)) }
        }
        return out
    }

    /// Restores counters and buffers saved by `config` and `stateTensors` into this optimizer
    /// (same kind, same parameter shapes); the learning rate is restored too.
    public func restoreState(config: JSONValue, tensors: [String: Tensor]) throws {
        let saved = config["name"]?.string ?? "?"
        guard saved == name else {
            throw TensorError("optimizer state: the file holds \(saved) state, this optimizer is \(name)")
        }
        let count = config["parameters"]?.int ?? params.count
        guard count == params.count else {
            throw TensorError("optimizer state: the file holds state for \(count) parameters, this optimizer has \(params.count)")
        }
        var restored: [[Tensor]] = Array(repeating: [], count: params.count)
        for (i, p) in params.enumerated() {
            let found = slotNames.map { tensors["\(i).\($0)"] }
            if found.allSatisfy({ $0 == nil }) { continue }
            for (j, t) in found.enumerated() {
                guard let t else {
                    throw TensorError("optimizer state: parameter \(i + 1) lacks its '\(slotNames[j])' buffer")
                }
                guard t.shape == p.shape else {
                    throw TensorError("optimizer state: '\(i).\(slotNames[j])' has shape \(t.shape), parameter \(i + 1) has \(p.shape)")
                }
                restored[i].append(try t.clone())
            }
        }
        slots = restored
        iterations = config["iterations"]?.int ?? 0
        extraState = Dictionary(uniqueKeysWithValues: (config["state"]?.pairs ?? []).map { ($0.0, JSON.number(from: $0.1)) })
        if let r = config["options"]?["lr"]?.number { lr = Float(r) }
    }
}
