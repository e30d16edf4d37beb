#ifndef CMOONPNG_H
#define CMOONPNG_H

#include <stddef.h>

/* Decodes PNG files through libpng without letting its longjmp reach the caller: the
 * setjmp lives in moon_png_decode, so Swift frames are never unwound. */

/* What a decoded image holds. */
typedef struct {
  unsigned char *pixels; /* height x width x channels bytes, row-major; free() it */
  int width;
  int height;
  int channels;          /* 1 (gray) or 3 (RGB) */
  int color;             /* 1 when the file itself stores colour (RGB or palette) */
} moon_png_image;

/* Decodes `path` into 8-bit samples. `mode`: 0 native (gray files give 1 channel, colour
 * files 3), 1 gray, 3 RGB. Alpha is dropped, 16-bit samples are scaled to 8 bits, palettes
 * and low bit depths are expanded, interlacing is undone. Returns 0 on success; otherwise
 * nonzero with a message in `err` (at most `errlen` bytes) and nothing to free.
 * `max_side` rejects images wider or taller than it (a corrupt header). */
int moon_png_decode(const char *path, int mode, int max_side, moon_png_image *out,
                    char *err, size_t errlen);

#endif
