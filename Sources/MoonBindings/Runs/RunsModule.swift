import Foundation
import LuaKit
import MoonBase
import MoonPlot
import MoonRuns

/// The `runs` module: the run store's listing, records, comparison and clean-up.
enum RunsBindings {
    static let listMeta: StaticString = "moonlab.runlist"
    static let runMeta: StaticString = "moonlab.run"
    nonisolated(unsafe) static var warned = false

    /// Records a run; never fails a fit (a store that cannot be written is said once).
    static func record(_ run: JSONValue) {
        do { try RunStore.shared()?.add(run) } catch {
            if !warned {
                warned = true
                FileHandle.standardError.write(Data("moonlab: runs are not recorded (\(error)); set MOONLAB_RUNS to another file or to off\n".utf8))
            }
        }
    }

    static func store(_ L: LuaState) throws -> RunStore? { try L.named { try RunStore.shared() } }

    static func install(_ L: LuaState) {
        L.defineClass(listMeta, methods: [], metamethods: [("__tostring", { L in
            L.push(RunReport.table(try L.json(1, "runs").items ?? [], store: RunStore.defaultPath))
            return 1
        })])
        L.defineClass(runMeta, methods: [], metamethods: [("__tostring", { L in
            L.push(RunReport.describe(try L.json(1, "run")))
            return 1
        })])
        L.defineModule("runs", doc: """
            Every model:fit is recorded in a run store (one SQLite file: MOONLAB_RUNS, default \
            ~/.moonlab/runs.db; MOONLAB_RUNS=off records nothing): source script and its hash, \
            seed, data, model (summary and architecture), optimizer and losses, fit options, \
            history, final metrics, wall time and how it ended (done, interrupted, failed). \
            `moonlab runs` lists and compares them from the shell.
            """) { m in
            m.function("list", options: RunFilter.self, doc: """
                The recorded runs that match, oldest first; prints as a table (id, script, model, \
                epochs, last loss and validation figures, seconds, status).
                """, returns: "{run, ...}") { L, filter, _ in
                let runs = try store(L).map { s in try L.named { try s.runs(filter) } } ?? []
                L.push(json: .array(runs))
                for i in 0..<runs.count {
                    L.rawGet(-1, i + 1)
                    L.setMetatable(-1, named: runMeta)
                    L.pop()
                }
                L.setMetatable(-1, named: listMeta)
                return 1
            }
            m.function("load", "runs.load(id) --> run", """
                One run's record (id, time, host, source, source_hash, seed, status, seconds, data, \
                model {name, kind, parameters, summary, architecture}, compile, fit, history, final, \
                error): by id (a prefix is enough) or -1 for the last run, -2 the one before; nil \
                when there is none.
                """) { L in
                let id = L.type(1) == .number ? String(try L.integer(1)) : try L.string(1)
                guard let run = try store(L).flatMap({ s in try L.named { try s.find(id) } }) else { L.pushNil(); return 1 }
                L.push(json: run)
                L.setMetatable(-1, named: runMeta)
                return 1
            }
            m.function("compare", options: HistoryOptions.self, doc: """
                Prints the settings in which the runs differ (one column a run) and their final \
                metrics, then draws their learning curves on one chart (metrics= picks the curves; \
                in the terminal, or to out=). runs: a list of ids (or -1, -2), or runs.list's result.
                """, leading: ["runs"]) { L, o, _ in
                let runs = try selected(L, 1)
                try L.printText(RunReport.compare(runs))
                guard RunReport.histories(runs).pairs.count > 0 else { return 0 }
                let chart = try L.named {
                    try HistoryChart.chart(runs: try HistoryOptions.runs(RunReport.histories(runs)), metrics: o.metrics,
                                           title: o.captions.title ?? "runs", ylabel: o.captions.ylabel)
                }
                guard let path = o.captions.out else { return try PlotModule.show(L, .lines(chart)) }
                try L.named { try chart.write(to: path, "runs.compare") }
                return 0
            }
            m.function("delete", "runs.delete(id | {ids...}) --> count", """
                Removes runs from the store (whole ids, or runs.list's result); returns how many went.
                """) { L in
                let ids: [String]
                if L.type(1) == .string { ids = [try L.string(1)] } else {
                    ids = try L.list(1, of: "a run id or a run") { i in
                        L.type(i) == .string ? L.toString(i) : L.type(i) == .table ? (try? L.json(i))?["id"]?.string : nil
                    }
                }
                L.push(try store(L).map { s in try L.named { try s.delete(ids) } } ?? 0)
                return 1
            }
            m.function("prune", "runs.prune{keep=1000} --> count", """
                Keeps the newest keep runs and removes the older ones; returns how many went.
                """) { L in
                try L.checkOptionKeys(1, ["keep"])
                let keep = try L.optionNumber(1, "keep").map { Int($0) } ?? 1000
                L.push(try store(L).map { s in try L.named { try s.prune(keep: keep) } } ?? 0)
                return 1
            }
            m.function("path", "runs.path() --> path | nil", "The run store's file, or nil when MOONLAB_RUNS=off.") { L in
                if let p = RunStore.defaultPath { L.push(p) } else { L.pushNil() }
                return 1
            }
        }
    }

    /// The runs at `index`: an id or position, a list of them, or records (runs.list's result).
    static func selected(_ L: LuaState, _ index: Int32) throws -> [JSONValue] {
        guard let store = try store(L) else { throw L.fail("runs are off (MOONLAB_RUNS=off)") }
        func one(_ i: Int32) throws -> JSONValue {
            if L.type(i) == .table { return try L.json(i, "a run") }
            let id = L.type(i) == .number ? String(try L.integer(i)) : try L.string(i)
            guard let run = try L.named({ try store.find(id) }) else { throw L.fail("no run '\(id)' in \(store.path)") }
            return run
        }
        // One run (an id, a position or a record), or a list of them.
        guard L.type(index) == .table, L.rawLength(index) > 0 || L.hasMetatable(index, named: listMeta) else {
            return [try one(index)]
        }
        var out: [JSONValue] = []
        for i in 1...max(L.rawLength(index), 1) where i <= L.rawLength(index) {
            L.rawGet(index, i)
            defer { L.pop() }
            out.append(try one(L.top))
        }
        return out
    }
}
