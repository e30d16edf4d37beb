import Foundation
import MoonEngine
import Testing
@testable import MoonTrain

/// Every optimizer's first steps against hand-computed values. The parameter starts at
/// p0 = [1, -2] and receives, step after step, the gradients below; the expected values are
/// computed with the rule written out in Double.
@Suite struct OptimizerTests {
    static let grads: [[Double]] = [[0.5, -1.0], [0.2, 0.4], [-0.3, 0.1]]

    /// Runs `opt` over `grads` on p = [1, -2] and returns p after each step.
    func run(_ make: ([Tensor]) throws -> Optimizer, steps: Int = 3) throws -> [[Float]] {
        let p = try Tensor([1, -2], shape: [2]).requiringGrad()
        let opt = try make([p])
        var out: [[Float]] = []
        for s in 0..<steps {
            p.grad = Tensor(Self.grads[s].map(Float.init))
            try opt.step()
            out.append(p.toArray())
        }
        return out
    }

    @Test func sgdPlain() throws {
        let r = try run { try SGD(params: $0) { $0.lr = 0.1 } }
        // p1 = p0 - 0.1 g1 = [1 - 0.05, -2 + 0.1]
        #expect(close(r[0], [0.95, -1.9]))
        // p2 = p1 - 0.1 g2 = [0.95 - 0.02, -1.9 - 0.04]
        #expect(close(r[1], [0.93, -1.94]))
    }

    @Test func sgdMomentum() throws {
        let r = try run { try SGD(params: $0) { $0.lr = 0.1; $0.momentum = 0.9 } }
        // buf1 = g1 = [0.5, -1];           p1 = [1 - 0.05, -2 + 0.1] = [0.95, -1.9]
        // buf2 = 0.9 buf1 + g2 = [0.65, -0.5]; p2 = [0.95 - 0.065, -1.9 + 0.05] = [0.885, -1.85]
        // buf3 = 0.9 buf2 - [0.3, -0.1] = [0.285, -0.35]; p3 = [0.885 - 0.0285, -1.85 + 0.035]
        #expect(close(r[0], [0.95, -1.9]))
        #expect(close(r[1], [0.885, -1.85]))
        #expect(close(r[2], [0.8565, -1.815]))
    }

    @Test func sgdNesterov() throws {
        let r = try run { try SGD(params: $0) { $0.lr = 0.1; $0.momentum = 0.9; $0.nesterov = true } }
        // buf1 = [0.5, -1]; step = g1 + 0.9 buf1 = [0.95, -1.9]; p1 = [0.905, -1.81]
        // buf2 = [0.65, -0.5]; step = g2 + 0.9 buf2 = [0.785, -0.05]; p2 = [0.8265, -1.805]
        #expect(close(r[0], [0.905, -1.81]))
        #expect(close(r[1], [0.8265, -1.805]))
        #expect(throws: TensorError.self) { try SGD { $0.lr = 0.1; $0.nesterov = true } }
    }

    @Test func adam() throws {
        let r = try run { try Adam(params: $0) { $0.lr = 0.1 } }
        var p = [1.0, -2.0], m = [0.0, 0.0], v = [0.0, 0.0]
        for t in 1...3 {
            let g = Self.grads[t - 1]
            let a = 0.1 * (1 - pow(0.999, Double(t))).squareRoot() / (1 - pow(0.9, Double(t)))
            for i in 0..<2 {
                m[i] = 0.9 * m[i] + 0.1 * g[i]
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
                p[i] -= a * m[i] / (v[i].squareRoot() + 1e-7)
            }
            #expect(close(r[t - 1], p, 1e-5), "step \(t): \(r[t - 1]) vs \(p)")
        }
        // The first Adam step moves every coordinate by about lr, against the gradient's sign.
        #expect(close(r[0], [0.9, -1.9], 1e-5))
    }

