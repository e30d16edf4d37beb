import MoonEngine

/// The error metrics and analysis functions throw: moonlab's one error type.
public typealias AnalysisError = MoonError
