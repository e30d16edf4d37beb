import Testing
@testable import MoonKernels

/// Deterministic random numbers for reproducible test shapes and data (SplitMix64).
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
    mutating func float() -> Float { Float(next() >> 40) / Float(1 << 24) * 2 - 1 }
    mutating func floats(_ n: Int) -> [Float] { (0..<n).map { _ in float() } }
}

/// Largest difference between two arrays, relative to the reference's largest magnitude.
func relativeError(_ got: [Float], _ want: [Double]) -> Double {
    precondition(got.count == want.count)
    var err = 0.0, scale = 1.0
    for k in 0..<got.count {
        err = max(err, abs(Double(got[k]) - want[k]))
        scale = max(scale, abs(want[k]))
    }
    return err / scale
}
