import Testing
@testable import MoonTune

@Suite struct SpaceTests {
    @Test func gridIsTheCartesianProductOverSortedKeys() throws {
        let space = try Space([("optimizer", .choice([.string("sgd"), .string("adam")])),
                               ("lr", .choice([.double(1e-2), .double(1e-3)]))])
        let grid = try space.grid()
        #expect(grid.map(\.encoded) == [
            #"{"lr":0.01,"optimizer":"sgd"}"#, #"{"lr":0.01,"optimizer":"adam"}"#,
            #"{"lr":0.001,"optimizer":"sgd"}"#, #"{"lr":0.001,"optimizer":"adam"}"#,
        ])
        #expect(throws: TuneError.self) { try Space([("x", .uniform(0, 1))]).grid() }
    }

    @Test func randomDrawsAreReproducibleAndInBounds() throws {
        let space = try Space([("lr", .loguniform(1e-4, 1e-1)), ("units", .choice([.int(16), .int(32), .int(64)])),
                               ("p", .uniform(0, 0.5)), ("n", .int(1, 4))])
        var g1 = SplitMix64(seed: 5), g2 = SplitMix64(seed: 5), g3 = SplitMix64(seed: 6)
        let a = space.sample(50, &g1), b = space.sample(50, &g2), c = space.sample(50, &g3)
        #expect(a == b)
        #expect(a != c)
        var ns = Set<Int>()
        for cfg in a {
            let lr = cfg["lr"]!.number!
            #expect(lr >= 1e-4 && lr <= 1e-1)
            let p = cfg["p"]!.number!
            #expect(p >= 0 && p <= 0.5)
            guard case .int(let n)? = cfg["n"] else { Issue.record("n is not an integer"); continue }
            ns.insert(n)
        }
        #expect(ns == [1, 2, 3, 4])
    }

    @Test func spacesRejectBadDomains() {
        #expect(throws: TuneError.self) { try Space([("lr", .loguniform(0, 1))]) }
        #expect(throws: TuneError.self) { try Space([("n", .int(3, 1))]) }
        #expect(throws: TuneError.self) { try Space([("a", .choice([]))]) }
    }

    @Test func jsonKeepsIntegersAndDoublesApart() throws {
        let v = JSONValue.object([("b", .double(1.0)), ("a", .int(16)), ("s", .string("x\"y\n")),
                                  ("l", .array([.double(1e-5), .bool(true), .null]))])
        #expect(v.encoded == #"{"a":16,"b":1.0,"l":[1e-05,true,null],"s":"x\"y\n"}"#)
        let back = try JSONValue.parse(v.encoded)
        #expect(back == v)
        #expect(back["a"] == .int(16))
        #expect(back["b"] == .double(1.0))
        #expect(throws: TuneError.self) { try JSONValue.parse("{\"a\":") }
    }
}

@Suite struct HyperbandTests {
    /// Li et al. (2018), Table 1 style, for R = 27 and η = 3 (hand-computed: s_max = 3, B = 108).
    @Test func scheduleForMaxEpochs27Factor3() throws {
        let h = try HyperbandSchedule(maxEpochs: 27, factor: 3)
        let rounds = h.brackets.map { b in b.rounds.map { [$0.configurations, $0.epochs] } }
        #expect(h.brackets.map(\.s) == [3, 2, 1, 0])
        #expect(rounds == [
            [[27, 1], [9, 3], [3, 9], [1, 27]],
            [[12, 3], [4, 9], [1, 27]],
            [[6, 9], [2, 27]],
            [[4, 27]],
        ])
        #expect(h.totalTrials == 69)
    }

    @Test func scheduleForOtherBudgets() throws {
        // R = 81, η = 3: s_max = 4, B = 405; bracket 4 starts 81 configurations at 1 epoch.
        let h = try HyperbandSchedule(maxEpochs: 81, factor: 3)
        #expect(h.brackets.map { $0.rounds[0].configurations } == [81, 34, 15, 8, 5])
        #expect(h.brackets.map { $0.rounds[0].epochs } == [1, 3, 9, 27, 81])
        // R = 1: one bracket, one round.
        #expect(try HyperbandSchedule(maxEpochs: 1, factor: 3).brackets.map { $0.rounds.count } == [1])
        #expect(throws: TuneError.self) { try HyperbandSchedule(maxEpochs: 27, factor: 1) }
    }

    @Test func promotionsKeepTheBestAndShareTheirCheckpoint() throws {
        let h = try HyperbandSchedule(maxEpochs: 9, factor: 3)
        let space = try Space([("x", .uniform(0, 1))])
        let plan = HyperbandPlan(sweep: "s", schedule: h, space: space, seed: 1, maximize: false)
        var stored: [Int: TrialRecord] = [:]
        let first = try plan.trials(given: stored)
        #expect(first.count == 9 + 5 + 3) // first rounds of brackets 2, 1, 0
        for var t in first { t.status = .done; t.score = t.config["x"]!.number!; stored[t.id] = t }
        let next = try plan.trials(given: stored)
        let promoted = next.filter { $0.parent != nil && stored[$0.id] == nil }
        // bracket 2's second round: the 3 lowest x of trials 1...9, ids 10...12, 3 epochs
        let best = first.prefix(9).sorted { $0.config["x"]!.number! < $1.config["x"]!.number! }.prefix(3)
        #expect(promoted.prefix(3).map(\.parent) == best.map(\.id))
        #expect(promoted.prefix(3).map(\.id) == [10, 11, 12])
        #expect(promoted.prefix(3).allSatisfy { $0.budget == 3 })
        #expect(!plan.isComplete(stored))
    }
}
