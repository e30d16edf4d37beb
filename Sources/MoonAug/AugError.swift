import MoonEngine

/// The error every augmentation transform throws: moonlab's one error type.
public typealias AugError = MoonError
