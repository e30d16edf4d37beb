import Foundation
import MoonBase

/// Runs as text for the terminal: a listing (one line a run) and a comparison (the settings
/// that differ, then the final metrics), and the learning curves of several runs.
public enum RunReport {
    /// One line a run, newest last, with the last epoch's loss and validation figures.
    public static func table(_ runs: [JSONValue], store: String?) -> String {
        guard !runs.isEmpty else { return "no runs recorded yet (\(store ?? "MOONLAB_RUNS=off"))" }
        let header = ["id", "source", "model", "params", "epochs", "loss", "val_loss", "val_accuracy", "seconds", "status"]
        let rows = runs.map { r -> [String] in
            [r["id"]?.string ?? "?", scriptName(r), r["model"]?["kind"]?.string ?? "?",
             r["model"]?["parameters"]?.int.map(String.init) ?? "?", String(r["history"]?["loss"]?.items?.count ?? 0),
             final(r, "loss"), final(r, "val_loss"), final(r, "val_accuracy"),
             r["seconds"]?.number.map { String(format: "%.1f", $0) } ?? "?", r["status"]?.string ?? "?"]
        }
        return aligned([header] + rows, left: 3)
    }

    /// A run in a few lines: what, when, how it ended, the final metrics.
    public static func describe(_ r: JSONValue) -> String {
        let optimizer = r["compile"]?["optimizer"]
        let settings = (optimizer?.pairs ?? []).filter { $0.0 != "name" }.map { "\($0.0)=\($0.1.description)" }.joined(separator: " ")
        var lines = [
            "run \(r["id"]?.string ?? "?"): \(r["status"]?.string ?? "?") after \(r["seconds"]?.number.map { String(format: "%.1f", $0) } ?? "?") s, \(scriptName(r)), \(r["time"]?.string ?? "?")",
            "  model \(r["model"]?["name"]?.string ?? "?") (\(r["model"]?["kind"]?.string ?? "?"), \(r["model"]?["parameters"]?.int.map(String.init) ?? "?") parameters), optimizer \(optimizer?["name"]?.string ?? "?") \(settings)",
            "  data \(r["data"]?["name"]?.string ?? "?") (\(r["data"]?["samples"]?.int.map(String.init) ?? "?") samples), \(r["history"]?["loss"]?.items?.count ?? 0) epochs" + (r["seed"]?.string.map { ", seed \($0)" } ?? ""),
        ]
        let finals = (r["final"]?.pairs ?? []).filter { $0.0 != "lr" }.map { "\($0.0) \(final(r, $0.0))" }
        if !finals.isEmpty { lines.append("  final: " + finals.joined(separator: "  ")) }
        if let e = r["error"]?.string { lines.append("  error: " + e) }
        return lines.joined(separator: "\n")
    }

    /// The settings in which `runs` differ (seed, data, model, optimizer, losses, fit options,
    /// script version), one row a setting and one column a run, then every final metric.
    public static func compare(_ runs: [JSONValue]) -> String {
        guard !runs.isEmpty else { return "no runs to compare" }
        let settings = runs.map(flatSettings)
        var keys: [String] = []
        for s in settings { for (k, _) in s where !keys.contains(k) { keys.append(k) } }
        // A layer some runs lack shows as its class only, not option by option.
        let partialLayers = keys.filter { k in k.hasPrefix("model.") && k.split(separator: ".").count == 2
            && settings.contains { s in !s.contains { $0.0 == k } } }
        let differing = keys.filter { k in
            Set(settings.map { $0.first { $0.0 == k }?.1 ?? "-" }).count > 1 && !partialLayers.contains { k.hasPrefix($0 + ".") }
        }
        var metrics: [String] = []
        for r in runs { for (k, _) in r["final"]?.pairs ?? [] where !metrics.contains(k) && k != "lr" { metrics.append(k) } }
        var rows = [["run"] + runs.map { $0["id"]?.string ?? "?" }]
        rows += differing.map { k in [k] + settings.map { s in clipped(s.first { $0.0 == k }?.1 ?? "-") } }
        if differing.isEmpty { rows.append(["(settings)"] + runs.map { _ in "the same" }) }
        rows += metrics.map { k in ["final " + k] + runs.map { final($0, k) } }
        rows.append(["seconds"] + runs.map { r in r["seconds"]?.number.map { String(format: "%.1f", $0) } ?? "?" })
        return aligned(rows, left: rows[0].count)
    }

    /// A cell of at most 32 characters.
    static func clipped(_ s: String) -> String { s.count <= 32 ? s : String(s.prefix(31)) + "…" }

    /// `{id: history}` of the runs that trained at least one epoch, for a chart of their
    /// learning curves.
    public static func histories(_ runs: [JSONValue]) -> JSONValue {
        .object(runs.compactMap { r in
            guard let h = r["history"], (h["loss"]?.items?.count ?? 0) > 0 else { return nil }   // a run that failed at once
            return (r["id"]?.string ?? "?", .object(h.pairs.filter { $0.0 != "seconds" }))
        })
    }

    // MARK: - Helpers

    static func scriptName(_ r: JSONValue) -> String {
        (r["source"]?.string ?? "?").split(separator: "/").last.map(String.init) ?? "?"
    }

    static func final(_ r: JSONValue, _ key: String) -> String {
        guard let v = r["final"]?[key]?.number ?? r["history"]?[key]?.items?.last?.number else { return "-" }
        return String(format: "%.4f", v)
    }

    /// A run's settings as `path = value` text, in a stable order.
    static func flatSettings(_ r: JSONValue) -> [(String, String)] {
        var out: [(String, String)] = []
        func walk(_ prefix: String, _ v: JSONValue) {
            switch v {
            case .object(let pairs): for (k, x) in pairs { walk(prefix.isEmpty ? k : prefix + "." + k, x) }
            default: out.append((prefix, v.description))
            }
        }
        for key in ["source", "source_hash", "seed", "data", "compile", "fit"] { if let v = r[key] { walk(key, v) } }
        if let m = r["model"] {
            for key in ["name", "kind", "parameters"] { if let v = m[key] { walk("model." + key, v) } }
            for layer in m["architecture"]?["layers"]?.items ?? [] {
                let name = "model." + (layer["name"]?.string ?? "?")
                out.append((name, layer["class"]?.string ?? "?"))
                if let config = layer["config"] { walk(name, config) }
            }
        }
        return out
    }

    /// Columns padded to their widths: the first `left` left-aligned, the others right-aligned.
    static func aligned(_ rows: [[String]], left: Int) -> String {
        let n = rows.map(\.count).max() ?? 0
        let widths = (0..<n).map { j in rows.map { j < $0.count ? $0[j].count : 0 }.max() ?? 0 }
        return rows.map { cells in
            cells.enumerated().map { j, c in
                let pad = String(repeating: " ", count: max(0, widths[j] - c.count))
                return j < left ? c + pad : pad + c
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n")
    }
}
