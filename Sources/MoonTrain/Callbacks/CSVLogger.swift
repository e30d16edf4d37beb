import Foundation
import MoonEngine

/// Writes one CSV row per epoch to `path`: `epoch` then every logged key in sorted order
/// (Keras' layout; epochs from 1), flushed after each row. The file is replaced at the start
/// of training unless `append` is set or the run resumes from a checkpoint.
public final class CSVLogger: Callback, ConfigurableCallback {
    public let options: CSVLoggerOptions
    public var path: String { options.path }
    public var separator: String { options.separator }
    public var append: Bool { options.append }
    private var keys: [String]?
    private var handle: FileHandle?

    public init(config o: CSVLoggerOptions) throws {
        guard !o.path.isEmpty else { throw TrainingError("CSVLogger: the path is empty") }
        guard !o.separator.isEmpty else { throw TrainingError("CSVLogger: the separator is empty") }
        self.options = o
    }

    public convenience init(path: String, _ configure: (inout CSVLoggerOptions) -> Void = { _ in }) throws {
        try self.init { $0.path = path; configure(&$0) }
    }

    public override func onTrainBegin(_ trainer: Trainer) throws {
        keys = nil
        let keep = (append || trainer.initialEpoch > 0) && FileManager.default.fileExists(atPath: path)
        if keep {
            // Continue the existing table with its columns.
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
               let header = text.split(separator: "\n").first {
                keys = Array(header.components(separatedBy: separator).dropFirst())
            }
        }
        // open(2), not an atomic replace: the log may be a device or a pipe (/dev/stdout), and
        // a fresh run truncates the file in place.
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (keep ? O_APPEND : O_TRUNC), 0o644)
        guard fd >= 0 else { throw TrainingError("CSVLogger: cannot open \(path): \(String(cString: strerror(errno)))") }
        let h = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        handle = h
    }

    public override func onEpochEnd(_ trainer: Trainer, epoch: Int, logs: [String: Double]) throws {
        guard let handle else { return }
        var text = ""
        if keys == nil {
            keys = logs.keys.sorted()
            text += (["epoch"] + keys!).joined(separator: separator) + "\n"
        }
        text += ([String(epoch)] + keys!.map { logs[$0].map(CSVLogger.format) ?? "" }).joined(separator: separator) + "\n"
        // The throwing write: a full disk is an error that stops fit, never a crash.
        do {
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            throw TrainingError("CSVLogger: cannot write \(path): \(error.localizedDescription)")
        }
        // On disk before the next epoch (a full disk may only show here); a pipe or device
        // cannot be synced (EINVAL), which is fine.
        if fsync(handle.fileDescriptor) != 0 && errno != EINVAL {
            throw TrainingError("CSVLogger: cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    public override func onTrainEnd(_ trainer: Trainer, logs: [String: Double]) throws {
        try? handle?.close()
        handle = nil
    }

    static func format(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        return "\(v)"
    }
}

/// `nn.CSVLogger(path, {...})`.
public struct CSVLoggerOptions: Options {
    public var path = ""
    public var separator = ","
    public var append = false
    public init() {}
    public static var fields: [OptionField<CSVLoggerOptions>] {
        [.argument("path", \.path, "the CSV file"),
         OptionField("separator", \.separator, "between the values of a row"),
         OptionField("append", \.append, "continue an existing file instead of replacing it")]
    }
}

extension CSVLogger {
    /// What `nn.CSVLogger` does, for help.
    public static let summary = """
        Writes a CSV row an epoch: epoch, then every logged value in sorted key order. Replaces the \
        file when training starts unless append is set or fit resumes from a checkpoint.
        """
}
