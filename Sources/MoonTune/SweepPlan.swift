import Foundation

/// Which trials a sweep holds. `trials(given:)` sees the stored trials and returns every trial
/// that should exist at this point; a runner adds the new ones, runs what is runnable, and asks
/// again as trials finish, until `isComplete`.
public protocol SweepPlan {
    func trials(given stored: [Int: TrialRecord]) throws -> [TrialRecord]
}

extension SweepPlan {
    /// True when every trial the plan asks for is stored and finished (done or failed).
    public func isComplete(_ stored: [Int: TrialRecord]) -> Bool {
        guard let planned = try? trials(given: stored) else { return false }
        return planned.allSatisfy { stored[$0.id]?.status.isFinal == true }
    }
}

extension TrialStatus {
    public var isFinal: Bool { self == .done || self == .failed }
}

/// Grid and random sweeps: a fixed list of configurations, trial ids 1...n.
public struct FixedPlan: SweepPlan {
    public let sweep: String
    public let configs: [JSONValue]

    public init(sweep: String, configs: [JSONValue]) {
        self.sweep = sweep
        self.configs = configs
    }

    public func trials(given stored: [Int: TrialRecord]) throws -> [TrialRecord] {
        try configs.enumerated().map { i, c in
            if let s = stored[i + 1], s.config != c {
                throw TuneError(in: "tune", "sweep '\(sweep)' in storage has another configuration for trial \(i + 1) (\(s.config.encoded), now \(c.encoded)); the space changed: give the sweep a new name= or use a new storage file")
            }
            return TrialRecord(sweep: sweep, id: i + 1, config: c)
        }
    }
}

/// Hyperband: brackets of successive halving. Trial ids are laid out in advance, bracket by
/// bracket and round by round (for R = 27, η = 3: ids 1-27 are bracket 3's first round, 28-36
/// its second, ...), so a re-run finds the same ids. A round's trials exist once the previous
/// round has finished: its best configurations (by score and `direction`; failed ones never
/// promoted; ties to the lower id) continue as new trials with a larger budget, sharing the
/// checkpoint of the trial they continue.
public struct HyperbandPlan: SweepPlan {
    public let sweep: String
    public let schedule: HyperbandSchedule
    /// Each bracket's first-round configurations.
    public let initial: [[JSONValue]]
    public let maximize: Bool

    public init(sweep: String, schedule: HyperbandSchedule, space: Space, seed: UInt64, maximize: Bool) {
        self.sweep = sweep
        self.schedule = schedule
        self.maximize = maximize
        var g = SplitMix64(seed: seed)
        initial = schedule.brackets.map { space.sample($0.rounds[0].configurations, &g) }
    }

    /// A plan with the first-round configurations given (one list a bracket).
    public init(sweep: String, initial: [[JSONValue]], schedule: HyperbandSchedule, maximize: Bool) {
        self.sweep = sweep
        self.initial = initial
        self.schedule = schedule
        self.maximize = maximize
    }

    /// The first id of each bracket's rounds.
    public var roundIds: [[Int]] {
        var next = 1
        return schedule.brackets.map { b in
            b.rounds.map { r in defer { next += r.configurations }; return next }
        }
    }

    public func trials(given stored: [Int: TrialRecord]) throws -> [TrialRecord] {
        var out: [TrialRecord] = []
        for (b, bracket) in schedule.brackets.enumerated() {
            let ids = roundIds[b]
            var previous: [TrialRecord] = []
            for (i, round) in bracket.rounds.enumerated() {
                var current: [TrialRecord] = []
                if i == 0 {
                    for (k, c) in initial[b].enumerated() {
                        let id = ids[0] + k
                        if let s = stored[id], s.config != c {
                            throw TuneError("tune.hyperband: sweep '\(sweep)' in storage has another configuration for trial \(id); the space changed: give the sweep a new name= or use a new storage file")
                        }
                        current.append(TrialRecord(sweep: sweep, id: id, config: c, budget: round.epochs))
                    }
                } else {
                    let finished = previous.compactMap { stored[$0.id] }
                    guard finished.count == previous.count, finished.allSatisfy({ $0.status.isFinal }) else { break }
                    let ranked = rank(finished.filter { $0.status == .done })
                    for k in 0..<round.configurations {
                        let id = ids[i] + k
                        if let s = stored[id] { current.append(s); continue }
                        guard k < ranked.count else { break }
                        let p = ranked[k]
                        current.append(TrialRecord(sweep: sweep, id: id, config: p.config, budget: round.epochs, parent: p.checkpointOwner))
                    }
                }
                out += current
                previous = current
            }
        }
        return out
    }

    func rank(_ done: [TrialRecord]) -> [TrialRecord] {
        done.sorted { a, b in
            let x = a.score ?? .nan, y = b.score ?? .nan
            if x != y { return maximize ? x > y : x < y }
            return a.id < b.id
        }
    }
}
