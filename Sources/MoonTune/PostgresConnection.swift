import CMoonPQ
import CPostgres
import Foundation

/// One libpq connection, with parameters sent separately from the SQL (text, or binary for
/// `bytea`) and results read as text. A connection that breaks (the server restarted, the
/// network went away) is re-opened with exponential backoff for up to `retryWindow` seconds,
/// and the failed operation is run again from its start; then the error names the storage.
final class PostgresConnection {
    enum Param {
        case text(String)
        case int(Int)
        case real(Double)
        case bytes(Data)
        case null
    }

    struct Rows {
        let result: OpaquePointer
        var count: Int { Int(PQntuples(result)) }
        func isNull(_ row: Int, _ col: Int) -> Bool { PQgetisnull(result, Int32(row), Int32(col)) == 1 }
        func text(_ row: Int, _ col: Int) -> String? {
            isNull(row, col) ? nil : String(cString: PQgetvalue(result, Int32(row), Int32(col)))
        }
        func int(_ row: Int, _ col: Int) -> Int? { text(row, col).flatMap { Int($0) } }
        func real(_ row: Int, _ col: Int) -> Double? { text(row, col).flatMap { Double($0) } }
        /// A column fetched in binary format (`bytea`).
        func bytes(_ row: Int, _ col: Int) -> Data? {
            guard !isNull(row, col), let p = PQgetvalue(result, Int32(row), Int32(col)) else { return nil }
            return Data(bytes: p, count: Int(PQgetlength(result, Int32(row), Int32(col))))
        }
    }

    let url: String
    /// The URL as messages show it (no password).
    let location: String
    var retryWindow: Double
    private var conn: OpaquePointer?

    init(url: String, retryWindow: Double) throws {
        self.url = url
        self.location = StorageURL.redacted(url)
        self.retryWindow = retryWindow
        try withRetry { _ in }
    }

    deinit { close() }

    func close() {
        if let conn { PQfinish(conn) }
        conn = nil
    }

    /// Why an operation failed: the connection (retried) or the statement (not retried).
    struct Failure: Error {
        let message: String
        let connection: Bool
    }

    private func scrub(_ s: String) -> String {
        StorageURL.scrub(s.trimmingCharacters(in: .whitespacesAndNewlines), for: url)
    }

    private func connect() throws -> OpaquePointer {
        if let conn, PQstatus(conn) == CONNECTION_OK { return conn }
        close()
        guard moon_pq_available() != 0 else {
            throw TuneError(in: "tune", "PostgreSQL storage needs the libpq library (libpq.so.5), which could not be loaded: install Debian's libpq5 (scripts/setup does)")
        }
        // A connection string of libpq's own keywords: the URL, plus a timeout so an
        // unreachable host fails in seconds rather than minutes.
        let keyNames: [String] = ["dbname", "connect_timeout", "application_name"]
        let valueTexts: [String] = [url, "10", "moonlab"]
        let keys: [UnsafeMutablePointer<CChar>?] = keyNames.map { strdup($0) } + [nil]
        let values: [UnsafeMutablePointer<CChar>?] = valueTexts.map { strdup($0) } + [nil]
        defer { for p in keys + values { free(p) } }
        let opened = keys.map { $0.map { UnsafePointer($0) } }.withUnsafeBufferPointer { k in
            values.map { $0.map { UnsafePointer($0) } }.withUnsafeBufferPointer { v in
                PQconnectdbParams(k.baseAddress, v.baseAddress, 1)
            }
        }
        guard let c = opened else { throw Failure(message: "out of memory", connection: true) }
        guard PQstatus(c) == CONNECTION_OK else {
            let msg = scrub(String(cString: PQerrorMessage(c)))
            PQfinish(c)
            throw Failure(message: msg, connection: true)
        }
        // Notices (CREATE TABLE IF NOT EXISTS of an existing table) are not for the user.
        PQsetNoticeProcessor(c, { _, _ in }, nil)
        conn = c
        return c
    }

