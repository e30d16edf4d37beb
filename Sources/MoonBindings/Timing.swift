import Foundation
import LuaKit
import MoonBase

/// `moonlab.clock()`, and the globals `time(fn, ...)`, `timeit(fn, {...})` and `pp(...)`: what a
/// researcher times and prints with at the prompt (IPython's `%time`, `%timeit`, pretty print).
extension Moonlab {
    static func installTiming(_ L: LuaState) {
        L.getGlobal("moonlab")
        L.push(function: { L in L.push(WallClock.now()); return 1 })
        L.document(-1, name: "moonlab.clock", signature: "moonlab.clock() --> seconds", text: """
            Wall-clock seconds on a monotonic clock (nanosecond resolution): only differences \
            mean anything. os.clock() is CPU time and os.time() whole seconds.
            """)
        L.setField(-2, "clock")
        L.pop()

        global(L, "time", "time(fn, ...) --> fn's results", """
            Calls fn(...) once, prints its wall time ("wall time: 12.3 ms") and returns what fn \
            returned (IPython's %time).
            """) { L in
            try L.checkFunction(1)
            let base = L.top
            let start = WallClock.now()
            try L.call(nargs: base - 1, nresults: LuaState.allResults)
            let seconds = WallClock.now() - start
            try L.printText("wall time: \(WallClock.text(seconds))")
            return L.top
        }
        global(L, "timeit", "timeit(fn, \(TimeitOptions.table())) --> {median=, best=, worst=, mean=, sd=, n=, runs=}", """
            Times fn(): runs times, each run n calls (default: enough calls for about 0.2 s a run, \
            as IPython's %timeit picks); prints "median ± sd per call (median of runs, n calls \
            each; best ...)" unless quiet, and returns the per-call seconds as a table.
            """ + TimeitOptions.optionDocs) { L in
            try L.checkFunction(1)
            let o = try L.options(TimeitOptions.self, at: 2)
            guard o.runs >= 1 && o.runs <= 10_000 else { throw LuaError("timeit: runs must be 1..10000, got \(o.runs)") }
            if let n = o.calls, !(1...1_000_000_000).contains(n) { throw LuaError("timeit: n must be at least 1, got \(n)") }
            func run(_ calls: Int) throws -> Double {
                let start = WallClock.now()
                for _ in 0..<calls {
                    L.pushValue(1)
                    try L.call(nargs: 0, nresults: 0)
                }
                return WallClock.now() - start
            }
            let calls = try o.calls ?? TimingSummary.calls(forOneCallOf: run(1))
            var samples: [Double] = []
            for _ in 0..<o.runs { samples.append(try run(calls) / Double(calls)) }
            let summary = TimingSummary(perCall: samples, calls: calls)
            if !o.quiet { try L.printText(summary.text) }
            L.newTable(fieldCount: 7)
            for (k, v) in [("median", summary.median), ("best", summary.best), ("worst", summary.worst),
                           ("mean", summary.mean), ("sd", summary.sd)] { L.push(v); L.setField(-2, k) }
            L.push(calls); L.setField(-2, "n")
            L.push(o.runs); L.setField(-2, "runs")
            return 1
        }
        global(L, "pp", "pp(...)", """
            Prints values the way the REPL shows them (tables nested, strings quoted, tensors \
            summarized): the REPL's printer for scripts.
            """) { L in
            let printer = ValuePrinter(state: L)
            let text = L.top == 0 ? "" : (1...L.top).map { printer.format($0) }.joined(separator: "\t")
            try L.printText(text)
            return 0
        }
    }

    /// Defines a documented global function.
    static func global(_ L: LuaState, _ name: String, _ signature: String, _ doc: String, _ body: @escaping LuaFunction) {
        L.push(function: body)
        L.document(-1, name: name, signature: signature, text: doc)
        L.setGlobal(name)
    }
}
