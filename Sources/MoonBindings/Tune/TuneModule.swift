import Foundation
import LuaKit
import MoonData
import MoonTune

/// The `tune` module: grid, random and hyperband sweeps run in worker processes with their
/// state in SQLite, cross-validation, and reopening finished sweeps.
enum TuneModule {
    static let sweepDoc = """
        Each trial runs in its own moonlab process (workers=n at a time, default the core \
        count), so a crash kills only that trial: the worker starts the same script again with \
        MOONLAB_TUNE_WORKER set, runs the code before the tune call again, runs just its \
        trial's objective when it reaches this call, records the result and exits. So the code \
        before a tune call must take the same path in every run. workers=0 runs the trials in \
        this process (a crash then ends the sweep); so does a sweep typed in the REPL. \
        setup=function() ... end holds what only the trials need (loading and preparing data): \
        it runs where trials run (in a worker for its own sweep, or here with workers=0), never \
        in the parent of worker processes nor in workers of later sweeps, and its value comes \
        to the objective as its last argument. report=function(result) ... end holds what \
        follows the sweep (tables, plots, files): it runs here once the sweep is done, never in \
        a worker. With both, a script needs no test of tune.worker().
        space= (required) gives each hyperparameter a list of values, one fixed value, or a \
        tune.choice/uniform/loguniform/int domain; objective= (required) is the function each \
        trial calls. The environment variables MOONLAB_TUNE_STORAGE and MOONLAB_TUNE_WORKERS \
        override storage= and workers= (moonlab sweep join and slurm set them).
        Storage holds one row a trial (config, status, score, error, timings, host, pid), written \
        as each starts and finishes. Any number of processes, on any number of machines, may run \
        the same script against one storage: each claims trials atomically, so every trial runs \
        to completion once. A re-run of the script skips finished trials (the n-th identical \
        call of a run is the same sweep as the n-th of the last run; within one run, identical \
        calls are distinct sweeps, as a loop of repeats needs), re-runs failed ones only with \
        retry_failed=true, and takes over trials whose process died on this host or whose \
        heartbeat is older than their lease (a lost machine): their objective gets the same \
        trial.checkpoint (restored from PostgreSQL when the storage keeps it), so \
        fit{checkpoint=trial.checkpoint} continues from the last completed epoch. A worker whose \
        lease was taken over stops without writing a result. The objective gets (cfg, trial) \
        (tune.hyperband: (cfg, epochs, trial)) \
        with trial = {id=, checkpoint=, sweep=, attempt=, resumed=, checkpointed=} and returns a \
        score, or a table {score=, ...extras}; a loop that writes trial.checkpoint itself calls \
        trial:checkpointed() after each write (fit does this itself). An error or crash marks \
        the trial failed with its message and the sweep goes on. Returns a result: result.best, \
        result.trials (id order; {id=, config=, score=, status=, seconds=, error=, extras=}), \
        result:print(), result:to_csv(path). The command moonlab sweep status|join|slurm \
        watches a storage, adds a machine to a sweep, or submits a Slurm job array of workers.
        """

