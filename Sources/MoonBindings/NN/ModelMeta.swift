/// The metatable of model objects (`nn.Sequential{...}`, `nn.Model{...}`). A model userdata
/// holds a `MoonNN.Model`; training bindings reach it as a `TrainableModel`.
let modelMeta: StaticString = "moonlab.model"
/// The metatable of layer objects (`nn.Dense(10)`).
let layerMeta: StaticString = "moonlab.layer"
/// The metatable of graph nodes (`nn.Input{1, 28, 28}`, `layer(node)`).
let nodeMeta: StaticString = "moonlab.node"
/// The metatable of initializer objects (`nn.init.variance_scaling{...}`).
let initializerMeta: StaticString = "moonlab.initializer"
