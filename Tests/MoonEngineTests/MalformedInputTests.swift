import Testing
@testable import MoonEngine

/// Hundreds of bad calls: each must throw a TensorError that names its operation.
@Suite struct MalformedInputTests {
    @Test func badDimsAndShapesThrowNamedErrors() {
        let shapes: [[Int]] = [[], [3], [2, 3], [2, 3, 4], [1, 2, 1, 3]]
        var checked = 0
        for shape in shapes {
            let x = try! Tensor.zeros(shape)
            let r = shape.count
            for dim in [r, r + 1, -r - 1, 100, -100] {
                let calls: [(String, () throws -> Any)] = [
                    ("sum", { try x.sum(dim: dim) }), ("mean", { try x.mean(dim: dim) }),
                    ("max", { try x.max(dim: dim) }), ("min", { try x.min(dim: dim) }),
                    ("max", { try x.argmax(dim: dim) }), ("var", { try x.variance(dim: dim) }),
                    ("softmax", { try x.softmax(dim) }), ("logSoftmax", { try x.logSoftmax(dim) }),
                    ("narrow", { try x.narrow(dim, 0, 1) }), ("select", { try x.select(dim, 0) }),
                    ("transpose", { try x.transpose(dim, 0) }), ("squeeze", { try x.squeeze(dim) }),
                    ("unsqueeze", { try x.unsqueeze(dim + (dim >= 0 ? 1 : -1)) }),
                    ("cat", { try Tensor.cat([x, x], dim: dim) }), ("indexSelect", { try x.indexSelect(dim, [0]) }),
                    ("gather", { try x.gather(dim, x) }), ("size", { try x.size(dim) }),
                    ("flatten", { try x.flatten(from: dim) }),
                ]
                for (op, call) in calls {
                    let m = message(call)
                    #expect(m?.hasPrefix(op + ":") == true || (r == 0 && op == "flatten"), "\(op) dim \(dim) shape \(shape): \(m ?? "no error")")
                    checked += 1
                }
            }
            for bad in [[-1, 5], [-2, 3], [7], [2, 2, 2, 2, 2], [1 << 62, 4]] {
                for (op, call) in [("reshape", { try x.reshape(bad) }), ("view", { try x.view(bad) }),
                                   ("expand", { try x.expand(bad) }), ("add", { try x.add(try Tensor.zeros(bad)) })] as [(String, () throws -> Any)] {
                    let m = message(call)
                    let named = m?.hasPrefix(op + ":") == true || m?.hasPrefix("zeros:") == true
                    #expect(named || (op == "expand" && m == nil) || (op == "add" && m == nil), "\(op) \(bad) on \(shape): \(m ?? "no error")")
                    checked += 1
                }
            }
        }
        #expect(checked > 400)
    }

    @Test func badValuesThrowNamedErrors() {
        let x = random([2, 3])
        #expect(message { try x.matmul(x) } == "matmul: shapes {2,3} and {2,3} do not fit")
        #expect(message { try x.item() } == "item: expects a tensor with one element, got shape {2,3}")
        #expect(message { try x.permute([0]) } == "permute: {1} is not a permutation of the 2 dims of {2,3}")
        #expect(message { try x.narrow(0, -1, 1) } == "narrow: start 0 and length 1 do not fit dim 1 of size 2")
        #expect(message { try Tensor.stack([]) } == "stack: needs at least one tensor")
        #expect(message { try x.oneHot(0) } == "oneHot: needs a positive number of classes, got 0")
        #expect(message { try x.oneHot(3) }?.hasPrefix("oneHot: index") == true)
        #expect(message { try x.withUnsafeMutableBufferPointer { _ in } } == nil)
        #expect(message { try x.t().withUnsafeMutableBufferPointer { _ in } }
                == "withUnsafeMutableBufferPointer: tensor of shape {3,2} is not contiguous")
        #expect(message { try Tensor.batchNorm(x, gamma: nil, beta: nil, runningMean: Tensor.zeros([3]),
                                               runningVar: Tensor.ones([3]), momentum: 2, eps: 0, training: true) }
                == "batchNorm: needs eps >= 0 and momentum in [0, 1], got eps 0.0, momentum 2.0")
    }
}
