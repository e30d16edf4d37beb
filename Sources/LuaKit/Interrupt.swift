import CMoonLua
import MoonBase

/// Ctrl-C: a SIGINT handler sets a flag and hooks the running Lua code, which then stops
/// with an `interrupted` error. Swift loops (training) poll `Interrupt.pending` between steps.
///
/// The hook is installed on the main state from the signal handler (as `lua.c` does): it
/// costs nothing while no Ctrl-C arrives, but it does not reach a loop running inside a
/// coroutine; such a loop stops at its next call into moonlab's engine that polls the flag.
public enum Interrupt {
    public static func install(_ state: LuaState) { moon_interrupt_install(state.L) }
    public static func uninstall() { moon_interrupt_uninstall() }
    public static var pending: Bool { moon_interrupt_pending() != 0 }
    /// How many Ctrl-C have arrived since the program started (never reset, unlike `pending`,
    /// which the Lua error it raised clears): code that must know whether a call it made was
    /// interrupted compares the count before and after.
    public static var count: Int { moon_interrupt_count() }
    /// Forgets a Ctrl-C that arrived at the prompt, so it does not stop the next chunk.
    public static func clear() { moon_interrupt_clear() }
    /// Throws `interrupted` if Ctrl-C was pressed; for long-running Swift loops.
    public static func check() throws {
        if pending { clear(); throw MoonError.interrupted }
    }
}
