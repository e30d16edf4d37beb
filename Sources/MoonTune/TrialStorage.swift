import Foundation
@_exported import MoonBase

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
    /// How many times the trial was started (the current attempt's lease token).
    public var attempts: Int = 0
    /// The lease (seconds) its current claimer asked for: stale once the heartbeat is older.
    public var lease: Double?

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

/// Who runs a trial: a process on a host.
public struct TrialOwner: Equatable, Sendable {
    public var pid: Int
    public var host: String
    public init(pid: Int, host: String) { self.pid = pid; self.host = host }
    /// This process on this machine.
    public static var current: TrialOwner { TrialOwner(pid: Int(getpid()), host: currentHost()) }
}

/// A claim on a running trial. `attempt` is the trial's attempt count when it was claimed: it
/// changes when another process claims the trial again, so a process whose lease was taken
/// over can no longer write the trial's result, heartbeat or checkpoint.
public struct TrialLease: Hashable, Sendable {
    public var id: Int
    public var attempt: Int
    public init(id: Int, attempt: Int) { self.id = id; self.attempt = attempt }
}

/// Trial state behind one small interface, so that a server database can take SQLite's place
/// for sweeps across machines. Every method is safe to call from several processes (and
/// machines) at once; `claimNext` and `claim` are the only ones that decide who runs a trial,
/// and each is atomic.
///
/// Leases: a claimed trial is `running` with a heartbeat and a lease length (seconds). One whose
/// heartbeat is older than its lease can be claimed again; every write about a running trial
/// names the attempt it was claimed as, and is refused once the trial was claimed again.
public protocol TrialStorage: AnyObject {
    /// Where the storage is, for messages: a path, or a URL with its password hidden.
    var location: String { get }
    /// True when the storage keeps trial checkpoints itself (no shared filesystem needed).
    var holdsCheckpoints: Bool { get }
    /// Records the sweep, or checks that the stored one has the same kind and direction.
    func register(_ sweep: SweepRecord) throws
    func sweeps() throws -> [SweepRecord]
    /// Adds trials that are not stored yet (same sweep and id); stored ones are left alone.
    func add(_ trials: [TrialRecord]) throws
    func trials(sweep: String) throws -> [TrialRecord]
    func trial(sweep: String, id: Int) throws -> TrialRecord?
    /// Claims the lowest-id trial with id <= `upTo` that is pending, or running with an
    /// expired lease; returns it as claimed (running, attempts counted) or nil.
    func claimNext(sweep: String, upTo: Int, owner: TrialOwner, lease: Double) throws -> TrialRecord?
    /// Claims trial `id` if it still has status `expected` and `attempts` (a failed trial to
    /// retry, or a running one whose process is known dead); nil when another got there first.
    func claim(sweep: String, id: Int, owner: TrialOwner, lease: Double,
               expected: TrialStatus, attempts: Int) throws -> TrialRecord?
    /// Records the process now running a claimed trial (the worker the claimer started).
    func reassign(sweep: String, lease: TrialLease, pid: Int) throws
    /// Renews leases; returns the ids of those no longer held (claimed again, or finished).
    func heartbeat(sweep: String, leases: [TrialLease]) throws -> [Int]
    /// Records an attempt's outcome; false (and nothing written) when the lease is not held.
    func finish(sweep: String, lease: TrialLease, _ outcome: TrialOutcome) throws -> Bool
    /// Stores the checkpoint of trial `owner` (the first of a chain of promotions) while
    /// `lease` is held; false (and nothing written) when it is not.
    func saveCheckpoint(sweep: String, owner: Int, lease: TrialLease, data: Data) throws -> Bool
    func loadCheckpoint(sweep: String, owner: Int) throws -> Data?
    /// The storage's clock (seconds since 1970): heartbeats are stamped and compared with it.
    func now() throws -> Double
    func close()
}

extension TrialStorage {
    public var holdsCheckpoints: Bool { false }
    public func saveCheckpoint(sweep: String, owner: Int, lease: TrialLease, data: Data) throws -> Bool {
        throw TuneError(in: "tune", "storage \(location) keeps no checkpoints")
    }
    public func loadCheckpoint(sweep: String, owner: Int) throws -> Data? { nil }
    public func now() throws -> Double { Date().timeIntervalSince1970 }
}

/// The newest schema this program reads and writes (both storages): 2 added trial leases
/// and checkpoints kept in the storage.
public let trialSchemaVersion = 2

/// Opens the storage a `storage=` string names: a `postgresql://` (or `postgres://`) URL, or
/// else the path of a SQLite file.
public func openTrialStorage(_ spec: String) throws -> TrialStorage {
    if StorageURL.isServerURL(spec) { return try PostgresStorage(url: spec) }
    return try SQLiteStorage(path: spec)
}

/// A stored status this program does not know (a damaged file, or one from a newer moonlab)
/// is an error, never a silent default.
func parseStatus(_ raw: String?, trial: Int, in location: String) throws -> TrialStatus {
    guard let raw, let s = TrialStatus(rawValue: raw) else {
        throw TuneError(in: "tune", "storage \(location) holds trial \(trial) with status '\(raw ?? "NULL")', which this moonlab does not know (a damaged storage, or one written by a newer moonlab)")
    }
    return s
}

/// This machine's name, as trials record it: `MOONLAB_HOST` when set (to tell apart
/// containers that share a host name), else the system's host name.
public func currentHost() -> String {
    if let h = ProcessInfo.processInfo.environment["MOONLAB_HOST"], !h.isEmpty { return h }
    return ProcessInfo.processInfo.hostName
}
