import Foundation
import MoonEngine
@testable import MoonAnalysis

/// A tensor from values and a shape, for tests.
func T(_ values: [Float], _ shape: [Int]) -> Tensor { try! Tensor(values, shape: shape) }

/// A label vector.
func labels(_ values: [Int]) -> Tensor { T(values.map(Float.init), [values.count]) }

/// Normal random values from a private generator, so tests stay independent.
func gaussian(_ rows: Int, _ cols: Int, seed: UInt64) -> [Double] {
    var state = seed
    func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return (Double(state >> 11) + 0.5) / Double(1 << 53)
    }
    return (0..<(rows * cols)).map { _ in
        (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
    }
}

func tensor(_ values: [Double], _ rows: Int, _ cols: Int) -> Tensor { T(values.map(Float.init), [rows, cols]) }

/// `a` (rows x k) times `b` (k x cols), in double.
func multiply(_ a: [Double], _ b: [Double], rows: Int, k: Int, cols: Int) -> [Double] {
    var out = [Double](repeating: 0, count: rows * cols)
    for i in 0..<rows { for l in 0..<k { let v = a[i * k + l]; for j in 0..<cols { out[i * cols + j] += v * b[l * cols + j] } } }
    return out
}

/// A random orthogonal `n x n` matrix: Gram-Schmidt on Gaussian columns.
func orthogonal(_ n: Int, seed: UInt64) -> [Double] {
    let g = gaussian(n, n, seed: seed)
    var q = [[Double]]()
    for j in 0..<n {
        var v = (0..<n).map { g[$0 * n + j] }
        for u in q { let d = zip(u, v).reduce(0) { $0 + $1.0 * $1.1 }; for i in 0..<n { v[i] -= d * u[i] } }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        q.append(v.map { $0 / norm })
    }
    var out = [Double](repeating: 0, count: n * n)
    for j in 0..<n { for i in 0..<n { out[i * n + j] = q[j][i] } }
    return out
}

/// The error message an expression throws, or nil when it does not throw.
func message(_ body: () throws -> Any) -> String? {
    do { _ = try body(); return nil } catch let e as AnalysisError { return e.description } catch { return "\(error)" }
}
