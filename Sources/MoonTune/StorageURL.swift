import Foundation

/// `storage=` strings that name a database server rather than a file, and how to show them
/// without their password.
public enum StorageURL {
    /// True for `postgresql://...` and `postgres://...`.
    public static func isServerURL(_ spec: String) -> Bool {
        spec.hasPrefix("postgresql://") || spec.hasPrefix("postgres://")
    }

    /// The URL with any password replaced by `***` (`postgresql://ann:***@db/lab`), including a
    /// `password=` query parameter; other strings are returned unchanged.
    public static func redacted(_ spec: String) -> String {
        guard isServerURL(spec), let scheme = spec.range(of: "://") else { return spec }
        var rest = String(spec[scheme.upperBound...])
        // user:password@host — the last '@' before the path ends the user information.
        let pathStart = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        if let at = rest[..<pathStart].lastIndex(of: "@"),
           let colon = rest[..<at].firstIndex(of: ":") {
            rest.replaceSubrange(rest.index(after: colon)..<at, with: "***")
        }
        if let q = rest.firstIndex(of: "?") {
            let query = rest[rest.index(after: q)...].split(separator: "&", omittingEmptySubsequences: false).map { item -> String in
                item.lowercased().hasPrefix("password=") ? "password=***" : String(item)
            }
            rest = String(rest[...q]) + query.joined(separator: "&")
        }
        return String(spec[..<scheme.upperBound]) + rest
    }

    /// The password written in the URL (percent-decoded), if any: messages from the server's
    /// client library are scrubbed of it too.
    public static func password(_ spec: String) -> String? {
        guard isServerURL(spec), let scheme = spec.range(of: "://") else { return nil }
        let rest = spec[scheme.upperBound...]
        let pathStart = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        if let at = rest[..<pathStart].lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
            let raw = String(rest[rest.index(after: colon)..<at])
            return raw.removingPercentEncoding ?? raw
        }
        if let q = rest.firstIndex(of: "?") {
            for item in rest[rest.index(after: q)...].split(separator: "&") where item.lowercased().hasPrefix("password=") {
                let raw = String(item.dropFirst("password=".count))
                return raw.removingPercentEncoding ?? raw
            }
        }
        return nil
    }

    /// `text` with every occurrence of the URL's password replaced by `***`.
    public static func scrub(_ text: String, for spec: String) -> String {
        guard let pw = password(spec), !pw.isEmpty else { return text }
        return text.replacingOccurrences(of: pw, with: "***")
    }
}