    /// Adam's update runs eight lanes at a time over chunks split across the cores; over a
    /// parameter long enough for both (and a tail of single elements) it must give the bits of
    /// the rule written out element by element in Float.
    @Test func adamLanesGiveTheScalarRulesBits() throws {
        let n = 2 * 65_536 + 21
        func wave(_ f: Double) throws -> Tensor { try Tensor((0..<n).map { Float(sin(Double($0) * f)) }, shape: [n]) }
        let p = try wave(0.37).requiringGrad()
        var ps = p.toArray(), m = [Float](repeating: 0, count: n), v = m
        let opt = try Adam(params: [p]) { $0.lr = 0.01 }
        for t in 1...2 {
            let g = try wave(0.11 * Double(t))
            p.grad = g
            try opt.step()
            // The step size as the optimizer works it out, in Double from its Float settings.
            let a = Float(Double(Float(0.01)) * (1 - pow(Double(Float(0.999)), Double(t))).squareRoot()
                          / (1 - pow(Double(Float(0.9)), Double(t))))
            let b1: Float = 0.9, b2: Float = 0.999, c1: Float = 1 - b1, c2: Float = 1 - b2, e: Float = 1e-7
            for (i, gi) in g.toArray().enumerated() {
                m[i] = b1 * m[i] + c1 * gi
                v[i] = b2 * v[i] + c2 * gi * gi
                ps[i] -= a * m[i] / (v[i].squareRoot() + e)
            }
            #expect(p.toArray().map(\.bitPattern) == ps.map(\.bitPattern), "step \(t)")
        }
    }

    /// Every rule runs eight lanes at a time with single floats for the tail: one parameter of 43
    /// elements (five groups of eight and three single) must end with the bits of 43 one-element
    /// parameters, which take the single-float path only, after three steps.
    @Test func lanesAndSingleFloatsGiveTheSameBits() throws {
        let makers: [(String, ([Tensor]) throws -> Optimizer)] = [
            ("SGD", { try SGD(params: $0) { $0.lr = 0.1; $0.momentum = 0.9; $0.nesterov = true } }),
            ("Adam", { try Adam(params: $0) { $0.lr = 0.01 } }),
            ("Nadam", { try Nadam(params: $0) { $0.lr = 0.01 } }),
            ("Adamax", { try Adamax(params: $0) { $0.lr = 0.01 } }),
            ("RMSprop", { try RMSprop(params: $0) { $0.lr = 0.01 } }),
            ("RMSprop centered, momentum", { try RMSprop(params: $0) { $0.lr = 0.01; $0.centered = true; $0.momentum = 0.5 } }),
            ("Adagrad", { try Adagrad(params: $0) { $0.lr = 0.01 } }),
            ("Adadelta", { try Adadelta(params: $0) { $0.lr = 1 } }),
        ]
        let n = 43
        let start = (0..<n).map { Float(sin(Double($0) * 0.37)) }
        func grads(_ t: Int) -> [Float] { (0..<n).map { Float(cos(Double($0 * t) * 0.23) * 0.5) } }
        for (name, make) in makers {
            let whole = try Tensor(start, shape: [n]).requiringGrad()
            let singles = try start.map { try Tensor([$0], shape: [1]).requiringGrad() }
            let a = try make([whole]), b = try make(singles)
            for t in 1...3 {
                let g = grads(t)
                whole.grad = try Tensor(g, shape: [n])
                for (i, q) in singles.enumerated() { q.grad = try Tensor([g[i]], shape: [1]) }
                try a.step()
                try b.step()
            }
            #expect(whole.toArray().map(\.bitPattern) == singles.map { $0.toArray()[0].bitPattern }, "\(name)")
            #expect(whole.toArray() != start, "\(name) moved the parameter")
        }
    }

