import Foundation
import MoonBase
import MoonPlot
import MoonRuns

/// `moonlab runs ...`: the run store from the shell, as the `runs` module gives it in Lua.
enum RunsCommand {
    static let usage = """
        usage: moonlab runs [list] [--n N] [--source TEXT] [--status S] [--model KIND] [--since TIME]
               moonlab runs show ID
               moonlab runs compare ID ID... [--metrics a,b] [--out FILE]
               moonlab runs delete ID...
               moonlab runs prune --keep N

          list     the recorded runs, newest last (default the last 20): id, script, model,
                   epochs, last loss and validation figures, seconds, status
          show     one run (an id, a prefix of one, or -1 for the last): what, when, how it
                   ended, its final metrics, the model's summary
          compare  the settings in which the runs differ and their final metrics, then their
                   learning curves on one chart (in the terminal, or written to --out)
          delete   removes runs;  prune  keeps the newest N
        The store is MOONLAB_RUNS (default ~/.moonlab/runs.db).
        """

    /// Runs `moonlab runs ARGS` (`arguments` starts with the program name and "runs").
    static func main(_ arguments: [String]) -> Int32 {
        var words = Array(arguments.dropFirst(2))
        let verb = words.first.map { $0.hasPrefix("--") ? "list" : $0 } ?? "list"
        if words.first == verb { words.removeFirst() }
        do {
            guard let path = RunStore.defaultPath else { throw UsageError("runs are off (MOONLAB_RUNS=off)") }
            if verb == "--help" || verb == "-h" || verb == "help" { Output.write(usage + "\n"); return 0 }
            let store = try RunStore(path: path)
            switch verb {
            case "list": try list(store, words)
            case "show": try show(store, words)
            case "compare": try compare(store, words)
            case "delete":
                guard !words.isEmpty else { throw UsageError("delete needs the ids of runs") }
                Output.write("deleted \(try store.delete(try words.map { try find(store, $0)["id"]?.string ?? "" })) run(s)\n")
            case "prune":
                let p = try CommandWords.parse(words, valued: ["keep"], flags: [])
                guard let keep = try p.int("keep", least: 0), p.rest.isEmpty else { throw UsageError("prune needs --keep N") }
                Output.write("deleted \(try store.prune(keep: keep)) run(s)\n")
            default: throw UsageError("unknown runs command '\(verb)'")
            }
            return 0
        } catch let e as UsageError {
            Output.error("moonlab runs: \(e.description)\n\(usage)")
            return 2
        } catch let e as MoonError {
            Output.error("moonlab runs: \(e.message)")
            return 1
        } catch {
            Output.error("moonlab runs: \(error)")
            return 1
        }
    }

    static func list(_ store: RunStore, _ words: [String]) throws {
        let p = try CommandWords.parse(words, valued: ["n", "source", "status", "model", "since"], flags: [])
        guard p.rest.isEmpty else { throw UsageError("list takes options only, got '\(p.rest[0])'") }
        var filter = RunFilter()
        filter.last = try p.int("n", least: 0) ?? 20
        (filter.source, filter.status, filter.model, filter.since) = (p.one("source"), p.one("status"), p.one("model"), p.one("since"))
        Output.write(RunReport.table(try store.runs(filter), store: store.path) + "\n")
    }

    static func show(_ store: RunStore, _ words: [String]) throws {
        guard words.count == 1 else { throw UsageError("show needs one id") }
        let run = try find(store, words[0])
        Output.write(RunReport.describe(run) + "\n" + (run["model"]?["summary"]?.string ?? "") + "\n")
    }

    static func compare(_ store: RunStore, _ words: [String]) throws {
        // Ids first, then options (a negative position such as -1 is an id, not an option).
        let ids = Array(words.prefix { !$0.hasPrefix("--") })
        let p = try CommandWords.parse(Array(words.dropFirst(ids.count)), valued: ["metrics", "out"], flags: [])
        guard ids.count >= 1, p.rest.isEmpty else { throw UsageError("compare needs the ids of runs, then options") }
        let runs = try ids.map { try find(store, $0) }
        Output.write(RunReport.compare(runs) + "\n")
        guard RunReport.histories(runs).pairs.count > 0 else { return }
        let metrics = p.one("metrics").map { $0.split(separator: ",").map(String.init) }
        let chart = try HistoryChart.chart(runs: try HistoryOptions.runs(RunReport.histories(runs)), metrics: metrics,
                                           title: "runs", ylabel: nil)
        if let out = p.one("out") {
            try chart.write(to: out, "moonlab runs compare")
            Output.write("wrote \(out)\n")
        } else {
            Output.write(try TerminalFigure.show(.lines(chart), columns: Terminal.size()?.columns, environment: ProcessInfo.processInfo.environment) + "\n")
        }
    }

    static func find(_ store: RunStore, _ id: String) throws -> JSONValue {
        guard let run = try store.find(id) else { throw MoonError(in: "runs", "no run '\(id)' in \(store.path)") }
        return run
    }
}
