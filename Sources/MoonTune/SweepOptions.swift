/// The options every sweep takes (`tune.grid{...}`, `tune.random{...}`, `tune.hyperband{...}`),
/// declared once: the Lua functions, their help and their defaults come from here. Range
/// checks (lease, workers, trials) are the sweep's own.
public struct SweepSettings {
    public enum Direction: String, OptionChoice, Sendable { case max, min }
    public enum Output: String, OptionChoice, Sendable { case log, inherit }

    public var direction = Direction.max
    public var workers: Int? = nil
    public var storage: String? = nil
    public var name: String? = nil
    public var lease = 60.0
    public var checkpoints: String? = nil
    public var retryFailed = false
    public var verbose = Flag(true)
    public var output = Output.log
    public var seed = 0
    public var run = Flag(true)
    public init() {}

    static func fields<Root>(_ path: WritableKeyPath<Root, SweepSettings>) -> [OptionField<Root>] {
        [OptionField("direction", path.appending(path: \.direction), "whether the objective's score is maximized or minimized"),
         OptionField("workers", path.appending(path: \.workers), "worker processes at a time (nil: the core count; 0: trials in this process)"),
         OptionField("storage", path.appending(path: \.storage), "a SQLite file or a postgresql:// URL (nil: a temporary file)"),
         OptionField("name", path.appending(path: \.name), "the sweep's id in storage (nil: a hash of kind, space and options)"),
         OptionField("lease", path.appending(path: \.lease), "seconds a running trial's claim lasts without a heartbeat"),
         OptionField("checkpoints", path.appending(path: \.checkpoints), "a folder for trial checkpoints (nil: beside a SQLite file, or in the database)"),
         OptionField("retry_failed", path.appending(path: \.retryFailed), "run failed trials again"),
         OptionField("verbose", path.appending(path: \.verbose), "print a line as each trial starts and ends"),
         OptionField("output", path.appending(path: \.output), "worker output to <storage>.logs/ (log) or this terminal (inherit)"),
         OptionField("seed", path.appending(path: \.seed), "seeds the draws of random configurations"),
         OptionField("run", path.appending(path: \.run), "false: run no trial; return (and report) the trials the storage holds so far")]
    }
}

/// A yes/no option that also takes 0 and 1.
public struct Flag: OptionValue, Sendable {
    public var value: Bool
    public init(_ value: Bool) { self.value = value }
    public init?(option: JSONValue) {
        if case .bool(let b) = option { value = b; return }
        guard let n = option.number else { return nil }
        value = n != 0
    }
    public var option: JSONValue { .bool(value) }
    public static var optionType: String { "a boolean or 0/1" }
}

/// The options of one kind of sweep, and the plan of trials they give.
public protocol SweepOptions: Options {
    /// `grid`, `random` or `hyperband`.
    static var kind: String { get }
    var settings: SweepSettings { get set }
    /// The trials (their sweep id left empty) over `space`, and what the options add to the
    /// sweep's identity (`|trials=20`).
    func plan(_ space: Space, seed: UInt64, maximize: Bool) throws -> (plan: SweepPlan, identity: String)
}

/// `tune.grid{...}`.
public struct GridOptions: SweepOptions {
    public static var kind: String { "grid" }
    public var settings = SweepSettings()
    public init() {}
    public static var fields: [OptionField<GridOptions>] { SweepSettings.fields(\.settings) }

    public func plan(_ space: Space, seed: UInt64, maximize: Bool) throws -> (plan: SweepPlan, identity: String) {
        (FixedPlan(sweep: "", configs: try space.grid()), "")
    }
}

/// `tune.random{...}`.
public struct RandomOptions: SweepOptions {
    public static var kind: String { "random" }
    public var trials = 10
    public var settings = SweepSettings()
    public init() {}
    public static var fields: [OptionField<RandomOptions>] {
        [OptionField("trials", \.trials, "how many configurations to draw")] + SweepSettings.fields(\.settings)
    }

    public func plan(_ space: Space, seed: UInt64, maximize: Bool) throws -> (plan: SweepPlan, identity: String) {
        guard trials >= 1 && trials <= 1_000_000 else { throw TuneError("tune.random: trials must be at least 1, got \(trials)") }
        var g = SplitMix64(seed: seed)
        return (FixedPlan(sweep: "", configs: space.sample(trials, &g)), "|trials=\(trials)")
    }
}

/// `tune.hyperband{...}`.
public struct HyperbandOptions: SweepOptions {
    public static var kind: String { "hyperband" }
    public var maxEpochs = 27
    public var factor = 3
    public var settings = SweepSettings()
    public init() {}
    public static var fields: [OptionField<HyperbandOptions>] {
        [OptionField("max_epochs", \.maxEpochs, "R: the largest budget, in epochs"),
         OptionField("factor", \.factor, "η: each round keeps 1/η of the configurations at η times the epochs")]
            + SweepSettings.fields(\.settings)
    }

    public func plan(_ space: Space, seed: UInt64, maximize: Bool) throws -> (plan: SweepPlan, identity: String) {
        let schedule = try HyperbandSchedule(maxEpochs: maxEpochs, factor: factor)
        return (HyperbandPlan(sweep: "", schedule: schedule, space: space, seed: seed, maximize: maximize),
                "|max_epochs=\(maxEpochs)|factor=\(factor)")
    }
}
