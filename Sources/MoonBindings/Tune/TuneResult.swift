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
        do {
            let store = try open ?? openTrialStorage(storage)
            defer { if open == nil { store.close() } }
            guard let rec = try store.sweeps().first(where: { $0.id == sweep }) else {
                throw LuaError("tune: no sweep '\(sweep)' in \(store.location)")
            }
            push(L, SweepReport(sweep: rec, trials: try store.trials(sweep: sweep)), storage: store.location)
            return 1
        } catch let e as TuneError where !e.isArgumentError {
            throw LuaError(e.message)
        }
    }

    static func push(_ L: LuaState, _ report: SweepReport, storage: String) {
        L.newTable(fieldCount: 8)
        L.push(report.sweep.name); L.setField(-2, "name")
        L.push(report.sweep.id); L.setField(-2, "id")
        L.push(report.sweep.kind); L.setField(-2, "kind")
        L.push(report.sweep.direction); L.setField(-2, "direction")
        L.push(storage); L.setField(-2, "storage")
        if let best = report.best { TuneArguments.push(L, trial: best); L.setField(-2, "best") }
        L.push(array: report.trials) { TuneArguments.push(L, trial: $0) }
        L.setField(-2, "trials")
        L.push(array: report.configKeys); L.setField(-2, "keys")
        // The metatable: methods, __tostring, and the report itself.
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
    static func report(_ L: LuaState, _ index: Int32, _ fn: String) throws -> SweepReport {
        guard L.type(index) == .table, L.pushMetatable(index) else {
            throw L.argumentError(fn, index, "a tune result (call it as result:\(fn.split(separator: ":").last ?? "")(...))")
        }
        defer { L.pop(2) }
        L.getField(-1, "__report")
        guard let box = L.object(-1, tuneReportMeta, as: ReportBox.self) else {
            throw L.argumentError(fn, index, "a tune result")
        }
        return box.report
    }

    static let printHandle = LuaState.register { L in
        let r = try report(L, 1, "result:print")
        L.getGlobal("print")
        var text = r.table
        if text.hasSuffix("\n") { text.removeLast() }
        L.push(text)
        try L.call(nargs: 1, nresults: 0)
        return 0
    }

    static let csvHandle = LuaState.register { L in
        let r = try report(L, 1, "result:to_csv")
        let path = try L.string(2, "result:to_csv")
        do { try r.writeCSV(to: path) } catch let e as TuneError where !e.isArgumentError { throw LuaError("result:to_csv: \(e.message)") }
        return 0
    }

    static let tostringHandle = LuaState.register { L in
        let r = try report(L, 1, "tostring")
        var s = "tune.result: \(r.sweep.kind) sweep '\(r.sweep.name)', \(r.trials.count) trials"
        if let b = r.best { s += ", best trial \(b.id) (score \(JSONValue.short(b.score ?? .nan))): " + SweepStatus.describe(b.config) }
        L.push(s)
        return 1
    }

    /// `tune.load(storage[, name])`: one sweep's result, or with several sweeps and no name, a
    /// list of results in creation order (each also under its id and name). `storage` is a
    /// SQLite file or a `postgresql://` URL.
    static func load(_ L: LuaState) throws -> Int32 {
        let fn = "tune.load"
        let spec = try L.string(1, fn)
        let wanted = L.isNoneOrNil(2) ? nil : try L.string(2, fn)
        let server = StorageURL.isServerURL(spec)
        guard server || FileManager.default.fileExists(atPath: spec) else { throw LuaError("\(fn): no such file \(spec)") }
        let path = StorageURL.redacted(spec)
        do {
            let store = try openTrialStorage(spec)
            defer { store.close() }
            let sweeps = try store.sweeps()
            if let wanted {
                guard let s = sweeps.first(where: { $0.id == wanted || $0.name == wanted }) else {
                    throw LuaError("\(fn): no sweep named '\(wanted)' in \(path) (it holds: \(sweeps.map(\.name).joined(separator: ", ")))")
                }
                return try push(L, storage: path, sweep: s.id, open: store)
            }
            guard !sweeps.isEmpty else { throw LuaError("\(fn): \(path) holds no sweeps") }
            if sweeps.count == 1 { return try push(L, storage: path, sweep: sweeps[0].id, open: store) }
            L.newTable(arrayCount: Int32(sweeps.count))
            for (i, s) in sweeps.enumerated() {
                _ = try push(L, storage: path, sweep: s.id, open: store)
                L.pushValue(-1); L.rawSet(-3, i + 1)
                L.pushValue(-1); L.setField(-3, s.id)
                L.setField(-2, s.name)
            }
            return 1
        } catch let e as TuneError where !e.isArgumentError {
            throw LuaError("\(fn): \(e.message)")
        }
    }
}
