@preconcurrency import CLua
import CMoonLua
import MoonBase

/// A Swift object held by Lua that stands for a JSON value when passed as an option
/// (`nn.init.he_normal{}` as `init=`).
public protocol LuaJSONRepresentable: AnyObject {
    var jsonValue: JSONValue { get }
}

extension LuaState {
    /// The Lua value at `index` as JSON: numbers keep integer or float, tables become arrays
    /// (a sequence 1..n) or objects (string keys), moonlab objects that stand for a value
    /// give it. Functions, other userdata and mixed tables are refused, naming `what`.
    public func json(_ index: Int32, _ what: String = "value", depth: Int = 0, skipping: Set<String> = []) throws -> JSONValue {
        let i = absolute(index)
        switch type(i) {
        case .nil, .none: return .null
        case .boolean: return .bool(toBool(i))
        case .number:
            if lua_isinteger(L, i) != 0, let v = toInteger(i) { return .int(v) }
            return .double(toNumber(i) ?? .nan)
        case .string: return .string(toString(i) ?? "")
        case .table:
            guard depth < 16 else { throw MoonError("\(what) is nested too deeply") }
            let n = rawLength(i)
            var count = 0
            var pairs: [(String, JSONValue)] = []
            var stringKeys = true
            try forEachPair(i) {
                count += 1
                if type(-2) == .string, let k = toString(-2) {
                    if skipping.contains(k) { return }
                    pairs.append((k, try json(-1, "\(what).\(k)", depth: depth + 1)))
                } else { stringKeys = false }
            }
            if count == 0 { return .array([]) }
            if n == count {
                var items: [JSONValue] = []
                for k in 1...n {
                    rawGet(i, k)
                    defer { pop() }
                    items.append(try json(-1, "\(what)[\(k)]", depth: depth + 1))
                }
                return .array(items)
            }
            guard stringKeys else { throw MoonError("\(what) must be a list or a table with string keys") }
            return .object(pairs)
        case .userdata:
            if let object = moonlabObject(i) as? LuaJSONRepresentable { return object.jsonValue }
            fallthrough
        default:
            throw MoonError("\(what) must be a number, string, boolean or table, got \(describe(i))")
        }
    }

    /// The arguments from `first` to the top of the stack as JSON (for `Options`); keys in
    /// `skipping` of a table argument are left out (values only the caller reads, such as tensors).
    public func jsonArguments(from first: Int32 = 1, skipping: Set<String> = []) throws -> [JSONValue] {
        guard top >= first else { return [] }
        return try (first...top).map { i in
            do { return try json(i, "argument \(i)", skipping: skipping) } catch let e as MoonError {
                throw MoonError(.argument(Int(i)), e.message)
            }
        }
    }

    /// Pushes a JSON value as Lua (objects as tables with string keys, arrays as sequences).
    public func push(json v: JSONValue) {
        switch v {
        case .null: pushNil()
        case .bool(let b): push(b)
        case .int(let i): push(i)
        case .double(let d): push(d)
        case .string(let s): push(s)
        case .array(let items):
            newTable(arrayCount: Int32(items.count))
            for (k, item) in items.enumerated() { push(json: item); rawSet(-2, k + 1) }
        case .object(let pairs):
            newTable(fieldCount: Int32(pairs.count))
            for (k, item) in pairs { push(json: item); setField(-2, k) }
        }
    }

    /// The Swift object in a moonlab userdata (metatable named `moonlab.*`), whatever its class.
    func moonlabObject(_ index: Int32) -> AnyObject? {
        guard type(index) == .userdata, lua_getmetatable(L, index) != 0 else { return nil }
        getField(-1, "__name")
        let name = toString(-1) ?? ""
        pop(2)
        guard name.hasPrefix("moonlab."), let slot = lua_touserdata(L, index),
              let raw = slot.load(as: UnsafeMutableRawPointer?.self) else { return nil }
        return Unmanaged<AnyObject>.fromOpaque(raw).takeUnretainedValue()
    }
}
