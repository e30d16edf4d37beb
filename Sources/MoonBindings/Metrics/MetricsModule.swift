import LuaKit
import MoonAnalysis
import MoonEngine

/// The `metrics` module: accuracy, confusion matrix, per-class report, misclassified
/// positions, MAE.
enum MetricsModule {
    /// A report table prints as one line (its text was printed already), so the REPL does
    /// not echo it a second time.
    static let reportMeta: StaticString = "moonlab.report"

    static func install(_ L: LuaState) {
        L.defineClass(reportMeta, methods: [], metamethods: [("__tostring", { L in
            L.getField(1, "accuracy"); L.getField(1, "classes")
            L.push(String(format: "classification report: accuracy %.4f over %d classes (fields accuracy, macro_avg, weighted_avg, classes, text)",
                          L.toNumber(-2) ?? .nan, L.rawLength(-1)))
            return 1
        })])
        L.defineModule("metrics", doc: """
            Classification and regression metrics. Predictions are class labels {N} (values \
            0..K-1, as model:classify gives) or scores {N, K} such as model:predict's outputs \
            (each row's largest score is its label); targets are labels {N}, as ds.y holds \
            them. Lua arrays of labels work too. See help(metrics.report).
            """) { m in
            m.function("accuracy", "metrics.accuracy(pred, y) --> fraction", """
                Fraction of predictions equal to their label, in [0, 1]. pred: labels {N} or \
                scores {N, K}; y: labels {N}.
                """) { L in
                L.push(try Metrics.accuracy(try labels(L, 1, "pred"), try labels(L, 2, "y")))
                return 1
            }
            m.function("confusion_matrix", "metrics.confusion_matrix(pred, y[, k]) --> tensor {k, k}", """
                The k x k confusion matrix: entry [i][j] counts samples of true label i-1 \
                predicted as j-1 (row = true label, column = prediction). k defaults to one \
                more than the largest label seen; a label >= k is an error.
                """) { L in
                let k = L.isNoneOrNil(3) ? nil : try L.integer(3)
                if let k, k < 1 { throw L.fail("k must be at least 1, got \(k)") }
                L.push(try Metrics.confusionMatrix(try labels(L, 1, "pred"), try labels(L, 2, "y"), k: k))
                return 1
            }
            m.function("report", "metrics.report(pred, y[, class_names][, {digits=2, print=true}]) --> table", """
                Per-class precision, recall, F1 and support, with accuracy and macro and \
                support-weighted averages, printed as scikit-learn's classification_report \
                prints them (print=false to skip). A ratio with nothing to divide by (a class \
                never predicted) counts as 0. Returns {accuracy=, macro_avg={precision=, \
                recall=, f1=, support=}, weighted_avg={...}, classes={{label=0, name=, \
                precision=, recall=, f1=, support=}, ...}, text=}; classes[label + 1] is a label's row.
                """) { L in
                let pred = try ClassLabels.from(try labels(L, 1, "pred"), L.fn, "predictions")
                let y = try ClassLabels.from(try labels(L, 2, "y"), L.fn, "labels")
                // class_names may be left out: report(pred, y, {digits=3}).
                var opts: Int32 = 4
                var names: [String]? = nil
                if L.type(3) == .table && L.rawLength(3) == 0 && !L.isNoneOrNil(3) && L.isNoneOrNil(4) {
                    opts = 3
                } else {
                    names = try MetricsArguments.strings(L, 3, "class_names")
                }
                let o = try L.options(ClassificationReport.Options.self, at: opts)
                guard o.digits >= 0 && o.digits <= 10 else { throw L.fail("digits must be 0..10, got \(o.digits)") }
                let report = try ClassificationReport(pred, y, classNames: names)
                let text = report.text(digits: o.digits)
                if o.print { try L.printText(text) }
                L.push(json: report.json(text: text))
                L.setMetatable(-1, named: reportMeta)
                return 1
            }
            m.function("misclassified", "metrics.misclassified(pred, y) --> {positions}", """
                A Lua array of the 1-based positions of the samples whose prediction differs \
                from the label, ascending (use them with ds[i] or plot.images{indices=}).
                """) { L in
                let wrong = try Metrics.misclassified(try labels(L, 1, "pred"), try labels(L, 2, "y"))
                L.push(array: wrong.map { $0 + 1 })
                return 1
            }
            m.function("mae", "metrics.mae(pred, y) --> number", """
                Mean absolute error mean(|pred - y|), summed in double precision. Shapes must \
                match ({N, 1} pairs with {N}).
                """) { L in
                L.push(try Metrics.mae(try MetricsArguments.tensor(L, 1, "pred"), try MetricsArguments.tensor(L, 2, "y")))
                return 1
            }
        }
    }

    static func labels(_ L: LuaState, _ index: Int32, _ what: String) throws -> Tensor {
        try MetricsArguments.tensor(L, index, what)
    }
}
