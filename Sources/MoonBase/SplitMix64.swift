/// Steele, Lea and Flood's SplitMix64: a small, fast, seedable generator. Sweeps draw their
/// configurations with it (never disturbing the engine's stream), analysis draws subsets,
/// and the engine's xoshiro256** state is seeded from it.
public struct SplitMix64: Sendable {
    public private(set) var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in 0..<n (n >= 1), without modulo bias: draws at or above the largest
    /// multiple of n are thrown away.
    public mutating func below(_ n: Int) -> Int {
        precondition(n >= 1, "SplitMix64.below needs n >= 1")
        let bound = UInt64(n)
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let x = next()
            if x < limit { return Int(x % bound) }
        }
    }
}
