import Foundation
import MoonBase
import MoonSQLite

/// Trial storage in one SQLite file (the system libsqlite3): WAL mode, so readers never block
/// the writer, and a busy timeout, so worker processes finishing at the same moment wait
/// their turn instead of failing. One row a trial in `trials`, one a sweep in `sweeps`; the
/// schema version in `PRAGMA user_version`. Checkpoints stay files (`holdsCheckpoints` false):
/// one SQLite file serves the processes of one machine, or of machines sharing a filesystem.
public final class SQLiteStorage: TrialStorage {
    public let path: String
    public var location: String { path }
    private let db: SQLiteDatabase

    static let schema = """
        CREATE TABLE IF NOT EXISTS sweeps(
          id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
          direction TEXT NOT NULL, space TEXT NOT NULL, created REAL NOT NULL);
        CREATE TABLE IF NOT EXISTS trials(
          sweep TEXT NOT NULL, id INTEGER NOT NULL, config TEXT NOT NULL,
          budget INTEGER, parent INTEGER,
          status TEXT NOT NULL DEFAULT 'pending', score REAL, extras TEXT, error TEXT,
          started REAL, finished REAL, seconds REAL, heartbeat REAL,
          pid INTEGER, host TEXT, attempts INTEGER NOT NULL DEFAULT 0, lease REAL,
          PRIMARY KEY(sweep, id));
        """

