import Foundation

/// A sweep's trials ranked: the best trial, a printed table and CSV.
public struct SweepReport: Sendable {
    public let sweep: SweepRecord
    /// Every trial, in id order.
    public let trials: [TrialRecord]

    public init(sweep: SweepRecord, trials: [TrialRecord]) {
        self.sweep = sweep
        self.trials = trials.sorted { $0.id < $1.id }
    }

    public var maximize: Bool { sweep.direction != "min" }

    /// Done trials best first (ties: larger budget, then lower id), then the others by id.
    public var ranked: [TrialRecord] {
        let done = trials.filter { $0.status == .done && $0.score != nil }.sorted { a, b in
            let x = a.score!, y = b.score!
            if x != y { return maximize ? x > y : x < y }
            if (a.budget ?? 0) != (b.budget ?? 0) { return (a.budget ?? 0) > (b.budget ?? 0) }
            return a.id < b.id
        }
        let doneIds = Set(done.map(\.id))
        return done + trials.filter { !doneIds.contains($0.id) }
    }

    public var best: TrialRecord? { ranked.first { $0.status == .done } }

    /// Configuration keys over all trials, sorted.
    public var configKeys: [String] {
        var keys = Set<String>()
        for t in trials { if case .object(let pairs) = t.config { for (k, _) in pairs { keys.insert(k) } } }
        return keys.sorted()
    }

    /// Extra result keys over all trials, sorted.
    public var extraKeys: [String] {
        var keys = Set<String>()
        for t in trials { if case .object(let pairs)? = t.extras { for (k, _) in pairs { keys.insert(k) } } }
        return keys.sorted()
    }

    var hasBudgets: Bool { trials.contains { $0.budget != nil } }

    /// Rows of cells: header first. rank, id, config..., [epochs], score, seconds, status.
    func rows(forCSV csv: Bool) -> [[String]] {
        let keys = configKeys, extras = csv ? extraKeys : []
        var header = ["rank", "id"] + keys
        if hasBudgets { header.append("epochs") }
        header += ["score", "seconds", "status"] + extras
        if csv { header.append("error") }
        var rows = [header]
        var rank = 0
        for t in ranked {
            var r: [String] = []
            if t.status == .done { rank += 1; r.append(String(rank)) } else { r.append("-") }
            r.append(String(t.id))
            for k in keys { r.append(t.config[k].map { $0.description } ?? "") }
            if hasBudgets { r.append(t.budget.map(String.init) ?? "") }
            if csv {
                r.append(t.score.map { String($0) } ?? "")
                r.append(t.seconds.map { String(format: "%.3f", $0) } ?? "")
            } else {
                r.append(t.score.map { String(format: "%.4f", $0) } ?? "")
                r.append(t.seconds.map { String(format: "%.1f", $0) } ?? "")
            }
            r.append(t.status.rawValue)
            for k in extras { r.append(t.extras?[k].map { $0.description } ?? "") }
            if csv { r.append(t.error ?? "") }
            rows.append(r)
        }
        return rows
    }

