import Foundation
import MoonEngine

/// Saves the model (architecture, weights and optimizer state, as `model:save`) after each
/// epoch. With `saveBestOnly`, only when `monitor` (default `val_loss`) improves on the best so
/// far. `{epoch}` (or `{epoch:02d}`) in the path is replaced by the epoch number.
public final class ModelCheckpoint: Callback, ConfigurableCallback {
    public let options: ModelCheckpointOptions
    public var path: String { options.path }
    public var saveBestOnly: Bool { options.saveBestOnly }
    public let monitor: Monitor
    public private(set) var best: Double
    /// Paths written, in order.
    public private(set) var saved: [String] = []
    private var warned = false

    public init(config o: ModelCheckpointOptions) throws {
        guard !o.path.isEmpty else { throw TrainingError("ModelCheckpoint: the path is empty") }
        self.options = o
        self.monitor = try Monitor(key: o.monitor, mode: o.mode)
        best = self.monitor.worst
    }

    public convenience init(path: String, _ configure: (inout ModelCheckpointOptions) -> Void = { _ in }) throws {
        try self.init { $0.path = path; configure(&$0) }
    }

    public override func onTrainBegin(_ trainer: Trainer) throws { best = monitor.worst }

    public override func onEpochEnd(_ trainer: Trainer, epoch: Int, logs: [String: Double]) throws {
        if saveBestOnly {
            guard let current = logs[monitor.key] else {
                if !warned { warned = true; trainer.warn("ModelCheckpoint: '\(monitor.key)' is not logged; saving best only is impossible, skipping") }
                return
            }
            guard monitor.improves(current, on: best) else { return }
            best = current
        }
        let file = ModelCheckpoint.expand(path, epoch: epoch)
        try ModelFile.save(trainer.model, optimizer: trainer.optimizer, compile: trainer.compileConfig, to: file)
        saved.append(file)
    }

    static func expand(_ path: String, epoch: Int) -> String {
        var out = path.replacingOccurrences(of: "{epoch}", with: String(epoch))
        while let r = out.range(of: #"\{epoch:0?\d+d\}"#, options: .regularExpression) {
            let digits = Int(out[r].dropFirst("{epoch:".count).dropLast(2)) ?? 0
            let s = String(epoch)
            out.replaceSubrange(r, with: String(repeating: "0", count: Swift.max(0, digits - s.count)) + s)
        }
        return out
    }

    public override var checkpointState: JSONValue { ["best": JSON.number(best)] }
    public override func restore(checkpointState s: JSONValue, tensors: [String: MoonEngine.Tensor]) throws {
        best = JSON.number(from: s["best"])
    }
}

/// `nn.ModelCheckpoint(path, {...})`.
public struct ModelCheckpointOptions: Options {
    public var path = ""
    public var saveBestOnly = false
    public var monitor = "val_loss"
    public var mode = Monitor.Mode.auto
    public init() {}
    public static var fields: [OptionField<ModelCheckpointOptions>] {
        [.argument("path", \.path, "the file; {epoch} or {epoch:02d} becomes the epoch number"),
         OptionField("save_best_only", \.saveBestOnly, "save only when monitor improves"),
         OptionField("monitor", \.monitor, "the logged value watched"),
         OptionField("mode", \.mode, "auto: accuracies are maximized, everything else minimized")]
    }
}

extension ModelCheckpoint {
    /// What `nn.ModelCheckpoint` does, for help.
    public static let summary = """
        Saves the model (as model:save) after every epoch, or only when monitor improves with \
        save_best_only.
        """
}
