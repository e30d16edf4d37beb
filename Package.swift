// swift-tools-version:6.0
// moonlab: a Lua-scripted laboratory for neural-network design studies on small image sets.
import PackageDescription

// Release builds drop overflow and exclusivity checks in the hot paths (inputs are checked
// explicitly and reported as Lua errors before any kernel runs).
let release: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "moonlab",
    products: [
        .executable(name: "moonlab", targets: ["moonlab"]),
    ],
    targets: [
        // C libraries from Debian packages (scripts/setup installs them).
        .systemLibrary(name: "CLua", path: "Sources/CLua", providers: [.apt(["liblua5.4-dev"])]),
        .systemLibrary(name: "CEdit", path: "Sources/CEdit", providers: [.apt(["libedit-dev"])]),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CPostgres", path: "Sources/CPostgres", providers: [.apt(["libpq-dev"])]),
        // Cairo's headers only; the library is loaded by CMoonCairo (below). Text in DejaVu Sans.
        .systemLibrary(name: "CCairo", path: "Sources/CCairo", providers: [.apt(["libcairo2-dev", "fonts-dejavu-core"])]),

        // Trampolines that raise Lua errors after Swift returns, and wrappers for Lua's macros.
        .target(name: "CMoonLua", dependencies: ["CLua"], path: "Sources/CMoonLua"),
        // libpng decoding with its setjmp inside C, so no longjmp crosses Swift frames.
        .target(name: "CMoonPNG", dependencies: ["CPNG"], path: "Sources/CMoonPNG", linkerSettings: [.linkedLibrary("png16")]),

        // dlopen on first use, for the libraries start-up should not pay for (CMoonPQ, CMoonCairo).
        .target(name: "CMoonLoad", path: "Sources/CMoonLoad"),

        // The CPU's spin-wait hint for the kernels' worker pool.
        .target(name: "CMoonSpin", path: "Sources/CMoonSpin"),

        // Winograd F(4x4, 3x3) tile steps with AVX2, chosen at run time where the CPU has it.
        .target(name: "CMoonTiles", path: "Sources/CMoonTiles", cSettings: [.unsafeFlags(["-O2", "-ffp-contract=off"])]),

        // Below everything: small helpers several targets share (processes). Foundation only.
        .target(name: "MoonBase", swiftSettings: release),
        // Raw compute on buffers: BLAS, convolution, pooling, threading. No tensors, no Lua.
        .target(name: "MoonKernels", dependencies: ["MoonBase", "CBLAS", "CMoonSpin", "CMoonTiles"], swiftSettings: release),
        // Tensors and autograd, written on the kernels. No Lua.
        .target(name: "MoonEngine", dependencies: ["MoonBase", "MoonKernels"], swiftSettings: release),
        // Data sets: IDX readers, MNIST/Fashion-MNIST lookup, datasets, batches. No Lua.
        .target(name: "MoonData", dependencies: ["MoonBase", "MoonEngine", "CZlib", "CMoonPNG"], swiftSettings: release),

        // Layers, initializers and models (Sequential, graphs). No Lua.
        .target(name: "MoonNN", dependencies: ["MoonEngine"], swiftSettings: release),
        // Optimizers, losses, the fit loop, callbacks, checkpoints. No Lua.
        .target(name: "MoonTrain", dependencies: ["MoonNN", "MoonData"], swiftSettings: release),
        // Augmentation: random affine warps, flips, jitter, normalization, ZCA, previews. No Lua.
        .target(name: "MoonAug", dependencies: ["MoonEngine", "MoonData", "CPNG"], swiftSettings: release),
        // Metrics (accuracy, confusion, reports) and representation analysis (correlation, CKA, RSA). No Lua.
        .target(name: "MoonAnalysis", dependencies: ["MoonEngine", "CBLAS"], swiftSettings: release),
        // Cairo, loaded on first use (dlopen) rather than linked: the twenty libraries it needs
        // (fontconfig, FreeType, pixman, X11, ...) cost start-up only to scripts that draw.
        .target(name: "CMoonCairo", dependencies: ["CCairo", "CMoonLoad"]),
        // Figures: line charts, heatmaps and image grids, drawn once on a Cairo canvas and
        // written as SVG or PNG, or shown in the terminal. No Lua.
        .target(name: "MoonPlot", dependencies: ["MoonEngine", "MoonData", "CMoonCairo"], swiftSettings: release),
        // Hyperparameter search: spaces, samplers, hyperband, trial storage (SQLite, PostgreSQL),
        // leases, worker processes, Slurm job arrays. No Lua.
        // libpq, loaded on first use (dlopen) rather than linked: its TLS/Kerberos/LDAP
        // dependencies cost start-up only to sweeps that use a PostgreSQL storage.
        .target(name: "CMoonPQ", dependencies: ["CPostgres", "CMoonLoad"]),
        // One SQLite file as moonlab's stores use it (trial storage, the run store).
        .target(name: "MoonSQLite", dependencies: ["MoonBase", "CSQLite"]),
        .target(name: "MoonTune", dependencies: ["MoonBase", "MoonSQLite", "CPostgres", "CMoonPQ"]),
        // The run store: every fit recorded in one SQLite file, listed and compared.
        .target(name: "MoonRuns", dependencies: ["MoonBase", "MoonSQLite", "MoonNN", "MoonTrain", "MoonData"]),

        // Swift <-> Lua plumbing: states, calls, userdata, errors, the help registry. No maths.
        .target(name: "LuaKit", dependencies: ["MoonBase", "CLua", "CMoonLua"], swiftSettings: release),
        // The Lua faces of moonlab's modules: binding code only.
        // The runnable examples help shows: data only.
        .target(name: "MoonHelp"),
        .target(name: "MoonBindings", dependencies: ["LuaKit", "MoonHelp", "MoonEngine", "MoonNN", "MoonTrain", "MoonData", "MoonAnalysis", "MoonPlot", "MoonAug", "MoonTune", "MoonRuns"], swiftSettings: release),
        // The command line: script runner, REPL (libedit), completion, printing.
        .target(name: "MoonCLI", dependencies: ["LuaKit", "MoonBindings", "MoonRuns", "MoonPlot", "CEdit"]),
        .executableTarget(name: "moonlab", dependencies: ["MoonCLI"]),
        // Timings for scripts/bench (kernels, Tensor ops, raw BLAS as the peer).
        .executableTarget(name: "moonbench", dependencies: ["MoonKernels", "MoonEngine", "CBLAS"], swiftSettings: release),

        .testTarget(name: "MoonBaseTests", dependencies: ["MoonBase"]),
        .testTarget(name: "MoonKernelsTests", dependencies: ["MoonKernels"]),
        .testTarget(name: "MoonEngineTests", dependencies: ["MoonEngine"]),
        .testTarget(name: "MoonDataTests", dependencies: ["MoonData", "CZlib"]),
        .testTarget(name: "MoonNNTests", dependencies: ["MoonNN"]),
        .testTarget(name: "MoonTrainTests", dependencies: ["MoonTrain"]),
        .testTarget(name: "MoonAugTests", dependencies: ["MoonAug"]),
        .testTarget(name: "MoonAnalysisTests", dependencies: ["MoonAnalysis"]),
        .testTarget(name: "MoonPlotTests", dependencies: ["MoonPlot", "CZlib"]),
        .testTarget(name: "MoonTuneTests", dependencies: ["MoonTune", "CSQLite"]),
        .testTarget(name: "MoonRunsTests", dependencies: ["MoonRuns"]),
        .testTarget(name: "LuaKitTests", dependencies: ["LuaKit", "MoonBindings"]),
        .testTarget(name: "MoonCLITests", dependencies: ["MoonCLI"]),
    ]
)
