import Foundation
import MoonBase

extension Tensor: CustomStringConvertible {
    /// The tensor printed Torch-style (see `format(maxElements:)`).
    public var description: String { format() }

    /// Torch-style text: values with aligned columns (a matrix per leading index for
    /// 3 or more dims, headed `(1,2,.,.) =`), each dim cut to its first and last three
    /// entries with `...` when the tensor has more than `maxElements` elements, and the
    /// footer `[tensor float32 of shape 2x3]` (`shape scalar` for a 0-d tensor).
    /// The columns a printed tensor may use (a terminal's width; nil: lines are not split).
    /// Rows wider than this print in blocks of columns, as Torch7 printed them.
    nonisolated(unsafe) public static var displayColumns: Int?

    public func format(maxElements: Int = 1000, columns: Int? = Tensor.displayColumns) -> String {
        let footer = "[tensor float32 of shape \(Shape.footer(shape))\(requiresGrad ? ", requires grad" : "")]"
        if count == 0 { return "[]\n" + footer }
        let summarize = count > maxElements, edge = 3
        let shown: [[Int?]] = shape.map { size in
            summarize && size > 2 * edge
                ? Array(0..<edge) + [nil] + Array((size - edge)..<size)
                : Array(0..<size)
        }
        let p = storage.pointer
        func value(_ index: [Int]) -> Float { p[offset + zip(index, strides).reduce(0) { $0 + $1.0 * $1.1 }] }

        // Every shown value decides the number format and the column width.
        var sample: [Float] = []
        func collect(_ d: Int, _ index: [Int]) {
            if d == rank { sample.append(value(index)); return }
            for i in shown[d] { if let i { collect(d + 1, index + [i]) } }
        }
        collect(0, [])
        let number = NumberStyle(sample)
        let width = sample.map { number.text($0).count }.max() ?? 1
        func cell(_ v: Float) -> String {
            let t = number.text(v)
            return String(repeating: " ", count: Swift.max(0, width - t.count)) + t
        }
        let dots = String(repeating: " ", count: Swift.max(0, width - 3)) + "..."

        // Columns that fit the width, in blocks: all of them when they fit or no width is set.
        let last = rank > 0 ? shown[rank - 1] : []
        let perLine = columns.map { Swift.max(1, ($0 - 1) / (width + 2)) } ?? Swift.max(1, last.count)
        let chunks = stride(from: 0, to: Swift.max(last.count, 1), by: perLine).map { Array(last[$0..<Swift.min($0 + perLine, last.count)]) }
        func row(_ prefix: [Int], _ cols: [Int?]) -> String {
            " " + cols.map { $0.map { cell(value(prefix + [$0])) } ?? dots }.joined(separator: "  ")
        }
        func header(_ cols: [Int?]) -> String? {
            guard chunks.count > 1, let a = cols.compactMap({ $0 }).first, let b = cols.compactMap({ $0 }).last else { return nil }
            return a == b ? "Column \(a + 1)" : "Columns \(a + 1) to \(b + 1)"
        }
        func matrix(_ prefix: [Int]) -> [String] {
            chunks.enumerated().flatMap { k, cols in
                (k > 0 ? [""] : []) + [header(cols)].compactMap { $0 }
                    + shown[rank - 2].map { $0.map { row(prefix + [$0], cols) } ?? " " + dots }
            }
        }
        var lines: [String] = []
        switch rank {
        case 0: lines = [number.text(value([]))]
        case 1: lines = chunks.map { row([], $0) }
        case 2: lines = matrix([])
        default:
            func blocks(_ d: Int, _ prefix: [Int]) {
                if d == rank - 2 {
                    if !lines.isEmpty { lines.append("") }
                    lines.append("(" + (prefix.map { String($0 + 1) } + [".", "."]).joined(separator: ",") + ") =")
                    lines += matrix(prefix)
                    return
                }
                for i in shown[d] {
                    if let i { blocks(d + 1, prefix + [i]) } else { lines += ["", "..."] }
                }
            }
            blocks(0, [])
        }
        return (lines + [footer]).joined(separator: "\n")
    }
}

/// How the numbers of one printed tensor are written: integers when all are, fixed
/// point for moderate magnitudes, scientific otherwise.
private struct NumberStyle {
    enum Kind { case integer, fixed, scientific }
    let kind: Kind

    init(_ values: [Float]) {
        let finite = values.filter { $0.isFinite }
        let magnitudes = finite.map { Swift.abs($0) }
        let largest = magnitudes.max() ?? 0
        let smallest = magnitudes.filter { $0 > 0 }.min() ?? 1
        if finite.allSatisfy({ $0 == $0.rounded() }) && largest < 1e8 {
            kind = .integer
        } else if largest < 1e5 && smallest >= 1e-4 {
            kind = .fixed
        } else {
            kind = .scientific
        }
    }

    func text(_ v: Float) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        switch kind {
        case .integer: return String(Int(v))
        case .fixed: return String(format: "%.4f", Double(v) + 0)
        case .scientific: return String(format: "%.4e", Double(v))
        }
    }
}

extension Tensor {
    /// The values as nested JSON arrays by shape (a 0-d tensor: a number), shortest decimals.
    public var json: JSONValue {
        let values = toArray()
        func nest(_ dim: Int, _ offset: Int) -> JSONValue {
            if dim == shape.count { return .double(Double(String(values[offset])) ?? Double(values[offset])) }
            let stride = shape[(dim + 1)...].reduce(1, *)
            return .array((0..<shape[dim]).map { nest(dim + 1, offset + $0 * stride) })
        }
        return nest(0, 0)
    }
}