    @Test func nadam() throws {
        let r = try run { try Nadam(params: $0) { $0.lr = 0.1 } }
        var p = [1.0, -2.0], m = [0.0, 0.0], v = [0.0, 0.0], product = 1.0
        func mu(_ t: Int) -> Double { 0.9 * (1 - 0.5 * pow(0.96, 0.004 * Double(t))) }
        for t in 1...3 {
            let g = Self.grads[t - 1]
            product *= mu(t)
            for i in 0..<2 {
                m[i] = 0.9 * m[i] + 0.1 * g[i]
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
                let mHat = mu(t + 1) * m[i] / (1 - product * mu(t + 1)) + (1 - mu(t)) * g[i] / (1 - product)
                let vHat = v[i] / (1 - pow(0.999, Double(t)))
                p[i] -= 0.1 * mHat / (vHat.squareRoot() + 1e-7)
            }
            #expect(close(r[t - 1], p, 1e-5), "step \(t): \(r[t - 1]) vs \(p)")
        }
    }

    @Test func rmsprop() throws {
        let r = try run { try RMSprop(params: $0) { $0.lr = 0.01 } }
        // v1 = 0.1 g1² = [0.025, 0.1]; p1 = p0 - 0.01 g1 / sqrt(v1 + 1e-7)
        let p1 = [1 - 0.01 * 0.5 / (0.025 + 1e-7).squareRoot(), -2 + 0.01 * 1 / (0.1 + 1e-7).squareRoot()]
        #expect(close(r[0], p1, 1e-5))
        // v2 = 0.9 v1 + 0.1 g2² = [0.0265, 0.106]
        let p2 = [p1[0] - 0.01 * 0.2 / (0.0265 + 1e-7).squareRoot(), p1[1] - 0.01 * 0.4 / (0.106 + 1e-7).squareRoot()]
        #expect(close(r[1], p2, 1e-5))
    }

    @Test func rmspropMomentum() throws {
        let r = try run { try RMSprop(params: $0) { $0.lr = 0.01; $0.rho = 0.5; $0.momentum = 0.5 } }
        // v1 = 0.5 g1² = [0.125, 0.5]; s1 = 0.01 g1/sqrt(v1+eps); buf1 = s1; p1 = p0 - buf1
        let s1 = [0.01 * 0.5 / (0.125 + 1e-7).squareRoot(), 0.01 * -1 / (0.5 + 1e-7).squareRoot()]
        #expect(close(r[0], [1 - s1[0], -2 - s1[1]], 1e-5))
        // v2 = 0.5 v1 + 0.5 g2² = [0.0825, 0.33]; buf2 = 0.5 buf1 + s2
        let s2 = [0.01 * 0.2 / (0.0825 + 1e-7).squareRoot(), 0.01 * 0.4 / (0.33 + 1e-7).squareRoot()]
        let b2 = [0.5 * s1[0] + s2[0], 0.5 * s1[1] + s2[1]]
        #expect(close(r[1], [1 - s1[0] - b2[0], -2 - s1[1] - b2[1]], 1e-5))
    }

    @Test func adagrad() throws {
        let r = try run { try Adagrad(params: $0) { $0.lr = 0.1 } }
        // acc1 = 0.1 + g1² = [0.35, 1.1]; p1 = p0 - 0.1 g1 / sqrt(acc1 + 1e-7)
        let p1 = [1 - 0.05 / (0.35 + 1e-7).squareRoot(), -2 + 0.1 / (1.1 + 1e-7).squareRoot()]
        #expect(close(r[0], p1, 1e-5))
        // acc2 = acc1 + g2² = [0.39, 1.26]
        let p2 = [p1[0] - 0.02 / (0.39 + 1e-7).squareRoot(), p1[1] - 0.04 / (1.26 + 1e-7).squareRoot()]
        #expect(close(r[1], p2, 1e-5))
    }

