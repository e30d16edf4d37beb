import Foundation
import MoonBase
import MoonSQLite

/// Every `fit`, remembered: one row a run in one SQLite file (`MOONLAB_RUNS`, a path or `off`;
/// else `~/.moonlab/runs.db`), so a researcher re-running variants never copies numbers by
/// hand. A row holds the columns a listing filters on and the whole record as JSON (what
/// `RunRecord` builds); Python reads it with `sqlite3` and `json.loads`. Processes finishing
/// together (a sweep's workers) wait their turn on the file (WAL mode, a busy timeout).
public final class RunStore {
    public let path: String
    private let db: SQLiteDatabase
    static let schemaVersion = 1

    static let schema = """
        CREATE TABLE IF NOT EXISTS runs(
          id TEXT PRIMARY KEY, time TEXT NOT NULL, source TEXT NOT NULL, status TEXT NOT NULL,
          seconds REAL, model TEXT, parameters INTEGER, record TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS runs_time ON runs(time);
        """

    /// Where runs go: `MOONLAB_RUNS`, else `~/.moonlab/runs.db`; nil when `MOONLAB_RUNS=off`.
    public static var defaultPath: String? {
        let environment = ProcessInfo.processInfo.environment
        if let chosen = environment["MOONLAB_RUNS"], !chosen.isEmpty {
            return chosen == "off" ? nil : (chosen as NSString).expandingTildeInPath
        }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.moonlab/runs.db"
    }

    public init(path: String) throws {
        self.path = path
        db = try SQLiteDatabase(path: path, label: "run store \(path)", operation: "runs")
        do {
            try db.useWriteAheadLog()
            try db.transaction {
                let version = try db.userVersion()
                if version > Self.schemaVersion {
                    throw MoonError(.state, "run store \(path) has schema \(version), written by a newer moonlab (this one knows up to \(Self.schemaVersion))", operation: "runs")
                }
                try db.exec(Self.schema)
                if version < Self.schemaVersion { try db.exec("PRAGMA user_version = \(Self.schemaVersion)") }
            }
        } catch let e as MoonError where e.kind == .state {
            throw e
        } catch {
            throw MoonError(.io, "run store \(path) is not a usable SQLite file (\(error))", operation: "runs")
        }
    }

    /// The store at `defaultPath`, opened once a process; nil when runs are off.
    nonisolated(unsafe) private static var opened: RunStore?
    public static func shared() throws -> RunStore? {
        guard let path = defaultPath else { return nil }
        if let opened, opened.path == path { return opened }
        let store = try RunStore(path: path)
        opened = store
        return store
    }

    /// Adds a record (`RunRecord.make`).
    public func add(_ run: JSONValue) throws {
        try db.run("INSERT OR REPLACE INTO runs(id, time, source, status, seconds, model, parameters, record) VALUES(?,?,?,?,?,?,?,?)",
                   [.text(run["id"]?.string ?? ""), .text(run["time"]?.string ?? ""), .text(run["source"]?.string ?? ""),
                    .text(run["status"]?.string ?? ""), run["seconds"]?.number.map { .real($0) } ?? .null,
                    run["model"]?["kind"]?.string.map { .text($0) } ?? .null,
                    run["model"]?["parameters"]?.int.map { .int($0) } ?? .null, .text(run.encoded)])
    }

    /// The runs that `filter` selects in the order they were recorded (the last `filter.last`).
    public func runs(_ filter: RunFilter = RunFilter()) throws -> [JSONValue] {
        var conditions: [String] = [], args: [SQLiteDatabase.Bind] = []
        if let s = filter.source { conditions.append("instr(source, ?) > 0"); args.append(.text(s)) }
        if let m = filter.model { conditions.append("model = ?"); args.append(.text(m)) }
        if let s = filter.status { conditions.append("status = ?"); args.append(.text(s)) }
        if let t = filter.since { conditions.append("time >= ?"); args.append(.text(t)) }
        let condition = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        args.append(.int(filter.last.map { max(0, $0) } ?? -1))
        let rows = try db.query("SELECT record FROM runs\(condition) ORDER BY rowid DESC LIMIT ?", args) { $0.text(0) ?? "" }
        return rows.reversed().compactMap { try? JSONValue.parse($0) }
    }

    /// The run whose id starts with `id`, or the `-k`-th from the end (`-1`: the last run).
    public func find(_ id: String) throws -> JSONValue? {
        if let k = Int(id), k < 0 {
            let last = try runs(RunFilter(last: -k))
            return last.count == -k ? last.first : nil
        }
        let rows = try db.query("SELECT record FROM runs WHERE substr(id, 1, ?) = ? ORDER BY rowid DESC LIMIT 2",
                                [.int(id.count), .text(id)]) { $0.text(0) ?? "" }
        guard rows.count <= 1 else {
            throw MoonError(in: "runs", "several runs start with '\(id)'; give more of the id")
        }
        return try rows.first.map { try JSONValue.parse($0) }
    }

    /// Deletes the runs whose ids are given (whole ids); returns how many went.
    @discardableResult
    public func delete(_ ids: [String]) throws -> Int {
        var count = 0
        try db.transaction {
            for id in ids {
                try db.run("DELETE FROM runs WHERE id = ?", [.text(id)])
                count += db.changes
            }
        }
        return count
    }

    /// Keeps the newest `keep` runs and deletes the others; returns how many went.
    @discardableResult
    public func prune(keep: Int) throws -> Int {
        try db.run("DELETE FROM runs WHERE id NOT IN (SELECT id FROM runs ORDER BY rowid DESC LIMIT ?)", [.int(max(0, keep))])
        return db.changes
    }
}

/// Which runs a listing shows (`runs.list{...}`, `moonlab runs list`).
public struct RunFilter: Options {
    public var last: Int? = 20
    public var source: String? = nil
    public var model: String? = nil
    public var status: String? = nil
    public var since: String? = nil
    public init() {}
    public init(last: Int?) { self.last = last }
    public static var fields: [OptionField<RunFilter>] {
        [OptionField("n", \.last, "the newest n runs (nil: all)"),
         OptionField("source", \.source, "runs whose script path contains this text (\"repl\": the REPL's)"),
         OptionField("model", \.model, "runs of this model kind (Sequential, Model)"),
         OptionField("status", \.status, "done, interrupted or failed"),
         OptionField("since", \.since, "runs started at or after this time (ISO 8601, e.g. \"2026-12-07\")")]
    }
}
