/// Eight floats at a time, for elementwise loops over several arrays that the compiler leaves
/// scalar (an optimizer's update, with its square roots and divisions). Lane arithmetic is
/// IEEE arithmetic per lane, so a loop written with lanes gives the bits its scalar form gives.
public typealias Lanes = SIMD8<Float>

extension UnsafePointer where Pointee == Float {
    /// The eight floats from `self + i` (any alignment).
    @inlinable @inline(__always)
    public func lanes(_ i: Int) -> Lanes { UnsafeRawPointer(self + i).loadUnaligned(as: Lanes.self) }
}

extension UnsafeMutablePointer where Pointee == Float {
    /// The eight floats from `self + i` (any alignment).
    @inlinable @inline(__always)
    public func lanes(_ i: Int) -> Lanes { UnsafeRawPointer(self + i).loadUnaligned(as: Lanes.self) }

    /// Writes `v` to the eight floats from `self + i` (any alignment).
    @inlinable @inline(__always)
    public func setLanes(_ i: Int, _ v: Lanes) { UnsafeMutableRawPointer(self + i).storeBytes(of: v, as: Lanes.self) }
}
