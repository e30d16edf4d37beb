import Foundation

/// Trial storage in a PostgreSQL database (libpq), for sweeps that span machines: any number
/// of processes on any number of hosts share one sweep through it. Tables are prefixed
/// `moonlab_` so they can live beside others; they are created on first use, under an
/// advisory lock so that processes starting together create them once, and carry a schema
/// version that a newer moonlab raises (an older one then refuses the database).
///
/// Claims are single statements that lock the row they take (`FOR UPDATE SKIP LOCKED`), so
/// concurrent claimers never take the same trial and never wait on each other. Heartbeats and
/// lease expiry use the server's clock, so hosts whose clocks disagree still agree on leases.
/// Checkpoints are kept in the database (`moonlab_checkpoints`), so a trial taken over by
/// another machine continues from its last stored epoch without a shared filesystem.
public final class PostgresStorage: TrialStorage {
    public let url: String
    public var location: String { connection.location }
    public var holdsCheckpoints: Bool { true }
    let connection: PostgresConnection

    /// `retryWindow`: how long a broken connection is retried before an operation fails
    /// (`MOONLAB_STORAGE_RETRY` seconds, default 120).
    public init(url: String, retryWindow: Double? = nil) throws {
        self.url = url
        let env = ProcessInfo.processInfo.environment["MOONLAB_STORAGE_RETRY"].flatMap(Double.init)
        connection = try PostgresConnection(url: url, retryWindow: retryWindow ?? env ?? 120)
        try migrate()
    }

    public func close() { connection.close() }

    static let schema = """
        CREATE TABLE IF NOT EXISTS moonlab_schema(version INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS moonlab_sweeps(
          id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
          direction TEXT NOT NULL, space TEXT NOT NULL, created DOUBLE PRECISION NOT NULL);
        CREATE TABLE IF NOT EXISTS moonlab_trials(
          sweep TEXT NOT NULL, id INTEGER NOT NULL, config TEXT NOT NULL,
          budget INTEGER, parent INTEGER,
          status TEXT NOT NULL DEFAULT 'pending', score DOUBLE PRECISION, extras TEXT, error TEXT,
          started DOUBLE PRECISION, finished DOUBLE PRECISION, seconds DOUBLE PRECISION,
          heartbeat DOUBLE PRECISION, pid INTEGER, host TEXT, attempts INTEGER NOT NULL DEFAULT 0,
          lease DOUBLE PRECISION, PRIMARY KEY(sweep, id));
        CREATE TABLE IF NOT EXISTS moonlab_checkpoints(
          sweep TEXT NOT NULL, owner INTEGER NOT NULL, data BYTEA NOT NULL,
          updated DOUBLE PRECISION NOT NULL, PRIMARY KEY(sweep, owner));
        """
    /// The advisory lock key under which the schema is created (any fixed number).
    static let schemaLock = 0x6D6F6F6E6C6162

    /// The server's clock, in SQL.
    static let clock = "extract(epoch from clock_timestamp())::double precision"

    private func migrate() throws {
        try connection.transaction { c in
            try connection.execute(c, "SELECT pg_advisory_xact_lock($1)", [.int(Self.schemaLock)])
            for statement in Self.schema.split(separator: ";") where !statement.allSatisfy(\.isWhitespace) {
                try connection.execute(c, String(statement))
            }
            let stored = try connection.execute(c, "SELECT max(version) FROM moonlab_schema").int(0, 0)
            if let stored, stored > trialSchemaVersion {
                throw TuneError(in: "tune", "storage \(location) has trial schema \(stored), written by a newer moonlab (this one knows up to \(trialSchemaVersion)): use a newer moonlab or another database")
            }
            if stored == nil {
                try connection.execute(c, "INSERT INTO moonlab_schema(version) VALUES($1)", [.int(trialSchemaVersion)])
            } else if stored! < trialSchemaVersion {
                try connection.execute(c, "UPDATE moonlab_schema SET version = $1", [.int(trialSchemaVersion)])
            }
        }
    }

    // MARK: TrialStorage

