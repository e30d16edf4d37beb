/* Cairo's declarations only: nothing links libcairo (CMoonCairo loads it on first use). */
#include <cairo/cairo.h>
#include <cairo/cairo-svg.h>
