import LuaKit
import MoonBase
import MoonKernels
import MoonData
import MoonTrain

extension Moonlab {
    /// The `moonlab` module: version, seed, threads.
    static func installCore(_ L: LuaState) {
        L.defineModule("moonlab", doc: "The moonlab program: version, random seed, thread count.") { m in
            L.push(version)
            m.value("version")
            m.function("seed", "moonlab.seed(n)", """
                Seeds every random number generator moonlab uses (tensor creation, shuffling, \
                dropout, augmentation, and Lua's math.random), so the same seed gives the same \
                numbers, run to run.
                """) { L in
                let n = try L.integer(1)
                Seeding.seed(UInt64(bitPattern: Int64(n)))
                // Lua's own generator too, so scripts that use math.random reproduce.
                L.getGlobal("math"); L.getField(-1, "randomseed"); L.push(n)
                try L.call(nargs: 1, nresults: 0)
                L.pop()
                return 0
            }
            m.function("docs", "moonlab.docs([path[, format]]) --> text", """
                The reference of every documented module, function, class and method (what \
                help() shows) as one Markdown page, or with format "luals" as annotations for the \
                Lua Language Server (---@meta; docs/luals/moonlab.lua, see docs/editor.md); written \
                to path (atomically, missing folders made) when given.
                """) { L in
                let title = "moonlab \(version)"
                let format = L.isNoneOrNil(2) ? "markdown" : try L.string(2)
                guard format == "markdown" || format == "luals" else { throw L.fail("format must be \"markdown\" or \"luals\", got \"\(format)\"") }
                let text = format == "luals" ? LuaStubs.generate(L.documentation(), title: title)
                    : DocPage.markdown(L.documentation(), title: title + " API reference")
                if !L.isNoneOrNil(1) {
                    let path = try L.string(1)
                    do { try AtomicFile.write(Array(text.utf8), to: path, createFolders: true) } catch { throw L.fail("\(error)") }
                }
                L.push(text)
                return 1
            }
            m.function("examples", "moonlab.examples() --> {name=code, ...}", """
                The runnable example of every help entry that has one, by entry name \
                (help(x) shows x's after its text): load(code) runs one.
                """) { L in
                L.push(json: .object(LuaState.examples.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
                return 1
            }
            m.function("threads", "moonlab.threads([n]) --> n", """
                Sets how many threads the engine uses (kernels and BLAS); returns the count. \
                With no argument returns the current count.
                """) { L in
                if !L.isNoneOrNil(1) {
                    let n = try L.integer(1)
                    guard n >= 1 && n <= 256 else { throw L.fail("count must be 1..256, got \(n)") }
                    Threads.set(n)
                }
                L.push(Threads.count)
                return 1
            }
            m.function("winograd", "moonlab.winograd([on]) --> on", """
                Whether 3x3 and 5x5 stride-1 convolutions with at least 16 input and output channels \
                run through Winograd tiles (F(4x4,3x3) and F(4x4,5x5), 2x2 tiles on small maps: 2.25 to \
                6.25 times fewer multiplies, \
                results equal to the direct sum within float rounding) rather than im2col and one \
                GEMM; on by default. Sets it when given; returns the setting in force.
                """) { L in
                if !L.isNoneOrNil(1) { Conv2DTuning.winograd = try L.boolean(1) }
                L.push(Conv2DTuning.winograd)
                return 1
            }
        }
    }
}

/// Where `moonlab.seed` sends its seed. The engine's generator registers here.
public enum Seeding {
    nonisolated(unsafe) public static var seeders: [(UInt64) -> Void] = []
    nonisolated(unsafe) public static var lastSeed: UInt64?
    public static func seed(_ n: UInt64) {
        lastSeed = n
        for s in seeders { s(n) }
    }
}
