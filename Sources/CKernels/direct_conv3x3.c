// Direct 3×3 convolution (stride 1, zero padding 1) for the thin layers of the scaled network, where im2col's
// GEMMs are too short to reach the BLAS's speed. One output tile (`tile`) is 4 channels × 16 (or 8) pixels of a
// row, held in 8 (or 4) AVX registers (`tile512`: 4 channels × up to 64 pixels in 16 AVX-512 registers) while the
// c × 9 multiply-adds stream through; the input is first copied into a zero-bordered buffer so the tile loop needs
// no edge cases. The weight gradient (below) is a reduction over every pixel, tiled the other way: 4 output
// channels × 3 taps of a kernel row, summed over 8-pixel vectors.
#include "direct_conv3x3.h"

#include <math.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PALIMPSEST_X86 1
#endif
#include <string.h>

enum { B = PALIMPSEST_DIRECT_BLOCK };

size_t palimpsest_direct_packed_count(int c, int o) {
    return (size_t)((o + B - 1) / B) * (size_t)c * 9 * B;
}

/// Outputs of the flat loop over an s × s image: s rows of s + 2 (the last without its two dropped columns).
static int flat_outputs(int s) { return (s - 1) * (s + 2) + s; }

size_t palimpsest_direct_workspace_count(int c, int s) {
    return (size_t)c * (size_t)(s + 2) * (size_t)(s + 2) + 16 + (size_t)B * (size_t)(flat_outputs(s) + 16);
}

void palimpsest_direct_pack(const float *w, int c, int o, bool flip, float *packed) {
    // Output channels of the packed kernel, and inputs per output.
    const int outs = flip ? c : o, ins = flip ? o : c;
    const int blocks = (outs + B - 1) / B;
    for (int ob = 0; ob < blocks; ob++)
        for (int ci = 0; ci < ins; ci++)
            for (int k = 0; k < 9; k++)
                for (int j = 0; j < B; j++) {
                    const int oc = ob * B + j;
                    float v = 0;
                    if (oc < outs) {
                        // flip: output oc is the layer's input channel, ci the layer's output channel.
                        v = flip ? w[((size_t)ci * c + oc) * 9 + (8 - k)] : w[((size_t)oc * c + ci) * 9 + k];
                    }
                    packed[(((size_t)ob * ins + ci) * 9 + k) * B + j] = v;
                }
}

/// Copies image b's c planes into `pad` with a zero border: (s + 2) × (s + 2) per plane.
static void pad_image(const float *x, int c, int n, int s, int b, float *pad) {
    const int p = s + 2;
    const size_t plane = (size_t)s * s, stride = (size_t)n * plane;
    for (int ci = 0; ci < c; ci++) {
        float *dst = pad + (size_t)ci * p * p;
        const float *src = x + ci * stride + (size_t)b * plane;
        memset(dst, 0, sizeof(float) * p);
        for (int r = 0; r < s; r++) {
            float *row = dst + (size_t)(r + 1) * p;
            row[0] = 0;
            memcpy(row + 1, src + (size_t)r * s, sizeof(float) * s);
            row[s + 1] = 0;
        }
        memset(dst + (size_t)(s + 1) * p, 0, sizeof(float) * p);
    }
}

/// ReLU as Swift's max(v, 0): +0 for v ≤ 0 (and for −0), NaN stays NaN (so a diverging run is still detected).
static inline float finish(float v, bool relu) { return relu ? (0 >= v ? 0 : v) : v; }

/// One output of one channel: init + Σ_ci Σ_ky,kx w · pad, a single fmaf chain in the order the SIMD lanes use.
/// `w` points at the channel's lane of its packed block.
static inline float pixel(const float *pad, const float *w, float init, int c, int p, int r, int col) {
    float acc = init;
    for (int ci = 0; ci < c; ci++) {
        const float *in = pad + (size_t)ci * p * p + (size_t)r * p + col;
        const float *wk = w + (size_t)ci * 9 * B;
        for (int ky = 0; ky < 3; ky++)
            for (int kx = 0; kx < 3; kx++)
                acc = fmaf(wk[(ky * 3 + kx) * B], in[ky * p + kx], acc);
    }
    return acc;
}

/// One output row r of the 4 channels of a packed block: out[j·stride + col] for j < valid, col < s. `init` holds the
/// block's 4 biases (zero beyond o or without bias).
typedef void (*row_kernel)(const float *pad, const float *wb, const float *init, int c, int p, int s, int r,
                           float *out, size_t stride, int valid, bool relu);

