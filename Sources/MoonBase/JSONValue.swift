import Foundation

/// A JSON value: moonlab's one JSON model (layer configs, saved files' metadata, sweep
/// configurations, results and spaces in trial storage).
///
/// Integers and floating-point numbers stay distinct through a round trip (`16` reads back
/// as an integer, `0.001` and `1.0` as doubles), so a configuration reaches a worker process
/// with the same Lua types the sweep was written with.
public indirect enum JSONValue: Equatable, Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Keys kept in the order given; `encoded` writes them sorted, so equal objects encode alike.
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y || (x.isNaN && y.isNaN)
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            let sx = x.sorted { $0.0 < $1.0 }, sy = y.sorted { $0.0 < $1.0 }
            return sx.count == sy.count && zip(sx, sy).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The number, for `int` and `double`.
    public var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// `self[key]` for objects.
    public subscript(key: String) -> JSONValue? {
        if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }

    /// Compact JSON text; object keys sorted.
    public var encoded: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// How a value reads in a table cell: strings bare, numbers short.
    public var description: String {
        switch self {
        case .string(let s): return s
        case .double(let d): return JSONValue.short(d)
        default: return encoded
        }
    }

    /// `d` with at most 6 significant digits (`0.001`, `3.16e-05`, `12.5`).
    public static func short(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == d.rounded() && abs(d) < 1e15 { return String(Int(d)) }
        let a = abs(d)
        if a >= 1e-4 && a < 1e6 {
            var s = String(format: "%.6g", d)
            if s.contains("e") { s = String(d) }
            return s
        }
        return String(format: "%.3g", d)
    }

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            // Swift's description round-trips exactly and always marks a double ("1.0").
            out += d.isFinite ? String(d) : "null"
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, v) in items.enumerated() {
                if i > 0 { out += "," }
                v.write(to: &out)
            }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (i, (k, v)) in pairs.sorted(by: { $0.0 < $1.0 }).enumerated() {
                if i > 0 { out += "," }
                JSONValue.writeString(k, to: &out)
                out += ":"
                v.write(to: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    out += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }

    /// Parses JSON text written by `encoded` (or any standard JSON).
    public static func parse(_ text: String) throws -> JSONValue {
        var p = Parser(bytes: Array(text.utf8))
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == p.bytes.count else { throw MoonError("JSON: unexpected text at offset \(p.i)") }
        return v
    }

    struct Parser {
        let bytes: [UInt8]
        var i = 0

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
        }

        mutating func literal(_ word: String, _ v: JSONValue) throws -> JSONValue {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else {
                throw MoonError("JSON: bad literal at offset \(i)")
            }
            i += w.count
            return v
        }

        mutating func value(depth: Int) throws -> JSONValue {
            guard depth < 64 else { throw MoonError("JSON: nested too deeply") }
            guard i < bytes.count else { throw MoonError("JSON: unexpected end") }
            switch bytes[i] {
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "["):
                i += 1
                var items: [JSONValue] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard i < bytes.count else { throw MoonError("JSON: unterminated array") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                    throw MoonError("JSON: expected , or ] at offset \(i)")
                }
            case UInt8(ascii: "{"):
                i += 1
                var pairs: [(String, JSONValue)] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
                while true {
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw MoonError("JSON: expected a key at offset \(i)") }
                    let k = try string()
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw MoonError("JSON: expected : at offset \(i)") }
                    i += 1
                    skipSpace()
                    pairs.append((k, try value(depth: depth + 1)))
                    skipSpace()
                    guard i < bytes.count else { throw MoonError("JSON: unterminated object") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
                    throw MoonError("JSON: expected , or } at offset \(i)")
                }
            default: return try number()
            }
        }

        mutating func string() throws -> String {
            i += 1
            var out: [UInt8] = []
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
                if b != UInt8(ascii: "\\") { out.append(b); continue }
                guard i < bytes.count else { break }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard i + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
                        throw MoonError("JSON: bad \\u escape")
                    }
                    i += 4
                    out += Array(String(Unicode.Scalar(code).map(Character.init) ?? "?").utf8)
                default: out.append(e)
                }
            }
            throw MoonError("JSON: unterminated string")
        }

        mutating func number() throws -> JSONValue {
            let start = i
            var isDouble = false
            while i < bytes.count {
                let b = bytes[i]
                if (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") { i += 1; continue }
                if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") { isDouble = true; i += 1; continue }
                break
            }
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            if !isDouble, let n = Int(text) { return .int(n) }
            guard let d = Double(text) else { throw MoonError("JSON: bad number '\(text)' at offset \(start)") }
            return .double(d)
        }
    }
}
