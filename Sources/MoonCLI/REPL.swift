import Foundation
import LuaKit
import MoonBindings

/// The read-eval-print loop. On a terminal: a banner, prompts, libedit editing, history and
/// completion; errors go to standard error and the loop goes on. From a pipe: the same loop
/// without prompts or escape codes, and the exit status says whether any chunk failed.
final class REPL {
    let interpreter: Interpreter
    let reader: LineReader
    let printer: ValuePrinter
    private var failed = false
    /// From a pipe, Ctrl-C stops the whole input, not just the running chunk.
    private var stopped = false

    static let banner = "moonlab \(Moonlab.version) (Lua \(LuaState.luaVersion)) — help() for help"
    static let prompt = "> "
    static let continuationPrompt = ">> "

    init(interpreter: Interpreter, reader: LineReader? = nil) {
        self.interpreter = interpreter
        let state = interpreter.state
        if let reader {
            self.reader = reader
        } else if isatty(STDIN_FILENO) != 0 {
            let path = History.defaultPath(environment: ProcessInfo.processInfo.environment)
            self.reader = EditLineReader(state: state, history: History(path: path))
        } else {
            self.reader = PipedLineReader()
        }
        printer = ValuePrinter(state: state)
        ValuePrinter.keepStandardToString(state)
        if self.reader.isTerminal { LuaState.pager = Terminal.page }
    }

    /// Runs until Ctrl-D or the end of input; returns the exit status.
    func run() -> Int32 {
        if reader.isTerminal { Output.write(Self.banner + "\n") }
        while !stopped, let chunk = readChunk() {
            if let source = chunk { execute(silent: source.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix(";")) }
            if !reader.isTerminal { Output.flush() }
        }
        reader.close()
        return failed && !reader.isTerminal ? 1 : 0
    }

    /// Reads lines until they make a chunk. Its source: compiled, its function on the stack;
    /// `.some(nil)`: nothing to run (a blank line, Ctrl-C, a syntax error, already reported);
    /// nil: the input ended.
    private func readChunk() -> String?? {
        let compiler = ChunkCompiler(interpreter: interpreter)
        var source: String
        switch reader.read(prompt: Self.prompt) {
        case .end: return nil
        case .interrupted: return .some(nil)
        case .line(let line): source = line
        }
        if source.allSatisfy(\.isWhitespace) { return .some(nil) }
        if let help = Self.helpRequest(source) {
            reader.remember(source)
            source = help
        }
        while true {
            switch compiler.compile(source) {
            case .ready:
                reader.remember(source)
                return source
            case .syntaxError(let message):
                reader.remember(source)
                report(message)
                return .some(nil)
            case .incomplete(let message):
                switch reader.read(prompt: Self.continuationPrompt) {
                case .line(let more): source += "\n" + more
                case .interrupted: return .some(nil)
                case .end:
                    report(message)
                    return nil
                }
            }
        }
    }

    /// Runs the compiled chunk on top of the stack and prints what it returned (not when the
    /// line ends with `;`, as in IPython); its first value becomes the global `_`.
    private func execute(silent: Bool) {
        let state = interpreter.state
        let base = state.top - 1
        Terminal.fitDisplay()   // the window may have been resized since the last chunk
        Interrupt.clear()
        let interruptsBefore = Interrupt.count
        do {
            try state.call(nargs: 0, nresults: LuaState.allResults, traceback: true)
        } catch {
            state.top = base
            report("\(error)")
            // Piped input stops at a Ctrl-C; a terminal returns to the prompt.
            if !reader.isTerminal, Interrupt.count != interruptsBefore { stopped = true }
            return
        }
        if state.top > base {
            if !silent {
                let values = (base + 1...state.top).map { printer.format($0) }
                Output.write(values.joined(separator: "\t") + "\n")
            }
            state.pushValue(base + 1)
            state.setGlobal("_")
        }
        state.top = base
    }

    /// Shows an error: on standard error, without the traceback line for the REPL itself.
    private func report(_ message: String) {
        failed = true
        var text = message
        if text.hasSuffix("\n\t[C]: in ?") { text.removeLast("\n\t[C]: in ?".count) }
        Output.error(reader.isTerminal ? text : "moonlab: " + text)
    }

    /// `?name` (IPython's): `help "name"`, which shows a dotted name's documentation
    /// (`?model:fit` reads the method) and searches for anything that names nothing (`?cka`);
    /// nil when the line is not a help request.
    static func helpRequest(_ line: String) -> String? {
        let text = line.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("?") else { return nil }
        let rest = text.dropFirst().trimmingCharacters(in: .whitespaces)
        if rest.isEmpty { return "help()" }
        let isName = rest.first.map { $0.isLetter || $0 == "_" } == true
            && rest.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == ":" }
        let word = isName ? rest.replacingOccurrences(of: ":", with: ".") : rest
        let quoted = word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "help(\"" + quoted + "\")"
    }
}
