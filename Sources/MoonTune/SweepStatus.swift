import Foundation

/// Where a sweep stands, for `moonlab sweep status`: trials done / running / failed / pending,
/// who runs what (host, pid, heartbeat age), the best so far, and throughput.
public struct SweepStatus: Sendable {
    public let report: SweepReport
    /// The storage's clock when the status was read (heartbeat ages are measured with it).
    public let now: Double

    public init(report: SweepReport, now: Double) {
        self.report = report
        self.now = now
    }

    public func count(_ s: TrialStatus) -> Int { report.trials.filter { $0.status == s }.count }

    /// Finished trials per hour, from the first start to the last finish (nil before two ends).
    public var trialsPerHour: Double? {
        let done = report.trials.filter { $0.status == .done }
        guard let first = report.trials.compactMap(\.started).min(),
              let last = done.compactMap(\.finished).max(), last > first, !done.isEmpty else { return nil }
        return Double(done.count) / (last - first) * 3600
    }

    /// Whether a running trial's lease is over (its process stopped beating).
    public func isStale(_ t: TrialRecord) -> Bool {
        guard t.status == .running, let beat = t.heartbeat else { return false }
        return now - beat > (t.lease ?? 120)
    }

    public var text: String {
        let s = report.sweep
        var lines = ["sweep \(s.name)\(s.name == s.id ? "" : " (\(s.id))"): \(s.kind), \(s.direction == "min" ? "minimize" : "maximize"), \(report.trials.count) trials: \(count(.done)) done, \(count(.running)) running, \(count(.failed)) failed, \(count(.pending)) pending"]
        for t in report.trials where t.status == .running {
            let age = t.heartbeat.map { String(format: "%.0f s ago", max(0, now - $0)) } ?? "never"
            lines.append("  running: trial \(t.id) on \(t.host ?? "?") (pid \(t.pid.map(String.init) ?? "?"), attempt \(t.attempts), heartbeat \(age)\(isStale(t) ? ", lease expired: another worker may take it over" : ""))")
        }
        for t in report.trials where t.status == .failed {
            lines.append("  failed: trial \(t.id): \(SweepReport.summary(t.error))")
        }
        if let b = report.best {
            lines.append("  best: trial \(b.id), score \(JSONValue.short(b.score ?? .nan)) (\(Self.describe(b.config))\(b.budget.map { " epochs=\($0)" } ?? ""))")
        }
        if let rate = trialsPerHour {
            let seconds = report.trials.filter { $0.status == .done }.compactMap(\.seconds)
            let mean = seconds.isEmpty ? 0 : seconds.reduce(0, +) / Double(seconds.count)
            lines.append(String(format: "  throughput: %.1f trials/hour; %.1f s per trial on average", rate, mean))
        }
        return lines.joined(separator: "\n")
    }

    /// `lr=0.001 optimizer=adam`, keys sorted.
    public static func describe(_ config: JSONValue) -> String {
        guard case .object(let pairs) = config else { return config.encoded }
        return pairs.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1.description)" }.joined(separator: " ")
    }
}