    static func install(_ L: LuaState) {
        L.defineClass(tuneDomainMeta, methods: [], metamethods: [("__tostring", { L in
            guard let box = L.object(1, tuneDomainMeta, as: DomainBox.self) else { return 0 }
            L.push("tune." + box.domain.description)
            return 1
        })])
        TuneResult.define(L)
        L.defineModule("tune", doc: """
            Hyperparameter search: grid, random and hyperband sweeps whose trials run in \
            parallel worker processes, with state in a SQLite file or a PostgreSQL database so \
            an interrupted sweep resumes where it stopped and one sweep can span machines \
            (moonlab sweep join, moonlab sweep slurm); cross-validation. See help(tune.grid).
            """) { m in
            m.function("grid", options: GridOptions.self, doc: """
                Runs the objective on every combination of the space's values (the cartesian \
                product; keys sorted, the last varying fastest; trial ids 1..n in that order).
                """ + "\n" + sweepDoc, extra: SweepCall.functionKeys) { L, options, _ in
                try SweepCall(L, options: options).run(L)
            }
            m.function("random", options: RandomOptions.self, doc: """
                Runs the objective on `trials` configurations drawn from the space by a private \
                generator seeded by `seed` (default 0): the same seed gives the same \
                configurations in every run, which a resumed sweep relies on.
                """ + "\n" + sweepDoc, extra: SweepCall.functionKeys) { L, options, _ in
                try SweepCall(L, options: options).run(L)
            }
            m.function("hyperband", options: HyperbandOptions.self, doc: """
                Hyperband (Li et al. 2018): brackets of successive halving with budgets in \
                epochs. With max_epochs R and factor η, bracket s = s_max..0 (s_max = ⌊log_η R⌋) \
                starts ⌈(s_max+1)·η^s/(s+1)⌉ random configurations at R·η^-s epochs and keeps \
                the best 1/η of them at η times the epochs, up to R (R=27, η=3: 27, 12, 6 and 4 \
                configurations starting at 1, 3, 9 and 27 epochs: 49 configurations, 69 trials). The \
                objective gets the total epoch budget; a promoted configuration is a new trial \
                (trial.parent names the one it continues) with the same trial.checkpoint, so \
                fit{epochs=epochs, checkpoint=trial.checkpoint} continues training instead of \
                starting over. Trials of one round run in parallel; brackets are independent.
                """ + "\n" + sweepDoc, extra: SweepCall.functionKeys) { L, options, _ in
                try SweepCall(L, options: options).run(L)
            }
            m.function("worker", "tune.worker() --> {sweep=, trial=, attempt=} | nil", """
                In a worker process of a sweep: which trial it runs; nil in any other run.
                """) { L in
                guard let w = SweepSession.worker else { L.pushNil(); return 1 }
                L.newTable(fieldCount: 3)
                L.push(w.sweep); L.setField(-2, "sweep")
                L.push(w.trial); L.setField(-2, "trial")
                L.push(w.attempt); L.setField(-2, "attempt")
                return 1
            }
            m.function("crossval", options: SplitOptions.self, doc: """
                k-fold cross-validation: calls fn(train, validation, fold) for each of data.kfold's \
                folds (same options) and returns the mean and standard deviation (population, \
                as numpy's std) of the scores, and the scores as a Lua array. fn returns a \
                number or a table with a number 'score'. Runs in this process.
                """, leading: ["fn", "ds", "k"], returns: "mean, std, scores") { L, o, _ in
                try crossval(L, o)
            }
            m.function("load", "tune.load(storage[, name]) --> result", """
                Reopens sweeps stored in a SQLite file or a PostgreSQL database (a \
                postgresql:// URL): the named sweep (its name= or id), the only one when the \
                storage holds one, or else a list of results in the order they were created \
                (each also under its name and id). result.storage never shows a password.
                """) { L in
                try TuneResult.load(L)
            }
            m.function("choice", "tune.choice{v1, v2, ...}", "One of the listed values (numbers, strings, booleans or tables), each equally likely; in a grid, every one.") { L in
                try L.checkTable(1)
                guard case .array(let vs) = try L.json(1, "tune.choice"), !vs.isEmpty else {
                    throw L.fail("expected a non-empty list of values")
                }
                L.push(object: DomainBox(.choice(vs)), metatable: tuneDomainMeta)
                return 1
            }
            m.function("uniform", "tune.uniform(low, high)", "A real number drawn uniformly from [low, high].") { L in
                try pushDomain(L, .uniform(try L.number(1), try L.number(2)))
            }
            m.function("loguniform", "tune.loguniform(low, high)", "A positive real whose logarithm is uniform: as likely in [1e-4, 1e-3] as in [1e-2, 1e-1] (learning rates).") { L in
                try pushDomain(L, .loguniform(try L.number(1), try L.number(2)))
            }
            m.function("int", "tune.int(low, high)", "An integer drawn uniformly from low..high, both included.") { L in
                try pushDomain(L, .int(try L.integer(1), try L.integer(2)))
            }
        }
    }

    static func pushDomain(_ L: LuaState, _ d: Domain) throws -> Int32 {
        try L.named { try d.validate() }
        L.push(object: DomainBox(d), metatable: tuneDomainMeta)
        return 1
    }

    /// `tune.crossval(fn, ds, k, opts)`: fn over the folds of `data.kfold`.
    static func crossval(_ L: LuaState, _ o: SplitOptions) throws -> Int32 {
        try L.checkFunction(1)
        let ds = try L.dataset(2), k = try L.integer(3)
        let folds = try L.named { try ds.kfoldIndices(k, stratify: o.stratify.enabled, target: o.stratify.target, generator: o.generator) }
        var scores: [Double] = []
        for fold in folds.indices {
            let (train, validation) = try L.named { try ds.fold(fold, of: folds) }
            L.pushValue(1); L.push(train); L.push(validation); L.push(fold + 1)
            try L.call(nargs: 3, nresults: 1)
            defer { L.pop() }
            guard let score = L.score(-1) else {
                throw L.fail("fold \(fold + 1) returned \(L.describe(-1)) (expected a number or a table with a number 'score')")
            }
            scores.append(score)
        }
        let mean = scores.reduce(0, +) / Double(scores.count)
        let variance = scores.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(scores.count)
        L.push(mean)
        L.push(variance.squareRoot())
        L.push(array: scores)
        return 3
    }
}
