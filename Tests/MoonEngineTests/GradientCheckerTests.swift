import Testing
@testable import MoonEngine

/// The gradient checker must catch wrong gradients, or every other gradient test is void.
@Suite struct GradientCheckerTests {
    @Test func catchesAWrongSign() throws {
        let x = awayFromZero([3, 2], gap: 0.5)
        let bad = try gradientMismatches([x]) { x in
            try mapKernel(x[0], op: "cube") { $0 * $0 * $0 }.recording("cube", [x[0]]) { [x0 = x[0]] g in
                [try g.mul(try x0.square().mul(-3))]
            }
        }
        #expect(bad.count == 6)
    }

    @Test func catchesAMissingBroadcastReduction() throws {
        let a = random([2, 3]), b = random([3], seed: 5)
        let bad = try gradientMismatches([a, b]) { t in
            // Claims the gradient of b is one row of g: wrong, it must be summed over rows.
            try zipKernel(t[0], t[1], op: "add") { $0 + $1 }.recording("add", [t[0], t[1]]) { g in
                [g, try g.select(0, 0)]
            }
        }
        #expect(bad.contains { $0.input == 1 })
        #expect(!bad.contains { $0.input == 0 })
    }

    @Test func acceptsACorrectGradient() {
        checkGradient([random([4])]) { x in try x[0].mul(x[0]).mul(x[0]) }
    }
}
