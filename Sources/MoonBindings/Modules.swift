import LuaKit
import MoonEngine
import MoonHelp
import MoonRuns
import MoonTrain

/// Installs every moonlab module into an interpreter: the globals `moonlab`, `tensor`, `nn`,
/// `optim`, `data`, `aug`, `metrics`, `analysis`, `tune`, `plot`, each also
/// `require "moonlab.<name>"`.
public enum Moonlab {
    public static let version = "0.1.0"

    /// What runs (`model:fit`) record as their source: the script's path (hashed as it is
    /// when set), `stdin`, or `repl`.
    public static var source: String {
        get { RunRecord.source.path }
        set { RunRecord.source = RunRecord.Source(newValue) }
    }

    /// The columns printed tensors and help fit (a terminal's width; nil: lines are left whole).
    nonisolated(unsafe) public static var displayColumns: Int? {
        didSet { (Tensor.displayColumns, LuaState.displayColumns) = (displayColumns, displayColumns) }
    }

    public static func install(into interpreter: Interpreter) {
        let L = interpreter.state
        LuaState.examples = HelpExamples.all
        installCore(L)
        installTiming(L)
        TensorModule.install(L)
        DataModule.install(L)
        NNModule.install(L)
        TrainingModule.install(L)
        MetricsModule.install(L)
        AnalysisModule.install(L)
        PlotModule.install(L)
        AugModule.install(L)
        TuneModule.install(L)
        RunsBindings.install(L)
        let installed: Set<String> = ["tensor", "data", "nn", "optim", "metrics", "analysis", "plot", "aug", "tune", "runs"]
        for (name, doc) in plannedModules where !installed.contains(name) {
            L.defineModule(name, doc: doc) { _ in }
        }
    }

    /// Modules whose bindings land in later issues: present (and documented) as tables now.
    static let plannedModules: [(String, String)] = [
        ("tensor", "Float32 tensors with NumPy broadcasting and reverse-mode autograd."),
        ("nn", "Layers, models, losses and training callbacks."),
        ("optim", "Optimizers: SGD, Adam, Nadam, RMSprop, Adagrad, Adadelta, Adamax."),
        ("data", "Data sets: MNIST, Fashion-MNIST, IDX/CSV/NPY/PNG readers, splits, k-fold, clocks."),
        ("aug", "Augmentation transforms applied on the fly during training."),
        ("metrics", "Accuracy, confusion matrices, per-class reports, MAE."),
        ("analysis", "Representation analysis: activations, correlation matrices, CKA, RSA."),
        ("tune", "Hyperparameter search: grid, random, hyperband, cross-validation; resumable sweeps."),
        ("plot", "Learning curves, line charts and heatmaps as SVG; image grids as PNG."),
    ]
}
