import MoonEngine

/// The error plotting functions throw: moonlab's one error type.
public typealias PlotError = MoonError
