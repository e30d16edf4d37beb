/// The one error every moonlab target throws: what failed (`operation`), what kind of fault
/// it was, and a message for the user. LuaKit renders it in Lua's own form; nothing steers
/// control flow by reading the message.
///
/// The engine's older names (`TensorError`, `DataError`, `TuneError`, ...) are this type.
public struct MoonError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// A bad value, shape or option: the default.
        case invalid
        /// Argument `position` (1-based, `self` not counted) of the operation is wrong.
        case argument(Int)
        /// A file or a server could not be read or written.
        case io
        /// The operation does not fit the object's state (an unbuilt layer, a closed sweep).
        case state
        /// Ctrl-C or a stop request ended the operation; callers may resume.
        case interrupted
    }

    public var kind: Kind
    /// The function, layer or file the error is about (`"nn.Dense"`, `"Dense"`), when the
    /// message does not already start with it.
    public var operation: String?
    public var message: String

    /// An invalid-value error; `message` names the operation itself (the older style).
    public init(_ message: String) {
        self.kind = .invalid
        self.operation = nil
        self.message = message
    }

    /// An invalid-value error of `operation` (`matmul`): a caller may rename the operation
    /// to the name its users call (`tensor:matmul`).
    public init(in operation: String, _ message: String) {
        self.init(.invalid, message, operation: operation)
    }

    public init(_ kind: Kind, _ message: String, operation: String? = nil) {
        self.kind = kind
        self.operation = operation
        self.message = message
    }

    /// Ctrl-C, or a runner told to stop.
    public static let interrupted = MoonError(.interrupted, "interrupted")

    public var isInterruption: Bool { kind == .interrupted }

    /// A bad argument: LuaKit renders it as Lua's `bad argument #n to 'f' (...)`, so wrappers
    /// that prefix messages pass it through unchanged.
    public var isArgumentError: Bool {
        if case .argument = kind { return true }
        return false
    }

    /// The message with its operation in front: `nn.Dense: units must be positive`.
    public var description: String {
        guard let operation, !message.hasPrefix(operation) else { return message }
        return "\(operation): \(message)"
    }

    /// The error as the call users made (`dataset:select`): the engine's name for the
    /// operation that failed (`indexSelect`) gives way to it; an error without one gets it.
    public func renamed(_ call: String) -> MoonError {
        var e = self
        if e.operation != nil { e.operation = call; return e }
        return e.within(call)
    }

    /// The same error, attributed to `operation` unless it already names one.
    public func within(_ operation: String) -> MoonError {
        var e = self
        if e.operation == nil && !e.message.hasPrefix(operation) { e.operation = operation }
        return e
    }
}
