import MoonEngine

/// A layer whose computation comes from outside the engine (a layer written in Lua): its
/// definer gives `build` and `forward` as functions, and declares weights with `addWeight`
/// and sub-layers (built-in or custom) with `addChild` before the layer is built. Backward
/// comes from autograd over what `forward` computes.
///
/// Weights are listed trainable first, then non-trainable ones (buffers: running statistics,
/// counters), each in declaration order — Keras' `get_weights` order. The saved config is
/// `{"options": ...}` (what the layer was made with); a loader gives it back to the same
/// definition, found by `className`.
public final class CustomLayer: Layer {
    /// One declared weight.
    public struct Weight {
        public let name: String
        public let tensor: Tensor
        public let trainable: Bool
        public let regularizer: Regularizer?
    }

    /// Creates the weights for a per-sample input shape; returns the output shape, or nil to
    /// have it measured by running `forward` on one zero sample.
    public typealias Build = (CustomLayer, [Int]) throws -> [Int]?
    /// Maps a batch (the layer's `training` flag tells the mode).
    public typealias Forward = (CustomLayer, Tensor) throws -> Tensor

    /// The class saved files name (`GatedResidual`, or `Lambda`).
    public let className: String
    /// The options the layer was made with, JSON-compatible; saved, and given back on load.
    public let options: JSONValue
    private let buildBody: Build
    private let forwardBody: Forward
    public private(set) var declared: [Weight] = []
    private var childLayers: [Layer] = []
    /// The definer's own state (the Lua object behind the layer); the engine never reads it.
    public var host: AnyObject?

    public init(className: String, options: JSONValue = .object([]), name: String = "",
                build: @escaping Build, forward: @escaping Forward) throws {
        guard CustomLayer.isIdentifier(className) else {
            throw TensorError("custom layer: class name '\(className)' must be a word of letters, digits and _ (starting with a letter)")
        }
        self.className = className
        self.options = options
        self.buildBody = build
        self.forwardBody = forward
        super.init(name: name)
    }

    public override var kind: String { className }
    public override var namePrefix: String { CustomLayer.snakeCase(className) }

    /// Declares a weight while the layer builds. Names are unique within the layer.
    @discardableResult
    public func addWeight(_ name: String, shape: [Int], initializer: Initializer, trainable: Bool = true,
                          regularizer: Regularizer? = nil) throws -> Tensor {
        try addWeight(name, tensor: try initializer.make(shape), trainable: trainable, regularizer: regularizer)
    }

    /// Declares a weight holding `tensor` (copied, so the caller's tensor stays its own).
    @discardableResult
    public func addWeight(_ name: String, tensor: Tensor, trainable: Bool = true, regularizer: Regularizer? = nil) throws -> Tensor {
        guard CustomLayer.isIdentifier(name) else {
            throw TensorError("\(className): weight name '\(name)' must be a word of letters, digits and _ (starting with a letter)")
        }
        try checkNewName(name, "weight")
        let t = try Tensor.noGrad { try tensor.detach().clone() }
        let w = trainable ? t.requiringGrad() : t
        declared.append(Weight(name: name, tensor: w, trainable: trainable,
                               regularizer: regularizer.flatMap { $0.isActive ? $0 : nil }))
        return w
    }

    /// Declares a sub-layer: its weights train, count and save with this layer's (named
    /// `name.kernel`), and it follows this layer's training mode.
    public func addChild(_ name: String, _ layer: Layer) throws {
        guard CustomLayer.isIdentifier(name) else {
            throw TensorError("\(className): sub-layer name '\(name)' must be a word of letters, digits and _ (starting with a letter)")
        }
        try checkNewName(name, "sub-layer")
        guard !childLayers.contains(where: { $0 === layer }), layer !== self else {
            throw TensorError("\(className): layer \(layer.displayName) is already a sub-layer of \(displayName)")
        }
        layer.name = name
        childLayers.append(layer)
    }

    private func checkNewName(_ name: String, _ what: String) throws {
        guard !declared.contains(where: { $0.name == name }), !childLayers.contains(where: { $0.name == name }) else {
            throw TensorError("\(className): layer \(displayName) already has a weight or sub-layer named '\(name)'")
        }
        guard !isBuilt else {
            throw TensorError("\(className): a \(what) is declared while the layer is made or builds (in init or build), not after")
        }
    }

