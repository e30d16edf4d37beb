import Foundation
import Testing
@testable import MoonEngine

@Suite struct CreationTests {
    @Test func constantsAndShapes() throws {
        let z = try Tensor.zeros([2, 3])
        #expect(z.shape == [2, 3] && z.count == 6 && z.toArray() == [Float](repeating: 0, count: 6))
        #expect(try Tensor.ones([2]).toArray() == [1, 1])
        #expect(try Tensor.full([2, 2], 7).toArray() == [7, 7, 7, 7])
        #expect(try Tensor.eye(2, 3).toArray() == [1, 0, 0, 0, 1, 0])
        #expect(try Tensor.zeros([]).shape == [] && Tensor(5).item() == 5)
        #expect(try Tensor.zeros([0, 3]).count == 0)
    }

    @Test func arange() throws {
        #expect(try Tensor.arange(0, 5).toArray() == [0, 1, 2, 3, 4])
        #expect(try Tensor.arange(1, 2, step: 0.25).toArray() == [1, 1.25, 1.5, 1.75])
        #expect(try Tensor.arange(5, 0, step: -2).toArray() == [5, 3, 1])
        #expect(try Tensor.arange(3, 1).count == 0)
        #expect(message { try Tensor.arange(0, 1, step: 0) }?.hasPrefix("arange:") == true)
    }

    @Test func fromNested() throws {
        let t = T([[1, 2, 3], [4, 5, 6]])
        #expect(t.shape == [2, 3] && t.toArray() == [1, 2, 3, 4, 5, 6])
        #expect(T(3.5).shape == [] && T(3.5).toArray() == [3.5])
        #expect(message { try Tensor.from(nested: [[1, 2], [3]]) }
                == "from: ragged nesting: the entry at position {2} has 1 elements, expected 2")
        #expect(message { try Tensor.from(nested: [[1, "x"]]) }
                == "from: element at position {1,2} is not a number")
        #expect(message { try Tensor([1, 2, 3], shape: [2, 2]) }
                == "tensor: 3 values do not fill shape {2,2} (4 elements)")
        #expect(t.toNested() as? [[Float]] == [[1, 2, 3], [4, 5, 6]])
    }

    @Test func absurdSizesThrowInsteadOfCrashing() throws {
        #expect(message { try Tensor.zeros([10_000_000, 10_000_000]) }
                == "zeros: cannot allocate 400000000000000 bytes for shape {10000000,10000000}")
        #expect(message { try Tensor.ones([1 << 40, 1 << 40]) }?.hasPrefix("ones: cannot allocate 4.84e+24 bytes") == true)
        #expect(message { try Tensor.zeros([2, -1]) } == "zeros: negative size -1 in shape {2,-1}")
        let big = try T([1, 2]).reshape([2, 1])
        #expect(message { try big.expand([2, 1 << 60]).add(1) }?.hasPrefix("add: cannot allocate") == true)
    }
}
