import Foundation

/// The per-epoch progress display in Keras' style:
///
///     epoch 3/15  1875/1875 [==============================] 4s 2ms/step - loss: 0.3124 - accuracy: 0.8852 - val_loss: ...
///
/// On a terminal at verbose 1 the line is redrawn in place (`\r`, at most ten times a second,
/// with the time left while running); otherwise (not a terminal, or verbose 2) one plain line
/// is written at the end of each epoch. Verbose 0 writes nothing.
final class ProgressBar {
    let epoch: Int, epochs: Int, steps: Int, verbose: Int
    let output: ProgressOutput
    let start = Date()
    private var lastDraw = Date.distantPast
    private var lastWidth = 0

    init(epoch: Int, epochs: Int, steps: Int, verbose: Int, output: ProgressOutput) {
        (self.epoch, self.epochs, self.steps, self.verbose, self.output) = (epoch, epochs, steps, verbose, output)
    }

    var live: Bool { verbose == 1 && output.isTerminal }

    /// After batch `step` (from 1), with the running averages.
    func update(step: Int, logs: [(String, Double)]) {
        guard live else { return }
        let now = Date()
        if step < steps && now.timeIntervalSince(lastDraw) < 0.1 { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let eta = step > 0 ? elapsed / Double(step) * Double(steps - step) : 0
        draw(line(step: step, timing: "- ETA: \(ProgressBar.duration(eta))", logs: logs), end: "")
    }

    /// At the end of the epoch, with every value (validation included).
    func finish(stepsDone: Int, logs: [(String, Double)]) {
        guard verbose > 0 else { return }
        let elapsed = Date().timeIntervalSince(start)
        let perStep = stepsDone > 0 ? elapsed / Double(stepsDone) : 0
        let timing = "\(ProgressBar.duration(elapsed)) \(ProgressBar.perStep(perStep))"
        let text = line(step: stepsDone, timing: timing, logs: logs)
        if live { draw(text, end: "\n") } else { output.write(text + "\n") }
    }

    /// Ends a drawn bar's line, so what follows (an interruption's message) starts on its own.
    func interrupt() {
        if live && lastWidth > 0 { output.write("\n"); lastWidth = 0 }
    }

    private func draw(_ text: String, end: String) {
        let pad = Swift.max(0, lastWidth - text.count)
        lastWidth = text.count
        output.write("\r" + text + String(repeating: " ", count: pad) + end)
    }

    func line(step: Int, timing: String, logs: [(String, Double)]) -> String {
        let width = String(steps).count
        let counter = String(repeating: " ", count: Swift.max(0, width - String(step).count)) + "\(step)/\(steps)"
        var s = "epoch \(epoch)/\(epochs)  \(counter) \(ProgressBar.bar(step, steps)) \(timing)"
        for (k, v) in logs { s += " - \(k): \(ProgressBar.value(v))" }
        return s
    }

    static func bar(_ step: Int, _ steps: Int, width: Int = 30) -> String {
        let done = steps > 0 ? Swift.min(width, width * step / steps) : width
        if done >= width { return "[" + String(repeating: "=", count: width) + "]" }
        if done == 0 { return "[" + String(repeating: ".", count: width) + "]" }
        return "[" + String(repeating: "=", count: done - 1) + ">" + String(repeating: ".", count: width - done) + "]"
    }

    /// After a fit of two or more epochs, on a terminal: the loss (and validation loss) over
    /// the epochs as one line of bars, `loss ▇▅▃▂▁ 0.5123 → 0.1034`.
    static func summary(_ history: History) -> String? {
        guard let loss = history.values["loss"], loss.count >= 2 else { return nil }
        return ["loss", "val_loss"].compactMap { key in
            history.values[key].map { "\(key) \(sparkline($0)) \(value($0.first!)) → \(value($0.last!))" }
        }.joined(separator: "   ")
    }

    /// One bar a value, from ▁ (the smallest) to █ (the largest); a space for a non-finite one.
    static func sparkline(_ values: [Double]) -> String {
        let bars = Array("▁▂▃▄▅▆▇█")
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return String(repeating: " ", count: values.count) }
        return String(values.map { v -> Character in
            guard v.isFinite else { return " " }
            return high > low ? bars[Int(((v - low) / (high - low) * 7).rounded())] : bars[3]
        })
    }

    /// `4s`, `1:02`, `1:02:03`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%d:%02d", s / 60, s % 60) }
        return String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
    }

    /// `2ms/step`, `350us/step`, `1s/step`.
    static func perStep(_ seconds: Double) -> String {
        if seconds >= 1 { return "\(Int(seconds.rounded()))s/step" }
        if seconds >= 1e-3 { return "\(Int((seconds * 1e3).rounded()))ms/step" }
        return "\(Int((seconds * 1e6).rounded()))us/step"
    }

    /// Keras' number format: 4 decimals, or scientific for tiny values.
    static func value(_ v: Double) -> String {
        if !v.isFinite { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
        if v == 0 || Swift.abs(v) >= 1e-3 { return String(format: "%.4f", v) }
        return String(format: "%.4e", v)
    }
}