    public override var children: [Layer] { childLayers }

    /// The declared weight called `name`, if any.
    public func weight(named name: String) -> Tensor? { declared.first { $0.name == name }?.tensor }

    public override func build(inputShape: [Int]) throws -> [Int] {
        let declaredShape = try buildBody(self, inputShape)
        if let shape = declaredShape {
            guard !shape.isEmpty, shape.allSatisfy({ $0 >= 1 }) else {
                throw TensorError("\(className): build returned the output shape \(shapeText(shape)); expected positive sizes per sample, like {64} or {32, 14, 14}")
            }
            // Sub-layers build when first called: one sample through forward builds them now,
            // so their weights exist (to load, count and train) before any batch.
            if childLayers.allSatisfy(\.isBuilt) { return shape }
        }
        let measured = try measureOutputShape(inputShape)
        if let shape = declaredShape, shape != measured {
            throw TensorError("\(className): build returned the output shape \(shapeText(shape)) but forward gives \(shapeText(measured))")
        }
        return measured
    }

    /// The output shape of one zero sample run in evaluation mode, without recording gradients.
    private func measureOutputShape(_ shape: [Int]) throws -> [Int] {
        let mode = training
        training = false
        defer { training = mode }
        let y = try Tensor.noGrad { try forwardBody(self, try Tensor.zeros([1] + shape)) }
        guard y.rank >= 2, y.shape[0] == 1 else {
            throw TensorError("\(className): forward must keep the batch dim first; one sample of \(shapeText(shape)) gave shape \(shapeText(y.shape))")
        }
        return Array(y.shape.dropFirst())
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        let y = try forwardBody(self, x)
        if let outputShape, !y.shape.dropFirst().elementsEqual(outputShape) || y.shape.first != x.shape.first {
            throw TensorError("\(className): forward returned shape \(shapeText(y.shape)) for a batch of \(x.shape[0]); the layer was built to give \(batchShapeText(outputShape))")
        }
        return y
    }

    private var ordered: [Weight] { declared.filter(\.trainable) + declared.filter { !$0.trainable } }
    public override var trainableWeights: [Tensor] { declared.filter(\.trainable).map(\.tensor) }
    public override var weights: [Tensor] { ordered.map(\.tensor) }
    public override var weightNames: [String] { ordered.map(\.name) }

    public override func regularizationLoss() throws -> Tensor? {
        try Layer.sum(declared.map { w in try w.regularizer.flatMap { try $0.penalty(w.tensor) } }
                      + childLayers.map { try $0.regularizationLoss() })
    }

    public override var config: JSONValue { ["options": options] }

    public override var description: String {
        let shapes = inputShape.map { "\(shapeText($0)) -> \(outputShape.map(shapeText) ?? "?")" } ?? ""
        return "\(className)(\(shapes))"
    }

    // MARK: - Names

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }

    /// `GatedResidual` → `gated_residual` (Keras' automatic layer names).
    static func snakeCase(_ s: String) -> String {
        var out = ""
        var previousLower = false
        for ch in s {
            if ch.isUppercase {
                if previousLower { out += "_" }
                out += ch.lowercased()
                previousLower = false
            } else {
                out.append(ch)
                previousLower = ch.isLowercase || ch.isNumber
            }
        }
        return out
    }
}

extension CustomLayer {
    /// The options of a declared weight (`self:param(name, shape, init, {...})` in Lua).
    public struct WeightOptions: Options {
        public var trainable = true
        public var l1 = 0.0
        public var l2 = 0.0
        public init() {}
        public static var fields: [OptionField<WeightOptions>] {
            [OptionField("trainable", \.trainable, "whether the optimizer updates it (false: a buffer, such as running statistics)"),
             OptionField("l1", \.l1, "l1 penalty on it, added to the loss"),
             OptionField("l2", \.l2, "l2 penalty on it, added to the loss")]
        }

        /// The penalty these options ask for, or nil for none.
        public func regularizer(owner: String) throws -> Regularizer? {
            l1 == 0 && l2 == 0 ? nil : try Regularizer(l1: Float(l1), l2: Float(l2), owner: owner)
        }
    }

    /// The class name of layers made by `nn.Lambda`: a saved one is found again by its layer name.
    public static let lambdaClass = "Lambda"
}
