import Foundation
import LuaKit
import MoonTune

/// The metatable of the hidden report object behind a result table.
let tuneReportMeta: StaticString = "moonlab.tune.report"

final class ReportBox {
    let report: SweepReport
    init(_ report: SweepReport) { self.report = report }
}

/// A sweep's result as scripts see it: a plain table {name=, id=, kind=, direction=, storage=,
/// best=, trials=} whose methods (`print`, `to_csv`) read the report kept in its metatable.
enum TuneResult {
    static func define(_ L: LuaState) {
        L.defineClass(tuneReportMeta, methods: [])
    }

    /// Pushes the result of sweep `sweep` in `storage` (a SQLite path or a server URL).
    static func push(_ L: LuaState, storage: String, sweep: String, open: TrialStorage? = nil) throws -> Int32 {
        let store = try L.named { try open ?? openTrialStorage(storage) }
        defer { if open == nil { store.close() } }
        let report = try L.named { try SweepReport.load(store, wanted: sweep, location: store.location)[0] }
        push(L, report, storage: store.location)
        return 1
    }

    /// Pushes the result table of `report`, its methods and the report behind them in its metatable.
    static func push(_ L: LuaState, _ report: SweepReport, storage: String) {
        L.push(json: report.json(storage: storage))
        L.newTable(fieldCount: 4)
        L.newTable(fieldCount: 2)
        L.push(printHandle); L.setField(-2, "print")
        L.push(csvHandle); L.setField(-2, "to_csv")
        L.setField(-2, "__index")
        L.push(tostringHandle); L.setField(-2, "__tostring")
        L.push(object: ReportBox(report), metatable: tuneReportMeta); L.setField(-2, "__report")
        L.push("tune.result"); L.setField(-2, "__name")
        L.setMetatable(-2)
    }

    /// The report behind the result table at `index`.
    static func report(_ L: LuaState, _ index: Int32) throws -> SweepReport {
        guard L.type(index) == .table, L.pushMetatable(index) else {
            throw L.argumentError(index, "a tune result (call it as \(L.fn)(...))")
        }
        defer { L.pop(2) }
        L.getField(-1, "__report")
        guard let box = L.object(-1, tuneReportMeta, as: ReportBox.self) else {
            throw L.argumentError(index, "a tune result")
        }
        return box.report
    }

    static let printHandle = LuaState.register { L in
        let r = try report(L, 1)
        L.getGlobal("print")
        var text = r.table
        if text.hasSuffix("\n") { text.removeLast() }
        L.push(text)
        try L.call(nargs: 1, nresults: 0)
        return 0
    }

    static let csvHandle = LuaState.register { L in
        let r = try report(L, 1)
        let path = try L.string(2)
        try L.named { try r.writeCSV(to: path) }
        return 0
    }

    static let tostringHandle = LuaState.register { L in
        let r = try report(L, 1)
        var s = "tune.result: \(r.sweep.kind) sweep '\(r.sweep.name)', \(r.trials.count) trials"
        if let b = r.best { s += ", best trial \(b.id) (score \(JSONValue.short(b.score ?? .nan))): " + SweepStatus.describe(b.config) }
        L.push(s)
        return 1
    }

    /// `tune.load(storage[, name])`: one sweep's result, or with several sweeps and no name, a
    /// list of results in creation order (each also under its id and name). `storage` is a
    /// SQLite file or a `postgresql://` URL.
    static func load(_ L: LuaState) throws -> Int32 {
        let spec = try L.string(1)
        let wanted = L.isNoneOrNil(2) ? nil : try L.string(2)
        guard StorageURL.isServerURL(spec) || FileManager.default.fileExists(atPath: spec) else { throw L.fail("no such file \(spec)") }
        let path = StorageURL.redacted(spec)
        let store = try L.named { try openTrialStorage(spec) }
        defer { store.close() }
        let reports = try L.named { try SweepReport.load(store, wanted: wanted, location: path) }
        if reports.count == 1 { push(L, reports[0], storage: path); return 1 }
        L.newTable(arrayCount: Int32(reports.count))
        for (i, r) in reports.enumerated() {
            push(L, r, storage: path)
            L.pushValue(-1); L.rawSet(-3, i + 1)
            L.pushValue(-1); L.setField(-3, r.sweep.id)
            L.setField(-2, r.sweep.name)
        }
        return 1
    }
}
