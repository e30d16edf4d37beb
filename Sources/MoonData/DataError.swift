import MoonEngine

/// The error every data reader and dataset operation throws: moonlab's one error type.
public typealias DataError = MoonError
