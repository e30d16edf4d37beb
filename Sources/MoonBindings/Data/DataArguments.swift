import LuaKit
import MoonData
import MoonEngine

/// Reading datasets, seeds and positions from Lua, and pushing datasets and targets back.
/// Lua positions are 1-based and inclusive; MoonData's are 0-based: converted only here.
let datasetMeta: StaticString = "moonlab.dataset"
/// The metatable of a `data.batches` pass.
let batchesMeta: StaticString = "moonlab.batches"

/// Bytes a dataset object costs beside its tensors.
private let datasetOverheadBytes = 512

extension LuaState {
    /// Pushes a dataset, telling Lua's collector the memory it keeps alive (its tensors; a
    /// subset sharing its parent's counts its own part).
    func push(_ ds: Dataset) {
        let values = (ds.inputs.tensors + ds.targets.tensors).reduce(0) { $0 + $1.count }
        LuaState.noteAllocation(bytes: datasetOverheadBytes + values * MemoryLayout<Float>.stride)
        push(object: ds, metatable: datasetMeta)
    }

    func datasetOrNil(_ index: Int32) -> Dataset? { object(index, datasetMeta, as: Dataset.self) }

    func dataset(_ index: Int32) throws -> Dataset { try object(index, datasetMeta, as: Dataset.self, expected: "a dataset") }

    /// A table of named tensors `{name = tensor, ...}` at `index`, sorted by name; nil when the
    /// value is not a table, is empty, or holds anything else (an option table, a Lua array).
    private func namedTensorsOrNil(_ index: Int32) -> [(name: String, values: Tensor)]? {
        guard type(index) == .table, datasetOrNil(index) == nil else { return nil }
        var list: [(name: String, values: Tensor)] = []
        var other = false
        forEachPair(index) {
            if type(-2) == .string, let k = toString(-2), let t = tensorOrNil(-1) { list.append((k, t)) } else { other = true }
        }
        return other || list.isEmpty ? nil : list.sorted { $0.name < $1.name }
    }

    /// Inputs or targets given as a tensor or a table of named tensors at `index`; nil for
    /// anything else.
    func fieldsOrNil(_ index: Int32) -> Fields? {
        if let t = tensorOrNil(index) { return .single(t) }
        if let list = namedTensorsOrNil(index) { return .named(list) }
        return nil
    }

    /// Pushes inputs or targets: the one tensor, or a table of named tensors (`{hour=..., minute=...}`).
    func push(fields: Fields) {
        switch fields {
        case .single(let t): push(t)
        case .named(let list):
            newTable(fieldCount: Int32(list.count))
            for (name, t) in list { push(t); setField(-2, name) }
        }
    }

    /// Pushes one sample's targets: a 0-d tensor as a number (a label), others as tensors.
    func push(itemFields fields: Fields) throws {
        func one(_ t: Tensor) throws { if t.rank == 0 { push(entry: try t.item()) } else { push(t) } }
        switch fields {
        case .single(let t): try one(t)
        case .named(let list):
            newTable(fieldCount: Int32(list.count))
            for (name, t) in list { try one(t); setField(-2, name) }
        }
    }

    /// A 1-based position (negative counts from the end) as a 0-based one, checked.
    func samplePosition(_ i: Int, count: Int) throws -> Int {
        if i >= 1 && i <= count { return i - 1 }
        if i <= -1 && i >= -count { return count + i }
        throw fail("position \(i) out of range for a dataset of \(count) samples (valid: 1..\(count) or -\(count)..-1)")
    }

    /// 1-based positions from a Lua array or a 1-d tensor, as 0-based ones, checked.
    func samplePositions(_ index: Int32, count: Int) throws -> [Int] {
        try positions(index).map { try samplePosition($0, count: count) }
    }
}

