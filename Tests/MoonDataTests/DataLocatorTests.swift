import Foundation
import Testing
@testable import MoonData

@Suite struct DataLocatorTests {
    @Test func searchesTheRootsInOrder() {
        let roots = DataLocator.roots(environment: ["MOONLAB_DATA": "/a:/b", "HOME": "/home/u"])
        #expect(roots == ["/a", "/b", "/home/u/.moonlab/data", "/usr/share/datasets"])
        let folders = DataLocator.candidateFolders(.fashionMNIST, environment: ["HOME": "/h"])
        #expect(folders.contains("/h/.moonlab/data/fashion-mnist"))
        #expect(folders.contains("/usr/share/datasets/fashion_mnist"))
        #expect(folders.first == "/h/.moonlab/data/fashion-mnist")
    }

    @Test(.enabled(if: Fixtures.hasMNIST)) func findsMNISTThroughMOONLAB_DATA() throws {
        let (images, labels) = try DataLocator.locate(.mnist, split: .test, environment: Fixtures.environment())
        #expect(images == Fixtures.sharedMNIST + "/t10k-images-idx3-ubyte.gz")
        #expect(labels == Fixtures.sharedMNIST + "/t10k-labels-idx1-ubyte.gz")
    }

    @Test func findsRawAndDottedNames() throws {
        let tmp = TempFolder()
        try FileManager.default.createDirectory(atPath: tmp.path("mnist"), withIntermediateDirectories: true)
        tmp.write("mnist/train-images.idx3-ubyte", [0])
        tmp.write("mnist/train-labels-idx1-ubyte", [0])
        let (i, l) = try DataLocator.locate(.mnist, split: .train, environment: Fixtures.environment(data: tmp.url.path))
        #expect(i.hasSuffix("mnist/train-images.idx3-ubyte"))
        #expect(l.hasSuffix("mnist/train-labels-idx1-ubyte"))
        // Images without labels: the error names the folder and the missing file.
        tmp.write("mnist/t10k-images-idx3-ubyte.gz", [0])
        let m = message { try DataLocator.locate(.mnist, split: .test, environment: Fixtures.environment(data: tmp.url.path)) }
        #expect(m?.contains("t10k-labels-idx1-ubyte") == true && m?.contains(tmp.path("mnist")) == true)
    }

    @Test func aMissingSetSaysWhereItLookedAndHowToGetIt() {
        let env = Fixtures.environment(data: "/nonexistent-data", home: "/nonexistent-home")
        let m = message { try DataLocator.locate(.mnist, split: .train, environment: env) } ?? ""
        for folder in DataLocator.candidateFolders(.mnist, environment: env) {
            #expect(m.contains(folder), "the error does not list \(folder): \(m)")
        }
        #expect(m.contains("MNIST (train split) not found"))
        #expect(m.contains("~/.moonlab/data/mnist") && m.contains("MOONLAB_DATA"))
        let f = message { try DataSets.fashionMNIST(split: .test, environment: ["MOONLAB_DATA": "/x", "HOME": "/y"]) }
        if !Fixtures.hasFashion {
            #expect(f?.contains("scripts/setup") == true)
        }
    }

    @Test(.enabled(if: Fixtures.hasMNIST)) func loadsMNIST() throws {
        let train = try DataSets.mnist(split: .train, environment: Fixtures.environment())
        #expect(train.count == 60000)
        #expect(train.x.shape == [60000, 1, 28, 28])
        #expect(Array(train.y!.toArray().prefix(10)) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
        #expect(train.classNames == (0...9).map(String.init))
        #expect(train.name == "mnist train")
        #expect(train.description == "dataset mnist train: 60000 x {1,28,28}, 10 classes")
        let px = train.x.toArray()
        #expect(px.min() == 0 && px.max() == 1)
        #expect(try train.classCounts() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        let test = try DataSets.mnist(split: .test, environment: Fixtures.environment())
        #expect(test.count == 10000)
        #expect(Array(test.y!.toArray().prefix(5)) == [7, 2, 1, 0, 4])
    }

    @Test(.enabled(if: Fixtures.hasFashion)) func loadsFashionMNIST() throws {
        let env = Fixtures.environment(data: "/nonexistent-data")
        let train = try DataSets.fashionMNIST(split: .train, environment: env)
        #expect(train.count == 60000)
        #expect(train.x.shape == [60000, 1, 28, 28])
        #expect(Array(train.y!.toArray().prefix(10)) == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        #expect(try train.classCounts() == [Int](repeating: 6000, count: 10))
        #expect(train.classNames?.first == "T-shirt/top" && train.classNames?.last == "Ankle boot")
        let test = try DataSets.fashionMNIST(split: .test, environment: env)
        #expect(test.count == 10000)
        #expect(Array(test.y!.toArray().prefix(5)) == [9, 2, 1, 1, 6])
        let px = test.x.toArray()
        #expect(px.min() == 0 && px.max() == 1)
    }
}