    @Test func adadelta() throws {
        let r = try run { try Adadelta(params: $0) { $0.lr = 1.0 } }
        var p = [1.0, -2.0], eg = [0.0, 0.0], ed = [0.0, 0.0]
        for t in 1...3 {
            let g = Self.grads[t - 1]
            for i in 0..<2 {
                eg[i] = 0.95 * eg[i] + 0.05 * g[i] * g[i]
                let delta = -(ed[i] + 1e-7).squareRoot() / (eg[i] + 1e-7).squareRoot() * g[i]
                ed[i] = 0.95 * ed[i] + 0.05 * delta * delta
                p[i] += delta
            }
            #expect(close(r[t - 1], p, 1e-5), "step \(t)")
        }
        // First step: Δ = -sqrt(1e-7)/sqrt(0.05·0.25 + 1e-7)·0.5 ≈ -0.00141
        #expect(close(r[0][0], 1 - (1e-7).squareRoot() / (0.0125 + 1e-7).squareRoot() * 0.5, 1e-6))
    }

    @Test func adamax() throws {
        let r = try run { try Adamax(params: $0) { $0.lr = 0.1 } }
        // m1 = 0.1 g1 = [0.05, -0.1]; u1 = |g1| = [0.5, 1]; p1 = p0 - 0.1/(1-0.9) · m1/(u1+eps)
        let p1 = [1 - 1.0 * 0.05 / (0.5 + 1e-7), -2 + 1.0 * 0.1 / (1 + 1e-7)]
        #expect(close(r[0], p1, 1e-5))
        // m2 = 0.9 m1 + 0.1 g2 = [0.065, -0.05]; u2 = max(0.999 u1, |g2|) = [0.4995, 0.999]
        let a2 = 0.1 / (1 - 0.81)
        let p2 = [p1[0] - a2 * 0.065 / (0.4995 + 1e-7), p1[1] + a2 * 0.05 / (0.999 + 1e-7)]
        #expect(close(r[1], p2, 1e-5))
    }

    @Test func clipnormIsPerParameter() throws {
        let a = try Tensor([0, 0], shape: [2]).requiringGrad(), b = try Tensor([0], shape: [1]).requiringGrad()
        let opt = try SGD(params: [a, b]) { $0.lr = 1; $0.settings.clipnorm = 1 }
        a.grad = Tensor([3, 4])          // norm 5 → scaled to [0.6, 0.8]
        b.grad = Tensor([0.5])           // norm 0.5 → unchanged
        try opt.step()
        #expect(close(a.toArray(), [-0.6, -0.8]))
        #expect(close(b.toArray(), [-0.5]))
        // The gradient itself is left alone.
        #expect(a.grad!.toArray() == [3, 4])
    }

    @Test func globalClipnormScalesAllTogether() throws {
        let a = try Tensor([0], shape: [1]).requiringGrad(), b = try Tensor([0], shape: [1]).requiringGrad()
        let opt = try SGD(params: [a, b]) { $0.lr = 1; $0.settings.globalClipnorm = 1 }
        a.grad = Tensor([3]); b.grad = Tensor([4])   // joint norm 5 → [0.6, 0.8]
        try opt.step()
        #expect(close(a.toArray(), [-0.6], 1e-5))
        #expect(close(b.toArray(), [-0.8], 1e-5))
    }

    @Test func clipvalue() throws {
        let p = try Tensor([0, 0, 0], shape: [3]).requiringGrad()
        let opt = try SGD(params: [p]) { $0.lr = 1; $0.settings.clipvalue = 0.5 }
        p.grad = Tensor([2, -3, 0.1])
        try opt.step()
        #expect(close(p.toArray(), [-0.5, 0.5, -0.1]))
    }

    @Test func weightDecayIsAddedToTheGradient() throws {
        let p = try Tensor([2], shape: [1]).requiringGrad()
        let opt = try SGD(params: [p]) { $0.lr = 1; $0.settings.weightDecay = 0.1 }
        p.grad = Tensor([1])              // g + 0.1·2 = 1.2
        try opt.step()
        #expect(close(p.toArray(), [0.8]))
        // With Adam the decayed gradient feeds the moments: first step ≈ lr·sign(g + wd·p).
        let q = try Tensor([1], shape: [1]).requiringGrad()
        let adam = try Adam(params: [q]) { $0.lr = 0.1; $0.settings.weightDecay = 10 }
        q.grad = Tensor([-5])             // -5 + 10·1 = 5 > 0: q moves down
        try adam.step()
        #expect(close(q.toArray(), [0.9], 1e-5))
    }

