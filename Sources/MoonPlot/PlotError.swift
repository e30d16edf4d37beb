/// The error plotting functions throw on bad input or a file that cannot be written; the
/// message names the call and the offending value.
public struct PlotError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
