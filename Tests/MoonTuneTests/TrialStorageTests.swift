import CSQLite
import Foundation
import Testing
@testable import MoonTune

/// One suite, run against every storage: records round-trip, claims are exclusive, leases
/// expire and are taken over, a taken-over attempt can write nothing, checkpoints travel
/// through the storage that keeps them, and unknown or newer data is refused.
@Suite(.serialized) struct TrialStorageTests {
    static let kinds = StorageKind.available
    let me = TrialOwner(pid: 42, host: "h")

    @Test(arguments: kinds) func roundTrip(_ kind: StorageKind) throws {
        let fixture = try StorageFixture(kind)
        defer { fixture.remove() }
        let store = try fixture.open()
        try store.register(SweepRecord(id: "s1", name: "first", kind: "grid", direction: "min", space: "{}"))
        #expect(throws: TuneError.self) {
            try store.register(SweepRecord(id: "s1", name: "first", kind: "grid", direction: "max", space: "{}"))
        }
        let cfg = JSONValue.object([("lr", .double(0.001)), ("units", .int(32)), ("name", .string("a \"quoted\" {x}, y\\z"))])
        try store.add([TrialRecord(sweep: "s1", id: 1, config: cfg), TrialRecord(sweep: "s1", id: 2, config: cfg, budget: 3, parent: 1)])
        try store.add([TrialRecord(sweep: "s1", id: 1, config: .object([]))]) // ignored: already stored
        let first = try #require(try store.claimNext(sweep: "s1", upTo: 2, owner: me, lease: 30))
        #expect(first.id == 1 && first.status == .running && first.attempts == 1 && first.host == "h" && first.lease == 30)
        #expect(try store.claim(sweep: "s1", id: 1, owner: TrialOwner(pid: 43, host: "h"), lease: 30, expected: .pending, attempts: 0) == nil)
        let lease1 = TrialLease(id: 1, attempt: 1)
        try store.reassign(sweep: "s1", lease: lease1, pid: 44)
        #expect(try store.finish(sweep: "s1", lease: lease1, .done(score: 0.25, extras: .object([("acc", .double(0.9))]), seconds: 1.5)))
        #expect(try store.claimNext(sweep: "s1", upTo: 1, owner: me, lease: 30) == nil)   // 2 is beyond upTo
        let second = try #require(try store.claimNext(sweep: "s1", upTo: 2, owner: me, lease: 30))
        #expect(second.id == 2)
        #expect(try store.finish(sweep: "s1", lease: TrialLease(id: 2, attempt: 1), .failed(error: "boom", seconds: nil)))
        #expect(try store.claimNext(sweep: "s1", upTo: 2, owner: me, lease: 30) == nil)
        // A failed trial is claimed again only by name, with the attempt count it has.
        #expect(try store.claim(sweep: "s1", id: 2, owner: me, lease: 30, expected: .failed, attempts: 0) == nil)
        let retry = try #require(try store.claim(sweep: "s1", id: 2, owner: me, lease: 30, expected: .failed, attempts: 1))
        #expect(retry.attempts == 2 && retry.error == nil)
        #expect(try store.finish(sweep: "s1", lease: TrialLease(id: 2, attempt: 2), .failed(error: "boom", seconds: nil)))
        store.close()

        let again = try fixture.open()
        defer { again.close() }
        #expect(try again.sweeps().map(\.name) == ["first"])
        let trials = try again.trials(sweep: "s1")
        #expect(trials.count == 2)
        #expect(trials[0].config == cfg)
        #expect(trials[0].status == .done && trials[0].score == 0.25 && trials[0].seconds == 1.5)
        #expect(trials[0].extras?["acc"] == .double(0.9))
        #expect(trials[0].pid == 44 && trials[0].attempts == 1)
        #expect(trials[1].status == .failed && trials[1].error == "boom" && trials[1].budget == 3 && trials[1].parent == 1)
        #expect(trials[1].checkpointOwner == 1 && trials[1].attempts == 2)

