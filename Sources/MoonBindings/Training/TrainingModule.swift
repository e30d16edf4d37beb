import Foundation
import LuaKit
import MoonEngine
import MoonNN
import MoonTrain

/// Installs the training bindings: the `optim` module, and in `nn` the callbacks,
/// `nn.losses` and `nn.load`. Runs after the NN module (it extends the `nn` table).
enum TrainingModule {
    static func install(_ L: LuaState) {
        OptimModule.install(L)
        L.defineModule("nn", doc: """
            Layers, models, initializers, losses (nn.losses) and training callbacks (EarlyStopping, \
            ReduceLROnPlateau, LearningRateScheduler, ModelCheckpoint, CSVLogger, TerminateOnNaN); \
            nn.load reads saved models. Layers are built when their input shape is known: in \
            nn.Sequential{input=...}, or when called on a graph node from nn.Input. Shapes are per \
            sample, channels first ({1, 28, 28}); the batch dim comes first in every tensor.
            """) { m in
            CallbackBindings.install(L, m)
            losses(m)
            m.function("load", "nn.load(path, {custom={Name=Class, name=fn, ...}, compile=true}) --> model", """
                Rebuilds a model saved with model:save (or a fit checkpoint): architecture, weights, \
                and, when it was compiled, its optimizer (with its state) and losses, so training \
                resumes as it would have. A file that does not match says what differs. Layers \
                written in Lua need their definitions: custom = {Gate = Gate} (nn.Module classes \
                by name), {<layer name> = fn} for nn.Lambda layers, {<name> = fn} for loss and \
                metric functions. compile=false loads the weights without the training settings.
                """) { L in
                try L.checkOptionKeys(2, ["custom", "compile"])
                var custom = CustomObjects()
                if L.type(2) == .table, L.getField(2, "custom") != .nil {
                    try L.checkTable(-1, "custom = {Name = Class, name = function, ...}")
                    custom = try LuaLosses.customObjects(L, L.top)
                }
                let compile = L.type(2) == .table && L.getField(2, "compile") != .nil ? try L.boolean(-1) : true
                let loaded = try L.named { try ModelFile.load(try L.string(1), custom: custom, compile: compile) }
                if let optimizer = loaded.optimizer, let s = loaded.settings {
                    let state = CompiledState(model: loaded.model, optimizer: optimizer, losses: s.losses,
                                              lossWeights: s.lossWeights, metrics: s.metrics)
                    _ = try L.named { try state.trainer(loaded.model) }
                    CompiledModels.set(state, for: loaded.model)
                }
                L.push(model: loaded.model)
                return 1
            }
        }
    }

    static func losses(_ m: ModuleBuilder) {
        m.submodule("losses", doc: """
            Loss functions of tensors, mean over the batch, differentiable: cross_entropy(logits, labels), \
            sparse_categorical_crossentropy, categorical_crossentropy, binary_crossentropy (logits by \
            default; {from_logits=false} for probabilities), mse, mae. Labels are class ids 0..K-1.
            """) { s in
            s.function("cross_entropy", "nn.losses.cross_entropy(logits, labels) --> loss", """
                Mean cross-entropy of logits {N, K} against labels {N} (0..K-1), with a stable fused log-softmax.
                """) { L in
                L.push(try L.named { try Losses.sparseCategoricalCrossentropy(try L.tensor(1), try L.tensor(2), fromLogits: true) })
                return 1
            }
            for (name, f) in [("sparse_categorical_crossentropy", Losses.sparseCategoricalCrossentropy),
                              ("categorical_crossentropy", Losses.categoricalCrossentropy),
                              ("binary_crossentropy", Losses.binaryCrossentropy)] as [(String, (Tensor, Tensor, Bool) throws -> Tensor)] {
                s.function(name, options: LossOptions.self, doc: """
                    The \(name) loss, mean over the batch; prediction holds logits unless from_logits=false.
                    """, leading: ["prediction", "target"], returns: "loss") { L, o, _ in
                    L.push(try L.named { try f(try L.tensor(1), try L.tensorOrNumber(2), o.fromLogits) })
                    return 1
                }
            }
            s.function("mse", "nn.losses.mse(prediction, target) --> loss", "Mean squared error over every element.") { L in
                L.push(try L.named { try Losses.meanSquaredError(try L.tensor(1), try L.tensorOrNumber(2)) })
                return 1
            }
            s.function("mae", "nn.losses.mae(prediction, target) --> loss", "Mean absolute error over every element.") { L in
                L.push(try L.named { try Losses.meanAbsoluteError(try L.tensor(1), try L.tensorOrNumber(2)) })
                return 1
            }
        }
    }
}
