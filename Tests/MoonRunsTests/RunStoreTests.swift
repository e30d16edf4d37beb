import Foundation
import MoonBase
import Testing
@testable import MoonRuns

@Suite struct RunStoreTests {
    func tempStore() throws -> (RunStore, String) {
        let dir = NSTemporaryDirectory() + "moonruns-\(UUID().uuidString)"
        return (try RunStore(path: dir + "/runs.db"), dir)
    }

    func run(_ id: String, time: String, source: String = "/x/a.lua", status: String = "done",
             loss: [Double] = [1, 0.5], lr: Double = 0.01, seed: String = "1") -> JSONValue {
        .object([("id", .string(id)), ("time", .string(time)), ("source", .string(source)), ("seed", .string(seed)),
                 ("status", .string(status)), ("seconds", .double(2.5)),
                 ("model", .object([("name", .string("m")), ("kind", .string("Sequential")), ("parameters", .int(10))])),
                 ("compile", .object([("optimizer", .object([("name", .string("SGD")), ("lr", .double(lr))]))])),
                 ("history", .object([("loss", .array(loss.map { .double($0) }))])),
                 ("final", .object([("loss", .double(loss.last ?? .nan))]))])
    }

    @Test func storesListsFiltersAndFindsRuns() throws {
        let (store, dir) = try tempStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try store.add(run("20261207-100000-aaaa", time: "2026-12-07T10:00:00Z"))
        try store.add(run("20261207-110000-bbbb", time: "2026-12-07T11:00:00Z", source: "repl", status: "failed"))
        try store.add(run("20261207-120000-cccc", time: "2026-12-07T12:00:00Z", lr: 0.1))
        #expect(try store.runs(RunFilter(last: nil)).map { $0["id"]?.string } == ["20261207-100000-aaaa", "20261207-110000-bbbb", "20261207-120000-cccc"])
        #expect(try store.runs(RunFilter(last: 2)).map { $0["id"]?.string } == ["20261207-110000-bbbb", "20261207-120000-cccc"])
        var f = RunFilter(last: nil)
        f.status = "failed"
        #expect(try store.runs(f).map { $0["id"]?.string } == ["20261207-110000-bbbb"])
        f = RunFilter(last: nil)
        f.source = "a.lua"
        #expect(try store.runs(f).count == 2)
        f = RunFilter(last: nil)
        f.since = "2026-12-07T11:30"
        #expect(try store.runs(f).count == 1)
        #expect(try store.find("20261207-11")?["id"]?.string == "20261207-110000-bbbb")
        #expect(try store.find("-1")?["id"]?.string == "20261207-120000-cccc")
        #expect(try store.find("-3")?["id"]?.string == "20261207-100000-aaaa")
        #expect(try store.find("-4") == nil)
        #expect(try store.find("zzz") == nil)
        #expect(throws: MoonError.self) { try store.find("2026") }   // ambiguous
        // A second connection (another process) sees the same runs.
        #expect(try RunStore(path: store.path).runs(RunFilter(last: nil)).count == 3)
    }

    @Test func deletesAndPrunes() throws {
        let (store, dir) = try tempStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for h in 10...15 { try store.add(run("20261207-\(h)0000-0000", time: "2026-12-07T\(h):00:00Z")) }
        // Listed in the order recorded, even within one second.
        #expect(try store.delete(["20261207-100000-0000", "nope"]) == 1)
        #expect(try store.prune(keep: 2) == 3)
        #expect(try store.runs(RunFilter(last: nil)).map { $0["id"]?.string } == ["20261207-140000-0000", "20261207-150000-0000"])
    }

    @Test func refusesAFileThatIsNotAStore() throws {
        let dir = NSTemporaryDirectory() + "moonruns-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("not sqlite at all, just text".utf8).write(to: URL(fileURLWithPath: dir + "/runs.db"))
        #expect(throws: MoonError.self) { try RunStore(path: dir + "/runs.db") }
    }

    @Test func reportsListAndCompareWhatDiffers() throws {
        let a = run("20261207-100000-aaaa", time: "t1", loss: [1, 0.5], lr: 0.01)
        let b = run("20261207-110000-bbbb", time: "t2", loss: [1, 0.25, 0.125], lr: 0.1)
        let table = RunReport.table([a, b], store: "x.db")
        #expect(table.contains("20261207-110000-bbbb  a.lua   Sequential"))
        #expect(table.split(separator: "\n").count == 3)
        let compare = RunReport.compare([a, b])
        let lines = compare.split(separator: "\n").map(String.init)
        func row(_ key: String) -> [String] {
            lines.first { $0.hasPrefix(key + " ") }.map { $0.split(separator: " ").map(String.init) } ?? []
        }
        #expect(row("compile.optimizer.lr") == ["compile.optimizer.lr", "0.01", "0.1"])
        #expect(!lines.contains { $0.hasPrefix("seed") })                  // the same in both
        #expect(row("final loss") == ["final", "loss", "0.5000", "0.1250"])
        #expect(RunReport.describe(b).contains("final: loss 0.1250"))
        #expect(RunRecord.hash(Array("a".utf8)) == "af63dc4c8601ec8c")   // FNV-1a 64 of "a"
    }
}
