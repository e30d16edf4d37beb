#include "cmoonpng.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  jmp_buf jump;
  char *err;
  size_t errlen;
  FILE *file;
} decode_context;

static void on_error(png_structp png, png_const_charp message) {
  decode_context *c = (decode_context *)png_get_error_ptr(png);
  snprintf(c->err, c->errlen, "corrupt PNG data (libpng: %s)", message ? message : "unknown error");
  longjmp(c->jump, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
  (void)png;
  (void)message;
}

/* Reads exactly `length` bytes or reports the truncation through libpng's error path. */
static void read_file(png_structp png, png_bytep data, size_t length) {
  decode_context *c = (decode_context *)png_get_error_ptr(png);
  if (fread(data, 1, length, c->file) != length) {
    snprintf(c->err, c->errlen, "truncated: the PNG data ends early");
    longjmp(c->jump, 1);
  }
}

int moon_png_decode(const char *path, int mode, int max_side, moon_png_image *out,
                    char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  if (errlen > 0) err[0] = 0;
  FILE *file = fopen(path, "rb");
  if (!file) {
    snprintf(err, errlen, "cannot open (%s)", strerror(errno));
    return 1;
  }
  unsigned char signature[8];
  size_t got = fread(signature, 1, 8, file);
  if (got != 8 || png_sig_cmp(signature, 0, 8) != 0) {
    snprintf(err, errlen, "not a PNG file (%s)", got != 8 ? "shorter than the 8-byte signature" : "wrong signature");
    fclose(file);
    return 1;
  }
  decode_context context;
  context.err = err;
  context.errlen = errlen;
  context.file = file;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &context, on_error, on_warning);
  if (!png) {
    snprintf(err, errlen, "out of memory");
    fclose(file);
    return 1;
  }
  png_infop info = png_create_info_struct(png);
  /* Written after setjmp: volatile so the error path sees their current values. */
  unsigned char *volatile pixels = NULL;
  png_bytep *volatile rows = NULL;
  if (!info || setjmp(context.jump)) {
    if (!info) snprintf(err, errlen, "out of memory");
    free(pixels);
    free(rows);
    png_destroy_read_struct(&png, info ? &info : NULL, NULL);
    fclose(file);
    return 1;
  }
  png_set_read_fn(png, &context, read_file);
  png_set_sig_bytes(png, 8);
  png_set_user_limits(png, (png_uint_32)max_side, (png_uint_32)max_side);
  png_set_chunk_malloc_max(png, 64u << 20);
  png_read_info(png, info);

  png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
  int color_type = png_get_color_type(png, info);
  int bit_depth = png_get_bit_depth(png, info);
  int is_color = (color_type & PNG_COLOR_MASK_COLOR) != 0;

  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  if (bit_depth == 16) png_set_scale_16(png);
  png_set_strip_alpha(png);
  int want = mode == 0 ? (is_color ? 3 : 1) : mode;
  if (want == 1 && is_color) png_set_rgb_to_gray_fixed(png, 1, -1, -1);
  if (want == 3 && !is_color) png_set_gray_to_rgb(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);

  int channels = png_get_channels(png, info);
  size_t row_bytes = png_get_rowbytes(png, info);
  if (channels != want || row_bytes != (size_t)width * (size_t)want) {
    snprintf(err, errlen, "unsupported PNG layout (colour type %d, bit depth %d)", color_type, bit_depth);
    longjmp(context.jump, 1);
  }
  pixels = malloc(row_bytes * height);
  rows = malloc(sizeof(png_bytep) * height);
  if (!pixels || !rows) {
    snprintf(err, errlen, "cannot allocate %zu bytes for a %ux%u image", row_bytes * height, width, height);
    longjmp(context.jump, 1);
  }
  for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + (size_t)y * row_bytes;
  png_read_image(png, rows);
  png_read_end(png, NULL);

  out->pixels = pixels;
  out->width = (int)width;
  out->height = (int)height;
  out->channels = channels;
  out->color = is_color;
  free(rows);
  png_destroy_read_struct(&png, &info, NULL);
  fclose(file);
  return 0;
}