    /// The ranked table as `result:print()` shows it, failures listed under it.
    public var table: String {
        let rows = rows(forCSV: false)
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        let numeric = Set(["rank", "id", "epochs", "score", "seconds"])
        var out = "\(sweep.kind) sweep '\(sweep.name)': \(trials.count) trials, "
            + "\(trials.filter { $0.status == .done }.count) done, \(trials.filter { $0.status == .failed }.count) failed"
            + " (\(maximize ? "higher" : "lower") score is better)\n"
        for (i, r) in rows.enumerated() {
            let cells = r.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return numeric.contains(rows[0][c]) || Double(cell) != nil ? pad + cell : cell + pad
            }
            var line = cells.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
            if i == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
        }
        for t in trials where t.status == .failed {
            out += "trial \(t.id) failed: \(Self.summary(t.error))\n"
        }
        return out
    }

    /// CSV (RFC 4180 quoting): the table's columns plus the extra results and the error.
    public var csv: String {
        rows(forCSV: true).map { $0.map(Self.quote).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// An error on one line: its first lines (a crash's last output line included), shortened.
    public static func summary(_ error: String?) -> String {
        guard let error, !error.isEmpty else { return "unknown error" }
        var lines = error.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        if let tb = lines.firstIndex(where: { $0.hasPrefix("stack traceback") }) { lines = Array(lines[..<tb]) }
        var text = lines.first ?? ""
        if text.hasSuffix(":"), let last = lines.dropFirst().last { text += " " + last }
        return text.count > 200 ? String(text.prefix(197)) + "..." : text
    }

    static func quote(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// Writes the CSV atomically (a temporary file beside it, then a rename).
    public func writeCSV(to path: String) throws {
        try writeAtomically(csv, to: path)
    }
}

/// Names sweeps and tells worker processes which trial to run.
public enum SweepIdentity {
    /// A stable id: `name` when given (`name-2` for its second use in one run), else `kind-`
    /// and 12 hex digits of an FNV-1a hash of the call's content (kind, space, options) and
    /// its occurrence, so identical calls in a loop get distinct ids and editing other parts
    /// of a script leaves the id alone.
    public static func id(kind: String, name: String?, content: String, occurrence: Int) -> String {
        if let name, !name.isEmpty {
            let clean = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
            return occurrence > 1 ? "\(clean)-\(occurrence)" : clean
        }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in "\(kind)|\(content)|\(occurrence)".utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        let hex = String(h, radix: 16)
        return "\(kind)-" + String(String(repeating: "0", count: max(0, 16 - hex.count)) + hex).prefix(12)
    }
}

/// What a worker process was started for: read from `MOONLAB_TUNE_WORKER` (a JSON object:
/// storage, sweep, trial, attempt — the lease it runs under — and the local folder of
/// checkpoints) and `MOONLAB_TUNE_SWEEPS` (a JSON object of the sweeps the parent had
/// finished, id -> storage, so a worker passing an earlier tune call reads its results
/// instead of running it).
public struct WorkerAssignment: Equatable, Sendable {
    public static let variable = "MOONLAB_TUNE_WORKER"
    public static let sweepsVariable = "MOONLAB_TUNE_SWEEPS"
    public static let threadsVariable = "MOONLAB_TUNE_THREADS"

    public let storage: String
    public let sweep: String
    public let trial: Int
    public var attempt: Int
    /// The folder of checkpoint files (`<storage>.checkpoints` for a SQLite file).
    public var checkpoints: String
    public var finishedSweeps: [String: String] = [:]
    public var threads: Int?

    public init(storage: String, sweep: String, trial: Int, attempt: Int, checkpoints: String) {
        self.storage = storage; self.sweep = sweep; self.trial = trial
        self.attempt = attempt; self.checkpoints = checkpoints
    }

    public var lease: TrialLease { TrialLease(id: trial, attempt: attempt) }

    public var encoded: String {
        JSONValue.object([("storage", .string(storage)), ("sweep", .string(sweep)), ("trial", .int(trial)),
                          ("attempt", .int(attempt)), ("checkpoints", .string(checkpoints))]).encoded
    }

    /// The assignment in `environment`, if this process is a worker.
    public static func from(_ environment: [String: String]) -> WorkerAssignment? {
        guard let v = environment[variable], !v.isEmpty, case .object(let pairs)? = try? JSONValue.parse(v) else { return nil }
        let fields = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
        guard case .string(let storage)? = fields["storage"], case .string(let sweep)? = fields["sweep"],
              case .int(let trial)? = fields["trial"], case .int(let attempt)? = fields["attempt"],
              case .string(let checkpoints)? = fields["checkpoints"] else { return nil }
        var a = WorkerAssignment(storage: storage, sweep: sweep, trial: trial, attempt: attempt, checkpoints: checkpoints)
        if let s = environment[sweepsVariable], case .object(let pairs)? = try? JSONValue.parse(s) {
            for (k, v) in pairs { if case .string(let p) = v { a.finishedSweeps[k] = p } }
        }
        a.threads = environment[threadsVariable].flatMap { Int($0) }
        return a
    }
}

extension TrialRecord {
    /// The trial as scripts see it: `{id=, config=, score=, status=, seconds=, error=, epochs=,
    /// parent=, extras=, attempts=}` (absent fields left out).
    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("id", .int(id)), ("config", config)]
        if let score { pairs.append(("score", .double(score))) }
        pairs.append(("status", .string(status.rawValue)))
        if let seconds { pairs.append(("seconds", .double(seconds))) }
        if let error { pairs.append(("error", .string(error))) }
        if let budget { pairs.append(("epochs", .int(budget))) }
        if let parent { pairs.append(("parent", .int(parent))) }
        if let extras { pairs.append(("extras", extras)) }
        pairs.append(("attempts", .int(attempts)))
        return .object(pairs)
    }
}

extension SweepReport {
    /// The result table: `{name=, id=, kind=, direction=, storage=, best=, trials=, keys=}`.
    public func json(storage: String) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("name", .string(sweep.name)), ("id", .string(sweep.id)), ("kind", .string(sweep.kind)),
                                            ("direction", .string(sweep.direction)), ("storage", .string(storage))]
        if let best { pairs.append(("best", best.json)) }
        pairs += [("trials", .array(trials.map(\.json))), ("keys", .array(configKeys.map { .string($0) }))]
        return .object(pairs)
    }

    /// The reports of the sweeps in `store`: the one named (by name or id) `wanted`, else all
    /// in creation order.
    public static func load(_ store: TrialStorage, wanted: String?, location: String) throws -> [SweepReport] {
        let sweeps = try store.sweeps()
        guard !sweeps.isEmpty else { throw TuneError("\(location) holds no sweeps") }
        let chosen = try wanted.map { name in
            guard let s = sweeps.first(where: { $0.id == name || $0.name == name }) else {
                throw TuneError("no sweep named '\(name)' in \(location) (it holds: \(sweeps.map(\.name).joined(separator: ", ")))")
            }
            return [s]
        } ?? sweeps
        return try chosen.map { SweepReport(sweep: $0, trials: try store.trials(sweep: $0.id)) }
    }
}
