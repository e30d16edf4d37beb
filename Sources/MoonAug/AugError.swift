/// The error every augmentation transform throws on bad input: the message names the
/// transform and the offending values (`RandomRotation: degrees must be >= 0, got -5`).
public struct AugError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
