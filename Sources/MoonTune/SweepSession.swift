import Foundation
import MoonBase

/// How the running program can be started again for a worker: set by the `moonlab` command
/// when it runs a script or `-e` chunks (which a new process can replay), nil in the REPL and
/// for a script read from standard input, where sweeps run their trials in-process.
public enum TuneHost {
    nonisolated(unsafe) public static var command: [String]?
}

/// One sweep as a script runs it (`tune.grid{...}`): its identity, where its trials are
/// stored, and who runs them — worker processes, this process, or, in a worker, the one
/// trial it was started for. The caller supplies only the objective (how a trial is run).
public struct SweepSession {
    /// Runs one trial here: the trial, its checkpoint file, and `send` (uploads the
    /// checkpoint to a storage that keeps them; nil when it does not).
    public typealias Objective = (_ trial: TrialRecord, _ checkpoint: String, _ send: (() throws -> Void)?) -> TrialOutcome

    public let kind: String
    public let space: Space
    public let id: String
    public let name: String
    public let settings: SweepSettings
    /// Worker processes at a time: `MOONLAB_TUNE_WORKERS`, else `workers=`, else the cores.
    public let workers: Int
    let plan: SweepPlan

    /// Sweep ids seen so far in this run, counted by content, so identical calls get distinct ids.
    nonisolated(unsafe) static var occurrences: [String: Int] = [:]
    /// Sweeps this process finished, id -> storage (passed on to workers).
    nonisolated(unsafe) static var finished: [String: String] = [:]
    /// The trial this process was started for, when it is a worker.
    nonisolated(unsafe) public static var worker: WorkerAssignment? = WorkerAssignment.from(ProcessInfo.processInfo.environment)

