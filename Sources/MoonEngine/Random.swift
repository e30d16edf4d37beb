import Foundation

/// A seedable random generator (xoshiro256**, seeded through SplitMix64).
///
/// Every random number in moonlab comes from a generator, by default `RandomGenerator.global`,
/// so seeding it reproduces a run bit for bit. Tensors are filled serially, so the numbers
/// do not depend on the thread count. The default seed is fixed (67280421310721, as
/// PyTorch's): an unseeded run repeats itself too. Safe to share between threads.
public final class RandomGenerator: @unchecked Sendable {
    /// The generator that every tensor operation uses unless given another.
    public static let global = RandomGenerator(seed: 67_280_421_310_721)

    private var core = Xoshiro256(seed: 0)
    private let lock = NSLock()

    /// A generator started from `seed`.
    public init(seed: UInt64) { self.seed(seed) }

    /// Restarts the sequence from `seed`.
    public func seed(_ seed: UInt64) {
        lock.lock(); defer { lock.unlock() }
        core = Xoshiro256(seed: seed)
    }

    /// The full state (four words), to save in a checkpoint and restore with `setState`.
    public var state: [UInt64] {
        lock.lock(); defer { lock.unlock() }
        return core.words
    }

    /// Restores a state saved from `state`.
    public func setState(_ state: [UInt64]) throws {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else {
            throw TensorError(in: "setState", "expects 4 words, not all zero, got \(state.count) words")
        }
        lock.lock(); defer { lock.unlock() }
        core = Xoshiro256(words: (state[0], state[1], state[2], state[3]))
    }

    @inline(__always)
    private func step() -> UInt64 { core.next() }

    @inline(__always) private func unitFloat() -> Float { Float(step() >> 40) * 0x1p-24 }
    @inline(__always) private func unitDouble() -> Double { Double(step() >> 11) * 0x1p-53 }

    /// 64 random bits.
    public func nextUInt64() -> UInt64 {
        lock.lock(); defer { lock.unlock() }
        return step()
    }

    /// Uniform in [0, 1) with 24 random bits.
    public func nextFloat() -> Float {
        lock.lock(); defer { lock.unlock() }
        return unitFloat()
    }

    /// Uniform in [0, 1) with 53 random bits.
    public func nextDouble() -> Double {
        lock.lock(); defer { lock.unlock() }
        return unitDouble()
    }

    /// Uniform integer in 0..<`n` without modulo bias (0 when n <= 1).
    public func nextInt(below n: Int) -> Int {
        if n <= 1 { return 0 }
        lock.lock(); defer { lock.unlock() }
        let bound = UInt64(n)
        let threshold = (0 &- bound) % bound
        while true {
            let r = step().multipliedFullWidth(by: bound)
            if r.low >= threshold { return Int(r.high) }
        }
    }

    /// Standard normal (Box-Muller, one value per pair of uniforms).
    public func nextNormal() -> Double {
        lock.lock(); defer { lock.unlock() }
        return boxMuller().0
    }

    @inline(__always)
    private func boxMuller() -> (Double, Double) {
        let u1 = 1 - unitDouble(), u2 = unitDouble()
        let r = (-2 * Foundation.log(u1)).squareRoot(), theta = 2 * Double.pi * u2
        return (r * cos(theta), r * sin(theta))
    }

    /// A random permutation of 0..<n (Fisher-Yates).
    public func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<max(n, 0))
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, nextInt(below: i + 1)) }
        }
        return p
    }

    /// Fills `count` floats with uniform values in [low, high).
    func fillUniform(_ p: UnsafeMutablePointer<Float>, count: Int, low: Float, high: Float) {
        lock.lock(); defer { lock.unlock() }
        let scale = high - low
        for i in 0..<count { p[i] = low + scale * unitFloat() }
    }

    /// Fills `count` floats with normal values.
    func fillNormal(_ p: UnsafeMutablePointer<Float>, count: Int, mean: Float, std: Float) {
        lock.lock(); defer { lock.unlock() }
        var i = 0
        while i < count {
            let (a, b) = boxMuller()
            p[i] = mean + std * Float(a)
            if i + 1 < count { p[i + 1] = mean + std * Float(b) }
            i += 2
        }
    }

    /// Fills `count` floats with a dropout mask: 0 with probability `p`, else `scale`.
    func fillBernoulliMask(_ out: UnsafeMutablePointer<Float>, count: Int, dropProbability p: Float, scale: Float) {
        lock.lock(); defer { lock.unlock() }
        for i in 0..<count { out[i] = unitFloat() < p ? 0 : scale }
    }
}

/// The xoshiro256** state with SplitMix64 seeding: lock-free, for one thread at a time (per-image
/// generators in data generators). `RandomGenerator` wraps one behind a lock.
public struct Xoshiro256: Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        s0 = g.next(); s1 = g.next(); s2 = g.next(); s3 = g.next()
    }

    init(words: (UInt64, UInt64, UInt64, UInt64)) { (s0, s1, s2, s3) = words }

    /// The four state words (checkpoints save them).
    var words: [UInt64] { [s0, s1, s2, s3] }

    /// The next 64 random bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }
}