/// Columns [col, s) of a row pixel by pixel (the scalar path, and the SIMD paths' tails).
static void row_tail(const float *pad, const float *wb, const float *init, int c, int p, int s, int r, int col,
                     float *out, size_t stride, int valid, bool relu) {
    for (; col < s; col++)
        for (int j = 0; j < B && j < valid; j++)
            out[(size_t)j * stride + col] = finish(pixel(pad, wb + j, init[j], c, p, r, col), relu);
}

static void row_scalar(const float *pad, const float *wb, const float *init, int c, int p, int s, int r,
                       float *out, size_t stride, int valid, bool relu) {
    row_tail(pad, wb, init, c, p, s, r, 0, out, stride, valid, relu);
}

/// Images [first, first + count) × blocks [block_first, block_first + block_count), each image padded once into
/// `workspace`, each row of each block computed by `row`. With `flat`, each block is instead one flat row of
/// outputs over the padded image (output i = r·(s + 2) + col meets the padded input at i + ky·(s + 2) + kx, so a
/// tile crosses row ends; the two columns past each row are computed and dropped), rounded up to a multiple of
/// `align` outputs so that it runs as whole SIMD tiles, written to a staging buffer and copied row by row to y.
static void conv(const float *x, const float *packed, const float *bias, float *y, int c, int o, int n, int s,
                 bool relu, int first, int count, int block_first, int block_count, float *workspace, row_kernel row,
                 bool flat, int align) {
    const int p = s + 2, blocks = (o + B - 1) / B;
    const size_t plane = (size_t)s * s, stride = (size_t)n * plane, image = (size_t)c * p * p;
    const int length = (flat_outputs(s) + align - 1) / align * align;
    // The flat rows' last tile reads up to align − 1 floats past the last plane, into zeroed slack.
    float *staging = workspace + image + 16;
    memset(workspace + image, 0, sizeof(float) * 16);
    for (int b = first; b < first + count; b++) {
        pad_image(x, c, n, s, b, workspace);
        for (int ob = block_first; ob < block_first + block_count && ob < blocks; ob++) {
            const float *wb = packed + (size_t)ob * c * 9 * B;
            const int oc0 = ob * B;
            float init[B];
            for (int j = 0; j < B; j++) init[j] = bias && oc0 + j < o ? bias[oc0 + j] : 0;
            float *out = y + (size_t)oc0 * stride + (size_t)b * plane;
            if (flat) {
                row(workspace, wb, init, c, p, length, 0, staging, (size_t)length, o - oc0, relu);
                for (int j = 0; j < B && j < o - oc0; j++)
                    for (int r = 0; r < s; r++)
                        memcpy(out + (size_t)j * stride + (size_t)r * s, staging + (size_t)j * length + (size_t)r * p,
                               sizeof(float) * s);
            } else {
                for (int r = 0; r < s; r++) row(workspace, wb, init, c, p, s, r, out + (size_t)r * s, stride, o - oc0, relu);
            }
        }
    }
}

#if PALIMPSEST_X86
/// One register tile: 4 output channels (those below `valid`) × `vectors` × 8 pixels of row r from column col,
/// stored to `out` (channel stride `stride`). `vectors` is a constant 1 or 2 at each call, so after inlining the
/// loops unroll and the accumulators live in registers.
__attribute__((target("avx2,fma"), always_inline))
static inline void tile(const float *pad, const float *wb, const float *init, int c, int p, int r, int col,
                        int vectors, float *out, size_t stride, int valid, bool relu) {
    __m256 acc[2][B];
    for (int v = 0; v < vectors; v++)
        for (int j = 0; j < B; j++) acc[v][j] = _mm256_set1_ps(init[j]);
    for (int ci = 0; ci < c; ci++) {
        const float *in = pad + (size_t)ci * p * p + (size_t)r * p + col;
        const float *wk = wb + (size_t)ci * 9 * B;
        for (int ky = 0; ky < 3; ky++)
            for (int kx = 0; kx < 3; kx++) {
                __m256 u[2];
                for (int v = 0; v < vectors; v++) u[v] = _mm256_loadu_ps(in + ky * p + kx + 8 * v);
                const float *w4 = wk + (ky * 3 + kx) * B;
                for (int j = 0; j < B; j++) {
                    const __m256 w = _mm256_broadcast_ss(w4 + j);
                    for (int v = 0; v < vectors; v++) acc[v][j] = _mm256_fmadd_ps(w, u[v], acc[v][j]);
                }
            }
    }
    const __m256 zero = _mm256_setzero_ps();
    for (int j = 0; j < B && j < valid; j++)
        for (int v = 0; v < vectors; v++) {
            __m256 a = acc[v][j];
            if (relu) a = _mm256_andnot_ps(_mm256_cmp_ps(zero, a, _CMP_GE_OQ), a);  // finish(), lane by lane
            _mm256_storeu_ps(out + (size_t)j * stride + 8 * v, a);
        }
}

