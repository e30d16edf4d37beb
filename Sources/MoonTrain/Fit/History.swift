import MoonEngine

/// What `fit` returns: one value per epoch for each logged quantity (`loss`, `accuracy`,
/// `val_loss`, `val_accuracy`, `lr`, ...), in the order the keys first appeared.
public final class History {
    /// Completed epochs, numbered from 1.
    public private(set) var epochs: [Int] = []
    /// Key → one value per completed epoch.
    public private(set) var values: [String: [Double]] = [:]
    /// Keys in first-seen order.
    public private(set) var keys: [String] = []
    /// Wall-clock seconds each completed epoch took (training and validation), NaN for
    /// epochs restored from a checkpoint that did not record them.
    public private(set) var seconds: [Double] = []

    public init() {}

    /// Records the logs of `epoch`. A key missing at some epoch gets NaN there.
    public func record(epoch: Int, logs: [String: Double], seconds: Double = .nan) {
        self.seconds.append(seconds)
        for k in logs.keys.sorted(by: History.keyOrder) where values[k] == nil {
            keys.append(k)
            values[k] = Array(repeating: .nan, count: epochs.count)
        }
        epochs.append(epoch)
        for k in keys { values[k]!.append(logs[k] ?? .nan) }
    }

    /// `loss` first, then metrics, then `val_*`, then `lr`; alphabetical within each group.
    static func keyOrder(_ a: String, _ b: String) -> Bool {
        func rank(_ k: String) -> Int {
            if k == "loss" { return 0 }
            if k == "lr" { return 4 }
            if k == "val_loss" { return 2 }
            return k.hasPrefix("val_") ? 3 : 1
        }
        return (rank(a), a) < (rank(b), b)
    }

    /// The last value of `key`, if any.
    public func last(_ key: String) -> Double? { values[key]?.last }

    /// As JSON-compatible data, for checkpoints.
    var json: JSONValue {
        ["epochs": .array(epochs.map { .int($0) }), "keys": .array(keys.map { .string($0) }),
         "seconds": .array(seconds.map(JSON.number)),
         "values": .object(values.map { ($0.key, .array($0.value.map(JSON.number))) })]
    }

    /// Rebuilds a history saved with `json`.
    static func from(json: JSONValue?) throws -> History {
        guard let d = json, case .object = d else { throw TrainingError("checkpoint: history is missing") }
        let h = History()
        h.epochs = (d["epochs"]?.items ?? []).compactMap(\.int)
        h.keys = (d["keys"]?.items ?? []).compactMap(\.string)
        let raw = d["values"] ?? [:]
        for k in h.keys {
            let list = (raw[k]?.items ?? []).map { JSON.number(from: $0) }
            guard list.count == h.epochs.count else { throw TrainingError("checkpoint: history of '\(k)' has \(list.count) values for \(h.epochs.count) epochs") }
            h.values[k] = list
        }
        let seconds = (d["seconds"]?.items ?? []).map { JSON.number(from: $0) }
        h.seconds = seconds.count == h.epochs.count ? seconds : Array(repeating: .nan, count: h.epochs.count)
        return h
    }
}
