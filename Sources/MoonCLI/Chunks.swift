import LuaKit

/// Turns the lines typed at the REPL into a chunk to run, the way `lua.c` does: a line that
/// parses as `return <line>` is an expression whose values are printed (`=expr` too); a chunk
/// the parser stopped on at `<eof>` is incomplete, so the REPL asks for another line.
struct ChunkCompiler {
    let interpreter: Interpreter

    /// Errors in typed code read `stdin:1: ...`, as in `lua`.
    static let chunkName = "=stdin"

    enum Result: Equatable {
        /// Compiled: the chunk's function is on top of the stack.
        case ready(isExpression: Bool)
        /// The chunk needs more lines; the parser's message, for when none come.
        case incomplete(String)
        case syntaxError(String)
    }

    /// Compiles the lines typed so far, joined by newlines.
    func compile(_ source: String) -> Result {
        var text = source
        if text.hasPrefix("=") { text.removeFirst() }  // `=expr`, as in Lua 5.1-5.3
        if (try? interpreter.load(Array(("return " + text).utf8), name: Self.chunkName)) != nil {
            return .ready(isExpression: true)
        }
        do {
            try interpreter.load(Array(text.utf8), name: Self.chunkName)
            return .ready(isExpression: false)
        } catch {
            let message = "\(error)"
            return Self.isIncomplete(message) ? .incomplete(message) : .syntaxError(message)
        }
    }

    /// The parser reports a chunk cut short as an error "near <eof>" (an unfinished long
    /// string or comment too).
    static func isIncomplete(_ message: String) -> Bool {
        message.hasSuffix("<eof>")
    }
}
