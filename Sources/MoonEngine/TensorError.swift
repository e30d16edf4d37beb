@_exported import MoonBase

/// The error every tensor operation throws on bad input: moonlab's one error type.
///
/// The message names the operation and the offending shapes or values, with dims and
/// positions counted from 1 (as the Lua user writes them) and shapes written `{2,3}`.
public typealias TensorError = MoonError
