import Foundation
import MoonData
import Testing

/// The REPL in a real terminal: tmux runs `moonlab` in a detached pane, keys are sent to it and
/// the screen is read back. Each test uses its own tmux server (a private socket) and its own
/// HOME and history file.
@Suite(.serialized, .enabled(if: Terminal.tmux != nil, "tmux is not installed (scripts/setup installs it)"))
struct TerminalTests {
    @Test func expressionShowsItsValue() throws {
        let t = try Terminal()
        defer { t.close() }
        t.type("1+1"); t.press("Enter")
        try t.waitFor { $0.contains("> 1+1\n2\n") }
        t.type("{1, 'two', {three = 3}}"); t.press("Enter")
        try t.waitFor { $0.contains("{1, \"two\", {three = 3}}\n") }
    }

    @Test func tabCompletesGlobalsAndFields() throws {
        let t = try Terminal()
        defer { t.close() }
        t.type("tens"); t.press("Tab")
        try t.waitFor { $0.contains("> tensor") }
        t.press("C-u")
        t.type("string.fo"); t.press("Tab")
        try t.waitFor { $0.contains("> string.format") }
        t.type("('%d', 7)"); t.press("Enter")
        try t.waitFor { $0.contains("\"7\"\n") }
        t.type("s = 'abc'"); t.press("Enter")
        t.type("s:up"); t.press("Tab")
        try t.waitFor { $0.contains("> s:upper") }
    }

    @Test func ctrlCStopsARunningChunkAndKeepsState() throws {
        let t = try Terminal()
        defer { t.close() }
        t.type("x = 5"); t.press("Enter")
        t.type("while true do end"); t.press("Enter")
        try t.waitFor { $0.hasSuffix("> while true do end") }
        Thread.sleep(forTimeInterval: 0.3)
        t.press("C-c")
        try t.waitFor { $0.contains("interrupted") }
        t.type("x"); t.press("Enter")
        try t.waitFor { $0.contains("> x\n5\n") }
        t.type("y = x * 2"); t.press("Enter")
        t.type("y"); t.press("Enter")
        try t.waitFor { $0.contains("> y\n10\n") }
    }

    @Test func ctrlCAtThePromptClearsTheLine() throws {
        let t = try Terminal()
        defer { t.close() }
        t.type("this is not finished")
        try t.waitFor { $0.hasSuffix("> this is not finished") }
        // Not within the instant libedit is still echoing and setting up (see below).
        Thread.sleep(forTimeInterval: 0.5)
        t.press("C-c")
        // The signal and the keys after it race in the terminal: wait for the fresh prompt,
        // as a person would see it before typing on.
        try t.waitFor { $0.hasSuffix("\n> ") }
        t.type("1+2"); t.press("Enter")
        try t.waitFor { $0.contains("> 1+2\n3\n") }
        t.type("for i = 1, 2 do"); t.press("Enter")
        try t.waitFor { $0.hasSuffix(">> ") }
        // As a person would: not within the instant libedit is still setting up the line.
        Thread.sleep(forTimeInterval: 0.5)
        t.press("C-c")
        t.type("'fresh'"); t.press("Enter")
        try t.waitFor { $0.contains("> 'fresh'\n\"fresh\"\n") }
    }

    @Test func multiLineChunks() throws {
        let t = try Terminal()
        defer { t.close() }
        t.type("for i = 1, 3 do"); t.press("Enter")
        try t.waitFor { $0.hasSuffix(">> ") }
        t.type("io.write(i * 10, ' ')"); t.press("Enter")
        t.type("end"); t.press("Enter")
        try t.waitFor { $0.contains("10 20 30 ") }
    }

    @Test func historySurvivesARestart() throws {
        let home = try Terminal.temporaryHome()
        let history = home.appendingPathComponent("history")
        do {
            let t = try Terminal(home: home, history: history)
            defer { t.close() }
            t.type("answer = 42"); t.press("Enter")
            t.type("answer + 0"); t.press("Enter")
            try t.waitFor { $0.contains("\n42\n") }
            t.press("C-d")
            try t.waitForExit()
        }
        #expect(FileManager.default.fileExists(atPath: history.path))
        let t = try Terminal(home: home, history: history)
        defer { t.close() }
        t.press("Up")
        try t.waitFor { $0.hasSuffix("> answer + 0") }
        t.press("Up")
        try t.waitFor { $0.hasSuffix("> answer = 42") }
        t.press("Enter")
        t.type("answer"); t.press("Enter")
        try t.waitFor { $0.contains("> answer\n42\n") }
    }

