/* Cairo, loaded when first used: moonlab links no drawing library, so the twenty libraries
   libcairo needs (fontconfig, FreeType, pixman, X11, ...) cost nothing at start-up unless a
   figure is drawn. These definitions stand in for cairo's own (same names and types); each
   finds the real function in libcairo.so.2 on its first call. Without libcairo installed,
   moon_cairo_available() says so and the plotting code reports it before drawing. */
#include "mooncairo.h"
#include "moonload.h"

static moon_library library = MOON_LIBRARY("libcairo.so.2");

int moon_cairo_available(void) { return moon_library_load(&library); }

#define FORWARD(ret, name, params, args, missing) MOON_FORWARD(library, ret, name, params, args, missing)
#define FORWARD_VOID(name, params, args) MOON_FORWARD_VOID(library, name, params, args)

/* Surfaces: pixels in memory, and SVG written through a callback. */
FORWARD(cairo_surface_t *, cairo_image_surface_create, (cairo_format_t format, int width, int height),
        (format, width, height), NULL)
FORWARD(unsigned char *, cairo_image_surface_get_data, (cairo_surface_t *surface), (surface), NULL)
FORWARD(int, cairo_image_surface_get_stride, (cairo_surface_t *surface), (surface), 0)
FORWARD(cairo_surface_t *, cairo_svg_surface_create_for_stream,
        (cairo_write_func_t write_func, void *closure, double width, double height),
        (write_func, closure, width, height), NULL)
FORWARD_VOID(cairo_svg_surface_set_document_unit, (cairo_surface_t *surface, cairo_svg_unit_t unit), (surface, unit))
FORWARD_VOID(cairo_surface_flush, (cairo_surface_t *surface), (surface))
FORWARD_VOID(cairo_surface_mark_dirty, (cairo_surface_t *surface), (surface))
FORWARD_VOID(cairo_surface_finish, (cairo_surface_t *surface), (surface))
FORWARD_VOID(cairo_surface_destroy, (cairo_surface_t *surface), (surface))
FORWARD(cairo_status_t, cairo_surface_status, (cairo_surface_t *surface), (surface), CAIRO_STATUS_NULL_POINTER)

/* Contexts and state. */
FORWARD(cairo_t *, cairo_create, (cairo_surface_t *target), (target), NULL)
FORWARD_VOID(cairo_destroy, (cairo_t *cr), (cr))
FORWARD(cairo_status_t, cairo_status, (cairo_t *cr), (cr), CAIRO_STATUS_NULL_POINTER)
FORWARD(const char *, cairo_status_to_string, (cairo_status_t status), (status), "the Cairo library is not loaded")
FORWARD_VOID(cairo_save, (cairo_t *cr), (cr))
FORWARD_VOID(cairo_restore, (cairo_t *cr), (cr))
FORWARD_VOID(cairo_translate, (cairo_t *cr, double tx, double ty), (cr, tx, ty))
FORWARD_VOID(cairo_rotate, (cairo_t *cr, double angle), (cr, angle))
FORWARD_VOID(cairo_scale, (cairo_t *cr, double sx, double sy), (cr, sx, sy))
FORWARD_VOID(cairo_set_source_rgb, (cairo_t *cr, double red, double green, double blue), (cr, red, green, blue))
FORWARD_VOID(cairo_set_source, (cairo_t *cr, cairo_pattern_t *source), (cr, source))
FORWARD_VOID(cairo_set_source_surface, (cairo_t *cr, cairo_surface_t *surface, double x, double y), (cr, surface, x, y))
FORWARD(cairo_pattern_t *, cairo_get_source, (cairo_t *cr), (cr), NULL)
FORWARD_VOID(cairo_set_line_width, (cairo_t *cr, double width), (cr, width))
FORWARD_VOID(cairo_set_line_join, (cairo_t *cr, cairo_line_join_t line_join), (cr, line_join))
FORWARD_VOID(cairo_set_dash, (cairo_t *cr, const double *dashes, int num_dashes, double offset),
             (cr, dashes, num_dashes, offset))

/* Paths and painting. */
FORWARD_VOID(cairo_new_path, (cairo_t *cr), (cr))
FORWARD_VOID(cairo_move_to, (cairo_t *cr, double x, double y), (cr, x, y))
FORWARD_VOID(cairo_line_to, (cairo_t *cr, double x, double y), (cr, x, y))
FORWARD_VOID(cairo_rectangle, (cairo_t *cr, double x, double y, double width, double height), (cr, x, y, width, height))
FORWARD_VOID(cairo_arc, (cairo_t *cr, double xc, double yc, double radius, double angle1, double angle2),
             (cr, xc, yc, radius, angle1, angle2))
FORWARD_VOID(cairo_stroke, (cairo_t *cr), (cr))
FORWARD_VOID(cairo_fill, (cairo_t *cr), (cr))
FORWARD_VOID(cairo_fill_preserve, (cairo_t *cr), (cr))
FORWARD_VOID(cairo_paint, (cairo_t *cr), (cr))

/* Patterns: the colour bar's gradient, images scaled without smoothing. */
FORWARD(cairo_pattern_t *, cairo_pattern_create_linear, (double x0, double y0, double x1, double y1),
        (x0, y0, x1, y1), NULL)
FORWARD_VOID(cairo_pattern_add_color_stop_rgb, (cairo_pattern_t *pattern, double offset, double red, double green, double blue),
             (pattern, offset, red, green, blue))
FORWARD_VOID(cairo_pattern_set_filter, (cairo_pattern_t *pattern, cairo_filter_t filter), (pattern, filter))
FORWARD_VOID(cairo_pattern_destroy, (cairo_pattern_t *pattern), (pattern))

/* Text through cairo's own font selection (fontconfig picks the face by family name). */
FORWARD_VOID(cairo_select_font_face, (cairo_t *cr, const char *family, cairo_font_slant_t slant, cairo_font_weight_t weight),
             (cr, family, slant, weight))
FORWARD_VOID(cairo_set_font_size, (cairo_t *cr, double size), (cr, size))
FORWARD_VOID(cairo_text_extents, (cairo_t *cr, const char *utf8, cairo_text_extents_t *extents), (cr, utf8, extents))
FORWARD_VOID(cairo_show_text, (cairo_t *cr, const char *utf8), (cr, utf8))
