import MoonBase

/// The tune machinery's errors are moonlab's one error type.
public typealias TuneError = MoonError
