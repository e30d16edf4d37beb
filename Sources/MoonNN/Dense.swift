import MoonEngine

/// A fully connected layer: `y = activation(x · kernel + bias)`, kernel `{in, units}`, bias
/// `{units}`. The product and the bias are one GEMM (`Tensor.linear`).
///
/// On a flat input `{in}` it maps the features; on an image `{C, H, W}` it maps the channels
/// at every position (Keras' Dense on channels-last images; `cfp...` layer codes use this);
/// on other ranks it maps the last dim, as Keras does.
///
/// Options, with Keras' names and defaults: `DenseOptions` below.
public final class Dense: KernelLayer, ConfigurableLayer {
    public let options: DenseOptions
    public var units: Int { options.units }

    public init(config options: DenseOptions, name: String = "") throws {
        guard options.units >= 1 else { throw TensorError("Dense: units must be positive, got \(options.units)") }
        self.options = options
        try super.init("Dense", options.kernel, name: name)
    }

    /// `Dense(10) { $0.activation = "relu" }`.
    public convenience init(_ units: Int, name: String = "", _ configure: (inout DenseOptions) throws -> Void = { _ in }) throws {
        try self.init(name: name) { $0.units = units; try configure(&$0) }
    }

    public static var className: String { "Dense" }
    public override var kind: String { Self.className }
    public override var namePrefix: String { "dense" }

    /// The per-sample dim the layer maps: channels of an image, else the last.
    private func featureAxis(_ rank: Int) -> Int { rank == 3 ? 0 : rank - 1 }

    public override var forwardFlops: Int {
        guard let features = inputFeatures, let out = outputShape else { return 0 }
        return 2 * features * out.reduce(1, *)
    }

    /// The number of input features, once built.
    public var inputFeatures: Int? { inputShape.map { $0[featureAxis($0.count)] } }

    public override func build(inputShape: [Int]) throws -> [Int] {
        guard !inputShape.isEmpty else { throw TensorError("Dense: needs input with at least one dim, got {}") }
        let axis = featureAxis(inputShape.count)
        try makeWeights(kernel: [inputShape[axis], units], units: units)
        var out = inputShape
        out[axis] = units
        return out
    }

    public override func checkInput(_ shape: [Int]) throws {
        guard let inputShape else { return }
        if shape.count != inputShape.count + 1 || Array(shape.dropFirst()) != inputShape {
            let features = inputShape[featureAxis(inputShape.count)]
            if inputShape.count == 1 {
                throw TensorError("Dense: expected input with \(features) features, got shape \(shapeText(shape))")
            }
            throw TensorError("Dense: expected input of shape \(batchShapeText(inputShape)), got shape \(shapeText(shape))")
        }
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        let kernel = try builtKernel()
        let y: Tensor
        switch x.rank {
        case 2 where activation == "relu":   // the relu on each block of the product as it is made
            return try Tensor.linear(x, weight: kernel, bias: bias, relu: true)
        case 2:
            y = try Tensor.linear(x, weight: kernel, bias: bias)
        case 4:   // {N, C, H, W}: map channels at each position
            let (n, h, w) = (x.shape[0], x.shape[2], x.shape[3])
            let rows = try x.permute([0, 2, 3, 1]).reshape([-1, x.shape[1]])
            y = try Tensor.linear(rows, weight: kernel, bias: bias)
                .reshape([n, h, w, units]).permute([0, 3, 1, 2]).contiguous()
        default:
            guard x.rank >= 2 else { throw TensorError("Dense: expected a batch, got shape \(shapeText(x.shape))") }
            let lead = Array(x.shape.dropLast())
            y = try Tensor.linear(x.reshape([-1, x.shape[x.rank - 1]]), weight: kernel, bias: bias)
                .reshape(lead + [units])
        }
        return try applyActivation(activation, y)
    }

    public override var config: JSONValue { options.json }

    public override var description: String {
        describe(["\(inputFeatures.map(String.init) ?? "?") -> \(units)"])
    }
}

/// `nn.Dense(units, {...})`.
@dynamicMemberLookup
public struct DenseOptions: Options {
    public var units = 1
    public var kernel = KernelOptions()
    public init() {}

    public static var fields: [OptionField<DenseOptions>] {
        [.argument("units", \.units, "output features")] + KernelOptions.fields(\.kernel)
    }

    public subscript<T>(dynamicMember path: WritableKeyPath<KernelOptions, T>) -> T {
        get { kernel[keyPath: path] }
        set { kernel[keyPath: path] = newValue }
    }
}

extension Dense {
    /// What `nn.Dense` does, for help.
    public static let summary = """
        A fully connected layer: activation(x · kernel + bias), kernel {in, units}, bias {units}. \
        On images {C,H,W} it maps the channels at each position.
        """
}
