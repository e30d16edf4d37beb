#ifndef MOONCAIRO_H
#define MOONCAIRO_H
/* Cairo's declarations (from Debian's libcairo2-dev); cairo.c defines the functions moonlab
   draws with by loading libcairo.so.2 on first use instead of linking it. */
#include <cairo/cairo.h>
#include <cairo/cairo-svg.h>

/* Whether libcairo.so.2 could be loaded. Call it before drawing: without the library every
   function below does nothing and returns NULL or an error status. */
int moon_cairo_available(void);
#endif
