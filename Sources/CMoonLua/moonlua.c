#include "moonlua.h"
#include <string.h>

#include <stdatomic.h>

static moon_dispatch_fn dispatch = NULL;
static atomic_long pending_bytes = 0;
/* Noted kilobytes since the last full collection (touched by the thread running Lua only). */
static long kb_since_full = 0;

void moon_note_allocation(long bytes) { atomic_fetch_add(&pending_bytes, bytes); }

void moon_set_dispatch(moon_dispatch_fn fn) { dispatch = fn; }

/* The Swift function running on this thread, and the name it gave itself for this call
   (an object Swift owns; released when the call returns). Per thread: interpreters on other
   threads (tests) do not see each other's. */
static _Thread_local int current_function = -1;
static _Thread_local void *current_name = NULL;
static void (*release_name)(void *) = NULL;
/* The Lua thread (state or coroutine) that called the running Swift function. */
static _Thread_local lua_State *current_state = NULL;

int moon_current_function(void) { return current_function; }
lua_State *moon_current_state(void) { return current_state; }
void *moon_current_name(void) { return current_name; }
void moon_set_current_name(void *name) {
  if (current_name && release_name) release_name(current_name);
  current_name = name;
}
void moon_set_name_release(void (*release)(void *)) { release_name = release; }

/* Calls Swift; raises a pending error only after Swift has returned. */
static int trampoline(lua_State *L) {
  int id = (int)lua_tointeger(L, lua_upvalueindex(1));
  int caller = current_function;
  void *caller_name = current_name;
  lua_State *caller_state = current_state;
  current_function = id;
  current_name = NULL;
  current_state = L;
  int n = dispatch(L, id);
  if (current_name && release_name) release_name(current_name);
  current_function = caller;
  current_name = caller_name;
  current_state = caller_state;
  if (atomic_load(&pending_bytes) >= 64 * 1024) {
    long kb = atomic_exchange(&pending_bytes, 0) / 1024;
    /* Finalizers that fail here only warn (Lua 5.4), so this cannot unwind Swift.
       The collector is generational: a step collects the young objects. Swift memory that
       Lua's heap does not see (tensors that lived long enough to become old) is freed by a
       full collection after every 64 MB noted, so it never piles up. */
    kb_since_full += kb;
    if (kb_since_full >= 64 * 1024) {
      kb_since_full = 0;
      lua_gc(L, LUA_GCCOLLECT);
    } else {
      lua_gc(L, LUA_GCSTEP, (int)(kb > 1 << 30 ? 1 << 30 : kb));
    }
  }
  if (n >= 0) return n;
  /* Swift left the message on top of the stack: prefix the caller's position. */
  if (lua_type(L, -1) == LUA_TSTRING) {
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
  }
  return lua_error(L);
}

void moon_push_swift_function(lua_State *L, int function_id) {
  lua_pushinteger(L, function_id);
  lua_pushcclosure(L, trampoline, 1);
}

static int indexer(lua_State *L) {
  lua_pushvalue(L, 2);
  if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;
  lua_pop(L, 1);
  lua_pushvalue(L, lua_upvalueindex(2));
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 2);
  lua_call(L, 2, 1);
  return 1;
}

void moon_push_indexer(lua_State *L) {
  lua_pushcclosure(L, indexer, 2);
}

int moon_message_handler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    /* A non-string error: use its __tostring, or describe its type. */
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

int moon_pcall_traceback(lua_State *L, int nargs, int nresults) {
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, moon_message_handler);
  lua_insert(L, base);
  int status = lua_pcall(L, nargs, nresults, base);
  lua_remove(L, base);
  return status;
}

/* ---- Ctrl-C ---- */

static volatile sig_atomic_t interrupted = 0;
static volatile sig_atomic_t interrupt_count = 0;
static lua_State *hooked_state = NULL;
static struct sigaction previous_action;
static int installed = 0;

static void interrupt_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  interrupted = 0;
  luaL_error(L, "interrupted");
}

static void on_sigint(int sig) {
  (void)sig;
  if (interrupted && installed) {
    /* A second Ctrl-C while the first is still pending: the program is stuck outside Lua
       (a long native call that does not poll). Give Ctrl-C its usual effect. */
    sigaction(SIGINT, &previous_action, NULL);
    installed = 0;
    raise(SIGINT);
    return;
  }
  interrupted = 1;
  interrupt_count++;
  /* As lua.c does: a hook stops the running Lua code at its next instruction.
     lua_sethook is documented as safe to call from a signal handler. */
  if (hooked_state != NULL)
    lua_sethook(hooked_state, interrupt_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

void moon_interrupt_install(lua_State *L) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; /* no SA_RESTART: readline() must return on Ctrl-C */
  hooked_state = L;
  sigaction(SIGINT, &sa, installed ? NULL : &previous_action);
  installed = 1;
  /* A parent may have started us with SIGINT blocked (threads of runtimes often block
     signals, and a spawned child inherits the mask): unblock it, or Ctrl-C never arrives. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
}

void moon_interrupt_uninstall(void) {
  if (installed) sigaction(SIGINT, &previous_action, NULL);
  installed = 0;
  hooked_state = NULL;
}

int moon_interrupt_pending(void) { return interrupted != 0; }

long moon_interrupt_count(void) { return (long)interrupt_count; }

void moon_interrupt_clear(void) {
  interrupted = 0;
  if (hooked_state != NULL) lua_sethook(hooked_state, NULL, 0, 0);
}

void moon_interrupt_raise(void) { on_sigint(SIGINT); }

int moon_gc_step(lua_State *L, int kb) { return lua_gc(L, LUA_GCSTEP, kb); }
int moon_gc_count_kb(lua_State *L) { return lua_gc(L, LUA_GCCOUNT); }
void moon_gc_collect(lua_State *L) { lua_gc(L, LUA_GCCOLLECT); }
void moon_gc_generational(lua_State *L) { lua_gc(L, LUA_GCGEN, 0, 0); }

void moon_reset_signal_mask(void) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}