    /// Ctrl-C during fit: the progress line ends, the error says where the finished epochs
    /// are, and model.history holds them; `_` keeps the last result.
    @Test func ctrlCInFitKeepsTheHistoryAndUnderscoreKeepsResults() throws {
        let t = try Terminal()
        defer { t.close() }
        t.type("m = nn.Sequential{input={4}, nn.Dense(2)}; m:compile{loss='mse'}"); t.press("Enter")
        t.type("x, y = tensor.rand({4000, 4}), tensor.rand({4000, 2})"); t.press("Enter")
        t.type("m:fit(x, y, {epochs=100000, batch=4})"); t.press("Enter")
        try t.waitFor { $0.contains("epoch 3/100000") }
        t.press("C-c")
        try t.waitFor { $0.contains("model.history holds the") }
        // The interruption's message starts its own line, not the progress bar's.
        #expect(t.screen().split(separator: "\n").contains { $0.contains("interrupted in epoch") && !$0.contains("[") })
        t.type("#m.history.loss >= 2 and #m.history.loss == #m.history.lr"); t.press("Enter")
        try t.waitFor { $0.contains("#m.history.lr\ntrue\n") }
        // (A trailing `;` is tested through piped input: tmux reads one as a command separator.)
        t.type("6 * 7"); t.press("Enter")
        try t.waitFor { $0.contains("> 6 * 7\n42\n") }
        t.type("_ + 1"); t.press("Enter")
        try t.waitFor { $0.contains("> _ + 1\n43\n") }
    }

    /// Output fits the terminal's 120 columns: a wide tensor prints in blocks of columns, help
    /// wraps at spaces, and help longer than the screen goes through $PAGER; a dataset's
    /// sample prints its x and y once.
    @Test func printingFitsTheTerminal() throws {
        let t = try Terminal(environment: ["PAGER": "sed 's/^/paged: /'"])
        defer { t.close() }
        t.type("tensor.arange(1, 61):reshape{2, 30} * 1000.5"); t.press("Enter")
        try t.waitFor { $0.contains("Columns 1 to") && $0.contains("[tensor float32 of shape 2x30]") }
        #expect(t.screen().split(separator: "\n").allSatisfy { $0.count <= 120 })
        t.press("C-l")
        t.type("help(nn.Dense)"); t.press("Enter")
        try t.waitFor { $0.contains("Example:") }
        #expect(t.screen().split(separator: "\n").allSatisfy { $0.count <= 120 })
        t.press("C-l")
        t.type("help(nn)"); t.press("Enter")         // longer than 40 rows: through the pager
        try t.waitFor { $0.contains("paged:   nn.Sequential") }
        t.press("C-l")
        t.type("ds = data.clocks{n=4, size=16, seed=1}"); t.press("Enter")
        // The next line is typed only at the prompt: typed ahead while the data set is made, it
        // would be echoed twice on a loaded machine.
        try t.waitFor { $0.hasSuffix("seed=1}\n> ") }
        t.type("ds[1]"); t.press("Enter")
        try t.waitFor { $0.contains("> ds[1]\nx = ") && $0.contains("\ny = {hour = ") }
        #expect(t.screen().components(separatedBy: "[tensor float32 of shape 1x16x16]").count == 2)
    }

