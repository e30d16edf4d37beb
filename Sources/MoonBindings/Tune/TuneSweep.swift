import Foundation
import LuaKit
import MoonKernels
import MoonTrain
import MoonTune

/// One `tune.grid` / `tune.random` / `tune.hyperband` call: the sweep (MoonTune's
/// `SweepSession`: storage, workers, the worker's one trial) and the Lua functions it runs.
struct SweepCall {
    let fn: String
    let session: SweepSession
    /// The objective function's stack index.
    let objective: Int32
    /// `setup=`: run only where trials run; its value is the objective's last argument.
    let setup: Int32?
    /// `report=`: run with the result in the process that ran the sweep, never in a worker.
    let report: Int32?

    /// The keys of `tune.<kind>{...}` that are not options: the body reads them from the table.
    static let functionKeys = ["space", "objective", "setup", "report"]

    /// The sweep `tune.<kind>{...}` describes: `options` read from the table at index 1 (its
    /// space and functions are read here).
    init<O: SweepOptions>(_ L: LuaState, options: O) throws {
        fn = L.fn
        L.getField(1, "space")
        let space = try TuneArguments.space(L, L.top)
        L.pop()
        guard L.getField(1, "objective") == .function else {
            throw L.fail("option 'objective' must be a function(cfg, \(O.kind == "hyperband" ? "epochs, " : "")trial) returning a score, got \(L.describe(-1))")
        }
        objective = L.top
        setup = try Self.optionalFunction(L, "setup", "a function() returning what every trial needs")
        report = try Self.optionalFunction(L, "report", "a function(result)")
        session = try L.named { try SweepSession(options, space: space) }
    }

    /// The stack index of option `key` of the table at 1 when it is a function (left on the
    /// stack), nil when absent.
    static func optionalFunction(_ L: LuaState, _ key: String, _ what: String) throws -> Int32? {
        switch L.getField(1, key) {
        case .function: return L.top
        case .nil: L.pop(); return nil
        default: throw L.fail("option '\(key)' must be \(what), got \(L.describe(-1))")
        }
    }

    /// Runs the sweep (or, in a worker, its one trial) and pushes the result table.
    func run(_ L: LuaState) throws -> Int32 {
        let interruptsBefore = Interrupt.count
        let stopped = { Interrupt.pending || Interrupt.count != interruptsBefore }
        if let w = SweepSession.worker {
            if session.isAssignedHere {
                if let n = w.threads { Threads.set(n) }
                let context = try runSetup(L)
                try L.named { try session.runAssignedTrial({ runObjective(L, $0, context: context, checkpoint: $1, send: $2) }, stopped: stopped) }
            }
            // An earlier sweep of the script, finished by the parent: its results.
            return try TuneResult.push(L, storage: try L.named { try session.storageOfFinishedSweep() }, sweep: session.id)
        }
        // Trials that run here need the set-up; a parent of worker processes does not.
        let context = session.runsInProcess ? try runSetup(L) : nil
        let ran: (storage: String, open: TrialStorage)
        do {
            ran = try session.run(objective: { runObjective(L, $0, context: context, checkpoint: $1, send: $2) }, shouldStop: stopped)
        } catch let e as TuneError where e.isInterruption {
            Interrupt.clear()
            throw LuaError("interrupted (re-run with the same storage to resume)")
        } catch let e as TuneError where !e.isArgumentError {
            throw LuaError(e.renamed(fn).description)
        }
        defer { ran.open.close() }
        let pushed = try TuneResult.push(L, storage: ran.storage, sweep: session.id, open: ran.open)
        if let report {
            L.pushValue(report)
            L.pushValue(-2)
            try L.call(nargs: 1, nresults: 0)
        }
        return pushed
    }

    /// Calls `setup=` (when given) and leaves its value on the stack: its index, or nil.
    private func runSetup(_ L: LuaState) throws -> Int32? {
        guard let setup else { return nil }
        L.pushValue(setup)
        try L.call(nargs: 0, nresults: 1)
        return L.top
    }

    /// Calls the objective on one trial: (cfg, trial) or, for hyperband, (cfg, epochs, trial).
    /// A number is the score; a table gives `score` and extras; anything else, or an error, fails.
    /// `send`: sends the checkpoint to the storage (when it keeps them): called after each
    /// checkpoint `fit` writes, and by `trial:checkpointed()` for checkpoints a script writes.
    func runObjective(_ L: LuaState, _ trial: TrialRecord, context: Int32?, checkpoint: String,
                      send: (() throws -> Void)?) -> TrialOutcome {
        let base = L.top
        defer { L.top = base }
        TrainingCheckpoint.didSave = send.map { send in { path in if path == checkpoint { try send() } } }
        defer { TrainingCheckpoint.didSave = nil }
        try? FileManager.default.createDirectory(atPath: PathText.folder(of: checkpoint), withIntermediateDirectories: true)
        L.pushValue(objective)
        L.push(json: trial.config)
        var nargs: Int32 = 2
        if session.kind == "hyperband" { L.push(trial.budget ?? 0); nargs = 3 }
        L.newTable(fieldCount: 8)
        L.push(trial.id); L.setField(-2, "id")
        L.push(checkpoint); L.setField(-2, "checkpoint")
        L.push(session.id); L.setField(-2, "sweep")
        L.push(trial.attempts); L.setField(-2, "attempt")
        L.push(FileManager.default.fileExists(atPath: checkpoint)); L.setField(-2, "resumed")
        if let b = trial.budget { L.push(b); L.setField(-2, "epochs") }
        if let p = trial.parent { L.push(p); L.setField(-2, "parent") }
        L.push(function: { L in
            do { try send?() } catch let e as TuneError where !e.isArgumentError { throw LuaError("trial:checkpointed: \(e.message)") }
            return 0
        })
        L.setField(-2, "checkpointed")
        if let context { L.pushValue(context); nargs += 1 }
        let start = Date()
        do {
            try L.call(nargs: nargs, nresults: 1, traceback: true)
        } catch {
            return .failed(error: "\(error)", seconds: Date().timeIntervalSince(start))
        }
        let seconds = Date().timeIntervalSince(start)
        let score = L.score(-1)
        var extras: JSONValue?
        if L.type(-1) == .table, case .object(let pairs)? = try? L.json(-1, "result") {
            let rest = pairs.filter { $0.0 != "score" }
            if !rest.isEmpty { extras = .object(rest) }
        }
        guard let score else {
            return .failed(error: "the objective returned \(L.describe(-1)) (expected a number, or a table with a number 'score')", seconds: seconds)
        }
        if score.isNaN { return .failed(error: "the objective returned NaN", seconds: seconds) }
        return .done(score: score, extras: extras, seconds: seconds)
    }
}