        let report = SweepReport(sweep: try again.sweeps()[0], trials: trials)
        #expect(report.best?.id == 1)
        #expect(report.table.contains("trial 2 failed: boom"))
    }

    @Test(arguments: kinds) func leasesExpireAndTheOldAttemptCanWriteNothing(_ kind: StorageKind) throws {
        let fixture = try StorageFixture(kind)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { store.close() }
        try store.add([TrialRecord(sweep: "s", id: 1, config: .object([]))])
        let a = TrialOwner(pid: 1, host: "machine-a"), b = TrialOwner(pid: 2, host: "machine-b")
        let first = try #require(try store.claimNext(sweep: "s", upTo: 1, owner: a, lease: 1))
        let old = TrialLease(id: 1, attempt: first.attempts)
        #expect(try store.claimNext(sweep: "s", upTo: 1, owner: b, lease: 1) == nil)   // lease held
        #expect(try store.heartbeat(sweep: "s", leases: [old]).isEmpty)
        if kind == .postgres {
            #expect(try store.saveCheckpoint(sweep: "s", owner: 1, lease: old, data: Data("epoch 1".utf8)))
        }
        usleep(1_300_000)                                                               // a misses its heartbeats
        let taken = try #require(try store.claimNext(sweep: "s", upTo: 1, owner: b, lease: 60))
        #expect(taken.attempts == 2 && taken.host == "machine-b")
        // Machine a comes back: every write under its old lease is refused.
        #expect(try store.heartbeat(sweep: "s", leases: [old]) == [1])
        #expect(try !store.finish(sweep: "s", lease: old, .done(score: 1, extras: nil, seconds: 1)))
        if kind == .postgres {
            #expect(try !store.saveCheckpoint(sweep: "s", owner: 1, lease: old, data: Data("stale".utf8)))
            #expect(try store.loadCheckpoint(sweep: "s", owner: 1) == Data("epoch 1".utf8))
            let big = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })   // binary, NULs included
            #expect(try store.saveCheckpoint(sweep: "s", owner: 1, lease: TrialLease(id: 1, attempt: 2), data: big))
            #expect(try store.loadCheckpoint(sweep: "s", owner: 1) == big)
        }
        #expect(try store.finish(sweep: "s", lease: TrialLease(id: 1, attempt: 2), .done(score: 2, extras: nil, seconds: 1)))
        let t = try #require(try store.trial(sweep: "s", id: 1))
        #expect(t.status == .done && t.score == 2 && t.attempts == 2 && t.host == "machine-b")
    }

    @Test(arguments: kinds) func concurrentClaimersTakeEachTrialOnce(_ kind: StorageKind) throws {
        let fixture = try StorageFixture(kind)
        defer { fixture.remove() }
        let setup = try fixture.open()
        try setup.add((1...200).map { TrialRecord(sweep: "s", id: $0, config: .object([("i", .int($0))])) })
        setup.close()
        // Four connections (as four worker processes have) claim and finish trials at once.
        let claimed = Claimed()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            guard let store = try? fixture.open() else { return }
            defer { store.close() }
            let owner = TrialOwner(pid: 1000 + worker, host: "h")
            while let t = try? store.claimNext(sweep: "s", upTo: 200, owner: owner, lease: 60) {
                claimed.add(t.id)
                _ = try? store.finish(sweep: "s", lease: TrialLease(id: t.id, attempt: t.attempts), .done(score: Double(t.id), extras: nil, seconds: 0))
            }
        }
        let check = try fixture.open()
        defer { check.close() }
        let trials = try check.trials(sweep: "s")
        #expect(claimed.ids.sorted() == Array(1...200))
        #expect(trials.allSatisfy { $0.status == .done && $0.score == Double($0.id) && $0.attempts == 1 })
    }

    @Test(arguments: kinds) func refusesUnknownStatusesAndNewerSchemas(_ kind: StorageKind) throws {
        let fixture = try StorageFixture(kind)
        defer { fixture.remove() }
        let store = try fixture.open()
        try store.add([TrialRecord(sweep: "s", id: 1, config: .object([]))])
        store.close()
        try Self.sql(fixture, kind == .sqlite ? "UPDATE trials SET status = 'paused'" : "UPDATE moonlab_trials SET status = 'paused'")
        let reopened = try fixture.open()
        #expect { try reopened.trials(sweep: "s") } throws: { e in
            "\(e)".contains("status 'paused', which this moonlab does not know")
        }
        reopened.close()
        try Self.sql(fixture, kind == .sqlite ? "PRAGMA user_version = 99" : "UPDATE moonlab_schema SET version = 99")
        #expect { try fixture.open() } throws: { e in
            "\(e)".contains("trial schema 99, written by a newer moonlab (this one knows up to \(trialSchemaVersion))")
        }
    }

    @Test func sqliteFilesOfSchemaOneGainLeases() throws {
        let fixture = try StorageFixture(.sqlite)
        defer { fixture.remove() }
        // The first release's layout, without the lease column.
        try Self.sql(fixture, """
            CREATE TABLE trials(sweep TEXT NOT NULL, id INTEGER NOT NULL, config TEXT NOT NULL, budget INTEGER, parent INTEGER,
              status TEXT NOT NULL DEFAULT 'pending', score REAL, extras TEXT, error TEXT, started REAL, finished REAL,
              seconds REAL, heartbeat REAL, pid INTEGER, host TEXT, attempts INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(sweep, id));
            INSERT INTO trials(sweep, id, config, status, score, attempts) VALUES('s', 1, '{"k":1}', 'done', 0.5, 1);
            """)
        let store = try fixture.open()
        defer { store.close() }
        #expect(try store.trials(sweep: "s").first?.score == 0.5)
        try store.add([TrialRecord(sweep: "s", id: 2, config: .object([]))])
        #expect(try store.claimNext(sweep: "s", upTo: 2, owner: me, lease: 5)?.lease == 5)
    }

    /// Runs SQL on a fixture behind the storage's back (damage, old layouts).
    static func sql(_ fixture: StorageFixture, _ sql: String) throws {
        switch fixture.kind {
        case .sqlite:
            var db: OpaquePointer?
            guard sqlite3_open(fixture.spec, &db) == SQLITE_OK else { throw TuneError("cannot open \(fixture.spec)") }
            defer { sqlite3_close(db) }
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw TuneError(String(cString: sqlite3_errmsg(db))) }
        case .postgres:
            try StorageFixture.admin(fixture.spec, sql)
        }
    }
}
