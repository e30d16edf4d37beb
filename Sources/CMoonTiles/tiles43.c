/* F(4x4, 3x3) Winograd tile steps with AVX2 (see moon_tiles.h). The 1-D maps are the ones of
   MoonKernels/WinogradTransform.swift (BT6, B6, AT43, A43), written with the same operations
   in the same order; a 2-D map applies the 1-D map to the rows and then to the columns, as
   TileLine.apply2D does. Built with -ffp-contract=off, so no product is fused into a sum. */
#include "moon_tiles.h"
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

int moon_tiles43_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}

long moon_tiles43_staging(const moon_tiles_geometry *g, long images) {
    return images * (4 * g->tiles_high + 2) * (4 * g->tiles_wide + 4) + 16;   /* + slack for whole-vector rows */
}

#pragma clang attribute push (__attribute__((target("avx2"))), apply_to = function)

#define INLINE static inline __attribute__((always_inline))

INLINE __m256 S(float c) { return _mm256_set1_ps(c); }

/* Short rows (a map's row is 4 to 28 floats) are copied inline: a call to memcpy or memset per
   row costs more than the row. Writes into staging go whole vectors at a time and may run up to
   7 floats past the row (into the next row, written after it, or the buffer's slack); reads
   from a caller's map stop at its end (a masked load), and writes into one stop at its end
   (no masked store: AMD's is slow). */
static const int tail_lanes[16] = { -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0 };
INLINE __m256i first_lanes(long n) { return _mm256_loadu_si256((const __m256i *)(tail_lanes + 8 - n)); }

/* dst[0..<n] = 0, and possibly a few floats after. */
INLINE void zero_staged(float *dst, long n) {
    for (long i = 0; i < n; i += 8) _mm256_storeu_ps(dst + i, _mm256_setzero_ps());
}

/* dst[0..<n] = src[0..<n] and zeros after, up to a whole vector. */
INLINE void copy_to_staging(float *dst, const float *src, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm256_loadu_ps(src + i));
    if (i < n) _mm256_storeu_ps(dst + i, _mm256_maskload_ps(src + i, first_lanes(n - i)));
}

/* dst[0..<n] = src[0..<n] exactly (src may be read up to a vector past n). */
INLINE void copy_from_staging(float *dst, const float *src, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm256_loadu_ps(src + i));
    if (i == n) return;
    __m128 v = _mm_loadu_ps(src + i);
    if (n - i >= 4) { _mm_storeu_ps(dst + i, v); i += 4; v = _mm_loadu_ps(src + i); }
    if (n - i >= 2) { _mm_storel_pi((__m64 *)(dst + i), v); i += 2; v = _mm_movehl_ps(v, v); }
    if (n - i == 1) _mm_store_ss(dst + i, v);
}

/* The 1-D maps: `y[k * ys]` from `x[k * xs]`, one tile a lane. */
INLINE void bt6(const __m256 *x, long xs, __m256 *y, long ys) {
    __m256 x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs], x4 = x[4 * xs], x5 = x[5 * xs];
    y[0] = S(4) * x0 - S(5) * x2 + x4;
    y[ys] = S(4) * (x1 + x2) - (x3 + x4);
    y[2 * ys] = S(4) * (x2 - x1) + (x3 - x4);
    y[3 * ys] = S(2) * (x3 - x1) + (x4 - x2);
    y[4 * ys] = S(2) * (x1 - x3) + (x4 - x2);
    y[5 * ys] = S(4) * x1 - S(5) * x3 + x5;
}

INLINE void b6(const __m256 *x, long xs, __m256 *y, long ys) {
    __m256 x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs], x4 = x[4 * xs], x5 = x[5 * xs];
    y[0] = S(4) * x0;
    y[ys] = S(4) * (x1 - x2) + S(2) * (x4 - x3) + S(4) * x5;
    y[2 * ys] = S(4) * (x1 + x2) - (x3 + x4) - S(5) * x0;
    y[3 * ys] = (x2 - x1) + S(2) * (x3 - x4) - S(5) * x5;
    y[4 * ys] = x0 - (x1 + x2) + (x3 + x4);
    y[5 * ys] = x5;
}

INLINE void at43(const __m256 *x, long xs, __m256 *y, long ys) {
    __m256 x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs], x4 = x[4 * xs];
    __m256 s12 = x1 + x2, d12 = x1 - x2, s34 = x3 + x4, d34 = x3 - x4;
    y[0] = x[0] + s12 + s34;
    y[ys] = d12 + S(2) * d34;
    y[2 * ys] = s12 + S(4) * s34;
    y[3 * ys] = d12 + S(8) * d34 + x[5 * xs];
}

