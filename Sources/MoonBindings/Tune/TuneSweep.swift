import Foundation
import LuaKit
import MoonKernels
import MoonTrain
import MoonTune

/// How the running program can be started again for a worker: set by the `moonlab` command
/// when it runs a script or `-e` chunks (which a new process can replay), nil in the REPL and
/// for a script read from standard input, where sweeps run their trials in-process.
public enum TuneHost {
    nonisolated(unsafe) public static var command: [String]?
}

/// One `tune.grid` / `tune.random` / `tune.hyperband` call: its options, its id, and running
/// it as the parent (workers) or as a worker (one trial).
struct SweepCall {
    let fn: String
    let kind: String
    let space: Space
    let plan: SweepPlan
    let id: String
    let name: String
    let direction: String
    let workers: Int
    let storage: String?
    /// Seconds a claim lasts without a heartbeat (`lease=`).
    let lease: Double
    /// A folder for checkpoint files (`checkpoints=`): shared by the machines, or local.
    let checkpoints: String?
    let retryFailed: Bool
    let verbose: Bool
    let inheritOutput: Bool
    /// The objective function's stack index.
    let objective: Int32
    /// `setup=`: run only where trials run; its value is the objective's last argument.
    let setup: Int32?
    /// `report=`: run with the result in the process that ran the sweep, never in a worker.
    let report: Int32?

    /// Sweep ids seen so far in this run, counted by content, so identical calls get distinct ids.
    nonisolated(unsafe) static var occurrences: [String: Int] = [:]
    /// Sweeps this process finished, id -> storage path (passed on to workers).
    nonisolated(unsafe) static var finished: [String: String] = [:]
    nonisolated(unsafe) static var worker: WorkerAssignment? = WorkerAssignment.from(ProcessInfo.processInfo.environment)

    /// The keys of `tune.<kind>{...}` that are not options: the body reads them from the table.
    static let functionKeys = ["space", "objective", "setup", "report"]

