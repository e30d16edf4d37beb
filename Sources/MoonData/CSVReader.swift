import MoonBase
import Foundation
import MoonEngine

/// Reads numeric CSV files (Kaggle's `mnist_train.csv`: `label,pixel0,...,pixel783`) into
/// datasets: one column holds the labels, every other column is a feature.
///
/// The file (plain or gzipped) is read whole and parsed in place on every core: fields are
/// scanned as bytes and converted without making strings. Every row must have the first
/// row's number of fields; every field must be a finite number (surrounding spaces and
/// double quotes are allowed). Faults name the file, the line and the field.
public enum CSVReader {
    /// Which column holds the labels.
    public enum LabelColumn: Equatable, Sendable {
        /// The header's column named `label` if there is one, else the first column.
        case automatic
        /// The header column of this name.
        case name(String)
        /// This column, 0-based.
        case position(Int)
        /// No labels: every column is a feature, and the labels are all 0.
        case none
    }

    public struct Options: Sendable {
        public var label: LabelColumn = .automatic
        /// Whether the first line names the columns; nil: yes if any of its fields is not a number.
        public var header: Bool? = nil
        /// Multiplies every feature (1/255 turns bytes into [0, 1]).
        public var scale: Float = 1
        /// The shape of one sample (`[1, 28, 28]`); nil: `[features]`.
        public var shape: [Int]? = nil
        /// The field separator.
        public var delimiter: UInt8 = UInt8(ascii: ",")
        public init() {}
    }

    /// Reads a CSV file into a dataset named after the file.
    public static func read(_ path: String, options: Options = Options()) throws -> Dataset {
        let bytes = try DataFile.read(path, "a CSV file", gunzip: true)
        return try bytes.withUnsafeBytes { try parse($0, path: path, options: options) }
    }

    /// Parses CSV bytes; `path` names the source in errors and the dataset.
    public static func parse(_ b: UnsafeRawBufferPointer, path: String, options: Options) throws -> Dataset {
        let sep = options.delimiter
        var start = 0
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { start = 3 }   // UTF-8 byte order mark
        // Skip leading blank lines.
        var line = 1
        while start < b.count, b[start] == 10 || b[start] == 13 {
            if b[start] == 10 { line += 1 }
            start += 1
        }
        guard start < b.count else { throw DataError("\(path): empty CSV file: no rows") }
        let firstEnd = lineEnd(b, start)
        let firstFields = splitFields(b, start, firstEnd, sep)
        let columns = firstFields.count
        let firstNumeric = firstFields.allSatisfy { parseNumber(b, $0.lowerBound, $0.upperBound) != nil }
        let hasHeader = options.header ?? !firstNumeric
        let names: [String]? = hasHeader ? firstFields.map { fieldText(b, $0) } : nil

        // The label column.
        let labelIndex: Int?
        switch options.label {
        case .none: labelIndex = nil
        case .automatic: labelIndex = names?.firstIndex { $0.lowercased() == "label" } ?? 0
        case .position(let p):
            guard p >= 0 && p < columns else {
                throw DataError("\(path): label column \(p + 1) does not exist: the rows have \(columns) columns")
            }
            labelIndex = p
        case .name(let n):
            guard let names else {
                throw DataError("\(path): label column '\(n)' named but the file has no header line (its first line is all numbers); give the label's position instead")
            }
            guard let i = names.firstIndex(of: n) else {
                throw DataError("\(path): no column named '\(n)' in the header (columns: \(names.prefix(8).joined(separator: ", "))\(names.count > 8 ? ", ..." : ""))")
            }
            labelIndex = i
        }
        let features = columns - (labelIndex == nil ? 0 : 1)
        guard features >= 1 else { throw DataError("\(path): the rows hold only the label column, no features") }
        let sampleShape = options.shape ?? [features]
        guard sampleShape.allSatisfy({ $0 >= 1 }), sampleShape.reduce(1, *) == features else {
            throw DataError("\(path): shape \(shapeText(sampleShape)) holds \(sampleShape.reduce(1, *)) values but each row has \(features) features (\(columns) columns\(labelIndex == nil ? "" : " less the label"))")
        }

        // Data lines, split into one chunk a core at line boundaries.
        let dataStart = hasHeader ? min(b.count, firstEnd + 1) : start
        let firstDataLine = hasHeader ? line + 1 : line
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunkCount = b.count - dataStart > 1 << 20 ? cores : 1
        var bounds = [dataStart]
        for c in 1..<chunkCount {
            var p = max(bounds.last!, dataStart + (b.count - dataStart) * c / chunkCount)
            while p < b.count, b[p] != 10 { p += 1 }
            bounds.append(min(b.count, p + 1))
        }
        bounds.append(b.count)
        var results = [ChunkResult](repeating: ChunkResult(), count: chunkCount)
        let spec = RowSpec(columns: columns, label: labelIndex, scale: options.scale, sep: sep)
        let fixedBounds = bounds
        results.withUnsafeMutableBufferPointer { out in
            let box = UncheckedSendable((out, b))
            DispatchQueue.concurrentPerform(iterations: chunkCount) { c in
                let (out, b) = box.value
                out[c] = parseChunk(b, fixedBounds[c], fixedBounds[c + 1], spec)
            }
        }
        var lineBase = firstDataLine
        for r in results {
            if let e = r.error {
                throw DataError("\(path): line \(lineBase + e.line): \(e.message)")
            }
            lineBase += r.lines
        }
        let rows = results.reduce(0) { $0 + $1.rows }
        guard rows >= 1 else { throw DataError("\(path): no data rows\(hasHeader ? " after the header" : "")") }
        let x = try Tensor.make([rows] + sampleShape, op: "csv \(path)") { out in
            var o = 0
            for r in results {
                r.values.withUnsafeBufferPointer { (out.baseAddress! + o).update(from: $0.baseAddress!, count: $0.count) }
                o += r.values.count
            }
        }
        let y = try Tensor(results.flatMap { labelIndex == nil ? [Float](repeating: 0, count: $0.rows) : $0.labels }, shape: [rows])
        return try Dataset(name: PathText.lastComponent(path), x: x, y: y)
    }