INLINE void a43(const __m256 *x, long xs, __m256 *y, long ys) {
    __m256 x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs];
    __m256 e = x0 + x2, o = x1 + x3, e4 = x0 + S(4) * x2, o8 = S(2) * x1 + S(8) * x3;
    y[0] = x0;
    y[ys] = e + o;
    y[2 * ys] = e - o;
    y[3 * ys] = e4 + o8;
    y[4 * ys] = e4 - o8;
    y[5 * ys] = x3;
}

/* dst (q x q) = M src (n x n) Mt through tmp (n x q), row-major: rows first, then columns. */
#define APPLY2D(map, n, q, src, dst, tmp) do {                                   \
        for (int i_ = 0; i_ < (n); i_++) map((src) + i_ * (n), 1, (tmp) + i_ * (q), 1); \
        for (int j_ = 0; j_ < (q); j_++) map((tmp) + j_, (q), (dst) + j_, (q));        \
    } while (0)

/* c[j] lane l = r[l] lane j. */
INLINE void transpose8(const __m256 r[8], __m256 c[8]) {
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    c[0] = _mm256_permute2f128_ps(u0, u4, 0x20); c[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    c[2] = _mm256_permute2f128_ps(u2, u6, 0x20); c[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    c[4] = _mm256_permute2f128_ps(u0, u4, 0x31); c[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    c[6] = _mm256_permute2f128_ps(u2, u6, 0x31); c[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

/* A 4x4 transpose in each 128-bit half: c[j] = (a[0][j], a[1][j], a[2][j], a[3][j]) per half. */
INLINE void transpose4x2(const __m256 a[4], __m256 c[4]) {
    __m256 t0 = _mm256_unpacklo_ps(a[0], a[1]), t1 = _mm256_unpackhi_ps(a[0], a[1]);
    __m256 t2 = _mm256_unpacklo_ps(a[2], a[3]), t3 = _mm256_unpackhi_ps(a[2], a[3]);
    c[0] = _mm256_shuffle_ps(t0, t2, 0x44); c[1] = _mm256_shuffle_ps(t0, t2, 0xEE);
    c[2] = _mm256_shuffle_ps(t1, t3, 0x44); c[3] = _mm256_shuffle_ps(t1, t3, 0xEE);
}

/* Walks a chunk's tiles in order: image, tile row, tile column. */
typedef struct { long n, ty, tx, high, wide; } cursor;
INLINE void advance(cursor *c) {
    if (++c->tx == c->wide) { c->tx = 0; if (++c->ty == c->high) { c->ty = 0; c->n++; } }
}

/* The top-left corners of the next block of eight tiles in images laid out `image` floats apart
   with rows `row` floats apart; NULL for the lanes past the chunk's `tiles`. */
INLINE void block_origins(cursor *at, float *base, long image, long row, long k0, long tiles, float *org[8]) {
    for (int l = 0; l < 8; l++) {
        if (k0 + l < tiles) { org[l] = base + at->n * image + 4 * at->ty * row + 4 * at->tx; advance(at); }
        else org[l] = NULL;
    }
}

/* Copies `images` maps of h x w (a caller's, `image_stride` apart) into staging images of
   `rows` rows of `row` floats, the map at (top, left) and zeros around it. */
INLINE void stage_maps(float *staging, long rows, long row, const float *plane, long image_stride, long images,
                       long h, long w, long top, long left) {
    for (long n = 0; n < images; n++) {
        for (long r = 0; r < rows; r++) {
            float *dst = staging + (n * rows + r) * row;
            long y = r - top;
            zero_staged(dst, row);
            if (y >= 0 && y < h) copy_to_staging(dst + left, plane + n * image_stride + y * w, w);
        }
    }
}

/* The reverse: the h x w maps at (top, left) of staging images (`rows` x `row`) copied out. */
INLINE void unstage_maps(float *plane, long image_stride, const float *staging, long rows, long row, long images,
                         long h, long w, long top, long left) {
    for (long n = 0; n < images; n++)
        for (long y = 0; y < h; y++)
            copy_from_staging(plane + n * image_stride + y * w, staging + (n * rows + y + top) * row + left, w);
}

/* Rows of padded images: (4 th + 2) x (4 tw + 4) floats, the map at (pad_top, pad_left),
   zeros around it; every tile's 6x6 window, read 8 floats a row, lies inside. */
INLINE long padded_high(const moon_tiles_geometry *g) { return 4 * g->tiles_high + 2; }
INLINE long padded_wide(const moon_tiles_geometry *g) { return 4 * g->tiles_wide + 4; }

void moon_tiles43_input(const moon_tiles_geometry *g, const float *plane, long image_stride, long images,
                        long tp, float *planes, long plane_stride, float *staging) {
    const long H = g->in_height, W = g->in_width, PH = padded_high(g), PW = padded_wide(g), PP = PH * PW;
    const long tiles = images * g->tiles_high * g->tiles_wide;
    stage_maps(staging, PH, PW, plane, image_stride, images, H, W, g->pad_top, g->pad_left);
    cursor at = {0, 0, 0, g->tiles_high, g->tiles_wide};
    for (long k0 = 0; k0 < tp; k0 += 8) {
        float *org[8];
        block_origins(&at, staging, PP, PW, k0, tiles, org);
        __m256 d[36], t[36], o[36];
        for (int i = 0; i < 6; i++) {
            __m256 r[8], c[8];
            for (int l = 0; l < 8; l++) r[l] = org[l] ? _mm256_loadu_ps(org[l] + i * PW) : _mm256_setzero_ps();
            transpose8(r, c);
            for (int j = 0; j < 6; j++) d[i * 6 + j] = c[j];
        }
        APPLY2D(bt6, 6, 6, d, o, t);
        for (int e = 0; e < 36; e++) _mm256_storeu_ps(planes + e * plane_stride + k0, o[e]);
    }
}

/* Where 4x4 output tiles go: straight into the maps when they divide into whole tiles, else
   into staging (4 th x 4 tw an image), copied out clipped. */
typedef struct { float *base; long row, image; int direct; } tile_rows;
INLINE tile_rows output_rows(const moon_tiles_geometry *g, float *plane, long image_stride, float *staging) {
    int direct = g->out_height % 4 == 0 && g->out_width % 4 == 0;
    tile_rows t = { direct ? plane : staging, direct ? g->out_width : 4 * g->tiles_wide,
                    direct ? image_stride : 16 * g->tiles_high * g->tiles_wide, direct };
    return t;
}

void moon_tiles43_output(const moon_tiles_geometry *g, const float *planes, long plane_stride, long images, long tp,
                         float bias, int relu, float *plane, long image_stride, float *staging) {
    const tile_rows to = output_rows(g, plane, image_stride, staging);
    const long tiles = images * g->tiles_high * g->tiles_wide;
    const __m256 b = _mm256_set1_ps(bias), zero = _mm256_setzero_ps();
    cursor at = {0, 0, 0, g->tiles_high, g->tiles_wide};
    for (long k0 = 0; k0 < tp; k0 += 8) {
        float *dst[8];
        block_origins(&at, to.base, to.image, to.row, k0, tiles, dst);
        __m256 x[36], t[24], y[16];
        for (int e = 0; e < 36; e++) x[e] = _mm256_loadu_ps(planes + e * plane_stride + k0);
        APPLY2D(at43, 6, 4, x, y, t);
        for (int e = 0; e < 16; e++) {
            y[e] = y[e] + b;
            if (relu) y[e] = _mm256_max_ps(y[e], zero);   /* NaN and -0 give +0, as v > 0 ? v : 0 */
        }
        for (int i = 0; i < 4; i++) {
            __m256 q[4];
            transpose4x2(y + i * 4, q);
            for (int l = 0; l < 4; l++) {
                if (dst[l]) _mm_storeu_ps(dst[l] + i * to.row, _mm256_castps256_ps128(q[l]));
                if (dst[l + 4]) _mm_storeu_ps(dst[l + 4] + i * to.row, _mm256_extractf128_ps(q[l], 1));
            }
        }
    }
    if (!to.direct)
        unstage_maps(plane, image_stride, staging, 4 * g->tiles_high, to.row, images, g->out_height, g->out_width, 0, 0);
}

void moon_tiles43_gradient(const moon_tiles_geometry *g, const float *plane, long image_stride, long images,
                           long tp, float *planes, long plane_stride, float *staging) {
    const tile_rows from = output_rows(g, (float *)plane, image_stride, staging);
    const long tiles = images * g->tiles_high * g->tiles_wide;
    if (!from.direct)
        stage_maps(staging, 4 * g->tiles_high, from.row, plane, image_stride, images, g->out_height, g->out_width, 0, 0);
    cursor at = {0, 0, 0, g->tiles_high, g->tiles_wide};
    for (long k0 = 0; k0 < tp; k0 += 8) {
        float *src[8];
        block_origins(&at, from.base, from.image, from.row, k0, tiles, src);
        __m256 d[16], t[24], o[36];
        for (int i = 0; i < 4; i++) {
            __m256 a[4];
            for (int l = 0; l < 4; l++) {
                __m128 lo = src[l] ? _mm_loadu_ps(src[l] + i * from.row) : _mm_setzero_ps();
                __m128 hi = src[l + 4] ? _mm_loadu_ps(src[l + 4] + i * from.row) : _mm_setzero_ps();
                a[l] = _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1);
            }
            transpose4x2(a, d + i * 4);
        }
        APPLY2D(a43, 4, 6, d, o, t);
        for (int e = 0; e < 36; e++) _mm256_storeu_ps(planes + e * plane_stride + k0, o[e]);
    }
}

void moon_tiles43_input_gradient(const moon_tiles_geometry *g, const float *planes, long plane_stride, long images,
                                 long tp, float *plane, long image_stride, float *staging) {
    const long H = g->in_height, W = g->in_width, PH = padded_high(g), PW = padded_wide(g), PP = PH * PW;
    const long tiles = images * g->tiles_high * g->tiles_wide;
    memset(staging, 0, (size_t)(images * PP) * sizeof(float));
    /* Row i of the tile before, columns 4 and 5, not yet added: it lands on this tile's columns
       0 and 1, and is added first, as the tile before would have added it. */
    __m128 carry[6];
    for (int i = 0; i < 6; i++) carry[i] = _mm_setzero_ps();
    cursor at = {0, 0, 0, g->tiles_high, g->tiles_wide};
    for (long k0 = 0; k0 < tp && k0 < tiles; k0 += 8) {
        __m256 x[36], t[36], o[36], w[6][8];
        for (int e = 0; e < 36; e++) x[e] = _mm256_loadu_ps(planes + e * plane_stride + k0);
        APPLY2D(b6, 6, 6, x, o, t);
        for (int i = 0; i < 6; i++) {
            __m256 r[8] = { o[i * 6], o[i * 6 + 1], o[i * 6 + 2], o[i * 6 + 3], o[i * 6 + 4], o[i * 6 + 5],
                            _mm256_setzero_ps(), _mm256_setzero_ps() };
            transpose8(r, w[i]);
        }
        for (int l = 0; l < 8 && k0 + l < tiles; l++) {   /* tile by tile, as the tiles come */
            float *org = staging + at.n * PP + 4 * at.ty * PW + 4 * at.tx;
            int last = at.tx == g->tiles_wide - 1;
            advance(&at);
            for (int i = 0; i < 6; i++) {
                float *p = org + i * PW;
                __m128 lo = _mm256_castps256_ps128(w[i][l]), hi = _mm256_extractf128_ps(w[i][l], 1);
                _mm_storeu_ps(p, _mm_add_ps(_mm_add_ps(_mm_loadu_ps(p), carry[i]), lo));
                if (last) { _mm_storeu_ps(p + 4, _mm_add_ps(_mm_loadu_ps(p + 4), hi)); carry[i] = _mm_setzero_ps(); }
                else carry[i] = hi;
            }
        }
    }
    unstage_maps(plane, image_stride, staging, PH, PW, images, H, W, g->pad_top, g->pad_left);
}

#pragma clang attribute pop

#else   /* not x86-64: the Swift tile steps run */

int moon_tiles43_supported(void) { return 0; }
long moon_tiles43_staging(const moon_tiles_geometry *g, long images) { (void)g; (void)images; return 0; }
void moon_tiles43_input(const moon_tiles_geometry *g, const float *plane, long image_stride, long images,
                        long tp, float *planes, long plane_stride, float *staging) {}
void moon_tiles43_output(const moon_tiles_geometry *g, const float *planes, long plane_stride, long images, long tp,
                         float bias, int relu, float *plane, long image_stride, float *staging) {}
void moon_tiles43_gradient(const moon_tiles_geometry *g, const float *plane, long image_stride, long images,
                           long tp, float *planes, long plane_stride, float *staging) {}
void moon_tiles43_input_gradient(const moon_tiles_geometry *g, const float *planes, long plane_stride, long images,
                                 long tp, float *plane, long image_stride, float *staging) {}

#endif
