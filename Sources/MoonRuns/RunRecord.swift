import Foundation
import MoonBase
import MoonData
import MoonNN
import MoonTrain

/// What a run's record holds: when and where it ran, which script (path and a hash of its
/// text, so an edited script shows), the seed, the data, the model (kind, size, summary,
/// architecture), the compile settings and fit options, the history, the final metrics, the
/// wall time and how it ended (`done`, `interrupted`, `failed` with the error).
public enum RunRecord {
    /// Where the running code comes from: the script's path (or `repl`, `stdin`), and its hash.
    public struct Source {
        public let path: String
        public let hash: String?

        /// The script at `path` (an absolute path), hashed as it is now; `repl` or `stdin` as
        /// they are, without a hash.
        public init(_ path: String = "repl") {
            self.path = path
            hash = path.hasPrefix("/") ? FileManager.default.contents(atPath: path).map { RunRecord.hash(Array($0)) } : nil
        }
    }

    /// The running script, set by the command line.
    nonisolated(unsafe) public static var source = Source()

    /// The record of one `fit`.
    public static func make(model: Model, trainer: Trainer, options: FitOptions, train: Dataset, history: History,
                            seconds: Double, status: String, error: String? = nil, seed: UInt64?) -> JSONValue {
        let started = Date().addingTimeInterval(-seconds)
        var fit: [(String, JSONValue)] = [("epochs", .int(options.epochs)), ("batch", .int(options.batchSize)),
                                          ("shuffle", .bool(options.shuffle)), ("validation_split", .double(options.validationSplit))]
        if let v = options.validation { fit.append(("validation", .string("\(v.name) (\(v.count) samples)"))) }
        if let c = options.checkpoint { fit.append(("checkpoint", .string(c))) }
        let optimizer = trainer.optimizer
        let settings: [(String, JSONValue)] = [("name", .string(optimizer.name)), ("lr", optimizer.lr.option)]
            + optimizer.hyperparameters.map { ($0.0, .double($0.1)) }
        let compile = JSONValue.object([("optimizer", .object(settings))] + trainer.compileConfig.pairs)
        let final: [(String, JSONValue)] = history.keys.compactMap { k in history.values[k]!.last.map { (k, .double($0)) } }
        var record: [(String, JSONValue)] = [
            ("id", .string(id(started))), ("time", .string(timestamp(started))),
            ("host", .string(ProcessInfo.processInfo.hostName)), ("source", .string(source.path)),
        ]
        if let h = source.hash { record.append(("source_hash", .string(h))) }
        if let seed { record.append(("seed", .string(String(seed)))) }
        record += [
            ("status", .string(status)), ("seconds", .double((seconds * 1000).rounded() / 1000)),
            ("data", .object([("name", .string(train.name)), ("samples", .int(train.count))])),
            ("model", .object([("name", .string(model.name)), ("kind", .string(model.kind)),
                               ("parameters", .int(model.parameterCount)), ("summary", .string(model.summary())),
                               ("architecture", model.architecture())])),
            ("compile", compile), ("fit", .object(fit)),
            // As Lua sees a history: an array a logged key, and each epoch's seconds.
            ("history", .object(history.keys.map { k in (k, .array(history.values[k]!.map { .double($0) })) }
                + [("seconds", .array(history.seconds.map { .double(($0 * 1e4).rounded() / 1e4) }))])),
            ("final", .object(final)),
        ]
        if let error { record.append(("error", .string(error))) }
        return .object(record)
    }

    /// ISO 8601 with milliseconds, UTC: `2026-12-07T11:45:02.318Z`.
    static func timestamp(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    /// `20261207-114502-3f2a`: sortable by start, unique enough for one researcher.
    static func id(_ date: Date) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date) + "-" + String(format: "%04x", UInt16.random(in: 0...UInt16.max))
    }

    /// FNV-1a, 64 bits, as 16 hex digits: tells two versions of a script apart.
    static func hash(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return String(format: "%016llx", h)
    }
}