    struct RowSpec {
        let columns: Int
        let label: Int?
        let scale: Float
        let sep: UInt8
    }

    struct ChunkResult {
        var values: [Float] = []
        var labels: [Float] = []
        var rows = 0
        /// Lines seen (blank ones included).
        var lines = 0
        var error: (line: Int, message: String)?
    }

    /// Parses the lines in `lo..<hi`.
    static func parseChunk(_ b: UnsafeRawBufferPointer, _ lo: Int, _ hi: Int, _ spec: RowSpec) -> ChunkResult {
        var r = ChunkResult()
        let features = spec.columns - (spec.label == nil ? 0 : 1)
        r.values.reserveCapacity((hi - lo) / 2)
        var p = lo
        var rowValues = [Float](repeating: 0, count: features)
        while p < hi {
            let end = lineEnd(b, p, limit: hi)
            defer { p = end + 1; r.lines += 1 }
            if isBlank(b, p, end) { continue }
            var field = 0, f = p, k = 0
            var label: Float = 0
            while true {
                var e = f
                while e < end, b[e] != spec.sep { e += 1 }
                if field >= spec.columns {
                    r.error = (r.lines, "\(countFields(b, p, end, spec.sep)) fields, but the first row has \(spec.columns)")
                    return r
                }
                guard let v = parseNumber(b, f, e) else {
                    let text = fieldText(b, f..<e)
                    r.error = (r.lines, "field \(field + 1) \(text.isEmpty ? "is empty" : "'\(text.prefix(40))' is not a number")")
                    return r
                }
                if field == spec.label { label = Float(v) } else { rowValues[k] = Float(v) * spec.scale; k += 1 }
                field += 1
                if e >= end { break }
                f = e + 1
            }
            if field != spec.columns {
                r.error = (r.lines, "\(field) fields, but the first row has \(spec.columns)")
                return r
            }
            if let bad = rowValues.firstIndex(where: { !$0.isFinite }) {
                r.error = (r.lines, "feature \(bad + 1) is not finite after scaling")
                return r
            }
            r.values += rowValues
            r.labels.append(label)
            r.rows += 1
        }
        return r
    }

