/// The error every data reader and dataset operation throws on bad input.
///
/// The message names the file or the operation and the fault, with positions counted from 1
/// (as the Lua user writes them).
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
