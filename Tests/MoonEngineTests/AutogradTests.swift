import Foundation
import Testing
@testable import MoonEngine

@Suite struct AutogradTests {
    @Test func gradientsAccumulateUntilZeroed() throws {
        let w = T([1, 2, 3]).requiringGrad()
        try w.mul(w).sum().backward()
        #expect(w.grad!.toArray() == [2, 4, 6])
        try w.mul(3).sum().backward()
        #expect(w.grad!.toArray() == [5, 7, 9])
        w.zeroGrad()
        try w.sum().backward()
        #expect(w.grad!.toArray() == [1, 1, 1])
    }

    @Test func sharedSubexpressionsAddTheirContributions() throws {
        let x = T([2]).requiringGrad()
        let y = try x.mul(x)            // x²
        let z = try y.mul(y).add(y)     // x⁴ + x²
        try z.sum().backward()
        #expect(x.grad!.toArray() == [4 * 8 + 2 * 2])
    }

    @Test func upstreamGradientAndNonScalarError() throws {
        let x = T([[1, 2], [3, 4]]).requiringGrad()
        let y = try x.mul(2)
        #expect(message { try y.backward() } == "backward: needs a gradient for a non-scalar output of shape {2,2}")
        #expect(message { try y.backward(gradient: T([1, 2])) }
                == "backward: gradient of shape {2} does not match the output's shape {2,2}")
        try y.backward(gradient: T([[1, 0], [0, 1]]))
        #expect(x.grad!.toArray() == [2, 0, 0, 2])
        #expect(message { try T([1]).sum().backward() }?.hasPrefix("backward: tensor of shape {} does not require grad") == true)
    }

    @Test func graphIsFreedAfterBackward() throws {
        let x = T([1, 2]).requiringGrad()
        let h = try x.exp()
        let loss = try h.sum()
        try loss.backward()
        #expect(message { try loss.backward() }?.hasPrefix("backward: the graph behind this tensor (sum) was already freed") == true)
        #expect(message { try h.mul(2).sum().backward() }?.hasPrefix("backward: the graph through exp was already freed") == true)
        let kept = try x.exp().sum()
        try kept.backward(retainGraph: true)
        try kept.backward()
        #expect(close(x.grad!.toArray(), [1, 2].map { 3 * Float(Foundation.exp(Double($0))) }))
    }

    @Test func noGradScopeRecordsNothingAndRestoresOnThrow() throws {
        let x = T([1, 2]).requiringGrad()
        let y = try Tensor.noGrad { try x.mul(2) }
        #expect(!y.requiresGrad && Tensor.isGradEnabled)
        struct Boom: Error {}
        #expect(throws: Boom.self) { try Tensor.noGrad { throw Boom() } }
        #expect(Tensor.isGradEnabled)
        Tensor.noGrad { Tensor.noGrad {}; #expect(!Tensor.isGradEnabled) }
        #expect(try x.mul(2).requiresGrad)
    }

    @Test func detachCutsTheGraph() throws {
        let x = T([1, 2]).requiringGrad()
        let d = try x.mul(2).detach()
        #expect(!d.requiresGrad && d.isLeaf)
        let y = try x.mul(d)
        try y.sum().backward()
        #expect(x.grad!.toArray() == [2, 4])
        #expect(try x.mul(2).gradOp == "mul")
    }

    @Test func deepChainsDoNotOverflowTheStack() throws {
        let x = T([1]).requiringGrad()
        var y = x
        for _ in 0..<20_000 { y = try y.add(1) }
        try y.sum().backward()
        #expect(x.grad!.toArray() == [1])
    }

    @Test func droppingALongUnusedGraphDoesNotOverflowTheStack() throws {
        let x = T([1]).requiringGrad()
        var y = try x.add(0)
        for _ in 0..<200_000 { y = try y.mul(1) }
        y = x
        #expect(y.isLeaf)
    }

    @Test func gradIsOwnedMemory() throws {
        let a = T([1, 2]).requiringGrad(), b = T([3, 4]).requiringGrad()
        try a.add(b).sum().backward()
        #expect(a.grad!.storage !== b.grad!.storage)
        a.grad!.fill(0)
        #expect(b.grad!.toArray() == [1, 1])
    }

    @Test func inPlaceUpdates() throws {
        let p = T([1, 2, 3])
        try p.addInPlace(T([1, 1, 1]), alpha: -0.5)
        #expect(p.toArray() == [0.5, 1.5, 2.5])
        p.mulInPlace(2)
        #expect(p.toArray() == [1, 3, 5])
        try p.copy(from: T([7]))
        #expect(p.toArray() == [7, 7, 7])
        let m = T([[1, 2], [3, 4]])
        try m.copy(from: try m.t())
        #expect(m.toArray() == [1, 3, 2, 4])
        #expect(message { try p.copy(from: T([1, 2])) } == "copy: cannot copy shape {2} into {3}")
        try m.narrow(1, 0, 1).fill(0)
        #expect(m.toArray() == [0, 3, 0, 4])
    }
}