    @Test func skipsParametersWithoutGradient() throws {
        let a = try Tensor([1], shape: [1]).requiringGrad(), b = try Tensor([1], shape: [1]).requiringGrad()
        let opt = try Adam(params: [a, b]) { $0.lr = 0.1 }
        a.grad = Tensor([1])
        try opt.step()
        #expect(b.toArray() == [1])
        #expect(a.toArray() != [1])
        opt.zeroGrad()
        #expect(a.grad == nil)
    }

    @Test func learningRateIsSettableAndChecked() throws {
        let p = try Tensor([0], shape: [1]).requiringGrad()
        let opt = try SGD(params: [p]) { $0.lr = 0.5 }
        opt.lr = 0.25
        p.grad = Tensor([1])
        try opt.step()
        #expect(close(p.toArray(), [-0.25]))
        #expect(throws: TensorError.self) { try SGD { $0.lr = -1 } }
        #expect(throws: TensorError.self) { try Adam { $0.beta1 = 1 } }
        #expect(throws: TensorError.self) { try SGD { $0.settings.clipnorm = 0 } }
    }

    @Test func factoryNamesAndOptions() throws {
        let adam = try OptimizerFactory.make("adam", options: ["lr": 0.01])
        #expect(adam is Adam && adam.lr == 0.01)
        #expect((adam as! Adam).eps == 1e-7)
        #expect((try OptimizerFactory.make("RMSprop", options: [:]) as! RMSprop).rho == 0.9)
        do {
            _ = try OptimizerFactory.make("adamw", options: [:])
            Issue.record("expected an error")
        } catch let e as TensorError {
            #expect(e.message.contains("unknown optimizer 'adamw'") && e.message.contains("SGD, Adam, Nadam"))
        }
        #expect(throws: TensorError.self) { try OptimizerFactory.make("SGD", options: ["beta1": 0.9]) }
        #expect(adam.description == "Adam{lr=0.01, beta1=0.9, beta2=0.999, eps=1e-07, params=0}")
    }

    @Test func olderFilesStoredBooleansAsNumbers() throws {
        // Files from before the options declarations saved every option as a number.
        let saved: JSONValue = ["lr": 0.1, "momentum": 0.9, "nesterov": 1.0, "weight_decay": 0.0]
        let sgd = try #require(try OptimizerFactory.make("SGD", options: OptimizerFactory.savedOptions(saved)) as? SGD)
        #expect(sgd.nesterov && sgd.momentum == Float(0.9) && sgd.lr == Float(0.1))
        // A Lua table keeps its types: a number for a boolean option is refused, naming it.
        #expect(throws: MoonError.self) { try OptimizerFactory.make("SGD", options: saved) }
    }

    @Test(arguments: OptimizerFactory.names)
    func stateRoundTripContinuesIdentically(_ name: String) throws {
        // Two optimizers, one restored from the other's exported state, take the same next step.
        let p = try Tensor([1, -2], shape: [2]).requiringGrad()
        let options: JSONValue = name == "SGD" || name == "RMSprop" ? ["lr": 0.05, "momentum": 0.5] : ["lr": 0.05]
        let a = try OptimizerFactory.make(name, options: options, params: [p])
        for s in 0..<2 { p.grad = Tensor(Self.grads[s].map(Float.init)); try a.step() }
        let q = try p.clone().requiringGrad()
        let b = try OptimizerFactory.make(name, options: a.config["options"] ?? [:], params: [q])
        try b.restoreState(config: a.config, tensors: Dictionary(uniqueKeysWithValues: a.stateTensors.map { ($0.name, $0.tensor) }))
        #expect(b.iterations == 2)
        p.grad = Tensor([0.7, -0.2]); q.grad = Tensor([0.7, -0.2])
        try a.step(); try b.step()
        #expect(p.toArray() == q.toArray(), "\(name)")
    }
}
