import Testing
import MoonEngine
@testable import MoonNN

/// Random values from a private generator, so tests do not depend on each other's order.
func random(_ shape: [Int], seed: UInt64 = 1, low: Float = -1, high: Float = 1) -> Tensor {
    try! Tensor.rand(shape, low: low, high: high, generator: RandomGenerator(seed: seed))
}

func T(_ values: [Float], _ shape: [Int]) -> Tensor { try! Tensor(values, shape: shape) }

func close(_ a: [Float], _ b: [Float], tol: Float = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tol * Swift.max(1, Swift.abs($1)) }
}

/// The message a throwing expression gives, or nil.
func message(_ body: () throws -> Any) -> String? {
    do { _ = try body(); return nil } catch let e as TensorError { return e.description } catch { return "\(error)" }
}

func mean(_ v: [Float]) -> Double { v.reduce(0.0) { $0 + Double($1) } / Double(v.count) }
func std(_ v: [Float]) -> Double {
    let m = mean(v)
    return (v.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(v.count)).squareRoot()
}

struct GradientMismatch: CustomStringConvertible {
    let input: Int, element: Int, analytic: Double, numeric: Double
    var description: String { "input \(input) element \(element): analytic \(analytic), numeric \(numeric)" }
}

/// Central finite differences of Σ w·f against backward's gradients (w fixed random weights).
/// Each input must be a contiguous tensor; its elements are moved by ±h in place.
func gradientMismatches(_ inputs: [Tensor], h: Float = 1e-2, atol: Double = 1e-2, rtol: Double = 1e-2,
                        _ f: () throws -> Tensor) throws -> [GradientMismatch] {
    for x in inputs { x.requiringGrad(); x.zeroGrad() }
    let out = try f()
    let w = random(out.shape, seed: 99)
    try out.backward(gradient: w)
    let weights = w.toArray().map(Double.init)
    func loss() throws -> Double {
        let y = try Tensor.noGrad { try f() }.toArray()
        return zip(y, weights).reduce(0) { $0 + Double($1.0) * $1.1 }
    }
    var bad: [GradientMismatch] = []
    for (k, x) in inputs.enumerated() {
        let analytic = x.grad?.toArray() ?? [Float](repeating: 0, count: x.count)
        let p = x.storage.pointer + x.offset
        for i in 0..<x.count {
            let original = p[i]
            p[i] = original + h
            let up = try loss()
            p[i] = original - h
            let down = try loss()
            p[i] = original
            let numeric = (up - down) / (2 * Double(h))
            let a = Double(analytic[i])
            if Swift.abs(a - numeric) > atol + rtol * Swift.abs(numeric) {
                bad.append(GradientMismatch(input: k, element: i, analytic: a, numeric: numeric))
            }
        }
    }
    return bad
}

func checkGradient(_ inputs: [Tensor], h: Float = 1e-2, atol: Double = 1e-2, rtol: Double = 1e-2,
                   sourceLocation: SourceLocation = #_sourceLocation, _ f: () throws -> Tensor) {
    do {
        let bad = try gradientMismatches(inputs, h: h, atol: atol, rtol: rtol, f)
        #expect(bad.isEmpty, "\(bad.count) gradient mismatches, first: \(bad.prefix(3))", sourceLocation: sourceLocation)
    } catch {
        Issue.record("gradient check threw \(error)", sourceLocation: sourceLocation)
    }
}
