import Testing
import MoonBase
@testable import MoonTrain

/// `model:compile{...}`'s options resolved against a model's outputs.
@Suite struct CompileOptionsTests {
    @Test func aFlatMetricListGoesToTheOutputsItSuits() throws {
        let o = try CompileOptions(reading: ["loss": ["hour": "sparse_categorical_crossentropy", "minute": "mae"],
                                             "metrics": ["accuracy", "mae"], "loss_weights": ["minute": 0.5]])
        let (losses, weights, metrics) = try o.resolve(outputs: ["hour", "minute"])
        #expect(Set(losses.keys) == ["hour", "minute"] && weights == ["minute": 0.5])
        #expect(metrics["hour"] == [.accuracy] && metrics["minute"] == [.mae])
    }

    @Test func perOutputMetricsAndOneLossForOneOutput() throws {
        let o = try CompileOptions(reading: ["loss": "mse", "metrics": ["out": "mae"]])
        let (losses, _, metrics) = try o.resolve(outputs: ["out"])
        #expect(losses["out"] != nil && metrics["out"] == [.mae])
        #expect(throws: TrainingError("the model has outputs a, b; give a loss per output: loss={a=..., b=...}")) {
            try CompileOptions(reading: ["loss": "mse"]).resolve(outputs: ["a", "b"])
        }
        #expect(throws: TrainingError.self) { try CompileOptions().resolve(outputs: ["out"]) }
        #expect(throws: MoonError.self) { try CompileOptions(reading: ["loss": ["a": 3]]) }
    }

    @Test func inferenceOptionsPickTheClassOutput() throws {
        #expect(try InferenceOptions(reading: ["batch_size": 8]).batchSize() == 8)
        #expect(throws: TrainingError.self) { try InferenceOptions(reading: ["batch": 0]).batchSize() }
        #expect(try InferenceOptions().classOutput(of: ["y"]) == "y")
        #expect(try InferenceOptions(reading: ["output": "hour"]).classOutput(of: ["hour", "minute"]) == "hour")
        #expect(throws: TrainingError.self) { try InferenceOptions().classOutput(of: ["hour", "minute"]) }
    }
}
