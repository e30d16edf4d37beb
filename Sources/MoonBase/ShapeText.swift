/// `{2,3}`: how shapes appear in every error message and description.
public func shapeText(_ shape: [Int]) -> String {
    "{" + shape.map(String.init).joined(separator: ",") + "}"
}

/// `{N,1,28,28}`: a per-sample shape with its batch dim in front.
public func batchShapeText(_ sampleShape: [Int]) -> String {
    "{" + (["N"] + sampleShape.map(String.init)).joined(separator: ",") + "}"
}
