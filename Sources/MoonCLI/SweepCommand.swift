import Foundation
import MoonTune

/// `moonlab sweep ...`: watching a sweep's storage, adding this machine to a running sweep,
/// and submitting a Slurm job array of sweep workers.
enum SweepCommand {
    static let usage = """
        usage: moonlab sweep status STORAGE [SWEEP]
               moonlab sweep join [--storage URL] [--workers N] SCRIPT [args]
               moonlab sweep slurm --storage URL --tasks N [options] SCRIPT [args]

          status  where each sweep in STORAGE (a SQLite file or a postgresql:// URL) stands:
                  trials done / running (host, heartbeat age) / failed / pending, the best so
                  far, throughput
          join    runs SCRIPT as one more worker of its sweeps: every tune call uses --storage
                  instead of its storage= and claims trials until none is left (--workers:
                  processes on this machine, 0 for trials in this process; default its tune
                  call's workers=)
          slurm   writes and submits a job array of --tasks tasks, each running SCRIPT as a
                  worker against --storage. Options: --partition P, --time T,
                  --cpus-per-task C, --mem M, --workers N (per task), --sbatch OPT (any sbatch
                  option, repeatable), --folder DIR (batch file and task output; default
                  moonlab-slurm), --dry-run (print the batch file, submit nothing)
        Sweep options come before SCRIPT; everything after SCRIPT is the script's own.
        """

    /// Runs `moonlab sweep ARGS` (`arguments` starts with the program name and "sweep").
    /// `runScript` runs a command line as `moonlab` would (for join).
    static func main(_ arguments: [String], runScript: ([String]) -> Int32) -> Int32 {
        let words = Array(arguments.dropFirst(2))
        guard let verb = words.first else { Output.error(usage); return 2 }
        do {
            switch verb {
            case "status": return try status(Array(words.dropFirst()))
            case "join": return try join(arguments[0], Array(words.dropFirst()), runScript: runScript)
            case "slurm": return try slurm(arguments[0], Array(words.dropFirst()))
            case "--help", "-h", "help": Output.write(usage + "\n"); return 0
            default: throw UsageError("unknown sweep command '\(verb)'")
            }
        } catch let e as UsageError {
            Output.error("moonlab sweep: \(e.description)\n\(usage)")
            return 2
        } catch let e as TuneError where !e.isArgumentError {
            Output.error("moonlab sweep: \(e.message)")
            return 1
        } catch {
            Output.error("moonlab sweep: \(error)")
            return 1
        }
    }

    typealias Parsed = CommandWords.Parsed
    static func parse(_ words: [String], valued: Set<String>, flags: Set<String>) throws -> Parsed {
        try CommandWords.parse(words, valued: valued, flags: flags)
    }

    static func status(_ words: [String]) throws -> Int32 {
        guard let spec = words.first, words.count <= 2 else { throw UsageError("status needs STORAGE [SWEEP]") }
        if !StorageURL.isServerURL(spec) && !FileManager.default.fileExists(atPath: spec) {
            throw TuneError("no such storage file \(spec)")
        }
        let store = try openTrialStorage(spec)
        defer { store.close() }
        var sweeps = try store.sweeps()
        if words.count == 2 {
            sweeps = sweeps.filter { $0.id == words[1] || $0.name == words[1] }
            guard !sweeps.isEmpty else { throw TuneError("no sweep '\(words[1])' in \(store.location)") }
        }
        let now = try store.now()
        var text = "storage \(store.location): \(sweeps.count) sweep\(sweeps.count == 1 ? "" : "s")\n"
        for s in sweeps {
            text += SweepStatus(report: SweepReport(sweep: s, trials: try store.trials(sweep: s.id)), now: now).text + "\n"
        }
        Output.write(text)
        return 0
    }

    static func join(_ program: String, _ words: [String], runScript: ([String]) -> Int32) throws -> Int32 {
        let p = try parse(words, valued: ["storage", "workers"], flags: [])
        guard !p.rest.isEmpty else { throw UsageError("join needs a SCRIPT") }
        if let storage = p.one("storage") { setenv("MOONLAB_TUNE_STORAGE", storage, 1) }
        if let workers = try p.int("workers", least: 0) { setenv("MOONLAB_TUNE_WORKERS", String(workers), 1) }
        return runScript([program] + p.rest)
    }

    static func slurm(_ program: String, _ words: [String]) throws -> Int32 {
        let p = try parse(words, valued: ["storage", "tasks", "workers", "partition", "time", "cpus-per-task", "mem", "sbatch", "folder", "job-name"],
                          flags: ["dry-run"])
        guard let script = p.rest.first else { throw UsageError("slurm needs a SCRIPT") }
        guard let storage = p.one("storage") else { throw UsageError("slurm needs --storage (a postgresql:// URL, or a SQLite file on a filesystem every node shares)") }
        guard let tasks = try p.int("tasks") else { throw UsageError("slurm needs --tasks N") }
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : cwd + "/" + path }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? absolute(program)
        guard FileManager.default.fileExists(atPath: absolute(script)) else { throw TuneError("no such script \(script)") }
        var job = SlurmJob(executable: exe, script: absolute(script), arguments: Array(p.rest.dropFirst()),
                           storage: StorageURL.isServerURL(storage) ? storage : absolute(storage), tasks: tasks,
                           folder: absolute(p.one("folder") ?? "moonlab-slurm"), directory: cwd)
        job.workers = try p.int("workers", least: 0)
        job.partition = p.one("partition")
        job.time = p.one("time")
        job.cpusPerTask = try p.int("cpus-per-task")
        job.memory = p.one("mem")
        job.extra = p.values["sbatch"] ?? []
        if let name = p.one("job-name") { job.jobName = name }
        if p.flags.contains("dry-run") {
            Output.write(job.batchScript)
            Output.write("# dry run: nothing submitted. To submit: MOONLAB_TUNE_STORAGE=<storage> sbatch <this file>\n")
            return 0
        }
        let (id, file) = try job.submit()
        let shown = StorageURL.redacted(job.storage)
        Output.write("""
            submitted job array \(id): \(tasks) task\(tasks == 1 ? "" : "s") running \(job.script) as sweep workers
              batch file: \(file)
              output:     \(job.folder)/\(job.jobName)-\(id)_<task>.out
              watch:      squeue -j \(id)        moonlab sweep status '\(shown)'
              cancel:     scancel \(id)

            """)
        return 0
    }
}
