/*
 * The C side of moonlab's Lua embedding.
 *
 * Lua is compiled as C here: lua_error and every luaL_check* longjmp. A longjmp over
 * Swift frames leaks objects, skips defers and can corrupt exclusivity tracking, so
 * Swift never raises a Lua error itself. Every Swift function exposed to Lua is called
 * through moon_trampoline: Swift returns a result count, or MOON_ERROR with the message
 * pushed, and the trampoline raises only after the Swift frame has returned.
 *
 * The rest are static inline wrappers for Lua's macros, which do not reach Swift.
 */
#ifndef MOONLUA_H
#define MOONLUA_H

#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include <signal.h>

#define MOON_ERROR (-1)

/* Swift's side of every call: the function id, then the state. */
typedef int (*moon_dispatch_fn)(lua_State *L, int function_id);

/* Set once at start-up; every trampoline calls it. */
void moon_set_dispatch(moon_dispatch_fn fn);

/* The id of the Swift function running on this thread (-1: none), and the name object it
   set for this call (NULL: none); setting one releases the previous one. */
int moon_current_function(void);
void *moon_current_name(void);
void moon_set_current_name(void *name);
void moon_set_name_release(void (*release)(void *));

/* The Lua thread whose call is running Swift on this OS thread (NULL: none): where Swift
   calls back into Lua from deep inside the engine (a layer written in Lua). */
lua_State *moon_current_state(void);

/* Pushes a C closure that calls Swift function `function_id` through the trampoline. */
void moon_push_swift_function(lua_State *L, int function_id);

/* Pops a methods table and a fallback function and pushes an __index closure: a key found
   in the methods table is answered in C (fast method calls), any other key goes to
   fallback(object, key) (fields, numeric indexing). */
void moon_push_indexer(lua_State *L);

/* A message handler for lua_pcall that appends a traceback (non-string errors kept). */
int moon_message_handler(lua_State *L);

/* Runs the function below nargs arguments in protected mode with the traceback handler. */
int moon_pcall_traceback(lua_State *L, int nargs, int nresults);

/* ---- Ctrl-C: a SIGINT handler that sets a flag and hooks the running state ---- */

/* Unblocks every signal at start-up:
   a process started from a thread with blocked signals (test runners, some shells) would
   otherwise pass the blocked mask on to os.execute/io.popen children, whose `wait` hangs. */
void moon_reset_signal_mask(void);

/* Installs (or restores) the SIGINT handler for state L. */
void moon_interrupt_install(lua_State *L);
void moon_interrupt_uninstall(void);
/* True once Ctrl-C was pressed since the last clear; engine loops poll it. */
int moon_interrupt_pending(void);
/* How many Ctrl-C (SIGINT) have arrived since the program started; never reset. */
long moon_interrupt_count(void);
void moon_interrupt_clear(void);
/* Marks an interrupt as if Ctrl-C was pressed (tests). */
void moon_interrupt_raise(void);

/* Notes memory that Swift allocated outside Lua's view (any thread). The next trampoline
   return tells the collector with lua_gc(LUA_GCSTEP), so big tensors are freed promptly. */
void moon_note_allocation(long bytes);

/* lua_gc(L, LUA_GCSTEP, kb): tells the collector about memory Swift allocated. */
int moon_gc_step(lua_State *L, int kb);
int moon_gc_count_kb(lua_State *L);
void moon_gc_collect(lua_State *L);
/* Switches the collector to generational mode (Lua 5.4's default parameters). */
void moon_gc_generational(lua_State *L);

/* ---- Macro wrappers ---- */
static inline void moon_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void moon_newtable(lua_State *L) { lua_newtable(L); }
static inline const char *moon_tostring(lua_State *L, int i) { return lua_tostring(L, i); }
static inline int moon_isnil(lua_State *L, int i) { return lua_isnil(L, i); }
static inline int moon_isnoneornil(lua_State *L, int i) { return lua_isnoneornil(L, i); }
static inline int moon_istable(lua_State *L, int i) { return lua_istable(L, i); }
static inline int moon_isfunction(lua_State *L, int i) { return lua_isfunction(L, i); }
static inline int moon_isboolean(lua_State *L, int i) { return lua_isboolean(L, i); }
static inline int moon_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline int moon_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline void moon_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
static inline void moon_insert(lua_State *L, int i) { lua_insert(L, i); }
static inline void moon_remove(lua_State *L, int i) { lua_remove(L, i); }
static inline void moon_replace(lua_State *L, int i) { lua_replace(L, i); }
static inline int moon_getmetatable_named(lua_State *L, const char *name) { return luaL_getmetatable(L, name); }
static inline void *moon_newuserdata(lua_State *L, size_t size) { return lua_newuserdatauv(L, size, 1); }
static inline int moon_pcall(lua_State *L, int nargs, int nresults, int handler) { return lua_pcall(L, nargs, nresults, handler); }
static inline int moon_loadbuffer(lua_State *L, const char *buf, size_t size, const char *name, const char *mode) {
  return luaL_loadbufferx(L, buf, size, name, mode);
}
static inline lua_Number moon_version(lua_State *L) { return lua_version(L); }
/* Pushes a string given as bytes and a length (Swift strings may hold NULs). */
static inline void moon_pushbytes(lua_State *L, const char *s, size_t n) { lua_pushlstring(L, s, n); }

#endif
