import Foundation
import MoonBase

/// The named data sets moonlab can find on disk.
public enum NamedSet: String, Sendable, CaseIterable {
    case mnist = "mnist"
    case fashionMNIST = "fashion-mnist"

    /// The name people write (`Fashion-MNIST`).
    public var title: String { self == .mnist ? "MNIST" : "Fashion-MNIST" }

    /// Subfolders of a data root that may hold this set (torchvision's layout included).
    public var folders: [String] {
        switch self {
        case .mnist: return ["mnist", "MNIST", "MNIST/raw"]
        case .fashionMNIST: return ["fashion-mnist", "fashion_mnist", "FashionMNIST", "FashionMNIST/raw"]
        }
    }

    /// What the labels mean, in label order (label k is `classNames[k]`).
    public var classNames: [String] {
        switch self {
        case .mnist: return (0...9).map(String.init)
        case .fashionMNIST:
            return ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
        }
    }

    /// How to get the set when it is missing.
    public var howToGet: String {
        switch self {
        case .mnist:
            return "put the four MNIST IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) in ~/.moonlab/data/mnist, or set MOONLAB_DATA to a folder holding mnist/"
        case .fashionMNIST:
            return "run scripts/setup (it installs Debian's dataset-fashion-mnist into /usr/share/datasets/fashion-mnist), or put the four IDX files in ~/.moonlab/data/fashion-mnist, or set MOONLAB_DATA to a folder holding fashion-mnist/"
        }
    }
}

/// The two halves the MNIST-style sets ship as.
public enum Split: String, Sendable, CaseIterable, OptionChoice {
    case train, test

    /// `{split="train"|"test"}` of `data.mnist` and `data.fashion_mnist`.
    public struct Options: MoonBase.Options {
        public var split = Split.train
        public init() {}
        public static var fields: [OptionField<Options>] { [OptionField("split", \.split, "the 60,000 training images or the 10,000 test images")] }
    }

    /// File name stem: `train` or `t10k`.
    var stem: String { self == .train ? "train" : "t10k" }
}

/// Finds data files: `MOONLAB_DATA`, then `~/.moonlab/data`, then `/usr/share/datasets`.
public enum DataLocator {
    /// The data roots in search order, for an environment (the process's by default).
    public static func roots(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var out: [String] = []
        if let d = environment["MOONLAB_DATA"], !d.isEmpty {
            out += d.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        out.append((home as NSString).appendingPathComponent(".moonlab/data"))
        out.append("/usr/share/datasets")
        return out
    }

    /// Every folder searched for `set`, in order.
    public static func candidateFolders(_ set: NamedSet,
                                        environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        roots(environment: environment).flatMap { root in
            set.folders.map { (root as NSString).appendingPathComponent($0) }
        }
    }

    /// The image and label files of one split of a named set. Each file may be gzipped
    /// (`.gz`) or raw, and named with a dash or a dot before `idx` (`train-images.idx3-ubyte`).
    /// A folder holding the images but not the labels is an error naming the missing file.
    public static func locate(_ set: NamedSet, split: Split,
                              environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> (images: String, labels: String) {
        let folders = candidateFolders(set, environment: environment)
        for folder in folders {
            let images = find(folder, "\(split.stem)-images", "idx3-ubyte")
            let labels = find(folder, "\(split.stem)-labels", "idx1-ubyte")
            switch (images, labels) {
            case let (i?, l?): return (i, l)
            case (_?, nil):
                throw DataError("\(set.title) \(split.rawValue) labels missing: \(folder) holds the images but no \(split.stem)-labels-idx1-ubyte(.gz)")
            case (nil, _?):
                throw DataError("\(set.title) \(split.rawValue) images missing: \(folder) holds the labels but no \(split.stem)-images-idx3-ubyte(.gz)")
            default: continue
            }
        }
        throw DataError("""
            \(set.title) (\(split.rawValue) split) not found: no \(split.stem)-images-idx3-ubyte(.gz) and \
            \(split.stem)-labels-idx1-ubyte(.gz) in any of: \(folders.joined(separator: ", ")). \
            To get it: \(set.howToGet).
            """)
    }

    /// The first existing file among the spellings of `stem` + `kind`, or nil.
    static func find(_ folder: String, _ stem: String, _ kind: String) -> String? {
        let fm = FileManager.default
        for sep in ["-", "."] {
            for ext in [".gz", ""] {
                let p = (folder as NSString).appendingPathComponent("\(stem)\(sep)\(kind)\(ext)")
                var dir: ObjCBool = false
                if fm.fileExists(atPath: p, isDirectory: &dir), !dir.boolValue { return p }
            }
        }
        return nil
    }
}
