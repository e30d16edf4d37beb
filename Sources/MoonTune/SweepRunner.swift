import Foundation

/// Runs a sweep's trials to completion against a storage: adds the trials its plan asks for,
/// claims the runnable ones (pending; failed ones when `retryFailed`; running ones whose
/// process died), hands each to a worker process (or runs it in this process), records
/// crashes, and asks the plan again as trials finish.
///
/// A trial left `running` by a dead process is runnable again: its objective gets the same
/// checkpoint path, so training continues from the last completed epoch.
public final class SweepRunner {
    /// Starts a worker for a claimed trial.
    public typealias Launch = (TrialRecord) throws -> WorkerProcess
    /// Runs a claimed trial here and returns its outcome (workers = 0).
    public typealias RunHere = (TrialRecord) -> TrialOutcome

    public let storage: TrialStorage
    public let sweep: String
    public let plan: SweepPlan
    public var workers: Int
    public var retryFailed = false
    /// A running trial whose heartbeat is older than this is orphaned even when its pid is
    /// alive (pid reused, or a process on another host).
    public var staleAfter: Double = 120
    /// Seconds between heartbeats and storage polls.
    public var heartbeatEvery: Double = 5
    /// Progress lines (trial started, done, failed).
    public var log: (String) -> Void = { _ in }
    /// Polled while waiting; true stops the sweep (Ctrl-C): running trials are left `running`
    /// so that a re-run resumes them.
    public var shouldStop: () -> Bool = { false }
    /// Describes a trial's configuration for progress lines.
    public var describe: (TrialRecord) -> String = { $0.config.encoded }

    let launch: Launch?
    let runHere: RunHere?

    public init(storage: TrialStorage, sweep: String, plan: SweepPlan, workers: Int,
                launch: Launch?, runHere: RunHere?) {
        self.storage = storage
        self.sweep = sweep
        self.plan = plan
        self.workers = max(workers, 1)
        self.launch = launch
        self.runHere = runHere
    }

    struct Running {
        let trial: TrialRecord
        let worker: WorkerProcess
    }

    /// Runs until the plan is complete; returns the plan's trials as stored, in id order.
    @discardableResult
    public func run() throws -> [TrialRecord] {
        let me = Int(getpid())
        let host = currentHost()
        var running: [Int: Running] = [:]
        // Failed trials are retried at most once a run.
        var retried = Set<Int>()
        var lastBeat = Date().timeIntervalSince1970
        var dirty = true
        var stored: [Int: TrialRecord] = [:]
        var planned: [TrialRecord] = []
        var lastPoll = 0.0
        let total = { planned.count }

        while true {
            let now = Date().timeIntervalSince1970
            if dirty || now - lastPoll > 1 {
                stored = Dictionary(uniqueKeysWithValues: try storage.trials(sweep: sweep).map { ($0.id, $0) })
                planned = try plan.trials(given: stored)
                let missing = planned.filter { stored[$0.id] == nil }
                if !missing.isEmpty {
                    try storage.add(missing)
                    for t in try storage.trials(sweep: sweep) { stored[t.id] = t }
                }
                dirty = false
                lastPoll = now
            }
            if shouldStop() {
                try stopAll(running)
                throw TuneError("interrupted")
            }

            // Claim and start what is runnable while slots are free.
            var started = false
            for t in planned where running.count < workers && running[t.id] == nil {
                guard let s = stored[t.id] else { continue }
                var expectedPid: Int?
                switch s.status {
                case .done: continue
                case .pending: break
                case .failed:
                    guard retryFailed, !retried.contains(t.id) else { continue }
                    retried.insert(t.id)
                case .running:
                    guard isOrphaned(s, host: host, now: now) else { continue }
                    expectedPid = s.pid
                }
                guard try storage.claim(sweep: sweep, id: t.id, pid: me, host: host,
                                        expected: s.status, expectedPid: expectedPid) else { dirty = true; continue }
                let note = s.status == .running ? " (resuming: its last run was stopped or its process died)" : s.status == .failed ? " (retry)" : ""
                log("trial \(t.id)/\(total()) started\(note): \(describe(s))")
                started = true
                if let launch {
                    do {
                        let w = try launch(s)
                        try storage.reassign(sweep: sweep, id: t.id, pid: Int(w.pid))
                        running[t.id] = Running(trial: s, worker: w)
                    } catch {
                        try storage.finish(sweep: sweep, id: t.id, .failed(error: "\(error)", seconds: nil))
                        log("trial \(t.id) failed: \(error)")
                    }
                } else if let runHere {
                    let outcome = runHere(s)
                    if shouldStop() { throw TuneError("interrupted") }
                    try storage.finish(sweep: sweep, id: t.id, outcome)
                    report(t.id, outcome)
                }
                dirty = true
            }

            // Reap finished workers.
            for (id, r) in running {
                guard let exit = r.worker.poll() else { continue }
                running[id] = nil
                dirty = true
                let rec = try storage.trial(sweep: sweep, id: id)
                if let rec, rec.status == .running {
                    if shouldStop() { continue } // leave it resumable
                    var message = "worker \(exit)"
                    if case .status(0) = exit { message = "worker exited without recording a result (did the script reach this tune call?)" }
                    let tail = r.worker.logTail()
                    if !tail.isEmpty { message += "; its output ended with:\n" + tail }
                    let seconds = rec.started.map { Date().timeIntervalSince1970 - $0 }
                    try storage.finish(sweep: sweep, id: id, .failed(error: message, seconds: seconds))
                    log("trial \(id) failed: " + SweepReport.summary(message))
                } else if let rec {
                    if rec.status == .done {
                        report(id, .done(score: rec.score ?? .nan, extras: nil, seconds: rec.seconds ?? 0))
                    } else if rec.status == .failed {
                        report(id, .failed(error: rec.error ?? "", seconds: rec.seconds))
                    }
                }
            }

            if !dirty && running.isEmpty && !started && plan.isComplete(stored) { break }

            if Date().timeIntervalSince1970 - lastBeat > heartbeatEvery {
                try storage.heartbeat(sweep: sweep, ids: Array(running.keys))
                lastBeat = Date().timeIntervalSince1970
            }
            if !dirty { usleep(running.isEmpty ? 100_000 : 20_000) }
        }
        return planned.compactMap { stored[$0.id] }
    }

    func report(_ id: Int, _ outcome: TrialOutcome) {
        switch outcome {
        case let .done(score, _, seconds):
            log("trial \(id) done: score \(JSONValue.short(score)) (\(String(format: "%.1f", seconds)) s)")
        case let .failed(error, _):
            log("trial \(id) failed: " + SweepReport.summary(error))
        }
    }

    /// A running trial nobody is running any more: its process is gone, or it stopped beating.
    func isOrphaned(_ t: TrialRecord, host: String, now: Double) -> Bool {
        if let beat = t.heartbeat, now - beat > staleAfter { return true }
        guard t.host == host, let pid = t.pid else { return t.host != host && t.heartbeat == nil }
        return !processIsAlive(pid)
    }

    /// Ctrl-C: the workers got the signal too (same process group); wait for them, leaving
    /// their trials `running` (and so resumable).
    func stopAll(_ running: [Int: Running]) throws {
        for (_, r) in running {
            let deadline = Date().addingTimeInterval(10)
            while r.worker.poll() == nil {
                if Date() > deadline { kill(r.worker.pid, SIGKILL); _ = r.worker.wait(); break }
                usleep(20_000)
            }
        }
    }
}
