import MoonData
import MoonEngine
import MoonNN

/// Matching a dataset's inputs to a model's: one tensor feeds a single-input model; named
/// inputs feed the model's inputs of the same names (every one needed, none extra).
public enum ModelInputs {
    /// The model's inputs for `inputs` (a batch or a whole dataset's); `op` names the call in errors.
    public static func feed(_ inputs: Inputs, to model: TrainableModel, _ op: String) throws -> [String: Tensor] {
        let wanted = model.inputNames
        switch inputs {
        case .single(let x):
            guard wanted.count == 1 else {
                let named = "{\(wanted.map { "\($0)=..." }.joined(separator: ", "))}"
                throw TrainingError("\(op): the model has inputs \(wanted.joined(separator: ", ")) but got one unnamed x; pass a table of named inputs \(named) (for a dataset: data.dataset(\(named), y))")
            }
            return [wanted[0]: x]
        case .named(let list):
            let given = list.map(\.name)
            if let extra = given.first(where: { !wanted.contains($0) }) {
                throw TrainingError("\(op): the data has input '\(extra)' but the model's inputs are \(wanted.joined(separator: ", ")) (data: \(given.joined(separator: ", ")))")
            }
            if let missing = wanted.first(where: { !given.contains($0) }) {
                throw TrainingError("\(op): the model's input '\(missing)' has no data (data: \(given.joined(separator: ", ")); model: \(wanted.joined(separator: ", ")))")
            }
            return Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0.values) })
        }
    }

    /// The number of samples in `inputs` (rows of the first tensor; `Dataset` and `Batch`
    /// check that the others agree).
    static func count(_ inputs: Inputs) -> Int { inputs.tensors.first?.shape.first ?? 0 }
}
