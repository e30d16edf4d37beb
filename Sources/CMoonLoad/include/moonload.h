#ifndef MOONLOAD_H
#define MOONLOAD_H
/* Shared libraries loaded on first use instead of linked, so that what they pull in costs
   start-up nothing until a script needs it (libpq for sweeps, Cairo for figures). A target
   defines the library's functions under their own names with MOON_FORWARD; each finds the
   real one on its first call. */
#include <pthread.h>

typedef struct {
  const char *soname;     /* e.g. "libcairo.so.2" */
  void *handle;           /* NULL until loaded, or when it could not be */
  pthread_once_t once;
} moon_library;

#define MOON_LIBRARY(soname) {soname, NULL, PTHREAD_ONCE_INIT}

/* Loads `library` (once; thread-safe); whether it could be. */
int moon_library_load(moon_library *library);
/* The symbol `name` of `library`, loading it first; NULL when either is missing. */
void *moon_library_find(moon_library *library, const char *name);

/* Defines `ret name params` to call the library's own `name` (`missing` when not loaded). */
#define MOON_FORWARD(library, ret, name, params, args, missing)         \
  ret name params {                                                     \
    static ret (*real) params = NULL;                                   \
    if (!real) real = (ret (*) params)moon_library_find(&library, #name); \
    return real ? real args : missing;                                  \
  }
#define MOON_FORWARD_VOID(library, name, params, args)                  \
  void name params {                                                    \
    static void (*real) params = NULL;                                  \
    if (!real) real = (void (*) params)moon_library_find(&library, #name); \
    if (real) real args;                                                \
  }
#endif
