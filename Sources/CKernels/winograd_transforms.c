// Winograd F(2×2, 3×3) tile transforms of the inputs and output gradients (Lavin & Gray 2016; the sgemms between
// them, and the weight and output transforms, which measured no faster in C, are in Swift's `Winograd`). Each
// transform is written once as plain loops over tiles (`*_body`, always inlined) and compiled
// three times, for baseline x86-64, AVX2 and AVX-512, where the compiler vectorises the tile loops across tiles.
// Floating-point contraction is off, and vectorising across tiles keeps each value's operations and their order,
// so the three give the same bits, which are those of the Swift loops this replaced.
#include "winograd_transforms.h"

#include <string.h>

#pragma clang fp contract(off)

#if defined(__x86_64__) || defined(__i386__)
#define PALIMPSEST_X86 1
#define VARIANTS(name, params, args)                                                                              \
    static void name##_scalar params { name##_body args; }                                                       \
    __attribute__((target("avx2"))) static void name##_avx2 params { name##_body args; }                         \
    __attribute__((target("avx512f"), min_vector_width(512))) static void name##_avx512 params { name##_body args; }
#define DISPATCH(isa, name, args)                                                                                 \
    switch (isa) {                                                                                                \
    case PALIMPSEST_DIRECT_AVX512: name##_avx512 args; break;                                                     \
    case PALIMPSEST_DIRECT_AVX2: name##_avx2 args; break;                                                         \
    default: name##_scalar args; break;                                                                           \
    }
#else
#define VARIANTS(name, params, args) static void name##_scalar params { name##_body args; }
#define DISPATCH(isa, name, args) name##_scalar args;
#endif

#define INLINE __attribute__((always_inline)) static inline

static inline int tile_count(int side) { return (side + 1) / 2; }

/// Copies `w` floats of row `yy` of an h-row plane to dst, or zeros when the row is outside the image.
INLINE void copy_row(float *dst, const float *plane, int yy, int h, int w) {
    if (yy >= 0 && yy < h) memcpy(dst, plane + (size_t)yy * w, sizeof(float) * (size_t)w);
    else memset(dst, 0, sizeof(float) * (size_t)w);
}

// MARK: input: Bᵀ d B (Bᵀ rows [1 0 −1 0], [0 1 1 0], [0 −1 1 0], [0 1 0 −1])

INLINE void input_body(const float *x, int h, int w, int r0, int rows, float *out, size_t stride) {
    const int th = tile_count(h), tw = tile_count(w), pw = 2 * tw + 2;
    float s[8 * pw];
    float *row = s + 4 * pw;
    memset(s, 0, sizeof(float) * 8 * (size_t)pw);
    for (int r = 0; r < rows; r++) {
        const int img = (r0 + r) / th, ty = (r0 + r) % th;
        const float *src = x + (size_t)img * h * w;
        // The four input rows, zero-padded: s[q·pw + 1 + x] = x[2ty − 1 + q, x].
        for (int q = 0; q < 4; q++) copy_row(s + q * pw + 1, src, 2 * ty - 1 + q, h, w);
        // Bᵀ along the rows, whole width at once.
        for (int j = 0; j < pw; j++) {
            const float d0 = s[j], d1 = s[pw + j], d2 = s[2 * pw + j], d3 = s[3 * pw + j];
            row[j] = d0 - d2; row[pw + j] = d1 + d2; row[2 * pw + j] = d2 - d1; row[3 * pw + j] = d1 - d3;
        }
        // B along the columns of each tile: tile tx's columns are a[2tx … 2tx + 3].
        for (int i = 0; i < 4; i++) {
            const float *a = row + i * pw;
            float *o0 = out + 4 * i * stride + (size_t)r * tw, *o1 = o0 + stride, *o2 = o1 + stride, *o3 = o2 + stride;
            for (int tx = 0; tx < tw; tx++) {
                const float d0 = a[2 * tx], d1 = a[2 * tx + 1], d2 = a[2 * tx + 2], d3 = a[2 * tx + 3];
                o0[tx] = d0 - d2; o1[tx] = d1 + d2; o2[tx] = d2 - d1; o3[tx] = d1 - d3;
            }
        }
    }
}
VARIANTS(input, (const float *x, int h, int w, int r0, int rows, float *out, size_t stride),
         (x, h, w, r0, rows, out, stride))

void palimpsest_winograd_input(palimpsest_direct_isa isa, const float *x, int h, int w, int r0, int rows,
                               float *out, size_t stride) {
    DISPATCH(isa, input, (x, h, w, r0, rows, out, stride))
}

// MARK: output gradient: A dY Aᵀ (A rows [1 0], [1 1], [1 −1], [0 −1])

INLINE void grad_output_body(const float *dy, int h, int w, int r0, int rows, float *out, size_t stride) {
    const int th = tile_count(h), tw = tile_count(w), pw = 2 * tw;
    float s[6 * pw];
    float *row = s + 2 * pw;
    memset(s, 0, sizeof(float) * 6 * (size_t)pw);
    for (int r = 0; r < rows; r++) {
        const int img = (r0 + r) / th, ty = (r0 + r) % th;
        const float *src = dy + (size_t)img * h * w;
        for (int q = 0; q < 2; q++) copy_row(s + q * pw, src, 2 * ty + q, h, w);
        for (int j = 0; j < pw; j++) {
            const float p = s[j], q = s[pw + j];
            row[j] = p; row[pw + j] = p + q; row[2 * pw + j] = p - q; row[3 * pw + j] = -q;
        }
        for (int i = 0; i < 4; i++) {
            const float *a = row + i * pw;
            float *o0 = out + 4 * i * stride + (size_t)r * tw, *o1 = o0 + stride, *o2 = o1 + stride, *o3 = o2 + stride;
            // The last entry is −q as 0 − q in groups of eight tiles and as −q in the rest, which differ only for
            // q = ±0 (+0 against −0): the Swift loops this replaced did so, and the trained weights in published
            // locks were computed that way.
            const int groups = tw - tw % 8;
            for (int tx = 0; tx < groups; tx++) {
                const float p = a[2 * tx], q = a[2 * tx + 1];
                o0[tx] = p; o1[tx] = p + q; o2[tx] = p - q; o3[tx] = 0.0f - q;
            }
            for (int tx = groups; tx < tw; tx++) {
                const float p = a[2 * tx], q = a[2 * tx + 1];
                o0[tx] = p; o1[tx] = p + q; o2[tx] = p - q; o3[tx] = -q;
            }
        }
    }
}
VARIANTS(grad_output, (const float *dy, int h, int w, int r0, int rows, float *out, size_t stride),
         (dy, h, w, r0, rows, out, stride))

void palimpsest_winograd_grad_output(palimpsest_direct_isa isa, const float *dy, int h, int w, int r0, int rows,
                                     float *out, size_t stride) {
    DISPATCH(isa, grad_output, (dy, h, w, r0, rows, out, stride))
}
