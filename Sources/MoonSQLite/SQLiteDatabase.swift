import CSQLite
import Foundation
import MoonBase

/// One SQLite file (the system libsqlite3), as moonlab's stores use it: WAL mode, so readers
/// never block the writer; a busy timeout, so processes writing at the same moment wait their
/// turn; statements with bound values only. Errors are `MoonError`s of `operation` that name
/// the file as `label` says (`storage runs.db: database is locked`).
public final class SQLiteDatabase {
    public let path: String
    let label: String
    let operation: String
    private var db: OpaquePointer?

    /// A value bound to a `?` of a statement.
    public enum Bind { case int(Int), real(Double), text(String), null }

    /// One result row; columns by position from 0.
    public struct Row {
        let stmt: OpaquePointer
        public func isNull(_ i: Int32) -> Bool { sqlite3_column_type(stmt, i) == SQLITE_NULL }
        public func int(_ i: Int32) -> Int? { isNull(i) ? nil : Int(sqlite3_column_int64(stmt, i)) }
        public func real(_ i: Int32) -> Double? { isNull(i) ? nil : sqlite3_column_double(stmt, i) }
        public func text(_ i: Int32) -> String? {
            guard !isNull(i), let p = sqlite3_column_text(stmt, i) else { return nil }
            return String(cString: p)
        }
    }

    /// Opens (creating it and its folder when missing) the file at `path`.
    public init(path: String, label: String, operation: String, busyTimeoutMilliseconds: Int32 = 30_000) throws {
        (self.path, self.label, self.operation) = (path, label, operation)
        let dir = PathText.folder(of: path)
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nil)
        guard rc == SQLITE_OK, let handle else {
            let msg = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            throw MoonError(.io, "cannot open \(label): \(msg)", operation: operation)
        }
        db = handle
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
    }

    deinit { close() }

    public func close() {
        if let db { sqlite3_close(db) }
        db = nil
    }

    /// Sets WAL mode and NORMAL synchronisation (safe with WAL; no fsync a commit).
    public func useWriteAheadLog() throws {
        try exec("PRAGMA journal_mode=WAL")
        try exec("PRAGMA synchronous=NORMAL")
    }

    /// `PRAGMA user_version`: the schema version a store keeps in the file.
    public func userVersion() throws -> Int { try query("PRAGMA user_version", []) { $0.int(0) ?? 0 }.first ?? 0 }

    private func message() -> String { db.map { String(cString: sqlite3_errmsg($0)) } ?? "closed" }

    private func failure(_ msg: String) -> MoonError { MoonError(.io, "\(label): \(msg)", operation: operation) }

    /// Runs SQL text without bound values (schema, pragmas, transactions).
    public func exec(_ sql: String) throws {
        guard let db else { throw failure("closed") }
        var err: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(db, sql, nil, nil, &err) != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? message()
            sqlite3_free(err)
            throw failure(msg)
        }
    }

    /// Runs `body` in one immediate transaction: committed when it returns, rolled back when it throws.
    public func transaction(_ body: () throws -> Void) throws {
        try exec("BEGIN IMMEDIATE")
        do {
            try body()
            try exec("COMMIT")
        } catch {
            try? exec("ROLLBACK")
            throw error
        }
    }

    private func prepare(_ sql: String, _ args: [Bind]) throws -> OpaquePointer {
        guard let db else { throw failure("closed") }
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else { throw failure(message()) }
        // SQLITE_TRANSIENT: SQLite copies the text before bind returns.
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (i, a) in args.enumerated() {
            let k = Int32(i + 1)
            switch a {
            case .int(let v): sqlite3_bind_int64(stmt, k, sqlite3_int64(v))
            case .real(let v): sqlite3_bind_double(stmt, k, v)
            case .text(let v): sqlite3_bind_text(stmt, k, v, -1, transient)
            case .null: sqlite3_bind_null(stmt, k)
            }
        }
        return stmt
    }

    /// Runs one statement.
    public func run(_ sql: String, _ args: [Bind]) throws {
        let stmt = try prepare(sql, args)
        defer { sqlite3_finalize(stmt) }
        let rc = sqlite3_step(stmt)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw failure(message()) }
    }

    /// Rows changed by the last statement.
    public var changes: Int { db.map { Int(sqlite3_changes($0)) } ?? 0 }

    /// Runs a query and reads each row with `read`.
    public func query<T>(_ sql: String, _ args: [Bind], _ read: (Row) throws -> T) throws -> [T] {
        let stmt = try prepare(sql, args)
        defer { sqlite3_finalize(stmt) }
        var out: [T] = []
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw failure(message()) }
            out.append(try read(Row(stmt: stmt)))
        }
        return out
    }
}
