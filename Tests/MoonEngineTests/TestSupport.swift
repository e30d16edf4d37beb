import Testing
@testable import MoonEngine

/// A tensor from nested Swift arrays, for tests.
func T(_ nested: Any) -> Tensor { try! Tensor.from(nested: nested) }

/// Random values for tests, from a private generator so tests stay independent.
func random(_ shape: [Int], seed: UInt64 = 1, low: Float = -1, high: Float = 1) -> Tensor {
    try! Tensor.rand(shape, low: low, high: high, generator: RandomGenerator(seed: seed))
}

/// Random values kept at least `gap` away from 0 (for functions with a kink at 0).
func awayFromZero(_ shape: [Int], seed: UInt64 = 2, gap: Float = 0.1) -> Tensor {
    let t = random(shape, seed: seed)
    t.apply { $0 >= 0 ? $0 + gap : $0 - gap }
    return t
}

func close(_ a: [Float], _ b: [Float], tol: Float = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tol * Swift.max(1, Swift.abs($1)) }
}

/// The error message an expression throws, or nil when it does not throw.
func message(_ body: () throws -> Any) -> String? {
    do { _ = try body(); return nil } catch let e as TensorError { return e.description } catch { return "\(error)" }
}

/// One disagreement between the analytic and the numeric gradient.
struct GradientMismatch: CustomStringConvertible {
    let input: Int, element: Int, analytic: Double, numeric: Double
    var description: String { "input \(input) element \(element): analytic \(analytic), numeric \(numeric)" }
}

/// Compares the gradients that `backward` gives with central finite differences.
///
/// The loss is Σ w·f(inputs) with fixed random weights w (so a permuted or misplaced
/// gradient shows), evaluated in double from the float32 outputs. Inputs must be contiguous
/// leaves; each element is moved by ±h.
func gradientMismatches(_ inputs: [Tensor], h: Float = 1e-2, atol: Double = 1e-2, rtol: Double = 1e-2,
                        _ f: ([Tensor]) throws -> Tensor) throws -> [GradientMismatch] {
    for x in inputs { x.requiringGrad(); x.zeroGrad() }
    let out = try f(inputs)
    let w = random(out.shape, seed: 99)
    try out.backward(gradient: w)
    let weights = w.toArray().map(Double.init)
    func loss() throws -> Double {
        let y = try Tensor.noGrad { try f(inputs) }.toArray()
        return zip(y, weights).reduce(0) { $0 + Double($1.0) * $1.1 }
    }
    var mismatches: [GradientMismatch] = []
    for (k, x) in inputs.enumerated() {
        let analytic = x.grad?.toArray() ?? [Float](repeating: 0, count: x.count)
        #expect(x.grad == nil || x.grad!.shape == x.shape, "gradient shape \(x.grad!.shape) for input shape \(x.shape)")
        let p = x.storage.pointer + x.offset
        for i in 0..<x.count {
            let original = p[i]
            let up = original + h, down = original - h
            p[i] = up
            let lossUp = try loss()
            p[i] = down
            let lossDown = try loss()
            p[i] = original
            let numeric = (lossUp - lossDown) / (Double(up) - Double(down))
            let a = Double(analytic[i])
            if Swift.abs(a - numeric) > atol + rtol * Swift.abs(numeric) {
                mismatches.append(GradientMismatch(input: k, element: i, analytic: a, numeric: numeric))
            }
        }
    }
    return mismatches
}

/// Expects the gradients of `f` to match finite differences.
func checkGradient(_ inputs: [Tensor], h: Float = 1e-2, atol: Double = 1e-2, rtol: Double = 1e-2,
                   sourceLocation: SourceLocation = #_sourceLocation,
                   _ f: ([Tensor]) throws -> Tensor) {
    do {
        let bad = try gradientMismatches(inputs, h: h, atol: atol, rtol: rtol, f)
        #expect(bad.isEmpty, "\(bad.count) gradient mismatches, first: \(bad.prefix(3))", sourceLocation: sourceLocation)
    } catch {
        Issue.record("gradient check threw \(error)", sourceLocation: sourceLocation)
    }
}
