import Foundation

/// Writes one CSV row per epoch to `path`: `epoch` then every logged key in sorted order
/// (Keras' layout; epochs from 1), flushed after each row. The file is replaced at the start
/// of training unless `append` is set or the run resumes from a checkpoint.
public final class CSVLogger: Callback {
    public let path: String
    public let separator: String
    public let append: Bool
    private var keys: [String]?
    private var handle: FileHandle?

    public init(path: String, separator: String = ",", append: Bool = false) throws {
        guard !path.isEmpty else { throw TrainingError("CSVLogger: the path is empty") }
        (self.path, self.separator, self.append) = (path, separator, append)
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
        } else if !FileManager.default.createFile(atPath: path, contents: nil) {
            throw TrainingError("CSVLogger: cannot create \(path)")
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw TrainingError("CSVLogger: cannot open \(path)") }
        h.seekToEndOfFile()
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
        handle.write(Data(text.utf8))
        try? handle.synchronize()
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
