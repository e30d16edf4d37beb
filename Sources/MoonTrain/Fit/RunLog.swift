import Foundation
import MoonBase
import MoonNN

/// Every `fit`, remembered: one JSON line a run (when, where, which script, the model's
/// architecture and size, the compile settings and fit options, the history, the wall time
/// and how it ended) appended to a file, so a researcher re-running variants never copies
/// numbers by hand. The file is `MOONLAB_RUNS` (a path, or `off`), else
/// `~/.moonlab/runs.jsonl`; Python reads it with one `json.loads` a line.
///
/// Recording never fails a fit: a file that cannot be written is skipped (said once).
public enum RunLog {
    /// Where runs go; nil when `MOONLAB_RUNS=off`.
    public static var path: String? {
        let environment = ProcessInfo.processInfo.environment
        if let chosen = environment["MOONLAB_RUNS"], !chosen.isEmpty {
            return chosen == "off" ? nil : (chosen as NSString).expandingTildeInPath
        }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.moonlab/runs.jsonl"
    }

    /// The script (or `repl`) that is running, for the record.
    nonisolated(unsafe) public static var source = "repl"
    nonisolated(unsafe) static var warned = false

    /// Appends one run; returns its id (the line's `id`), or nil when not recorded.
    @discardableResult
    public static func record(model: Model, trainer: Trainer, options: FitOptions, history: History,
                              seconds: Double, status: String, to path: String? = RunLog.path) -> String? {
        guard let path else { return nil }
        let started = Date().addingTimeInterval(-seconds)
        let id = Self.id(started)
        var fit: [(String, JSONValue)] = [("epochs", .int(options.epochs)), ("batch", .int(options.batchSize)),
                                          ("shuffle", .bool(options.shuffle)), ("validation_split", .double(options.validationSplit))]
        if let v = options.validation { fit.append(("validation", .string("\(v.name) (\(v.count) samples)"))) }
        if let c = options.checkpoint { fit.append(("checkpoint", .string(c))) }
        let optimizer = trainer.optimizer
        let settings: [(String, JSONValue)] = [("name", .string(optimizer.name)), ("lr", optimizer.lr.option)]
            + optimizer.hyperparameters.map { ($0.0, .double($0.1)) }
        let compile = JSONValue.object([("optimizer", .object(settings))] + trainer.compileConfig.pairs)
        let record: JSONValue = .object([
            ("id", .string(id)), ("time", .string(ISO8601DateFormatter().string(from: started))),
            ("host", .string(ProcessInfo.processInfo.hostName)), ("source", .string(source)),
            ("status", .string(status)), ("seconds", .double((seconds * 1000).rounded() / 1000)),
            ("model", .object([("name", .string(model.name)), ("kind", .string(model.kind)),
                               ("parameters", .int(model.parameterCount)), ("architecture", model.architecture())])),
            ("compile", compile), ("fit", .object(fit)),
            // As Lua sees a history: an array a logged key, and each epoch's seconds.
            ("history", .object(history.keys.map { k in (k, .array(history.values[k]!.map { .double($0) })) }
                + [("seconds", .array(history.seconds.map { .double(($0 * 1e4).rounded() / 1e4) }))])),
        ])
        do {
            try append(Array((record.encoded + "\n").utf8), to: path)
            return id
        } catch {
            if !warned {
                warned = true
                FileHandle.standardError.write(Data("moonlab: runs are not recorded (\(path): \(error)); set MOONLAB_RUNS to another file or to off\n".utf8))
            }
            return nil
        }
    }

    /// The recorded runs, oldest first (lines that do not parse are skipped).
    public static func runs(at path: String? = RunLog.path) -> [JSONValue] {
        guard let path, let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
    }

    /// `20261207-114502-3f2a`: sortable by start, unique enough for one researcher.
    static func id(_ date: Date) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date) + "-" + String(format: "%04x", UInt16.random(in: 0...UInt16.max))
    }

    /// One write of the whole line under an exclusive lock, so runs finishing together (a
    /// sweep's workers) never interleave.
    static func append(_ bytes: [UInt8], to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { throw TrainingError("cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw TrainingError("short write: \(String(cString: strerror(errno)))") }
    }
}

extension RunLog {
    /// The runs as a table for the terminal: one line a run, newest last, with the last
    /// epoch's loss and validation figures.
    public static func table(_ runs: [JSONValue]) -> String {
        guard !runs.isEmpty else { return "no runs recorded yet (\(path ?? "MOONLAB_RUNS=off"))" }
        func last(_ run: JSONValue, _ key: String) -> String {
            guard let v = run["history"]?[key]?.items?.last?.number else { return "-" }
            return String(format: "%.4f", v)
        }
        let header = ["id", "source", "model", "params", "epochs", "loss", "val_loss", "val_accuracy", "seconds", "status"]
        let rows = runs.map { r -> [String] in
            [r["id"]?.string ?? "?", (r["source"]?.string ?? "?").split(separator: "/").last.map(String.init) ?? "?",
             r["model"]?["kind"]?.string ?? "?", r["model"]?["parameters"]?.int.map(String.init) ?? "?",
             String(r["history"]?["loss"]?.items?.count ?? 0), last(r, "loss"), last(r, "val_loss"), last(r, "val_accuracy"),
             r["seconds"]?.number.map { String(format: "%.1f", $0) } ?? "?", r["status"]?.string ?? "?"]
        }
        let widths = header.indices.map { j in ([header[j]] + rows.map { $0[j] }).map(\.count).max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { j, c in j < 3 ? c.padding(toLength: widths[j], withPad: " ", startingAt: 0)
                                                   : String(repeating: " ", count: widths[j] - c.count) + c }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    /// The run whose id starts with `id`, or the `id`-th from the end when it is a negative
    /// number (`-1`: the last run).
    public static func find(_ id: String, in runs: [JSONValue]) -> JSONValue? {
        if let k = Int(id), k < 0 { return runs.count + k >= 0 ? runs[runs.count + k] : nil }
        return runs.last { $0["id"]?.string?.hasPrefix(id) == true }
    }
}
