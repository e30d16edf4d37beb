/// The error every tensor operation throws on bad input.
///
/// The message names the operation and the offending shapes or values, with dims and
/// positions counted from 1 (as the Lua user writes them) and shapes written `{2,3}`.
public struct TensorError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, naming the operation and the offending shapes or values.
    public let message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
