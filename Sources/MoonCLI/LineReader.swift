import Foundation
@preconcurrency import CEdit
import LuaKit

/// What reading a line gave.
enum LineInput: Equatable {
    case line(String)
    /// Ctrl-C at the prompt: drop what was typed, show a fresh prompt.
    case interrupted
    /// Ctrl-D, or the end of piped input.
    case end
}

/// Where the REPL's lines come from: a terminal (libedit) or a pipe.
protocol LineReader: AnyObject {
    /// True for a terminal: prompts, a banner, history and completion.
    var isTerminal: Bool { get }
    func read(prompt: String) -> LineInput
    /// Records a chunk the user entered (history).
    func remember(_ chunk: String)
    /// Called once when the REPL ends: saves history.
    func close()
}

/// Lines from a pipe or file: no prompts, no escape codes, no history.
final class PipedLineReader: LineReader {
    var isTerminal: Bool { false }
    func read(prompt: String) -> LineInput {
        guard let line = Swift.readLine(strippingNewline: true) else { return .end }
        return .line(line)
    }
    func remember(_ chunk: String) {}
    func close() {}
}

/// Lines from a terminal through libedit: editing, history, Tab completion.
final class EditLineReader: LineReader {
    let history: History

    init(state: LuaState, history: History) {
        self.history = history
        // Without a UTF-8 locale libedit drops every non-ASCII byte.
        if setlocale(LC_CTYPE, "") == nil { setlocale(LC_CTYPE, "C.UTF-8") }
        rl_readline_name = UnsafePointer(strdup("moonlab"))
        EditLineReader.completer = Completer(state: state)
        rl_attempted_completion_function = { text, start, _ in
            rl_attempted_completion_over = 1
            guard let text, let completer = EditLineReader.completer else { return nil }
            let word = String(cString: text)
            // The line before the word: inside a string literal, file names are completed.
            let before = rl_line_buffer.map { String(decoding: UnsafeRawBufferPointer(start: UnsafeRawPointer($0), count: Int(start)), as: UTF8.self) } ?? ""
            EditLineReader.matches = Completer.fileCandidates(line: before, word: word) ?? completer.candidates(for: word)
            if EditLineReader.matches.isEmpty { return nil }
            return rl_completion_matches(text) { _, index in
                if index == 0 { EditLineReader.nextMatch = 0 }
                guard EditLineReader.nextMatch < EditLineReader.matches.count else { return nil }
                defer { EditLineReader.nextMatch += 1 }
                return strdup(EditLineReader.matches[EditLineReader.nextMatch])
            }
        }
        rl_completion_append_character = 0
        // Words for completion end at operators and brackets, not at `.` or `:`.
        let breaks = " \t\n\"\\'`@$><=;|&{}()[],+-*/%^~#"
        rl_basic_word_break_characters = UnsafePointer(strdup(breaks))
        rl_completer_word_break_characters = strdup(breaks)
        history.load()
    }

    var isTerminal: Bool { true }

    func read(prompt: String) -> LineInput {
        Interrupt.clear()
        errno = 0
        guard let raw = readline(prompt) else {
            // libedit returns NULL both at Ctrl-D and, with errno EINTR, at Ctrl-C.
            let interrupted = Interrupt.pending || errno == EINTR
            Interrupt.clear()
            Output.write("\n")
            Output.flush()
            return interrupted ? .interrupted : .end
        }
        defer { free(raw) }
        return .line(String(cString: raw))
    }

    func remember(_ chunk: String) { history.add(chunk) }

    func close() {
        history.save()
        History.current = nil
    }

    nonisolated(unsafe) static var completer: Completer?
    nonisolated(unsafe) static var matches: [String] = []
    nonisolated(unsafe) static var nextMatch = 0
}