    public init(path: String, busyTimeoutMilliseconds: Int32 = 30_000) throws {
        self.path = path
        let db = try SQLiteDatabase(path: path, label: "storage \(path)", operation: "tune", busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        self.db = db
        do {
            try db.useWriteAheadLog()
            try db.transaction { try migrate() }
        } catch let e as TuneError where e.kind == .state {   // a storage from a newer moonlab
            db.close()
            throw e
        } catch {
            db.close()
            throw TuneError(in: "tune", "storage \(path) is not a usable SQLite file (\(error))")
        }
    }

    /// Creates the tables, or brings a file of schema 1 (no `lease` column, version 0) up to
    /// date; refuses a file from a newer moonlab.
    private func migrate() throws {
        let version = try db.userVersion()
        if version > trialSchemaVersion {
            throw TuneError(.state, "storage \(path) has trial schema \(version), written by a newer moonlab (this one knows up to \(trialSchemaVersion)): use a newer moonlab or another storage", operation: "tune")
        }
        try db.exec(Self.schema)
        let columns = try db.query("PRAGMA table_info(trials)", []) { $0.text(1) ?? "" }
        if !columns.contains("lease") { try db.exec("ALTER TABLE trials ADD COLUMN lease REAL") }
        if version < trialSchemaVersion { try db.exec("PRAGMA user_version = \(trialSchemaVersion)") }
    }

    public func close() { db.close() }

    // MARK: TrialStorage

    public func register(_ sweep: SweepRecord) throws {
        if let old = try sweeps().first(where: { $0.id == sweep.id }) {
            guard old.kind == sweep.kind, old.direction == sweep.direction else {
                throw TuneError(in: "tune", "storage \(path) already holds sweep '\(sweep.id)' as a \(old.kind) sweep with direction \"\(old.direction)\"; this call is a \(sweep.kind) sweep with direction \"\(sweep.direction)\" (use another name= or storage)")
            }
            return
        }
        try db.run("INSERT OR IGNORE INTO sweeps(id, name, kind, direction, space, created) VALUES(?,?,?,?,?,?)",
                [.text(sweep.id), .text(sweep.name), .text(sweep.kind), .text(sweep.direction), .text(sweep.space), .real(sweep.created)])
    }

    public func sweeps() throws -> [SweepRecord] {
        try db.query("SELECT id, name, kind, direction, space, created FROM sweeps ORDER BY created, id", []) { s in
            SweepRecord(id: s.text(0) ?? "", name: s.text(1) ?? "", kind: s.text(2) ?? "", direction: s.text(3) ?? "max",
                        space: s.text(4) ?? "{}", created: s.real(5) ?? 0)
        }
    }

    public func add(_ trials: [TrialRecord]) throws {
        try db.transaction {
            for t in trials {
                try db.run("INSERT OR IGNORE INTO trials(sweep, id, config, budget, parent) VALUES(?,?,?,?,?)",
                        [.text(t.sweep), .int(t.id), .text(t.config.encoded), t.budget.map { .int($0) } ?? .null,
                         t.parent.map { .int($0) } ?? .null])
            }
        }
    }

    static let columns = "sweep, id, config, budget, parent, status, score, extras, error, started, finished, seconds, heartbeat, pid, host, attempts, lease"

    public func trials(sweep: String) throws -> [TrialRecord] {
        try db.query("SELECT \(Self.columns) FROM trials WHERE sweep = ? ORDER BY id", [.text(sweep)], record)
    }

    public func trial(sweep: String, id: Int) throws -> TrialRecord? {
        try db.query("SELECT \(Self.columns) FROM trials WHERE sweep = ? AND id = ?", [.text(sweep), .int(id)], record).first
    }

    /// A running trial's lease is over when heartbeat + lease < now (a row from schema 1 has no
    /// lease: the old fixed 120 s).
    static let expired = "(status = 'running' AND COALESCE(heartbeat, 0) + COALESCE(lease, 120) < ?)"

    public func claimNext(sweep: String, upTo: Int, owner: TrialOwner, lease: Double) throws -> TrialRecord? {
        var claimed: TrialRecord?
        try db.transaction {
            let now = Date().timeIntervalSince1970
            let ids = try db.query("SELECT id FROM trials WHERE sweep = ? AND id <= ? AND (status = 'pending' OR \(Self.expired)) ORDER BY id LIMIT 1",
                                [.text(sweep), .int(upTo), .real(now)]) { $0.int(0) ?? 0 }
            guard let id = ids.first else { return }
            try markRunning(sweep: sweep, id: id, owner: owner, lease: lease, now: now, condition: "", [])
            claimed = try trial(sweep: sweep, id: id)
        }
        return claimed
    }

    public func claim(sweep: String, id: Int, owner: TrialOwner, lease: Double,
                      expected: TrialStatus, attempts: Int) throws -> TrialRecord? {
        var claimed: TrialRecord?
        try db.transaction {
            let now = Date().timeIntervalSince1970
            try markRunning(sweep: sweep, id: id, owner: owner, lease: lease, now: now,
                            condition: " AND status = ? AND attempts = ?", [.text(expected.rawValue), .int(attempts)])
            if db.changes == 1 { claimed = try trial(sweep: sweep, id: id) }
        }
        return claimed
    }

    private func markRunning(sweep: String, id: Int, owner: TrialOwner, lease: Double, now: Double,
                             condition: String, _ extra: [SQLiteDatabase.Bind]) throws {
        try db.run("""
            UPDATE trials SET status = 'running', pid = ?, host = ?, started = ?, heartbeat = ?, lease = ?,
              finished = NULL, attempts = attempts + 1, error = NULL
            WHERE sweep = ? AND id = ?\(condition)
            """, [.int(owner.pid), .text(owner.host), .real(now), .real(now), .real(lease), .text(sweep), .int(id)] + extra)
    }

    public func reassign(sweep: String, lease: TrialLease, pid: Int) throws {
        try db.run("UPDATE trials SET pid = ? WHERE sweep = ? AND id = ? AND attempts = ? AND status = 'running'",
                [.int(pid), .text(sweep), .int(lease.id), .int(lease.attempt)])
    }

    public func heartbeat(sweep: String, leases: [TrialLease]) throws -> [Int] {
        guard !leases.isEmpty else { return [] }
        var lost: [Int] = []
        try db.transaction {
            let now = Date().timeIntervalSince1970
            for l in leases {
                try db.run("UPDATE trials SET heartbeat = ? WHERE sweep = ? AND id = ? AND attempts = ? AND status = 'running'",
                        [.real(now), .text(sweep), .int(l.id), .int(l.attempt)])
                if db.changes == 0 { lost.append(l.id) }
            }
        }
        return lost
    }

    public func finish(sweep: String, lease: TrialLease, _ outcome: TrialOutcome) throws -> Bool {
        let now = Date().timeIntervalSince1970
        let held = " WHERE sweep = ? AND id = ? AND attempts = ? AND status = 'running'"
        let key: [SQLiteDatabase.Bind] = [.text(sweep), .int(lease.id), .int(lease.attempt)]
        switch outcome {
        case let .done(score, extras, seconds):
            try db.run("UPDATE trials SET status = 'done', score = ?, extras = ?, error = NULL, finished = ?, seconds = ?, heartbeat = ?" + held,
                    [.real(score), extras.map { .text($0.encoded) } ?? .null, .real(now), .real(seconds), .real(now)] + key)
        case let .failed(error, seconds):
            try db.run("UPDATE trials SET status = 'failed', score = NULL, error = ?, finished = ?, seconds = ?, heartbeat = ?" + held,
                    [.text(error), .real(now), seconds.map { .real($0) } ?? .null, .real(now)] + key)
        }
        return db.changes == 1
    }

    // MARK: rows

    typealias Row = SQLiteDatabase.Row

    func record(_ r: Row) throws -> TrialRecord {
        let id = r.int(1) ?? 0
        var t = TrialRecord(sweep: r.text(0) ?? "", id: id,
                            config: (try? JSONValue.parse(r.text(2) ?? "{}")) ?? .object([]),
                            budget: r.int(3), parent: r.int(4))
        t.status = try parseStatus(r.text(5), trial: id, in: path)
        t.score = r.real(6)
        t.extras = r.text(7).flatMap { try? JSONValue.parse($0) }
        t.error = r.text(8)
        t.started = r.real(9)
        t.finished = r.real(10)
        t.seconds = r.real(11)
        t.heartbeat = r.real(12)
        t.pid = r.int(13)
        t.host = r.text(14)
        t.attempts = r.int(15) ?? 0
        t.lease = r.real(16)
        return t
    }
}
