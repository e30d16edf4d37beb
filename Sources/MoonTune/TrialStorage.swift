import Foundation

/// Where a trial stands.
public enum TrialStatus: String, Sendable, CaseIterable {
    case pending, running, done, failed
}

/// One sweep as storage knows it: enough to reopen and rank it later (`tune.load`).
public struct SweepRecord: Equatable, Sendable {
    public var id: String
    public var name: String
    /// grid, random, hyperband.
    public var kind: String
    /// "max" or "min".
    public var direction: String
    /// The space's JSON (for the record; configurations are stored per trial).
    public var space: String
    public var created: Double

    public init(id: String, name: String, kind: String, direction: String, space: String, created: Double = Date().timeIntervalSince1970) {
        self.id = id; self.name = name; self.kind = kind; self.direction = direction; self.space = space; self.created = created
    }
}

/// One trial: one evaluation of the objective on one configuration (in hyperband, one
/// configuration at one epoch budget; a promoted configuration is a new trial whose `parent`
/// is the trial it continues, sharing its checkpoint).
public struct TrialRecord: Equatable, Sendable {
    public var sweep: String
    public var id: Int
    /// The configuration as a JSON object.
    public var config: JSONValue
    /// Hyperband's epoch budget (nil for grid and random).
    public var budget: Int?
    /// The trial whose checkpoint this one continues (hyperband promotions).
    public var parent: Int?
    public var status: TrialStatus = .pending
    public var score: Double?
    /// Extra results the objective returned beside `score`, as a JSON object.
    public var extras: JSONValue?
    public var error: String?
    /// Seconds since 1970 when the current (or last) attempt started and finished.
    public var started: Double?
    public var finished: Double?
    /// Seconds the objective ran in its last attempt.
    public var seconds: Double?
    public var heartbeat: Double?
    /// The process running the trial, and its host (a trial is orphaned when that process died).
    public var pid: Int?
    public var host: String?
    /// How many times the trial was started.
    public var attempts: Int = 0

    public init(sweep: String, id: Int, config: JSONValue, budget: Int? = nil, parent: Int? = nil) {
        self.sweep = sweep; self.id = id; self.config = config; self.budget = budget; self.parent = parent
    }

    /// The trial whose checkpoint file this one uses: the first of its chain of promotions.
    public var checkpointOwner: Int { parent ?? id }
}

/// What a finished attempt reports.
public enum TrialOutcome: Sendable {
    case done(score: Double, extras: JSONValue?, seconds: Double)
    case failed(error: String, seconds: Double?)
}

/// Trial state behind one small interface, so that a server database can take SQLite's place
/// for sweeps across machines. Every method is safe to call from several processes at once;
/// `claim` is the only one that decides who runs a trial, and it is atomic.
public protocol TrialStorage: AnyObject {
    /// Records the sweep, or checks that the stored one has the same kind and direction.
    func register(_ sweep: SweepRecord) throws
    func sweeps() throws -> [SweepRecord]
    /// Adds trials that are not stored yet (same sweep and id); stored ones are left alone.
    func add(_ trials: [TrialRecord]) throws
    func trials(sweep: String) throws -> [TrialRecord]
    func trial(sweep: String, id: Int) throws -> TrialRecord?
    /// Marks a trial running for process `pid` if its status is still `expected` (and, for a
    /// running one, still owned by `expectedPid`); false when another process got there first.
    func claim(sweep: String, id: Int, pid: Int, host: String,
               expected: TrialStatus, expectedPid: Int?) throws -> Bool
    /// Hands a running trial to another process (the worker the claimer started).
    func reassign(sweep: String, id: Int, pid: Int) throws
    func heartbeat(sweep: String, ids: [Int]) throws
    func finish(sweep: String, id: Int, _ outcome: TrialOutcome) throws
}

/// This machine's name, as trials record it.
public func currentHost() -> String {
    ProcessInfo.processInfo.hostName
}

/// Whether a process with this id is alive on this machine (a zombie counts as dead).
public func processIsAlive(_ pid: Int) -> Bool {
    guard pid > 0 else { return false }
    if kill(pid_t(pid), 0) != 0 && errno == ESRCH { return false }
    if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
       let close = stat.lastIndex(of: ")") {
        let rest = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces)
        if rest.hasPrefix("Z") || rest.hasPrefix("X") { return false }
    }
    return true
}