    /// Runs `body` on a live connection, re-opening it and running `body` again while the
    /// failure is the connection's, for up to `retryWindow` seconds (backoff 0.1 s doubling to 5 s).
    func withRetry<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        let start = Date()
        var delay = 0.1
        var tries = 0
        while true {
            tries += 1
            do {
                return try body(try connect())
            } catch let f as Failure where f.connection {
                close()
                let waited = Date().timeIntervalSince(start)
                if waited + delay > retryWindow {
                    throw TuneError(in: "tune", "storage \(location) is unreachable (\(tries) tr\(tries == 1 ? "y" : "ies") over \(Int(waited.rounded())) s): \(f.message)")
                }
                usleep(useconds_t(delay * 1_000_000))
                delay = min(delay * 2, 5)
            } catch let f as Failure {
                throw TuneError(in: "tune", "storage \(location): \(f.message)")
            }
        }
    }

    /// Runs one statement; `binaryResults` fetches columns in binary (for `bytea`).
    @discardableResult
    func execute(_ c: OpaquePointer, _ sql: String, _ params: [Param] = [], binaryResults: Bool = false) throws -> Rows {
        var values: [UnsafeMutablePointer<CChar>?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        defer { for v in values { free(v) } }
        for p in params {
            switch p {
            case .null: values.append(nil); lengths.append(0); formats.append(0)
            case .text(let s): values.append(strdup(s)); lengths.append(0); formats.append(0)
            case .int(let i): values.append(strdup(String(i))); lengths.append(0); formats.append(0)
            case .real(let d): values.append(strdup(Self.format(d))); lengths.append(0); formats.append(0)
            case .bytes(let data):
                let buf = UnsafeMutablePointer<CChar>.allocate(capacity: max(data.count, 1))
                data.withUnsafeBytes { raw in
                    if let base = raw.baseAddress { buf.update(from: base.assumingMemoryBound(to: CChar.self), count: data.count) }
                }
                // Freed with free() below: allocate() is malloc on Linux.
                values.append(buf); lengths.append(Int32(data.count)); formats.append(1)
            }
        }
        let result = values.withUnsafeBufferPointer { v in
            v.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: max(values.count, 1)) { vp in
                PQexecParams(c, sql, Int32(params.count), nil, params.isEmpty ? nil : vp, lengths, formats, binaryResults ? 1 : 0)
            }
        }
        guard let result else {
            throw Failure(message: scrub(String(cString: PQerrorMessage(c))), connection: PQstatus(c) != CONNECTION_OK)
        }
        let status = PQresultStatus(result)
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK {
            let rows = Rows(result: result)
            retained.append(result)
            return rows
        }
        let message = scrub(String(cString: PQresultErrorMessage(result)))
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
        PQclear(result)
        // Class 08: connection exceptions; 57P01-57P03: the server is shutting down or starting.
        let broken = PQstatus(c) != CONNECTION_OK || state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
        throw Failure(message: message, connection: broken)
    }

    /// Results of the current operation, cleared by `release()`.
    private var retained: [OpaquePointer] = []

    func release() {
        for r in retained { PQclear(r) }
        retained.removeAll()
    }

    /// Runs `body` inside BEGIN ... COMMIT, retried as a whole on a broken connection.
    func transaction<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        try withRetry { c in
            defer { release() }
            try execute(c, "BEGIN")
            do {
                let value = try body(c)
                try execute(c, "COMMIT")
                return value
            } catch {
                _ = PQexec(c, "ROLLBACK").map { PQclear($0) }
                throw error
            }
        }
    }

    /// One statement outside a transaction, retried on a broken connection.
    func run<T>(_ sql: String, _ params: [Param] = [], binaryResults: Bool = false, _ read: (Rows) throws -> T) throws -> T {
        try withRetry { c in
            defer { release() }
            return try read(try execute(c, sql, params, binaryResults: binaryResults))
        }
    }

    /// A double as PostgreSQL reads it (Infinity and NaN spelled its way).
    static func format(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        return "\(d)"
    }
}