/// The AVX-512 twin of `tile`: 4 output channels × `vectors` (1, 2 or 4) × 16 pixels, the same fused multiply–add
/// chain per output in the same order (so the same bits), with twice the lanes per instruction.
__attribute__((target("avx512f,avx2,fma"), always_inline))
static inline void tile512(const float *pad, const float *wb, const float *init, int c, int p, int r, int col,
                           int vectors, float *out, size_t stride, int valid, bool relu) {
    __m512 acc[4][B];
    for (int v = 0; v < vectors; v++)
        for (int j = 0; j < B; j++) acc[v][j] = _mm512_set1_ps(init[j]);
    for (int ci = 0; ci < c; ci++) {
        const float *in = pad + (size_t)ci * p * p + (size_t)r * p + col;
        const float *wk = wb + (size_t)ci * 9 * B;
        for (int ky = 0; ky < 3; ky++)
            for (int kx = 0; kx < 3; kx++) {
                __m512 u[4];
                for (int v = 0; v < vectors; v++) u[v] = _mm512_loadu_ps(in + ky * p + kx + 16 * v);
                const float *w4 = wk + (ky * 3 + kx) * B;
                for (int j = 0; j < B; j++) {
                    const __m512 w = _mm512_set1_ps(w4[j]);
                    for (int v = 0; v < vectors; v++) acc[v][j] = _mm512_fmadd_ps(w, u[v], acc[v][j]);
                }
            }
    }
    const __m512 zero = _mm512_setzero_ps();
    for (int j = 0; j < B && j < valid; j++)
        for (int v = 0; v < vectors; v++) {
            __m512 a = acc[v][j];
            if (relu) a = _mm512_maskz_mov_ps((__mmask16)~_mm512_cmp_ps_mask(zero, a, _CMP_GE_OQ), a);  // finish()
            _mm512_storeu_ps(out + (size_t)j * stride + 16 * v, a);
        }
}

/// A row as AVX2 tiles of 16 and 8 pixels, then pixel by pixel.
__attribute__((target("avx2,fma")))
static void row_avx2(const float *pad, const float *wb, const float *init, int c, int p, int s, int r,
                     float *out, size_t stride, int valid, bool relu) {
    int col = 0;
    for (; col + 16 <= s; col += 16) tile(pad, wb, init, c, p, r, col, 2, out + col, stride, valid, relu);
    for (; col + 8 <= s; col += 8) tile(pad, wb, init, c, p, r, col, 1, out + col, stride, valid, relu);
    row_tail(pad, wb, init, c, p, s, r, col, out, stride, valid, relu);
}

/// A row as AVX-512 tiles of 64, 32 and 16 pixels, an AVX2 tile of 8, then pixel by pixel.
__attribute__((target("avx512f,avx2,fma")))
static void row_avx512(const float *pad, const float *wb, const float *init, int c, int p, int s, int r,
                       float *out, size_t stride, int valid, bool relu) {
    int col = 0;
    for (; col + 64 <= s; col += 64) tile512(pad, wb, init, c, p, r, col, 4, out + col, stride, valid, relu);
    for (; col + 32 <= s; col += 32) tile512(pad, wb, init, c, p, r, col, 2, out + col, stride, valid, relu);
    for (; col + 16 <= s; col += 16) tile512(pad, wb, init, c, p, r, col, 1, out + col, stride, valid, relu);
    for (; col + 8 <= s; col += 8) tile(pad, wb, init, c, p, r, col, 1, out + col, stride, valid, relu);
    row_tail(pad, wb, init, c, p, s, r, col, out, stride, valid, relu);
}
#endif