    public func register(_ sweep: SweepRecord) throws {
        if let old = try sweeps().first(where: { $0.id == sweep.id }) {
            guard old.kind == sweep.kind, old.direction == sweep.direction else {
                throw TuneError(in: "tune", "storage \(location) already holds sweep '\(sweep.id)' as a \(old.kind) sweep with direction \"\(old.direction)\"; this call is a \(sweep.kind) sweep with direction \"\(sweep.direction)\" (use another name= or storage)")
            }
            return
        }
        try connection.run("""
            INSERT INTO moonlab_sweeps(id, name, kind, direction, space, created) VALUES($1,$2,$3,$4,$5,$6)
            ON CONFLICT (id) DO NOTHING
            """, [.text(sweep.id), .text(sweep.name), .text(sweep.kind), .text(sweep.direction), .text(sweep.space), .real(sweep.created)]) { _ in }
    }

    public func sweeps() throws -> [SweepRecord] {
        try connection.run("SELECT id, name, kind, direction, space, created FROM moonlab_sweeps ORDER BY created, id") { r in
            (0..<r.count).map { i in
                SweepRecord(id: r.text(i, 0) ?? "", name: r.text(i, 1) ?? "", kind: r.text(i, 2) ?? "",
                            direction: r.text(i, 3) ?? "max", space: r.text(i, 4) ?? "{}", created: r.real(i, 5) ?? 0)
            }
        }
    }

    public func add(_ trials: [TrialRecord]) throws {
        guard !trials.isEmpty else { return }
        // One statement for the whole batch: arrays unnested into rows.
        try connection.run("""
            INSERT INTO moonlab_trials(sweep, id, config, budget, parent)
            SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::int[], $5::int[])
            ON CONFLICT (sweep, id) DO NOTHING
            """, [.text(Self.array(trials.map(\.sweep))), .text(Self.array(trials.map { String($0.id) })),
                  .text(Self.array(trials.map(\.config.encoded))), .text(Self.array(trials.map { $0.budget.map(String.init) })),
                  .text(Self.array(trials.map { $0.parent.map(String.init) }))]) { _ in }
    }

    static let columns = "sweep, id, config, budget, parent, status, score, extras, error, started, finished, seconds, heartbeat, pid, host, attempts, lease"

    public func trials(sweep: String) throws -> [TrialRecord] {
        try connection.run("SELECT \(Self.columns) FROM moonlab_trials WHERE sweep = $1 ORDER BY id", [.text(sweep)]) { r in
            try (0..<r.count).map { try record(r, $0) }
        }
    }

    public func trial(sweep: String, id: Int) throws -> TrialRecord? {
        try connection.run("SELECT \(Self.columns) FROM moonlab_trials WHERE sweep = $1 AND id = $2", [.text(sweep), .int(id)]) { r in
            r.count == 0 ? nil : try record(r, 0)
        }
    }

    /// The SET clause of a claim: $1 pid, $2 host, $3 lease.
    static let markRunning = """
        status = 'running', pid = $1, host = $2, started = \(clock), heartbeat = \(clock), lease = $3,
        finished = NULL, attempts = attempts + 1, error = NULL
        """

    public func claimNext(sweep: String, upTo: Int, owner: TrialOwner, lease: Double) throws -> TrialRecord? {
        try connection.run("""
            UPDATE moonlab_trials SET \(Self.markRunning)
            WHERE (sweep, id) = (
              SELECT sweep, id FROM moonlab_trials
              WHERE sweep = $4 AND id <= $5 AND (status = 'pending' OR
                (status = 'running' AND COALESCE(heartbeat, 0) + COALESCE(lease, 120) < \(Self.clock)))
              ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING \(Self.columns)
            """, [.int(owner.pid), .text(owner.host), .real(lease), .text(sweep), .int(upTo)]) { r in
            r.count == 0 ? nil : try record(r, 0)
        }
    }

    public func claim(sweep: String, id: Int, owner: TrialOwner, lease: Double,
                      expected: TrialStatus, attempts: Int) throws -> TrialRecord? {
        try connection.run("""
            UPDATE moonlab_trials SET \(Self.markRunning)
            WHERE sweep = $4 AND id = $5 AND status = $6 AND attempts = $7
            RETURNING \(Self.columns)
            """, [.int(owner.pid), .text(owner.host), .real(lease), .text(sweep), .int(id), .text(expected.rawValue), .int(attempts)]) { r in
            r.count == 0 ? nil : try record(r, 0)
        }
    }

    public func reassign(sweep: String, lease: TrialLease, pid: Int) throws {
        try connection.run("UPDATE moonlab_trials SET pid = $1 WHERE sweep = $2 AND id = $3 AND attempts = $4 AND status = 'running'",
                           [.int(pid), .text(sweep), .int(lease.id), .int(lease.attempt)]) { _ in }
    }

