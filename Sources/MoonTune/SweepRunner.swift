import Foundation

/// Runs a sweep's trials to completion against a storage: adds the trials its plan asks for,
/// claims runnable ones (pending; running ones whose lease expired or whose process on this
/// host died; failed ones when `retryFailed`), hands each to a worker process (or runs it in
/// this process), records crashes, and asks the plan again as trials finish.
///
/// Any number of runners, on any number of machines, may run the same sweep against one
/// storage: each claims trials atomically, so every trial runs to completion once. A trial
/// left `running` by a dead process or machine is claimed again once its lease is over; its
/// objective gets the same checkpoint (restored from the storage when the storage keeps
/// checkpoints), so training continues from the last completed epoch.
public final class SweepRunner {
    /// Starts a worker for a claimed trial.
    public typealias Launch = (TrialRecord) throws -> WorkerProcess
    /// Runs a claimed trial here and returns its outcome (workers = 0); the uploader (when the
    /// storage keeps checkpoints) is for the objective to call as each epoch's checkpoint lands.
    public typealias RunHere = (TrialRecord, CheckpointUploader?) -> TrialOutcome

    public let storage: TrialStorage
    public let sweep: String
    public let plan: SweepPlan
    public var workers: Int
    public var retryFailed = false
    /// Seconds a claim lasts without a heartbeat; then another process may take the trial.
    public var lease: Double = 60
    /// Opens another connection to the storage, for the lease keeper's thread (nil: leases are
    /// renewed from the sweep loop only, so not while a trial runs in this process).
    public var openKeeperStorage: (() throws -> TrialStorage)?
    /// The local checkpoint file of a trial (nil: none), restored from the storage before the
    /// trial starts and uploaded as it changes, when the storage keeps checkpoints.
    public var checkpointPath: (TrialRecord) -> String? = { _ in nil }
    /// Progress lines (trial started, done, failed, taken over).
    public var log: (String) -> Void = { _ in }
    /// Polled while waiting; true stops the sweep (Ctrl-C): running trials are left `running`
    /// so that a re-run resumes them.
    public var shouldStop: () -> Bool = { false }
    /// Describes a trial's configuration for progress lines.
    public var describe: (TrialRecord) -> String = { $0.config.encoded }
    /// Who claims: this process on this host.
    public var owner = TrialOwner.current

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
        var lease: TrialLease { TrialLease(id: trial.id, attempt: trial.attempts) }
    }

    /// Runs until the plan is complete; returns the plan's trials as stored, in id order.
    @discardableResult
    public func run() throws -> [TrialRecord] {
        var running: [Int: Running] = [:]
        // Failed trials are retried at most once a run.
        var retried = Set<Int>()
        var dirty = true
        var stored: [Int: TrialRecord] = [:]
        var planned: [TrialRecord] = []
        var lastPoll = 0.0
        var drained = false
        let keeper = LeaseKeeper(sweep: sweep, interval: max(0.5, min(5, lease / 6)))
        let logLine = log
        keeper.log = { line in logLine(line) }
        if let open = openKeeperStorage { keeper.start(open: open) }
        defer { keeper.stop() }

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
                drained = false
                lastPoll = now
            }
            if shouldStop() {
                try stopAll(running)
                throw MoonError.interrupted
            }

            // Claim and start what is runnable while slots are free.
            var started = false
            while running.count < workers && !drained {
                guard let t = try claimOne(planned, stored, running, &retried) else { drained = true; break }
                let note = t.attempts > 1 ? " (attempt \(t.attempts): continuing from its checkpoint if it has one)" : ""
                log("trial \(t.id)/\(planned.count) started\(note): \(describe(t))")
                started = true
                dirty = true
                let lease = TrialLease(id: t.id, attempt: t.attempts)
                let uploader = checkpointPath(t).map { CheckpointUploader(sweep: sweep, owner: t.checkpointOwner, lease: lease, path: $0) }
                if try restoreCheckpoint(t) { uploader?.markSent() }
                keeper.hold(.init(lease: lease, uploader: uploader))
                if let launch {
                    do {
                        let w = try launch(t)
                        try storage.reassign(sweep: sweep, lease: lease, pid: Int(w.pid))
                        running[t.id] = Running(trial: t, worker: w)
                    } catch {
                        keeper.release(t.id)
                        _ = try storage.finish(sweep: sweep, lease: lease, .failed(error: "\(error)", seconds: nil))
                        log("trial \(t.id) failed: \(error)")
                    }
                } else if let runHere {
                    let outcome = runHere(t, uploader)
                    keeper.release(t.id)
                    if shouldStop() { throw MoonError.interrupted }
                    // The final checkpoint reaches the storage before the result.
                    if let uploader, try !uploader.upload(to: storage) {
                        log("trial \(t.id): its lease was taken over by another process while it ran here; its result was not recorded")
                    } else if try storage.finish(sweep: sweep, lease: lease, outcome) {
                        report(t.id, outcome)
                    } else {
                        log("trial \(t.id): its lease was taken over by another process while it ran here; its result was not recorded")
                    }
                }
            }

            if openKeeperStorage == nil { try keeper.tick(storage) }
            // Stop workers whose lease another process took over.
            for id in keeper.takeLost() {
                guard let r = running[id] else { continue }
                kill(r.worker.pid, SIGKILL)
                _ = r.worker.wait()
                running[id] = nil
                keeper.release(id)
                dirty = true
                log("trial \(id): its lease was taken over by another process; stopped its worker without a result")
            }

            // Reap finished workers.
            for (id, r) in running {
                guard let exit = r.worker.poll() else { continue }
                running[id] = nil
                keeper.release(id)
                dirty = true
                let rec = try storage.trial(sweep: sweep, id: id)
                guard let rec else { continue }
                if rec.attempts != r.trial.attempts {
                    log("trial \(id): taken over by another process (attempt \(rec.attempts)); this worker's result was not recorded")
                } else if rec.status == .running {
                    if shouldStop() { continue } // leave it resumable
                    var message = "worker \(exit)"
                    if case .status(0) = exit { message = "worker exited without recording a result (did the script reach this tune call?)" }
                    let tail = r.worker.logTail()
                    if !tail.isEmpty { message += "; its output ended with:\n" + tail }
                    let seconds = rec.started.map { Date().timeIntervalSince1970 - $0 }
                    if try storage.finish(sweep: sweep, lease: r.lease, .failed(error: message, seconds: seconds)) {
                        log("trial \(id) failed: " + SweepReport.summary(message))
                    }
                } else if rec.status == .done {
                    report(id, .done(score: rec.score ?? .nan, extras: nil, seconds: rec.seconds ?? 0))
                } else if rec.status == .failed {
                    report(id, .failed(error: rec.error ?? "", seconds: rec.seconds))
                }
            }

            if !dirty && running.isEmpty && !started && plan.isComplete(stored) { break }
            if !dirty { usleep(running.isEmpty ? 100_000 : 20_000) }
        }
        return planned.compactMap { stored[$0.id] }
    }

    /// The next trial this runner may run, claimed: first a running one whose process on this
    /// host is dead (no need to wait for its lease), then a failed one to retry, then the
    /// storage's next pending or lease-expired trial.
    func claimOne(_ planned: [TrialRecord], _ stored: [Int: TrialRecord], _ running: [Int: Running],
                  _ retried: inout Set<Int>) throws -> TrialRecord? {
        for t in planned where running[t.id] == nil {
            guard let s = stored[t.id] else { continue }
            if s.status == .running, s.host == owner.host, let pid = s.pid, pid != owner.pid, !processIsAlive(pid) {
                if let c = try storage.claim(sweep: sweep, id: t.id, owner: owner, lease: lease, expected: .running, attempts: s.attempts) { return c }
            } else if s.status == .failed, retryFailed, !retried.contains(t.id) {
                retried.insert(t.id)
                if let c = try storage.claim(sweep: sweep, id: t.id, owner: owner, lease: lease, expected: .failed, attempts: s.attempts) { return c }
            }
        }
        guard let upTo = planned.map(\.id).max() else { return nil }
        return try storage.claimNext(sweep: sweep, upTo: upTo, owner: owner, lease: lease)
    }

    /// Writes the storage's copy of a trial's checkpoint to its local file (when the storage
    /// keeps checkpoints and has one); true when it did.
    func restoreCheckpoint(_ t: TrialRecord) throws -> Bool {
        guard storage.holdsCheckpoints, let path = checkpointPath(t),
              let data = try storage.loadCheckpoint(sweep: sweep, owner: t.checkpointOwner) else { return false }
        let dir = PathText.folder(of: path)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        do { try writeAtomically(data, to: path) } catch {
            throw TuneError(in: "tune", "cannot restore the checkpoint of trial \(t.id): \(error)")
        }
        log("trial \(t.id): restored its checkpoint (\(data.count) bytes) from the storage")
        return true
    }

    func report(_ id: Int, _ outcome: TrialOutcome) {
        switch outcome {
        case let .done(score, _, seconds):
            log("trial \(id) done: score \(JSONValue.short(score)) (\(String(format: "%.1f", seconds)) s)")
        case let .failed(error, _):
            log("trial \(id) failed: " + SweepReport.summary(error))
        }
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