    /// `MOONLAB_TUNE_STORAGE`: a storage every tune call uses instead of its `storage=` (how
    /// `moonlab sweep join` and `moonlab sweep slurm` point an unchanged script at a server).
    static var storageOverride: String? {
        ProcessInfo.processInfo.environment["MOONLAB_TUNE_STORAGE"].flatMap { $0.isEmpty ? nil : $0 }
    }
    /// `MOONLAB_TUNE_WORKERS`: worker processes per machine, instead of `workers=`.
    static var workersOverride: Int? {
        ProcessInfo.processInfo.environment["MOONLAB_TUNE_WORKERS"].flatMap { Int($0) }
    }
    /// The cores a sweep may use on this machine: `MOONLAB_TUNE_CPUS` (set by a Slurm task to
    /// its allocation), else every core.
    static var cores: Int {
        if let n = ProcessInfo.processInfo.environment["MOONLAB_TUNE_CPUS"].flatMap({ Int($0) }), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The sweep `tune.<kind>{...}` describes: `options` read from the table at index 1 (its
    /// space and functions are read here).
    init<O: SweepOptions>(_ L: LuaState, options: O) throws {
        let kind = O.kind
        fn = "tune.\(kind)"
        self.kind = kind
        let o = options.settings
        L.getField(1, "space")
        space = try TuneArguments.space(L, L.top, fn)
        L.pop()
        guard L.getField(1, "objective") == .function else {
            throw LuaError("\(fn): option 'objective' must be a function(cfg, \(kind == "hyperband" ? "epochs, " : "")trial) returning a score, got \(L.describe(-1))")
        }
        objective = L.top
        setup = try Self.optionalFunction(L, "setup", "tune.\(kind)", "a function() returning what every trial needs")
        report = try Self.optionalFunction(L, "report", "tune.\(kind)", "a function(result)")
        direction = o.direction.rawValue
        workers = Self.workersOverride ?? o.workers ?? Self.cores
        guard workers >= 0 && workers <= 256 else { throw LuaError("\(fn): workers must be 0..256, got \(workers)") }
        storage = o.storage
        lease = o.lease
        guard lease >= 1 && lease <= 86_400 * 7 else { throw LuaError("\(fn): lease must be 1 to 604800 seconds, got \(lease)") }
        checkpoints = o.checkpoints
        retryFailed = o.retryFailed
        verbose = o.verbose.value
        inheritOutput = o.output == .inherit
        let seedValue = o.seed
        let seed = UInt64(bitPattern: Int64(seedValue))
        let content: String

        do {
            let (plan, identity) = try options.plan(space, seed: seed, maximize: direction == "max")
            self.plan = plan
            content = "\(space.json.encoded)|\(direction)|seed=\(seedValue)" + identity
        } catch let e as TuneError where !e.isArgumentError { throw LuaError(e.message) }
        let given = o.name
        let key = given.map { "name:" + $0 } ?? "\(kind)|" + content
        let occurrence = (Self.occurrences[key] ?? 0) + 1
        Self.occurrences[key] = occurrence
        id = SweepIdentity.id(kind: kind, name: given, content: content, occurrence: occurrence)
        name = given ?? id
    }

    /// The stack index of option `key` of the table at 1 when it is a function (left on the
    /// stack), nil when absent.
    static func optionalFunction(_ L: LuaState, _ key: String, _ fn: String, _ what: String) throws -> Int32? {
        switch L.getField(1, key) {
        case .function: return L.top
        case .nil: L.pop(); return nil
        default: throw LuaError("\(fn): option '\(key)' must be \(what), got \(L.describe(-1))")
        }
    }

    /// The plan with the sweep id filled in.
    var sweepPlan: SweepPlan {
        if let p = plan as? FixedPlan { return FixedPlan(sweep: id, configs: p.configs) }
        let h = plan as! HyperbandPlan
        var copy = h
        copy = HyperbandPlan(sweep: id, initial: h.initial, schedule: h.schedule, maximize: h.maximize)
        return copy
    }

    var record: SweepRecord {
        SweepRecord(id: id, name: name, kind: kind, direction: direction, space: space.json.encoded)
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    static func checkpoint(folder: String, sweep: String, trial: TrialRecord) -> String {
        "\(folder)/\(sweep)-\(trial.checkpointOwner).moon"
    }

    // MARK: running

    /// The storage this call uses: `MOONLAB_TUNE_STORAGE`, else `storage=` (a relative path
    /// made absolute, so workers find it), else a temporary file.
    func storageSpec() -> (spec: String, note: String) {
        if let o = Self.storageOverride {
            return (StorageURL.isServerURL(o) ? o : Self.absolute(o), " (from MOONLAB_TUNE_STORAGE)")
        }
        if let storage { return (StorageURL.isServerURL(storage) ? storage : Self.absolute(storage), "") }
        return (WorkerLaunch.temporaryStorage(), "")
    }

    /// Runs the sweep (or, in a worker, its one trial) and pushes the result table.
    func run(_ L: LuaState) throws -> Int32 {
        if let w = Self.worker {
            if w.sweep == id { try runAssignedTrial(L, w, context: try runSetup(L)) }
            if let path = w.finishedSweeps[id] {
                // An earlier sweep of the script, finished by the parent: its results.
                return try TuneResult.push(L, storage: path, sweep: id)
            }
            throw LuaError("\(fn): this worker (for sweep '\(w.sweep)', trial \(w.trial)) reached sweep '\(id)', which the parent had not run: the code before a tune call must take the same path in every run (no randomness without a seed, no clock- or input-dependent branches)")
        }
        let (spec, note) = storageSpec()
        let server = StorageURL.isServerURL(spec)
        let store: TrialStorage
        do { store = try openTrialStorage(spec) } catch let e as TuneError where !e.isArgumentError { throw luaError(e) }
        defer { store.close() }
        try wrap { try store.register(record) }
        // Checkpoints: a SQLite file's folder beside it; with a server, the checkpoints= folder
        // (a shared filesystem) or a private temporary one, the server holding the truth.
        let folder = checkpoints.map(Self.absolute) ?? (server ? WorkerLaunch.temporaryFolder() : spec + ".checkpoints")
        let logs = server ? folder + "/logs" : spec + ".logs"

        let inProcess = workers == 0 || TuneHost.command == nil
        // Trials that run here need the set-up; a parent of worker processes does not.
        let context = inProcess ? try runSetup(L) : nil
        let threads = max(1, Self.cores / max(workers, 1))
        let finished = Self.finished
        let launch: SweepRunner.Launch? = inProcess ? nil : { trial in
            try WorkerLaunch.spawn(WorkerAssignment(storage: spec, sweep: id, trial: trial.id, attempt: trial.attempts, checkpoints: folder),
                                   arguments: TuneHost.command ?? CommandLine.arguments, finishedSweeps: finished,
                                   threads: threads, log: inheritOutput ? nil : "\(logs)/\(id)-\(trial.id).log")
        }
        let runHere: SweepRunner.RunHere? = inProcess ? { trial, uploader in
            runObjective(L, trial, context: context, checkpoints: folder, send: uploader.map { u in
                { guard try u.upload(to: store) else { throw TuneError("tune: the lease of trial \(trial.id) was taken over by another process") } }
            })
        } : nil
        let runner = SweepRunner(storage: store, sweep: id, plan: sweepPlan, workers: max(workers, 1),
                                 launch: launch, runHere: runHere)
        runner.retryFailed = retryFailed
        runner.lease = lease
        runner.openKeeperStorage = { try openTrialStorage(spec) }
        runner.checkpointPath = { Self.checkpoint(folder: folder, sweep: id, trial: $0) }
        let tag = "[tune \(kind) \(name)]"
        if verbose {
            runner.log = { line in
                print("\(tag) \(line)")
                fflush(nil)
            }
        }
        runner.describe = { t in
            var s = SweepStatus.describe(t.config)
            if let b = t.budget { s += " epochs=\(b)" }
            return s
        }
        // Stopped by Ctrl-C: pending, or an interrupted objective (in this process) that raised
        // and so cleared the flag.
        let interruptsBefore = Interrupt.count
        runner.shouldStop = { Interrupt.pending || Interrupt.count != interruptsBefore }
        if verbose {
            print("\(tag) storage \(store.location)\(note), \(inProcess ? "in this process" : "\(max(workers, 1)) worker\(workers == 1 ? "" : "s")") on \(currentHost())")
        }
        do {
            try runner.run()
        } catch let e as TuneError where !e.isArgumentError {
            guard e.isInterruption else { throw luaError(e) }
            Interrupt.clear()
            throw LuaError("interrupted (re-run with the same storage to resume)")
        }
        Self.finished[id] = spec
        let pushed = try TuneResult.push(L, storage: spec, sweep: id, open: store)
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

    private func wrap<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as TuneError where !e.isArgumentError { throw luaError(e) }
    }

    /// The engine's error as this call's Lua error ("tune.grid: ..." rather than "tune.grid: tune: ...").
    private func luaError(_ e: TuneError) -> LuaError {
        LuaError("\(fn): \(e.message.hasPrefix("tune: ") ? String(e.message.dropFirst(6)) : e.message)")
    }

    /// In a worker: runs the assigned trial, records its outcome and exits the process. A
    /// worker whose lease was taken over (its machine was presumed lost) exits without
    /// writing anything.
    private func runAssignedTrial(_ L: LuaState, _ w: WorkerAssignment, context: Int32?) throws -> Never {
        let store = try wrap { try openTrialStorage(w.storage) }
        guard let trial = try wrap({ try store.trial(sweep: id, id: w.trial) }) else {
            throw LuaError("\(fn): worker: trial \(w.trial) of sweep '\(id)' is not in \(store.location)")
        }
        func leave(_ code: Int32, _ message: String? = nil) -> Never { WorkerLaunch.leave(code, message, closing: store) }
        if trial.status != .running || trial.attempts != w.attempt {
            leave(0, "trial \(w.trial) is no longer this worker's (status \(trial.status.rawValue), attempt \(trial.attempts)); nothing to do")
        }
        if let n = w.threads { Threads.set(n) }
        let interruptsBefore = Interrupt.count
        let path = Self.checkpoint(folder: w.checkpoints, sweep: id, trial: trial)
        let uploader = CheckpointUploader(sweep: id, owner: trial.checkpointOwner, lease: w.lease, path: path)
        uploader.markSent()   // as the parent restored it
        let lost = "the lease of trial \(w.trial) was taken over by another process; its result was not recorded"
        let outcome = runObjective(L, trial, context: context, checkpoints: w.checkpoints, send: store.holdsCheckpoints ? {
            if try !uploader.upload(to: store) { leave(0, lost) }
        } : nil)
        // Ctrl-C (to the whole process group, as a terminal sends it) stopped the objective:
        // the trial is left running, so a re-run resumes it from its checkpoint, not failed.
        if Interrupt.pending || Interrupt.count != interruptsBefore { leave(130) }
        // The last checkpoint reaches the storage before the result, so a promoted trial (or a
        // re-run) on another machine continues from the final epoch.
        if try !wrap({ try uploader.upload(to: store) }) { leave(0, lost) }
        if try !wrap({ try store.finish(sweep: id, lease: w.lease, outcome) }) { leave(0, lost) }
        leave(0)
    }

    /// Calls the objective on one trial: (cfg, trial) or, for hyperband, (cfg, epochs, trial).
    /// A number is the score; a table gives `score` and extras; anything else, or an error, fails.
    /// `send`: sends the checkpoint to the storage (when it keeps them): called after each
    /// checkpoint `fit` writes, and by `trial:checkpointed()` for checkpoints a script writes.
    func runObjective(_ L: LuaState, _ trial: TrialRecord, context: Int32?, checkpoints: String,
                      send: (() throws -> Void)?) -> TrialOutcome {
        let base = L.top
        defer { L.top = base }
        let checkpoint = Self.checkpoint(folder: checkpoints, sweep: id, trial: trial)
        TrainingCheckpoint.didSave = send.map { send in { path in if path == checkpoint { try send() } } }
        defer { TrainingCheckpoint.didSave = nil }
        try? FileManager.default.createDirectory(atPath: PathText.folder(of: checkpoint), withIntermediateDirectories: true)
        L.pushValue(objective)
        L.push(json: trial.config)
        var nargs: Int32 = 2
        if kind == "hyperband" { L.push(trial.budget ?? 0); nargs = 3 }
        L.newTable(fieldCount: 8)
        L.push(trial.id); L.setField(-2, "id")
        L.push(checkpoint); L.setField(-2, "checkpoint")
        L.push(id); L.setField(-2, "sweep")
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
        var score: Double?
        var extras: JSONValue?
        if L.type(-1) == .number {
            score = L.toNumber(-1)
        } else if L.type(-1) == .table {
            L.getField(-1, "score")
            score = L.type(-1) == .number ? L.toNumber(-1) : nil
            L.pop()
            if case .object(let pairs)? = try? L.json(-1, "result") {
                let rest = pairs.filter { $0.0 != "score" }
                if !rest.isEmpty { extras = .object(rest) }
            }
        }
        guard let score else {
            return .failed(error: "the objective returned \(L.describe(-1)) (expected a number, or a table with a number 'score')", seconds: seconds)
        }
        if score.isNaN { return .failed(error: "the objective returned NaN", seconds: seconds) }
        return .done(score: score, extras: extras, seconds: seconds)
    }
}
