import Foundation

/// A Slurm job array whose tasks each run a moonlab script as a sweep worker: every task
/// claims trials of the script's sweeps from one storage until none is left. The storage URL
/// reaches the tasks through the environment that `sbatch` exports (`MOONLAB_TUNE_STORAGE`),
/// never through the batch file, so a password in it is written nowhere.
public struct SlurmJob: Sendable {
    public var executable: String
    public var script: String
    public var arguments: [String]
    public var storage: String
    public var tasks: Int
    public var workers: Int?
    public var jobName: String
    public var partition: String?
    public var time: String?
    public var cpusPerTask: Int?
    public var memory: String?
    /// More `#SBATCH` lines, as sbatch options (`--account=lab`, `--gres=gpu:1`).
    public var extra: [String] = []
    /// Where the batch file and the tasks' output go.
    public var folder: String
    public var directory: String

    public init(executable: String, script: String, arguments: [String], storage: String, tasks: Int,
                folder: String, directory: String) {
        self.executable = executable
        self.script = script
        self.arguments = arguments
        self.storage = storage
        self.tasks = tasks
        self.folder = folder
        self.directory = directory
        let stem = PathText.stem(script)
        jobName = "moonlab-" + String(stem.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }

    /// A word for bash, single-quoted when it needs to be.
    static func quote(_ s: String) -> String {
        if !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `%x-%A_%a.out`: job name, array job id, task index.
    public var outputPattern: String { "\(folder)/%x-%A_%a.out" }

    public var batchScript: String {
        var lines = ["#!/bin/bash",
                     "#SBATCH --job-name=\(Self.quote(jobName))",
                     "#SBATCH --array=1-\(tasks)",
                     "#SBATCH --output=\(Self.quote(outputPattern))",
                     "#SBATCH --chdir=\(Self.quote(directory))"]
        if let partition { lines.append("#SBATCH --partition=\(Self.quote(partition))") }
        if let time { lines.append("#SBATCH --time=\(Self.quote(time))") }
        if let cpusPerTask { lines.append("#SBATCH --cpus-per-task=\(cpusPerTask)") }
        if let memory { lines.append("#SBATCH --mem=\(Self.quote(memory))") }
        for e in extra { lines.append("#SBATCH \(e)") }
        lines += [
            "#",
            "# Written by `moonlab sweep slurm`: \(tasks) task\(tasks == 1 ? "" : "s"), each running the script below as a",
            "# sweep worker that claims trials from \(StorageURL.redacted(storage))",
            "# until none is left. The storage comes from the environment sbatch exports",
            "# (MOONLAB_TUNE_STORAGE); this file holds no password.",
            ": \"${MOONLAB_TUNE_STORAGE:?moonlab sweep slurm: MOONLAB_TUNE_STORAGE is not set}\"",
            "export MOONLAB_TUNE_CPUS=\"${SLURM_CPUS_PER_TASK:-1}\"",
        ]
        if let workers { lines.append("export MOONLAB_TUNE_WORKERS=\(workers)") }
        lines.append("echo \"moonlab sweep worker: task ${SLURM_ARRAY_TASK_ID} of job ${SLURM_ARRAY_JOB_ID} on $(hostname)\"")
        lines.append("exec " + ([executable, script] + arguments).map(Self.quote).joined(separator: " "))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the batch file and submits it with `sbatch` (found on PATH); returns the job id.
    public func submit() throws -> (jobId: String, batchFile: String) {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let file = "\(folder)/\(jobName)-\(Int(Date().timeIntervalSince1970)).sbatch"
        try writeAtomically(batchScript, to: file)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sbatch", "--parsable", file]
        var env = ProcessInfo.processInfo.environment
        env["MOONLAB_TUNE_STORAGE"] = storage
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch {
            throw TuneError("sweep slurm: cannot run sbatch (\(error)); is Slurm's client installed and on PATH?")
        }
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let why = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw TuneError("sweep slurm: sbatch failed (status \(p.terminationStatus)): \(why.isEmpty ? "no message" : why)\n(batch file: \(file))")
        }
        // --parsable prints "jobid" or "jobid;cluster".
        let id = stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard !id.isEmpty else { throw TuneError("sweep slurm: sbatch printed no job id") }
        return (id, file)
    }
}