    /// The position of the newline ending the line at `p` (or `limit`).
    @inline(__always)
    static func lineEnd(_ b: UnsafeRawBufferPointer, _ p: Int, limit: Int? = nil) -> Int {
        let hi = limit ?? b.count
        guard p < hi, let base = b.baseAddress else { return hi }
        if let hit = memchr(base + p, 10, hi - p) {
            return base.distance(to: UnsafeRawPointer(hit))
        }
        return hi
    }

    static func isBlank(_ b: UnsafeRawBufferPointer, _ lo: Int, _ hi: Int) -> Bool {
        for i in lo..<hi where b[i] != 13 && b[i] != 32 && b[i] != 9 { return false }
        return true
    }

    static func countFields(_ b: UnsafeRawBufferPointer, _ lo: Int, _ hi: Int, _ sep: UInt8) -> Int {
        var n = 1
        for i in lo..<hi where b[i] == sep { n += 1 }
        return n
    }

    static func splitFields(_ b: UnsafeRawBufferPointer, _ lo: Int, _ hi: Int, _ sep: UInt8) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var f = lo
        for i in lo..<hi where b[i] == sep {
            out.append(f..<i)
            f = i + 1
        }
        out.append(f..<hi)
        return out
    }

    /// A field as text, without surrounding spaces, quotes and carriage return.
    static func fieldText(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> String {
        var s = String(decoding: UnsafeRawBufferPointer(rebasing: b[r]), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if s.count >= 2, s.hasPrefix("\""), s.hasSuffix("\"") { s = String(s.dropFirst().dropLast()) }
        return s
    }

    static let powers: [Double] = (0...22).map { pow(10, Double($0)) }

    /// A decimal number in `lo..<hi` (spaces, a carriage return and double quotes around it
    /// allowed), or nil. No strings are made.
    @inline(__always)
    static func parseNumber(_ b: UnsafeRawBufferPointer, _ lo: Int, _ hi: Int) -> Double? {
        var i = lo, e = hi
        while i < e, b[i] == 32 || b[i] == 9 { i += 1 }
        while e > i, b[e - 1] == 32 || b[e - 1] == 9 || b[e - 1] == 13 { e -= 1 }
        if e - i >= 2, b[i] == 34, b[e - 1] == 34 {
            i += 1; e -= 1
            while i < e, b[i] == 32 { i += 1 }
            while e > i, b[e - 1] == 32 { e -= 1 }
        }
        guard i < e else { return nil }
        var negative = false
        if b[i] == 45 || b[i] == 43 { negative = b[i] == 45; i += 1 }
        var mantissa: UInt64 = 0
        var exponent = 0
        var digits = 0
        while i < e, b[i] &- 48 < 10 {
            if mantissa < 1_000_000_000_000_000_000 { mantissa = mantissa * 10 + UInt64(b[i] - 48) } else { exponent += 1 }
            digits += 1; i += 1
        }
        if i < e, b[i] == 46 {
            i += 1
            while i < e, b[i] &- 48 < 10 {
                if mantissa < 1_000_000_000_000_000_000 { mantissa = mantissa * 10 + UInt64(b[i] - 48); exponent -= 1 }
                digits += 1; i += 1
            }
        }
        guard digits > 0 else { return nil }
        if i < e, b[i] == 101 || b[i] == 69 {
            i += 1
            var negExp = false
            if i < e, b[i] == 45 || b[i] == 43 { negExp = b[i] == 45; i += 1 }
            var ev = 0, ed = 0
            while i < e, b[i] &- 48 < 10 { if ev < 10000 { ev = ev * 10 + Int(b[i] - 48) }; ed += 1; i += 1 }
            guard ed > 0 else { return nil }
            exponent += negExp ? -ev : ev
        }
        guard i == e else { return nil }
        var v = Double(mantissa)
        if exponent != 0 {
            if exponent > 0 && exponent <= 22 { v *= powers[exponent] }
            else if exponent < 0 && exponent >= -22 { v /= powers[-exponent] }
            else { v *= pow(10, Double(exponent)) }
        }
        return negative ? -v : v
    }
}
