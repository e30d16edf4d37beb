/// Learning curves from training histories (`model:fit`'s result: one value an epoch for
/// each logged quantity).
public enum HistoryChart {
    /// The keys of `history` drawn by default: every logged quantity except the learning
    /// rate, epoch numbers and epoch times, `loss` first, then metrics, then `val_loss` and `val_*`.
    public static func defaultMetrics(_ history: [String: [Double]]) -> [String] {
        history.keys.filter { !["lr", "epoch", "epochs", "seconds"].contains($0) }.sorted(by: keyOrder)
    }

    /// `loss`, other metrics, `val_loss`, other `val_*`, `lr`; alphabetical within each group.
    static func keyOrder(_ a: String, _ b: String) -> Bool {
        func rank(_ k: String) -> Int {
            k == "loss" ? 0 : k == "lr" ? 4 : k == "val_loss" ? 2 : k.hasPrefix("val_") ? 3 : 1
        }
        return (rank(a), a) < (rank(b), b)
    }

    /// A line chart of `metrics` for each run, x = epoch. One run's series are named by
    /// metric (`val_accuracy`); several runs' by run and metric (`adam val_accuracy`).
    /// A metric missing from a run is an error naming the keys the run has.
    public static func chart(runs: [(name: String, history: [String: [Double]])], metrics: [String]?,
                             title: String?, ylabel: String? = nil) throws -> LineChart {
        guard !runs.isEmpty else { throw PlotError("plot.history: no history given") }
        var series: [Series] = []
        for run in runs {
            let keys = metrics ?? defaultMetrics(run.history)
            if keys.isEmpty { throw PlotError("plot.history: history\(runs.count > 1 ? " '\(run.name)'" : "") holds no metrics") }
            for key in keys {
                guard let values = run.history[key] else {
                    let have = run.history.keys.sorted(by: keyOrder).joined(separator: ", ")
                    throw PlotError("plot.history: history\(runs.count > 1 ? " '\(run.name)'" : "") has no '\(key)' (it has: \(have))")
                }
                series.append(Series(name: runs.count > 1 ? "\(run.name) \(key)" : key, y: values))
            }
        }
        let label = ylabel ?? commonLabel(series: metrics ?? Array(Set(runs.flatMap { defaultMetrics($0.history) })))
        return LineChart(series: series, title: title, xlabel: "epoch", ylabel: label)
    }

    /// "accuracy" when every metric is some accuracy (train or validation), and so on.
    static func commonLabel(series keys: [String]) -> String? {
        let bases = Set(keys.map { $0.hasPrefix("val_") ? String($0.dropFirst(4)) : $0 })
        return bases.count == 1 ? bases.first : nil
    }
}