    static var environment: [String: String] { ProcessInfo.processInfo.environment }
    /// `MOONLAB_TUNE_STORAGE`: a storage every sweep uses instead of its `storage=` (how
    /// `moonlab sweep join` and `moonlab sweep slurm` point an unchanged script at a server).
    static var storageOverride: String? { environment["MOONLAB_TUNE_STORAGE"].flatMap { $0.isEmpty ? nil : $0 } }
    /// The cores a sweep may use on this machine: `MOONLAB_TUNE_CPUS` (set by a Slurm task to
    /// its allocation), else every core.
    static var cores: Int {
        if let n = environment["MOONLAB_TUNE_CPUS"].flatMap({ Int($0) }), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    public init<O: SweepOptions>(_ options: O, space: Space) throws {
        kind = O.kind
        self.space = space
        settings = options.settings
        workers = Self.environment["MOONLAB_TUNE_WORKERS"].flatMap { Int($0) } ?? settings.workers ?? Self.cores
        guard workers >= 0 && workers <= 256 else { throw TuneError(in: "tune", "workers must be 0..256, got \(workers)") }
        guard settings.lease >= 1 && settings.lease <= 86_400 * 7 else {
            throw TuneError(in: "tune", "lease must be 1 to 604800 seconds, got \(settings.lease)")
        }
        let seed = settings.seed
        let maximize = settings.direction == .max
        let (plan, identity) = try options.plan(space, seed: UInt64(bitPattern: Int64(seed)), maximize: maximize)
        let content = "\(space.json.encoded)|\(settings.direction.rawValue)|seed=\(seed)" + identity
        let key = settings.name.map { "name:" + $0 } ?? "\(kind)|" + content
        let occurrence = (Self.occurrences[key] ?? 0) + 1
        Self.occurrences[key] = occurrence
        id = SweepIdentity.id(kind: kind, name: settings.name, content: content, occurrence: occurrence)
        name = settings.name ?? id
        switch plan {
        case let p as FixedPlan: self.plan = FixedPlan(sweep: id, configs: p.configs)
        case let h as HyperbandPlan: self.plan = HyperbandPlan(sweep: id, initial: h.initial, schedule: h.schedule, maximize: h.maximize)
        default: self.plan = plan
        }
    }

    /// Whether this process runs trials itself (with `workers=0`, or where it cannot be
    /// started again), and so needs what they share (`setup=`). With `run=false` nothing runs.
    public var runsInProcess: Bool { settings.run.value && (workers == 0 || TuneHost.command == nil) }

    /// In a worker process: whether it was started for a trial of this sweep.
    public var isAssignedHere: Bool { Self.worker?.sweep == id }

    /// In a worker process, a sweep it was not started for: the storage of that earlier
    /// sweep, which the parent finished. A sweep the parent never reached means the script
    /// took another path in the worker.
    public func storageOfFinishedSweep() throws -> String {
        guard let w = Self.worker else { throw TuneError(.state, "not a worker process", operation: "tune") }
        if let path = w.finishedSweeps[id] { return path }
        throw TuneError(in: "tune", "this worker (for sweep '\(w.sweep)', trial \(w.trial)) reached sweep '\(id)', which the parent had not run: the code before a tune call must take the same path in every run (no randomness without a seed, no clock- or input-dependent branches)")
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    static func checkpoint(folder: String, sweep: String, trial: TrialRecord) -> String {
        "\(folder)/\(sweep)-\(trial.checkpointOwner).moon"
    }

    /// The storage: `MOONLAB_TUNE_STORAGE`, else `storage=` (a relative path made absolute, so
    /// workers find it), else a temporary file; and a note on where it came from.
    func storageSpec() -> (spec: String, note: String) {
        if let o = Self.storageOverride {
            return (StorageURL.isServerURL(o) ? o : Self.absolute(o), " (from MOONLAB_TUNE_STORAGE)")
        }
        if let storage = settings.storage { return (StorageURL.isServerURL(storage) ? storage : Self.absolute(storage), "") }
        return (WorkerLaunch.temporaryStorage(), "")
    }

    /// Runs the sweep to its end and returns its storage. `objective` runs trials here when
    /// `runsInProcess`; else worker processes run them. `shouldStop` (Ctrl-C) ends it with
    /// an interruption error, leaving it to resume.
    /// With `run=false` it runs nothing and changes nothing: the storage must already hold the
    /// sweep, whose trials so far make the result.
    public func run(objective: Objective?, shouldStop: @escaping () -> Bool) throws -> (storage: String, open: TrialStorage) {
        let (spec, note) = storageSpec()
        let server = StorageURL.isServerURL(spec)
        if !settings.run.value {
            guard server || FileManager.default.fileExists(atPath: spec) else {
                throw TuneError(in: "tune", "run=false: no storage at \(spec) (the sweep has not run yet)")
            }
            let store = try openTrialStorage(spec)
            guard try store.sweeps().contains(where: { $0.id == id }) else {
                store.close()
                throw TuneError(in: "tune", "run=false: \(store.location) holds no sweep '\(name)' yet (it has not run)")
            }
            Self.finished[id] = spec
            return (spec, store)
        }
        let store = try openTrialStorage(spec)
        do {
            try store.register(SweepRecord(id: id, name: name, kind: kind, direction: settings.direction.rawValue, space: space.json.encoded))
            // Checkpoints: a SQLite file's folder beside it; with a server, the checkpoints=
            // folder (a shared filesystem) or a private temporary one, the server holding the truth.
            let folder = settings.checkpoints.map(Self.absolute) ?? (server ? WorkerLaunch.temporaryFolder() : spec + ".checkpoints")
            let logs = server ? folder + "/logs" : spec + ".logs"
            let inProcess = runsInProcess
            let threads = max(1, Self.cores / max(workers, 1))
            let (id, finished, inherit) = (self.id, Self.finished, settings.output == .inherit)
            let launch: SweepRunner.Launch? = inProcess ? nil : { trial in
                try WorkerLaunch.spawn(WorkerAssignment(storage: spec, sweep: id, trial: trial.id, attempt: trial.attempts, checkpoints: folder),
                                       arguments: TuneHost.command ?? CommandLine.arguments, finishedSweeps: finished,
                                       threads: threads, log: inherit ? nil : "\(logs)/\(id)-\(trial.id).log")
            }
            let runHere: SweepRunner.RunHere? = (inProcess ? objective : nil).map { objective in { trial, uploader in
                objective(trial, Self.checkpoint(folder: folder, sweep: id, trial: trial), uploader.map { u in
                    { guard try u.upload(to: store) else { throw TuneError(in: "tune", "the lease of trial \(trial.id) was taken over by another process") } }
                })
            } }
            let runner = SweepRunner(storage: store, sweep: id, plan: plan, workers: max(workers, 1), launch: launch, runHere: runHere)
            runner.retryFailed = settings.retryFailed
            runner.lease = settings.lease
            runner.openKeeperStorage = { try openTrialStorage(spec) }
            runner.checkpointPath = { Self.checkpoint(folder: folder, sweep: id, trial: $0) }
            let tag = "[tune \(kind) \(name)]"
            if settings.verbose.value {
                runner.log = { line in print("\(tag) \(line)"); fflush(nil) }
                print("\(tag) storage \(store.location)\(note), \(inProcess ? "in this process" : "\(max(workers, 1)) worker\(workers == 1 ? "" : "s")") on \(currentHost())")
            }
            runner.describe = { t in
                var s = SweepStatus.describe(t.config)
                if let b = t.budget { s += " epochs=\(b)" }
                return s
            }
            runner.shouldStop = shouldStop
            _ = try runner.run()
        } catch {
            store.close()
            throw error
        }
        Self.finished[id] = spec
        return (spec, store)
    }

    /// In a worker: runs the assigned trial with `objective`, records its outcome and exits
    /// the process. A worker whose lease was taken over (its machine was presumed lost)
    /// exits without writing anything; one stopped by Ctrl-C leaves the trial running, so a
    /// re-run resumes it from its checkpoint.
    public func runAssignedTrial(_ objective: Objective, stopped: () -> Bool) throws -> Never {
        guard let w = Self.worker, w.sweep == id else { throw TuneError(.state, "not this sweep's worker", operation: "tune") }
        let store = try openTrialStorage(w.storage)
        guard let trial = try store.trial(sweep: id, id: w.trial) else {
            throw TuneError(in: "tune", "worker: trial \(w.trial) of sweep '\(id)' is not in \(store.location)")
        }
        func leave(_ code: Int32, _ message: String? = nil) -> Never { WorkerLaunch.leave(code, message, closing: store) }
        if trial.status != .running || trial.attempts != w.attempt {
            leave(0, "trial \(w.trial) is no longer this worker's (status \(trial.status.rawValue), attempt \(trial.attempts)); nothing to do")
        }
        let path = Self.checkpoint(folder: w.checkpoints, sweep: id, trial: trial)
        let uploader = CheckpointUploader(sweep: id, owner: trial.checkpointOwner, lease: w.lease, path: path)
        uploader.markSent()   // as the parent restored it
        let lost = "the lease of trial \(w.trial) was taken over by another process; its result was not recorded"
        let outcome = objective(trial, path, store.holdsCheckpoints ? {
            if try !uploader.upload(to: store) { leave(0, lost) }
        } : nil)
        if stopped() { leave(130) }
        // The last checkpoint reaches the storage before the result, so a promoted trial (or a
        // re-run) on another machine continues from the final epoch.
        if try !uploader.upload(to: store) { leave(0, lost) }
        if try !store.finish(sweep: id, lease: w.lease, outcome) { leave(0, lost) }
        leave(0)
    }
}