bool palimpsest_direct_supports(palimpsest_direct_isa isa) {
    switch (isa) {
    case PALIMPSEST_DIRECT_SCALAR: return true;
#if PALIMPSEST_X86
    case PALIMPSEST_DIRECT_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case PALIMPSEST_DIRECT_AVX512:
        return palimpsest_direct_supports(PALIMPSEST_DIRECT_AVX2) && __builtin_cpu_supports("avx512f");
#endif
    default: return false;
    }
}

void palimpsest_direct_conv3x3(palimpsest_direct_isa isa, const float *x, const float *packed, const float *bias,
                               float *y, int c, int o, int n, int s, bool relu, bool flat, int first, int count,
                               int block_first, int block_count, float *workspace) {
    row_kernel row = row_scalar;
    int align = 1;
#if PALIMPSEST_X86
    if (isa == PALIMPSEST_DIRECT_AVX512) { row = row_avx512; align = 8; }  // its rows end with an AVX2 tile of 8
    if (isa == PALIMPSEST_DIRECT_AVX2) { row = row_avx2; align = 8; }
#endif
    conv(x, packed, bias, y, c, o, n, s, relu, first, count, block_first, block_count, workspace, row, flat, align);
}

// MARK: Weight gradient

// dW[oc][ci][ky][kx] = Σ_b Σ_r,col dy[oc][b][r][col] · pad_b[ci][r + ky][col + kx]. Image b's dy is first laid out
// with the padded image's row length p = s + 2 (zeros in the two extra columns and up to a multiple of 8), so that
// pixel i = r·p + col of dy meets pad[ci][i + ky·p + kx] and the whole image is one flat loop over i. Per image and
// per (oc, ci, ky, kx), 8 lanes each accumulate the i ≡ lane (mod 8) in ascending order, and the image's partial is a
// fixed tree over the lanes, added to dW in image order. The flat range is cut into bands whose dy (4 channels) stays
// in L1 while every (ci, ky) passes over it; a band's accumulators live in registers (4 channels × 3 kx = 12
// vectors) and in `acc` between bands.

enum { LANES = 8 };

/// Floats of one channel's dy in the padded row layout: s rows of p, rounded up to whole vectors.
static size_t flat_count(int s) {
    const size_t f = (size_t)s * (s + 2);
    return (f + LANES - 1) / LANES * LANES;
}

/// Floats of a band of one channel: about 8 KB of dy for a block of 4 channels.
enum { BAND = 2048 / PALIMPSEST_DIRECT_BLOCK };

size_t palimpsest_direct_weight_gradient_workspace_count(int c, int s) {
    return palimpsest_direct_workspace_count(c, s) + 3 * LANES + B * flat_count(s) + (size_t)c * 9 * B * LANES;
}

/// The workspace's parts: the padded image (with zeroed slack past its last plane, which the flat loop reads with
/// dy = 0), the block's dy in the padded row layout, and the accumulators [ci][ky][j][kx][lane].
static void weight_gradient_parts(float *workspace, int c, int s, float **pad, float **flat, float **acc) {
    const size_t image = (size_t)c * (s + 2) * (s + 2), slack = palimpsest_direct_workspace_count(c, s) + 3 * LANES - image;
    *pad = workspace;
    memset(workspace + image, 0, sizeof(float) * slack);
    *flat = workspace + image + slack;
    *acc = *flat + B * flat_count(s);
}

/// Copies image b's dy of output block ob into the padded row layout (zeros for the channels beyond o).
static void flatten_block(const float *dy, int o, int n, int s, int b, int ob, float *flat) {
    const int p = s + 2;
    const size_t plane = (size_t)s * s, stride = (size_t)n * plane, count = flat_count(s);
    for (int j = 0; j < B; j++) {
        float *dst = flat + j * count;
        memset(dst, 0, sizeof(float) * count);
        if (ob * B + j >= o) continue;
        const float *src = dy + (size_t)(ob * B + j) * stride + (size_t)b * plane;
        for (int r = 0; r < s; r++) memcpy(dst + (size_t)r * p, src + (size_t)r * s, sizeof(float) * s);
    }
}

