/// Eight floats at a time, for elementwise rules over several arrays that the compiler leaves
/// scalar (an optimizer's update, with its square roots and divisions).
public typealias Lanes = SIMD8<Float>

/// A single float or eight lanes of floats: an elementwise rule written once, generic over
/// this, runs eight lanes at a time and single floats for the tail (`ElementwiseRule`). Lane
/// arithmetic is IEEE arithmetic per lane, so both give the same bits for an element.
public protocol FloatLanes {
    init(repeating value: Float)
    static func load(_ p: UnsafePointer<Float>, _ i: Int) -> Self
    func store(_ p: UnsafeMutablePointer<Float>, _ i: Int)
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static func / (a: Self, b: Self) -> Self
    prefix static func - (a: Self) -> Self
    func squareRoot() -> Self
}

extension FloatLanes {
    @inlinable @inline(__always)
    public static func load(_ p: UnsafeMutablePointer<Float>, _ i: Int) -> Self { load(UnsafePointer(p), i) }
}

extension Float: FloatLanes {
    @inlinable @inline(__always) public init(repeating value: Float) { self = value }
    @inlinable @inline(__always) public static func load(_ p: UnsafePointer<Float>, _ i: Int) -> Float { p[i] }
    @inlinable @inline(__always) public func store(_ p: UnsafeMutablePointer<Float>, _ i: Int) { p[i] = self }
}

extension SIMD8: FloatLanes where Scalar == Float {
    @inlinable @inline(__always)
    public static func load(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
    }
    @inlinable @inline(__always)
    public func store(_ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: self, as: SIMD8<Float>.self)
    }
}

/// An elementwise update of element `i` (or of the eight from `i`), written once for both.
public protocol ElementwiseRule {
    func apply<V: FloatLanes>(_ i: Int, _ lanes: V.Type)
}

extension ElementwiseRule {
    /// Applies the rule to elements `0..<n`: eight lanes at a time and single floats for the
    /// tail, split across the cores from `minPerThread` elements a core.
    @inlinable
    public func run(_ n: Int, minPerThread: Int = 1 << 16) {
        Threads.parallelFor(n, minPerThread: minPerThread) { _, r in
            let whole = r.lowerBound + r.count / Lanes.scalarCount * Lanes.scalarCount
            for i in stride(from: r.lowerBound, to: whole, by: Lanes.scalarCount) { apply(i, Lanes.self) }
            for i in whole..<r.upperBound { apply(i, Float.self) }
        }
    }
}
