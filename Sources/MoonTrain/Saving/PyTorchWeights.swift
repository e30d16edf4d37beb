import MoonEngine
import MoonNN

/// How a PyTorch `state_dict` names and lays out the weights of the layers moonlab shares
/// with it (`model:load_weights(path, {from="pytorch"})`):
///
/// | moonlab | PyTorch | conversion |
/// |---|---|---|
/// | Dense `kernel` `{in, units}` | Linear `weight` `{out, in}` | transposed |
/// | Dense `bias`, Conv2D `bias` | `bias` | none |
/// | Conv2D `kernel` `{filters, in, kh, kw}` | Conv2d `weight` `{out, in, kh, kw}` | none (same layout) |
/// | BatchNorm `gamma`, `beta` | BatchNorm2d `weight`, `bias` | none |
/// | BatchNorm `moving_mean`, `moving_variance` | `running_mean`, `running_var` | none |
///
/// `num_batches_tracked` has no counterpart and stays unused. Both frameworks compute
/// BatchNorm at inference as `gamma · (x − mean) / √(var + eps) + beta`, but PyTorch's default
/// eps is 1e-5 and moonlab's (Keras') 1e-3, so a layer built with another eps than the
/// model it came from gives other outputs: the report notes every such layer. Momentum only
/// matters for further training: PyTorch's 0.1 is moonlab's 0.9 (`moving = momentum · moving
/// + (1 − momentum) · batch`); PyTorch also keeps the unbiased batch variance where moonlab
/// keeps the biased one.
public enum PyTorchWeights {
    /// PyTorch's name for weight `leaf` of `layer`.
    static func name(of leaf: String, in layer: Layer) -> String {
        switch (layer, leaf) {
        case (is KernelLayer, "kernel"), (is BatchNorm, "gamma"): return "weight"
        case (is BatchNorm, "beta"): return "bias"
        case (is BatchNorm, "moving_mean"): return "running_mean"
        case (is BatchNorm, "moving_variance"): return "running_var"
        default: return leaf
        }
    }

    /// A PyTorch tensor in moonlab's layout for weight `leaf` of `layer`; nil when its rank
    /// cannot be (a Linear weight that is not a matrix).
    static func convert(_ t: Tensor, leaf: String, in layer: Layer) throws -> Tensor? {
        guard layer is Dense, leaf == "kernel" else { return t }
        return t.rank == 2 ? try t.t() : nil
    }

    /// What a shape mismatch message adds about PyTorch's layout.
    static func layoutNote(leaf: String, in layer: Layer) -> String {
        layer is Dense && leaf == "kernel" ? " (PyTorch's Linear weight is {out, in}, transposed on loading)" : ""
    }

    /// PyTorch's BatchNorm eps default.
    static let eps: Float = 1e-5

    /// Notes on layers that will not compute what PyTorch's defaults do.
    static func notes(_ layers: [Layer]) -> [String] {
        var seen = Set<ObjectIdentifier>()
        return layers.compactMap { l -> String? in
            guard let bn = l as? BatchNorm, seen.insert(ObjectIdentifier(bn)).inserted, abs(bn.eps - eps) > 1e-9 else { return nil }
            return "\(bn.displayName) has eps \(bn.eps), PyTorch's BatchNorm2d default is 1e-05: build it with nn.BatchNorm{eps=1e-5} to compute what PyTorch does"
        }
    }
}
