import MoonBase
import Foundation
import MoonEngine

/// Loaders for data sets on disk: the named MNIST-style sets and any pair of IDX files.
public enum DataSets {
    /// One split of MNIST or Fashion-MNIST, found through `DataLocator`: `x` {N, 1, 28, 28}
    /// in [0, 1], `y` {N} class ids 0..9, class names set. Named `<set> <split>`.
    public static func load(_ set: NamedSet, split: Split,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Dataset {
        let (images, labels) = try DataLocator.locate(set, split: split, environment: environment)
        let ds = try idx(images: images, labels: labels, name: "\(set.rawValue) \(split.rawValue)",
                         classNames: set.classNames)
        if let bad = try ds.classLabels(op: set.title).firstIndex(where: { $0 >= set.classNames.count }) {
            throw DataError("\(labels): label \(ds.y!.toArray()[bad]) at position \(bad + 1) is outside \(set.title)'s classes 0..\(set.classNames.count - 1)")
        }
        return ds
    }

    /// MNIST handwritten digits (class names "0".."9").
    public static func mnist(split: Split = .train,
                             environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Dataset {
        try load(.mnist, split: split, environment: environment)
    }

    /// Fashion-MNIST (class names T-shirt/top .. Ankle boot).
    public static func fashionMNIST(split: Split = .train,
                                    environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Dataset {
        try load(.fashionMNIST, split: split, environment: environment)
    }

    /// A dataset from an IDX image file and an IDX label file (gz or raw) with equal counts.
    /// Unsigned-byte images are scaled into [0, 1]; {N, H, W} images become {N, 1, H, W}.
    /// The name defaults to the image file's name.
    public static func idx(images: String, labels: String, name: String? = nil,
                           classNames: [String]? = nil) throws -> Dataset {
        let (x, y) = try IDXReader.readPair(images: images, labels: labels)
        return try Dataset(name: name ?? PathText.lastComponent(images), x: x, y: y, classNames: classNames)
    }
}
