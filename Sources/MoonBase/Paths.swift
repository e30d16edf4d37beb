/// Path text without Foundation's NSString path methods (whose Linux versions trap on some
/// inputs, such as a one-component relative path in some releases): plain splitting at "/".
public enum PathText {
    /// The folder part: "a/b/c.db" -> "a/b", "/c.db" -> "/", "c.db" -> "" (the current folder).
    public static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last component: "a/b/c.db" -> "c.db" (trailing slashes ignored).
    public static func lastComponent(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        guard let slash = p.lastIndex(of: "/") else { return String(p) }
        let rest = p[p.index(after: slash)...]
        return rest.isEmpty ? String(p) : String(rest)
    }

    /// The last component without its extension: "a/b/run.lua" -> "run".
    public static func stem(_ path: String) -> String {
        let name = lastComponent(path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }
}
