#ifndef MOON_TILES_H
#define MOON_TILES_H

/* The tile steps of Winograd's F(4x4, 3x3) convolution with AVX2, eight tiles at a time (one
   tile a lane), for CPUs that have it (moon_tiles43_supported). They compute exactly what
   MoonKernels' Swift tile steps compute, in the same order of operations: a test holds the two
   equal bit for bit. Rows of tiles come in and go out through 8x8 transposes in registers
   instead of one float at a time, and images are staged with their zero padding, so no tile
   needs a bounds check.

   A chunk holds `images` whole images of one channel (or filter), tiles in the order image,
   tile row, tile column; `tp` is their count rounded up to 8. Transformed plane xi of the
   chunk lies at `planes + xi * plane_stride`, `tp` floats. */

#include <stddef.h>

typedef struct {
    long in_height, in_width;     /* input map */
    long out_height, out_width;   /* output map */
    long pad_top, pad_left;
    long tiles_high, tiles_wide;  /* ceil(out / 4) */
} moon_tiles_geometry;

/* 1 when this CPU runs the AVX2 kernels, else 0 (the caller takes its portable path). */
int moon_tiles43_supported(void);

/* Floats of staging each step below needs for `images` images. */
long moon_tiles43_staging(const moon_tiles_geometry *g, long images);

/* V = Bt d B of one input channel: `plane` is its map in the chunk's first image, the next
   image's `image_stride` floats on. */
void moon_tiles43_input(const moon_tiles_geometry *g, const float *plane, long image_stride, long images,
                        long tp, float *planes, long plane_stride, float *staging);

/* Y = At M A of one filter, plus `bias`, clamped at zero when `relu`; written to the filter's
   map `plane` (image by image, `image_stride` apart), clipped to the map. */
void moon_tiles43_output(const moon_tiles_geometry *g, const float *planes, long plane_stride, long images, long tp,
                         float bias, int relu, float *plane, long image_stride, float *staging);

/* Yhat = A dY At of one filter's output gradient (zeros where a tile overhangs the map). */
void moon_tiles43_gradient(const moon_tiles_geometry *g, const float *plane, long image_stride, long images,
                           long tp, float *planes, long plane_stride, float *staging);

/* dX = sum of B dV Bt over the chunk's tiles of one input channel, overlaps added in tile
   order; the channel's maps in the chunk's images are overwritten. */
void moon_tiles43_input_gradient(const moon_tiles_geometry *g, const float *planes, long plane_stride, long images,
                                 long tp, float *plane, long image_stride, float *staging);

#endif
