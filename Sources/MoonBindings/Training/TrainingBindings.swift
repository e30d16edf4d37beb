import LuaKit

/// Methods that training adds to the model class (`compile`, `fit`, `evaluate`, `predict`,
/// `classify`, ...). The model class (NN/ModelClass.swift) includes them in its method table.
enum TrainingBindings {
    nonisolated(unsafe) static var modelMethods: [LuaMethod] = []
}
