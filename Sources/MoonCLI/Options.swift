/// The command line of `moonlab`, read the way the `lua` command reads its own:
/// options first, then the script and its arguments.
struct Options: Equatable {
    /// Something to do before the script, in command-line order.
    enum Action: Equatable {
        case execute(String)                     // -e CHUNK
        case require(global: String, module: String) // -l NAME or -l g=NAME
    }

    var actions: [Action] = []
    /// The index in the command line of the script (`-` for standard input), if any.
    var scriptIndex: Int?
    var interactive = false      // -i: the REPL after everything else
    var showVersion = false      // -v
    var warnings = false         // -W
    var help = false             // -h, --help
    var versionOnly = false      // --version

    var script: String? { scriptIndex.map { commandLine[$0] } }
    var commandLine: [String] = []

    /// Parses `commandLine` (program name first). Throws a message for the user.
    static func parse(_ commandLine: [String]) throws -> Options {
        var o = Options()
        o.commandLine = commandLine
        var i = 1
        while i < commandLine.count {
            let word = commandLine[i]
            if word == "--" { i += 1; break }
            if word == "-" || !word.hasPrefix("-") { break }
            switch word {
            case "--help", "-h": o.help = true
            case "--version": o.versionOnly = true
            case "-i": o.interactive = true
            case "-v": o.showVersion = true
            case "-W": o.warnings = true
            default:
                // -e and -l take a value, attached (-eprint(1)) or as the next word.
                guard word.hasPrefix("-e") || word.hasPrefix("-l") else {
                    throw UsageError("unrecognized option '\(word)'")
                }
                var value = String(word.dropFirst(2))
                if value.isEmpty {
                    i += 1
                    guard i < commandLine.count else {
                        throw UsageError("'\(word)' needs an argument")
                    }
                    value = commandLine[i]
                }
                if word.hasPrefix("-e") {
                    o.actions.append(.execute(value))
                } else if let eq = value.firstIndex(of: "=") {
                    o.actions.append(.require(global: String(value[..<eq]), module: String(value[value.index(after: eq)...])))
                } else {
                    o.actions.append(.require(global: value, module: value))
                }
            }
            i += 1
        }
        if i < commandLine.count { o.scriptIndex = i }
        return o
    }

    /// With no script and no `-e`/`-l`/`-v`, moonlab reads standard input: the REPL.
    var readsStandardInput: Bool { scriptIndex == nil && actions.isEmpty && !showVersion }
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

let usage = """
    usage: moonlab [options] [script [args]]
           moonlab sweep status|join|slurm ...   (sweeps across machines: moonlab sweep --help)
           moonlab runs [list|show|compare|delete|prune] ...   (recorded runs: moonlab runs --help)
    Runs a Lua 5.4 script with moonlab's modules (tensor, nn, optim, data, aug, metrics,
    analysis, tune, plot, runs) loaded, or opens the REPL.

    Options:
      -e CHUNK   run the Lua code CHUNK (may be given several times; run in order)
      -l NAME    require module NAME into global NAME (-l g=NAME: into global g)
      -i         open the REPL after running the script and options
      -v         print the version (then go on)
      -W         turn Lua warnings on
      --         stop reading options
      -          run the script read from standard input
      --version  print the version and exit
      -h, --help print this help and exit

    With no script, moonlab opens the REPL when standard input is a terminal, and otherwise
    reads and runs lines from standard input, printing the values of expressions.
    Exit status: 0 on success, 1 on an error.

    Environment:
      MOONLAB_PATH     extra folders for require (colon-separated), after the script's
                       folder and the current folder
      MOONLAB_DATA     where data sets are found
      MOONLAB_HISTORY  the REPL history file (default ~/.moonlab_history; empty: none)
      MOONLAB_TUNE_STORAGE  a sweep storage every tune call uses instead of its storage=
      MOONLAB_TUNE_WORKERS  worker processes per machine for every tune call
      MOONLAB_HOST     the host name sweeps record (default the system's)
      MOONLAB_RUNS     the run store every fit is recorded in (default ~/.moonlab/runs.db;
                       off: none)
    """