    /// Figures where the researcher works: a learning curve and a confusion heatmap drawn in
    /// the terminal in Unicode (the screen is saved for the record); where the terminal says
    /// it speaks kitty's graphics protocol, the heatmap's figure arrives as a PNG in its escape
    /// sequence (decoded here: its cells' colours are in it).
    @Test func figuresInTheTerminal() throws {
        let t = try Terminal(environment: ["MOONLAB_GRAPHICS": "unicode"])
        defer { t.close() }
        t.type("m = nn.Sequential{input={3}, nn.Dense(3)}; m:compile{loss='sparse_categorical_crossentropy', metrics={'accuracy'}}")
        t.press("Enter")
        t.type("x = tensor.rand{90, 3}; y = x:argmax(2) - 1"); t.press("Enter")
        t.type("m:fit(x, y, {epochs=4, verbose=0})"); t.press("Enter")
        t.press("C-l")
        t.type("plot.history(m.history)"); t.press("Enter")
        try t.waitFor { $0.contains(" loss   ") && $0.hasSuffix(" accuracy\n> ") && $0.contains("epoch") }
        #expect(t.screen().unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) })
        let curve = t.screen()
        t.press("C-l")
        t.type("plot.heatmap(metrics.confusion_matrix(m:classify(x), y), {labels={'a', 'b', 'c'}})"); t.press("Enter")
        try t.waitFor { $0.contains("scale: 0") && $0.contains("a  b  c") }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("moonlab-figures-transcript.txt")
        try (curve + "\n\n" + t.screen()).write(to: out, atomically: true, encoding: .utf8)

        let kitty = try Terminal(environment: ["MOONLAB_GRAPHICS": "kitty"])
        defer { kitty.close() }
        let raw = kitty.home.appendingPathComponent("pane.raw")
        try kitty.record(to: raw)
        kitty.type("plot.heatmap({{1, 0}, {0, 1}})"); kitty.press("Enter")
        var bytes = ""
        let deadline = Date().addingTimeInterval(10)
        repeat {   // until the last chunk (m=0) has arrived whole
            Thread.sleep(forTimeInterval: 0.1)
            bytes = (try? String(contentsOf: raw, encoding: .utf8)) ?? ""
        } while !(bytes.components(separatedBy: "m=0;").last?.contains("\u{1b}\\") ?? false) && Date() < deadline
        let chunks = bytes.components(separatedBy: "\u{1b}_G").dropFirst().map { $0.components(separatedBy: "\u{1b}\\")[0] }
        #expect(chunks.first?.hasPrefix("a=T,f=100,") == true)
        let payload = chunks.compactMap { $0.split(separator: ";", maxSplits: 1).last.map(String.init) }.joined()
        let png = Data(base64Encoded: payload).map { [UInt8]($0) } ?? []
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "no PNG in: \(bytes.prefix(300))")
        let file = kitty.home.appendingPathComponent("shown.png")
        try Data(png).write(to: file)
        let image = try PNGReader.read(file.path, mode: .rgb)
        #expect(image.width > 100 && image.height > 100)   // the whole figure: cells, labels, colour bar
        let pixels = stride(from: 0, to: image.pixels.count, by: 3).map { Array(image.pixels[$0..<($0 + 3)]) }
        #expect(pixels.contains([0x08, 0x30, 0x6b]) && pixels.contains([0xf7, 0xfb, 0xff]))   // blues' ends: the 1s and the 0s
        #expect(pixels.contains([255, 255, 255]))
    }

    /// A short session, saved for the record (the issue asks for one), checked as it goes.
    @Test func transcript() throws {
        let t = try Terminal()
        defer { t.close() }
        let steps: [(String, String)] = [
            ("1+1", "> 1+1\n2\n"),
            ("t = {name = 'mnist', sizes = {28, 28}, classes = 10}", "> t = "),
            ("t", "{classes = 10, name = \"mnist\", sizes = {28, 28}}\n"),
            ("=moonlab.version", "\"0.1.0\"\n"),
            ("help(moonlab.seed)", "moonlab.seed(n)\n"),
            ("error('oops')", "stdin:1: oops\n"),
        ]
        for (line, expected) in steps {
            t.type(line); t.press("Enter")
            try t.waitFor { $0.contains(expected) }
        }
        t.type("while true do end"); t.press("Enter")
        Thread.sleep(forTimeInterval: 0.3)
        t.press("C-c")
        try t.waitFor { $0.contains("interrupted") }
        t.type("string.fo"); t.press("Tab")
        try t.waitFor { $0.hasSuffix("> string.format") }
        t.type("('%.2f', math.pi)"); t.press("Enter")
        try t.waitFor { $0.contains("\"3.14\"\n") }
        let screen = t.screen()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("moonlab-repl-transcript.txt")
        try screen.write(to: out, atomically: true, encoding: .utf8)
    }
}

/// One `moonlab` REPL in a detached tmux pane.
final class Terminal {
    static let tmux: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    nonisolated(unsafe) private static var count = 0
    let socket: String
    let home: URL