/// Adds image b's partials of output block ob to dw (a fixed tree over each weight's 8 lanes), or stores them for
/// the first image.
static void add_partials(float *dw, const float *acc, int c, int o, int ob, bool first) {
    for (int ci = 0; ci < c; ci++)
        for (int ky = 0; ky < 3; ky++)
            for (int j = 0; j < B && ob * B + j < o; j++)
                for (int kx = 0; kx < 3; kx++) {
                    const float *l = acc + ((((size_t)ci * 3 + ky) * B + j) * 3 + kx) * LANES;
                    const float v = ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
                    float *w = dw + ((size_t)(ob * B + j) * c + ci) * 9 + ky * 3 + kx;
                    *w = first ? v : *w + v;
                }
}

/// One band [i0, i1) of one (ci, ky): the 12 lane accumulators `a` ([j][kx][lane]) += in[i + kx] · flat[j][i].
typedef void (*band_kernel)(const float *in, const float *flat, size_t count, size_t i0, size_t i1, float *a);

static void band_scalar(const float *in, const float *flat, size_t count, size_t i0, size_t i1, float *a) {
    for (int j = 0; j < B; j++)
        for (int kx = 0; kx < 3; kx++)
            for (size_t i = i0; i < i1; i++) {
                float *l = a + ((size_t)j * 3 + kx) * LANES + i % LANES;
                *l = fmaf(in[i + kx], flat[j * count + i], *l);
            }
}

#if PALIMPSEST_X86
__attribute__((target("avx2,fma")))
static void band_avx2(const float *in, const float *flat, size_t count, size_t i0, size_t i1, float *a) {
    __m256 v[B][3];
    for (int j = 0; j < B; j++)
        for (int kx = 0; kx < 3; kx++) v[j][kx] = _mm256_loadu_ps(a + (j * 3 + kx) * LANES);
    for (size_t i = i0; i < i1; i += LANES) {
        const __m256 u0 = _mm256_loadu_ps(in + i), u1 = _mm256_loadu_ps(in + i + 1), u2 = _mm256_loadu_ps(in + i + 2);
        for (int j = 0; j < B; j++) {
            const __m256 g = _mm256_loadu_ps(flat + j * count + i);
            v[j][0] = _mm256_fmadd_ps(u0, g, v[j][0]);
            v[j][1] = _mm256_fmadd_ps(u1, g, v[j][1]);
            v[j][2] = _mm256_fmadd_ps(u2, g, v[j][2]);
        }
    }
    for (int j = 0; j < B; j++)
        for (int kx = 0; kx < 3; kx++) _mm256_storeu_ps(a + (j * 3 + kx) * LANES, v[j][kx]);
}
#endif

static void weight_gradient(const float *x, const float *dy, float *dw, int c, int o, int n, int s, int block_first,
                            int block_count, float *workspace, band_kernel band) {
    const int p = s + 2, blocks = (o + B - 1) / B;
    const size_t count = flat_count(s);
    float *pad, *flat, *acc;
    weight_gradient_parts(workspace, c, s, &pad, &flat, &acc);
    for (int b = 0; b < n; b++) {
        pad_image(x, c, n, s, b, pad);
        for (int ob = block_first; ob < block_first + block_count && ob < blocks; ob++) {
            flatten_block(dy, o, n, s, b, ob, flat);
            memset(acc, 0, sizeof(float) * (size_t)c * 9 * B * LANES);
            for (size_t i0 = 0; i0 < count; i0 += BAND) {
                const size_t i1 = i0 + BAND < count ? i0 + BAND : count;
                for (int ci = 0; ci < c; ci++)
                    for (int ky = 0; ky < 3; ky++)
                        band(pad + (size_t)ci * p * p + (size_t)ky * p, flat, count, i0, i1,
                             acc + ((size_t)ci * 3 + ky) * B * 3 * LANES);
            }
            add_partials(dw, acc, c, o, ob, b == 0);
        }
    }
}

void palimpsest_direct_weight_gradient(palimpsest_direct_isa isa, const float *x, const float *dy, float *dw,
                                       int c, int o, int n, int s, int block_first, int block_count, float *workspace) {
#if PALIMPSEST_X86
    // AVX-512 runs the AVX2 bands: wider vectors would regroup the 8 lane sums, and so change the bits.
    if (isa != PALIMPSEST_DIRECT_SCALAR) {
        weight_gradient(x, dy, dw, c, o, n, s, block_first, block_count, workspace, band_avx2);
        return;
    }
#endif
    weight_gradient(x, dy, dw, c, o, n, s, block_first, block_count, workspace, band_scalar);
}
