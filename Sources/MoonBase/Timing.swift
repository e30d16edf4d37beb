import Foundation

/// Wall-clock time for measuring code: a monotonic clock (never jumps with the system time)
/// and the summary of repeated measurements.
public enum WallClock {
    /// Seconds on the monotonic clock (nanosecond resolution; only differences mean anything).
    public static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// `1.23 s`, `45.6 ms`, `7.89 µs`, `120 ns`: three significant digits in a fitting unit.
    public static func text(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "\(seconds) s" }
        let (value, unit): (Double, String)
        switch abs(seconds) {
        case 1...: (value, unit) = (seconds, "s")
        case 1e-3...: (value, unit) = (seconds * 1e3, "ms")
        case 1e-6...: (value, unit) = (seconds * 1e6, "µs")
        default: (value, unit) = (seconds * 1e9, "ns")
        }
        return String(format: "%.3g %@", value, unit)
    }
}

/// Per-call times of repeated runs (IPython's `%timeit`): each run makes `calls` calls, and
/// its time divided by `calls` is one sample.
public struct TimingSummary: Sendable {
    public let perCall: [Double]
    public let calls: Int

    public init(perCall: [Double], calls: Int) {
        self.perCall = perCall
        self.calls = calls
    }

    public var best: Double { perCall.min() ?? .nan }
    public var worst: Double { perCall.max() ?? .nan }
    public var mean: Double { perCall.isEmpty ? .nan : perCall.reduce(0, +) / Double(perCall.count) }
    /// The middle sample (the mean of the two middle ones for an even count).
    public var median: Double {
        let s = perCall.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    /// The samples' standard deviation (population, as IPython reports it).
    public var sd: Double {
        guard perCall.count > 1 else { return 0 }
        let m = mean
        return (perCall.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(perCall.count)).squareRoot()
    }

    /// `12.3 ms ± 0.4 ms per call (median of 7 runs, 10 calls each; best 11.9 ms)`.
    public var text: String {
        "\(WallClock.text(median)) ± \(WallClock.text(sd)) per call (median of \(perCall.count) run\(perCall.count == 1 ? "" : "s"), "
            + "\(calls) call\(calls == 1 ? "" : "s") each; best \(WallClock.text(best)))"
    }

    /// How many calls a run should make so that it lasts about `target` seconds, given one
    /// call took `seconds`: 1, 2, 5, 10, 20, 50, ... as IPython picks.
    public static func calls(forOneCallOf seconds: Double, target: Double = 0.2) -> Int {
        var n = 1
        let steps = [1, 2, 5]
        var k = 0
        while Double(n) * max(seconds, 1e-9) < target && n < 1_000_000_000 {
            k += 1
            n = steps[k % 3] * Int(pow(10, Double(k / 3)))
        }
        return n
    }
}

/// `timeit(fn, {...})`'s options.
public struct TimeitOptions: Options {
    public var calls: Int? = nil
    public var runs = 7
    public var quiet = false
    public init() {}
    public static var fields: [OptionField<TimeitOptions>] {
        [OptionField("n", \.calls, "calls per run (nil: enough for about 0.2 s a run)"),
         OptionField("runs", \.runs, "how many runs (each one sample)", aliases: ["repeat"]),
         OptionField("quiet", \.quiet, "do not print the summary")]
    }
}
