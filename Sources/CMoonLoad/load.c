#include "moonload.h"
#include <dlfcn.h>
#include <stddef.h>

/* pthread_once takes no argument: the library being loaded is handed over in a thread-local. */
static _Thread_local moon_library *loading = NULL;
static void load(void) { loading->handle = dlopen(loading->soname, RTLD_NOW | RTLD_LOCAL); }

int moon_library_load(moon_library *library) {
  loading = library;
  pthread_once(&library->once, load);
  return library->handle != NULL;
}

void *moon_library_find(moon_library *library, const char *name) {
  return moon_library_load(library) ? dlsym(library->handle, name) : NULL;
}