    public func heartbeat(sweep: String, leases: [TrialLease]) throws -> [Int] {
        guard !leases.isEmpty else { return [] }
        let renewed: Set<Int> = try connection.run("""
            UPDATE moonlab_trials t SET heartbeat = \(Self.clock)
            FROM unnest($2::int[], $3::int[]) AS l(id, attempt)
            WHERE t.sweep = $1 AND t.id = l.id AND t.attempts = l.attempt AND t.status = 'running'
            RETURNING t.id
            """, [.text(sweep), .text(Self.array(leases.map { String($0.id) })), .text(Self.array(leases.map { String($0.attempt) }))]) { r in
            Set((0..<r.count).compactMap { r.int($0, 0) })
        }
        return leases.map(\.id).filter { !renewed.contains($0) }
    }

    public func finish(sweep: String, lease: TrialLease, _ outcome: TrialOutcome) throws -> Bool {
        // The outcome's columns are $1...$3; the lease that must still be held, $4...$6.
        let set: String
        let values: [PostgresConnection.Param]
        switch outcome {
        case let .done(score, extras, seconds):
            set = "status = 'done', score = $1, extras = $2, error = NULL, seconds = $3"
            values = [.real(score), extras.map { .text($0.encoded) } ?? .null, .real(seconds)]
        case let .failed(error, seconds):
            set = "status = 'failed', score = NULL, extras = NULL, error = $1, seconds = $2, lease = $3"
            values = [.text(StorageURL.scrub(error, for: url)), seconds.map { .real($0) } ?? .null, .null]
        }
        return try connection.run("""
            UPDATE moonlab_trials SET \(set), finished = \(Self.clock), heartbeat = \(Self.clock)
            WHERE sweep = $4 AND id = $5 AND attempts = $6 AND status = 'running' RETURNING id
            """, values + [.text(sweep), .int(lease.id), .int(lease.attempt)]) { $0.count == 1 }
    }

    public func saveCheckpoint(sweep: String, owner: Int, lease: TrialLease, data: Data) throws -> Bool {
        try connection.run("""
            INSERT INTO moonlab_checkpoints(sweep, owner, data, updated)
            SELECT $1, $2, $3, \(Self.clock)
            WHERE EXISTS (SELECT 1 FROM moonlab_trials WHERE sweep = $1 AND id = $4 AND attempts = $5 AND status = 'running')
            ON CONFLICT (sweep, owner) DO UPDATE SET data = EXCLUDED.data, updated = EXCLUDED.updated
            RETURNING owner
            """, [.text(sweep), .int(owner), .bytes(data), .int(lease.id), .int(lease.attempt)]) { $0.count == 1 }
    }

    public func loadCheckpoint(sweep: String, owner: Int) throws -> Data? {
        try connection.run("SELECT data FROM moonlab_checkpoints WHERE sweep = $1 AND owner = $2",
                           [.text(sweep), .int(owner)], binaryResults: true) { r in
            r.count == 0 ? nil : r.bytes(0, 0)
        }
    }

    public func now() throws -> Double {
        try connection.run("SELECT \(Self.clock)") { $0.real(0, 0) ?? Date().timeIntervalSince1970 }
    }

    // MARK: rows

    func record(_ r: PostgresConnection.Rows, _ i: Int) throws -> TrialRecord {
        let id = r.int(i, 1) ?? 0
        var t = TrialRecord(sweep: r.text(i, 0) ?? "", id: id,
                            config: (try? JSONValue.parse(r.text(i, 2) ?? "{}")) ?? .object([]),
                            budget: r.int(i, 3), parent: r.int(i, 4))
        t.status = try parseStatus(r.text(i, 5), trial: id, in: location)
        t.score = r.real(i, 6)
        t.extras = r.text(i, 7).flatMap { try? JSONValue.parse($0) }
        t.error = r.text(i, 8)
        t.started = r.real(i, 9)
        t.finished = r.real(i, 10)
        t.seconds = r.real(i, 11)
        t.heartbeat = r.real(i, 12)
        t.pid = r.int(i, 13)
        t.host = r.text(i, 14)
        t.attempts = r.int(i, 15) ?? 0
        t.lease = r.real(i, 16)
        return t
    }

    /// A PostgreSQL array literal of text items (nil: NULL), every item quoted.
    static func array(_ items: [String?]) -> String {
        "{" + items.map { item in
            guard let item else { return "NULL" }
            return "\"" + item.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }.joined(separator: ",") + "}"
    }
}
