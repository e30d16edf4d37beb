import MoonEngine

/// Optimizers by name, from option dictionaries (what `optim.Adam{...}` passes, and what a
/// saved file records), and their state for checkpoints.
public enum OptimizerFactory {
    /// The names users write, in the order help lists them.
    public static let names = ["SGD", "Adam", "Nadam", "RMSprop", "Adagrad", "Adadelta", "Adamax"]

    /// Options every optimizer takes.
    public static let commonOptions: Set<String> = ["lr", "clipnorm", "global_clipnorm", "clipvalue", "weight_decay"]

    /// Options each optimizer takes beyond `commonOptions` (numbers; booleans as 0/1).
    public static let options: [String: Set<String>] = [
        "SGD": ["momentum", "nesterov"],
        "Adam": ["beta1", "beta2", "eps"],
        "Nadam": ["beta1", "beta2", "eps"],
        "RMSprop": ["rho", "momentum", "eps", "centered"],
        "Adagrad": ["initial_accumulator", "eps"],
        "Adadelta": ["rho", "eps"],
        "Adamax": ["beta1", "beta2", "eps"],
    ]

    /// The canonical name for `name` in any letter case (`adam` → `Adam`), or nil.
    public static func canonical(_ name: String) -> String? {
        names.first { $0.lowercased() == name.lowercased() }
    }

    /// Builds optimizer `name` with `options` (missing ones take the documented defaults).
    public static func make(_ name: String, options o: [String: Double], params: [Tensor] = []) throws -> Optimizer {
        guard let kind = canonical(name) else {
            throw TensorError("unknown optimizer '\(name)' (valid: \(names.joined(separator: ", ")))")
        }
        let valid = commonOptions.union(options[kind]!)
        if let bad = o.keys.sorted().first(where: { !valid.contains($0) }) {
            throw TensorError("\(kind): unknown option '\(bad)' (valid: \(valid.sorted().joined(separator: ", ")))")
        }
        func f(_ k: String, _ d: Float) -> Float { o[k].map(Float.init) ?? d }
        func opt(_ k: String) -> Float? { o[k].map(Float.init) }
        let cn = opt("clipnorm"), gcn = opt("global_clipnorm"), cv = opt("clipvalue"), wd = f("weight_decay", 0)
        switch kind {
        case "SGD":
            return try SGD(params: params, lr: f("lr", 0.01), momentum: f("momentum", 0), nesterov: (o["nesterov"] ?? 0) != 0,
                           clipnorm: cn, globalClipnorm: gcn, clipvalue: cv, weightDecay: wd)
        case "Adam":
            return try Adam(params: params, lr: f("lr", 0.001), beta1: f("beta1", 0.9), beta2: f("beta2", 0.999), eps: f("eps", 1e-7),
                            clipnorm: cn, globalClipnorm: gcn, clipvalue: cv, weightDecay: wd)
        case "Nadam":
            return try Nadam(params: params, lr: f("lr", 0.001), beta1: f("beta1", 0.9), beta2: f("beta2", 0.999), eps: f("eps", 1e-7),
                             clipnorm: cn, globalClipnorm: gcn, clipvalue: cv, weightDecay: wd)
        case "RMSprop":
            return try RMSprop(params: params, lr: f("lr", 0.001), rho: f("rho", 0.9), momentum: f("momentum", 0), eps: f("eps", 1e-7),
                               centered: (o["centered"] ?? 0) != 0, clipnorm: cn, globalClipnorm: gcn, clipvalue: cv, weightDecay: wd)
        case "Adagrad":
            return try Adagrad(params: params, lr: f("lr", 0.001), initialAccumulator: f("initial_accumulator", 0.1), eps: f("eps", 1e-7),
                               clipnorm: cn, globalClipnorm: gcn, clipvalue: cv, weightDecay: wd)
        case "Adadelta":
            return try Adadelta(params: params, lr: f("lr", 0.001), rho: f("rho", 0.95), eps: f("eps", 1e-7),
                                clipnorm: cn, globalClipnorm: gcn, clipvalue: cv, weightDecay: wd)
        default:
            return try Adamax(params: params, lr: f("lr", 0.001), beta1: f("beta1", 0.9), beta2: f("beta2", 0.999), eps: f("eps", 1e-7),
                              clipnorm: cn, globalClipnorm: gcn, clipvalue: cv, weightDecay: wd)
        }
    }
}

/// An optimizer's state as it goes into a file: its configuration and counters as JSON, its
/// per-parameter buffers as named tensors (`<parameter index>.<slot>`, 0-based).
extension Optimizer {
    /// Name, options, iterations and extra scalars: enough to rebuild it with `OptimizerFactory`.
    public var config: [String: Any] {
        var options: [String: Double] = ["lr": Double(lr), "weight_decay": Double(weightDecay)]
        for (k, v) in hyperparameters { options[k] = v }
        if let c = clipnorm { options["clipnorm"] = Double(c) }
        if let c = globalClipnorm { options["global_clipnorm"] = Double(c) }
        if let c = clipvalue { options["clipvalue"] = Double(c) }
        return ["name": name, "options": options, "iterations": iterations,
                "state": extraState.mapValues(JSON.number), "parameters": params.count]
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
    public func restoreState(config: [String: Any], tensors: [String: Tensor]) throws {
        let saved = config["name"] as? String ?? "?"
        guard saved == name else {
            throw TensorError("optimizer state: the file holds \(saved) state, this optimizer is \(name)")
        }
        let count = JSON.int(config["parameters"]) ?? params.count
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
        iterations = JSON.int(config["iterations"]) ?? 0
        extraState = JSON.doubles(config["state"])
        if let r = JSON.doubles(config["options"])["lr"] { lr = Float(r) }
    }
}
