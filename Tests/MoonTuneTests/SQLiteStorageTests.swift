import Foundation
import Testing
@testable import MoonTune

@Suite struct SQLiteStorageTests {
    func temporaryPath() -> String {
        NSTemporaryDirectory() + "/moontune-test-\(getpid())-\(UUID().uuidString).db"
    }

    @Test func roundTrip() throws {
        let path = temporaryPath()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let store = try SQLiteStorage(path: path)
        try store.register(SweepRecord(id: "s1", name: "first", kind: "grid", direction: "min", space: "{}"))
        #expect(throws: TuneError.self) {
            try store.register(SweepRecord(id: "s1", name: "first", kind: "grid", direction: "max", space: "{}"))
        }
        let cfg = JSONValue.object([("lr", .double(0.001)), ("units", .int(32))])
        try store.add([TrialRecord(sweep: "s1", id: 1, config: cfg), TrialRecord(sweep: "s1", id: 2, config: cfg, budget: 3, parent: 1)])
        try store.add([TrialRecord(sweep: "s1", id: 1, config: .object([]))]) // ignored: already stored
        #expect(try store.claim(sweep: "s1", id: 1, pid: 42, host: "h", expected: .pending, expectedPid: nil))
        #expect(try !store.claim(sweep: "s1", id: 1, pid: 43, host: "h", expected: .pending, expectedPid: nil))
        try store.reassign(sweep: "s1", id: 1, pid: 44)
        try store.finish(sweep: "s1", id: 1, .done(score: 0.25, extras: .object([("acc", .double(0.9))]), seconds: 1.5))
        #expect(try store.claim(sweep: "s1", id: 2, pid: 45, host: "h", expected: .pending, expectedPid: nil))
        try store.finish(sweep: "s1", id: 2, .failed(error: "boom", seconds: nil))
        store.close()

        let again = try SQLiteStorage(path: path)
        #expect(try again.sweeps().map(\.name) == ["first"])
        let trials = try again.trials(sweep: "s1")
        #expect(trials.count == 2)
        #expect(trials[0].config == cfg)
        #expect(trials[0].status == .done && trials[0].score == 0.25 && trials[0].seconds == 1.5)
        #expect(trials[0].extras?["acc"] == .double(0.9))
        #expect(trials[0].pid == 44 && trials[0].attempts == 1)
        #expect(trials[1].status == .failed && trials[1].error == "boom" && trials[1].budget == 3 && trials[1].parent == 1)
        #expect(trials[1].checkpointOwner == 1)

        let report = SweepReport(sweep: try again.sweeps()[0], trials: trials)
        #expect(report.best?.id == 1)
        #expect(report.csv.hasPrefix("rank,id,lr,units,epochs,score,seconds,status,acc,error\n1,1,0.001,32,,0.25,1.500,done,0.9,\n-,2,0.001,32,3,,,failed,,boom\n"))
        #expect(report.table.contains("trial 2 failed: boom"))
    }

    @Test func concurrentWritersAllLand() throws {
        let path = temporaryPath()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let setup = try SQLiteStorage(path: path)
        try setup.add((1...200).map { TrialRecord(sweep: "s", id: $0, config: .object([("i", .int($0))])) })
        setup.close()
        // Two connections (as two worker processes have) claim and finish trials at once;
        // every trial is claimed exactly once and every result lands.
        let claimed = Claimed()
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            guard let store = try? SQLiteStorage(path: path) else { return }
            for id in 1...200 {
                if (try? store.claim(sweep: "s", id: id, pid: 1000 + worker, host: "h", expected: .pending, expectedPid: nil)) == true {
                    claimed.add(id)
                    try? store.finish(sweep: "s", id: id, .done(score: Double(id), extras: nil, seconds: 0))
                }
            }
        }
        let trials = try SQLiteStorage(path: path).trials(sweep: "s")
        #expect(claimed.ids.sorted() == Array(1...200))
        #expect(trials.allSatisfy { $0.status == .done && $0.score == Double($0.id) && $0.attempts == 1 })
    }

    @Test func orphanedTrialsAreThoseWhoseProcessDied() throws {
        let runner = SweepRunner(storage: try SQLiteStorage(path: ":memory:"), sweep: "s",
                                 plan: FixedPlan(sweep: "s", configs: []), workers: 1, launch: nil, runHere: nil)
        let now = Date().timeIntervalSince1970
        var t = TrialRecord(sweep: "s", id: 1, config: .object([]))
        t.status = .running; t.host = currentHost(); t.heartbeat = now
        t.pid = Int(getpid())
        #expect(!runner.isOrphaned(t, host: currentHost(), now: now))
        t.pid = 999_999_999
        #expect(runner.isOrphaned(t, host: currentHost(), now: now))
        t.pid = Int(getpid()); t.heartbeat = now - 1000
        #expect(runner.isOrphaned(t, host: currentHost(), now: now))
    }
}

final class Claimed: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var ids: [Int] = []
    func add(_ id: Int) { lock.lock(); ids.append(id); lock.unlock() }
}
