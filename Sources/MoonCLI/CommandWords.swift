/// The words of a subcommand (`moonlab sweep ...`, `moonlab runs ...`): `--name value` or
/// `--name=value` options, flags without a value, then the rest.
enum CommandWords {
    /// Options before the first other word: `--name value` or `--name=value`; flags take no value.
    struct Parsed {
        var values: [String: [String]] = [:]
        var flags: Set<String> = []
        var rest: [String] = []
        func one(_ k: String) -> String? { values[k]?.last }
        func int(_ k: String, least: Int = 1) throws -> Int? {
            guard let v = one(k) else { return nil }
            guard let n = Int(v), n >= least else { throw UsageError("--\(k) expects a whole number of at least \(least), got '\(v)'") }
            return n
        }
    }

    static func parse(_ words: [String], valued: Set<String>, flags: Set<String>) throws -> Parsed {
        var p = Parsed()
        var i = 0
        while i < words.count {
            let w = words[i]
            guard w.hasPrefix("--") else { break }
            if w == "--" { i += 1; break }
            var name = String(w.dropFirst(2))
            var value: String?
            if let eq = name.firstIndex(of: "=") { value = String(name[name.index(after: eq)...]); name = String(name[..<eq]) }
            if flags.contains(name) {
                guard value == nil else { throw UsageError("--\(name) takes no value") }
                p.flags.insert(name)
            } else if valued.contains(name) {
                if value == nil {
                    i += 1
                    guard i < words.count else { throw UsageError("--\(name) needs a value") }
                    value = words[i]
                }
                p.values[name, default: []].append(value!)
            } else {
                throw UsageError("unknown option --\(name)")
            }
            i += 1
        }
        p.rest = Array(words[i...])
        return p
    }
}
