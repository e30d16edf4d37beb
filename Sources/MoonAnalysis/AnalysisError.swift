/// The error metrics and analysis functions throw on bad input: the message names the call
/// and the offending values (`metrics.accuracy: 100 predictions but 99 labels`).
public struct AnalysisError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