    static func temporaryHome() throws -> URL {
        count += 1
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("moonlab-terminal-\(getpid())-\(count)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    init(home: URL? = nil, history: URL? = nil, environment: [String: String] = [:]) throws {
        let home = try home ?? Terminal.temporaryHome()
        Terminal.count += 1
        self.home = home
        socket = "moonlab-test-\(getpid())-\(Terminal.count)"
        let history = history ?? home.appendingPathComponent("history")
        let extra = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(quote($0.value)) " }.joined()
        let command = "exec env HOME=\(quote(home.path)) MOONLAB_HISTORY=\(quote(history.path)) \(extra)\(quote(MoonlabBinary.binary))"
        // The server that new-session starts keeps its standard output: give it none to hold.
        try tmux(["new-session", "-d", "-x", "120", "-y", "40", command], capture: false)
        do {
            try waitFor { $0.contains("help() for help") }
        } catch {
            close()
            throw error
        }
    }

    /// Copies everything the program writes to the pane, escape sequences included, to `file`.
    func record(to file: URL) throws { _ = try tmux(["pipe-pane", "-o", "cat >> \(quote(file.path))"]) }

    /// Types `text` literally.
    func type(_ text: String) { _ = try? tmux(["send-keys", "-l", text]) }
    /// Presses keys by tmux name: Enter, Tab, Up, C-c, C-d, C-u.
    func press(_ key: String) { _ = try? tmux(["send-keys", key]) }

    /// The screen's text, trailing blank lines and spaces dropped.
    func screen() -> String {
        let raw = (try? tmux(["capture-pane", "-p"])) ?? ""
        let lines = raw.split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }
        var text = lines.joined(separator: "\n")
        while text.hasSuffix("\n") { text.removeLast() }
        // The prompt's trailing space was trimmed with the rest; put it back at the end.
        if text.hasSuffix(">") { text += " " }
        return text
    }

    /// Waits until the screen satisfies `condition`; fails with the screen after 10 s.
    func waitFor(_ condition: (String) -> Bool, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let deadline = Date().addingTimeInterval(10)
        var text = screen()
        while !condition(text) {
            if Date() > deadline {
                Issue.record("timed out; the screen shows:\n\(text)", sourceLocation: sourceLocation)
                throw TerminalError.timeout
            }
            Thread.sleep(forTimeInterval: 0.05)
            text = screen()
        }
    }

    /// Waits until moonlab has exited (its pane, and so the tmux server, are gone).
    func waitForExit() throws {
        let deadline = Date().addingTimeInterval(10)
        while (try? tmux(["has-session"])) != nil {
            if Date() > deadline { throw TerminalError.timeout }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Ends the tmux server and, should it survive that, moonlab itself.
    func close() {
        let pid = (try? tmux(["list-panes", "-F", "#{pane_pid}"]))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        _ = try? tmux(["kill-server"])
        if let pid, pid > 0 {
            Thread.sleep(forTimeInterval: 0.05)
            if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        }
    }

    enum TerminalError: Error { case timeout, failed(String) }

    /// Runs the tmux client. Not through Foundation's Process: its waitUntilExit can miss
    /// the exit of a client that forks the server, and the server must inherit no test pipes.
    @discardableResult
    private func tmux(_ arguments: [String], capture: Bool = true) throws -> String {
        let argv = [Terminal.tmux!, "-L", socket, "-f", "/dev/null"] + arguments
        let (status, output) = try spawn(argv, capture: capture)
        guard status == 0 else { throw TerminalError.failed(arguments.joined(separator: " ")) }
        return output
    }

    private func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

/// Runs `argv` with standard input and error on /dev/null (the tmux server closes whatever
/// else it inherits when it detaches);
/// returns the exit status and, if `capture`, the standard output.
func spawn(_ argv: [String], capture: Bool) throws -> (Int32, String) {
    var fds: [Int32] = [-1, -1]
    guard pipe(&fds) == 0 else { throw Terminal.TerminalError.failed("pipe") }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    if capture {
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    } else {
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    }
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    // The test runner's threads block signals and the tests ignore SIGPIPE: start tmux (and
    // so moonlab) with neither, as from a shell.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t(), defaults = sigset_t()
    sigemptyset(&empty)
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGPIPE)
    sigaddset(&defaults, SIGINT)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var cargs = argv.map { strdup($0) } + [nil]
    defer { cargs.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, argv[0], &actions, &attributes, &cargs, environ)
    close(fds[1])
    defer { close(fds[0]) }
    guard rc == 0 else { throw Terminal.TerminalError.failed("spawn \(argv[0]): \(rc)") }
    var output = [UInt8]()
    if capture {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fds[0], &buffer, buffer.count)
            if n > 0 { output += buffer[0..<n]; continue }
            if n < 0 && errno == EINTR { continue }
            break
        }
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let exited = status & 0x7f == 0
    return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), String(decoding: output, as: UTF8.self))
}
