import Foundation
@testable import MoonTune

/// The storages the storage tests run against: a SQLite file always, and PostgreSQL when the
/// test run started a server (`MOONLAB_TEST_POSTGRES`, set by scripts/test through
/// scripts/servers). Each PostgreSQL fixture gets a database of its own, dropped afterwards.
enum StorageKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite, postgres
    var description: String { rawValue }

    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["MOONLAB_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The kinds this run can test; PostgreSQL's absence is said once, loudly.
    static var available: [StorageKind] {
        if postgresURL != nil { return [.sqlite, .postgres] }
        FileHandle.standardError.write(Data("MoonTuneTests: MOONLAB_TEST_POSTGRES is not set: the PostgreSQL storage tests are skipped (scripts/test starts a server)\n".utf8))
        return [.sqlite]
    }
}

/// A fresh, empty storage location of one kind: `spec` opens it (as often as a test needs
/// connections); `remove()` deletes it.
final class StorageFixture: @unchecked Sendable {
    let kind: StorageKind
    let spec: String
    private let database: String?

    init(_ kind: StorageKind) throws {
        self.kind = kind
        switch kind {
        case .sqlite:
            spec = NSTemporaryDirectory() + "/moontune-test-\(getpid())-\(UUID().uuidString).db"
            database = nil
        case .postgres:
            Self.noteServerTest("MoonTuneTests: PostgreSQL storage")
            let base = StorageKind.postgresURL!
            let name = "moontune_\(getpid())_\(UUID().uuidString.prefix(8).lowercased())"
            try Self.admin(base, "CREATE DATABASE \(name)")
            database = name
            spec = Self.replacingDatabase(in: base, with: name)
        }
    }

    func open() throws -> TrialStorage { try openTrialStorage(spec) }

    func remove() {
        switch kind {
        case .sqlite:
            for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: spec + s) }
        case .postgres:
            if let database, let base = StorageKind.postgresURL {
                try? Self.admin(base, "DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
            }
        }
    }

    /// Notes a test that used a real server, for scripts/test's count of server tests.
    static func noteServerTest(_ what: String) {
        guard let log = ProcessInfo.processInfo.environment["MOONLAB_SERVER_TEST_LOG"], !log.isEmpty,
              let h = FileHandle(forWritingAtPath: log) ?? (FileManager.default.createFile(atPath: log, contents: nil) ? FileHandle(forWritingAtPath: log) : nil)
        else { return }
        h.seekToEndOfFile()
        h.write(Data((what + "\n").utf8))
        h.closeFile()
    }

    /// Runs one statement against the test server's own database.
    static func admin(_ url: String, _ sql: String) throws {
        let c = try PostgresConnection(url: url, retryWindow: 5)
        defer { c.close() }
        try c.run(sql) { _ in }
    }

    /// The URL with its path (the database name) replaced.
    static func replacingDatabase(in url: String, with name: String) -> String {
        let scheme = url.range(of: "://")!.upperBound
        let rest = url[scheme...]
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let query = rest[slash...].firstIndex(of: "?").map { String(rest[$0...]) } ?? ""
        return String(url[..<scheme]) + rest[..<slash] + "/" + name + query
    }
}

final class Claimed: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var ids: [Int] = []
    func add(_ id: Int) { lock.lock(); ids.append(id); lock.unlock() }
}
