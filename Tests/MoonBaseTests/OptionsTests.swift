import Testing
@testable import MoonBase

/// A small declaration with every kind of field.
struct Sample: Options {
    enum Mode: String, OptionChoice { case fast, slow }
    var count = 1
    var rate = 0.5
    var label = "x"
    var enabled = true
    var limit: Double? = nil
    var sizes: [Int] = [2]
    var mode = Mode.fast
    static var fields: [OptionField<Sample>] {
        [.argument("count", \.count, "how many"),
         OptionField("rate", \.rate, "a fraction", aliases: ["learning_rate"]),
         OptionField("label", \.label), OptionField("enabled", \.enabled),
         OptionField("limit", \.limit), OptionField("sizes", \.sizes), OptionField("mode", \.mode)]
    }
}

func failure(_ body: () throws -> Void) -> MoonError? {
    do { try body(); return nil } catch let e as MoonError { return e } catch { return nil }
}

@Suite struct OptionsTests {
    @Test func defaultsComeFromTheDeclaration() throws {
        let s = try Sample(arguments: [.int(3)])
        #expect(s.count == 3 && s.rate == 0.5 && s.label == "x" && s.enabled && s.limit == nil && s.sizes == [2] && s.mode == .fast)
        #expect(Sample.signature("f") == "f(count, {rate=0.5, label=\"x\", enabled=true, limit=nil, sizes={2}, mode=\"fast\"})")
        #expect(Sample.optionDocs == "\n- `count`: how many\n- `rate`: a fraction")
    }

    @Test func readsEveryTypeAndAliases() throws {
        let s = try Sample(arguments: [.int(2), ["learning_rate": 0.1, "label": "y", "enabled": false, "limit": 4,
                                                  "sizes": 7, "mode": "slow"]])
        #expect(s.rate == 0.1 && s.label == "y" && !s.enabled && s.limit == 4 && s.sizes == [7] && s.mode == .slow)
        // The saved form reads back to the same values.
        let back = try Sample(reading: s.json)
        #expect(back.json == s.json)
        #expect(s.json["rate"] == .double(0.1) && s.json["count"] == .int(2))
    }

    @Test func refusesUnknownKeysWrongTypesAndMissingArguments() {
        let typo = failure { _ = try Sample(arguments: [.int(1), ["rtae": 1]]) }
        #expect(typo?.kind == .argument(2))
        #expect(typo?.message == "unknown option 'rtae' (did you mean 'rate'?)")
        let far = failure { _ = try Sample(arguments: [.int(1), ["speed": 1]]) }
        #expect(far?.message == "unknown option 'speed' (valid: count, rate, label, enabled, limit, sizes, mode)")
        let type = failure { _ = try Sample(arguments: [.int(1), ["enabled": 1]]) }
        #expect(type?.message == "option 'enabled' must be a boolean, got number 1")
        let whole = failure { _ = try Sample(arguments: [.double(1.5)]) }
        #expect(whole?.kind == .argument(1))
        let missing = failure { _ = try Sample(arguments: []) }
        #expect(missing?.message == "an integer expected for count, got no value")
        let choice = failure { _ = try Sample(arguments: [.int(1), ["mode": "medium"]]) }
        #expect(choice?.message == "option 'mode': must be one of fast, slow, got \"medium\"")
        let extra = failure { _ = try Sample(arguments: [.int(1), [:], .int(3)]) }
        #expect(extra?.kind == .argument(3))
    }

    @Test func nearestNamesCountSwapsAsOneEdit() {
        #expect(editDistance(Array("widht"), Array("width")) == 1)
        #expect(editDistance(Array("kitten"), Array("sitting")) == 3)
        #expect(nearestName(to: "momentun", in: ["momentum", "lr"]) == "momentum")
        #expect(nearestName(to: "zz", in: ["momentum", "lr"]) == nil)
    }

    @Test func splitMixDrawsAreUnbiasedAndReproducible() {
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42)
        #expect((0..<5).map { _ in a.next() } == (0..<5).map { _ in b.next() })
        // Steele et al.'s first output for seed 0.
        var z = SplitMix64(seed: 0)
        #expect(z.next() == 0xE220_A839_7B1D_CDAF)
        var g = SplitMix64(seed: 7)
        var counts = [0, 0, 0]
        for _ in 0..<30_000 { counts[g.below(3)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 400 })
    }

    @Test func shapesReadAsUsersWriteThem() {
        #expect(shapeText([2, 3]) == "{2,3}" && shapeText([]) == "{}")
        #expect(batchShapeText([1, 28, 28]) == "{N,1,28,28}")
    }

    @Test func timingPicksCallsAndSummarizes() {
        #expect(TimingSummary.calls(forOneCallOf: 0.03) == 10)
        #expect(TimingSummary.calls(forOneCallOf: 0.0001) == 2000)
        #expect(TimingSummary.calls(forOneCallOf: 1.0) == 1)
        let t = TimingSummary(perCall: [3, 1, 2, 10], calls: 5)
        #expect(t.best == 1 && t.worst == 10 && t.median == 2.5 && t.mean == 4)
        #expect(abs(t.sd - (((1.0 + 9 + 4 + 36) / 4).squareRoot())) < 1e-12)
        #expect(WallClock.text(0.0123) == "12.3 ms" && WallClock.text(2.5) == "2.5 s" && WallClock.text(4.2e-7) == "420 ns")
    }
}
