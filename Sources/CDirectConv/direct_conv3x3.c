// Direct 3×3 convolution (stride 1, zero padding 1) for the thin layers of the scaled network, where im2col's
// GEMMs are too short to reach the BLAS's speed. One output tile is 4 channels × 16 (or 8) pixels of a row, held
// in 8 (or 4) AVX registers while the c × 9 multiply-adds stream through; the input is first copied into a
// zero-bordered buffer so the tile loop needs no edge cases.
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

size_t palimpsest_direct_workspace_count(int c, int s) {
    return (size_t)c * (size_t)(s + 2) * (size_t)(s + 2) + 16;
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

void palimpsest_direct_conv3x3_scalar(const float *x, const float *packed, const float *bias, float *y,
                                      int c, int o, int n, int s, bool relu, int first, int count, int block_first, int block_count, float *workspace) {
    const int p = s + 2, blocks = (o + B - 1) / B;
    const size_t plane = (size_t)s * s, stride = (size_t)n * plane;
    for (int b = first; b < first + count; b++) {
        pad_image(x, c, n, s, b, workspace);
        for (int ob = block_first; ob < block_first + block_count && ob < blocks; ob++) {
            const float *wb = packed + (size_t)ob * c * 9 * B;
            for (int j = 0; j < B && ob * B + j < o; j++) {
                const int oc = ob * B + j;
                const float init = bias ? bias[oc] : 0;
                float *out = y + oc * stride + (size_t)b * plane;
                for (int r = 0; r < s; r++)
                    for (int col = 0; col < s; col++)
                        out[(size_t)r * s + col] = finish(pixel(workspace, wb + j, init, c, p, r, col), relu);
            }
        }
    }
}

#if PALIMPSEST_X86
/// Stores lanes of one accumulator into output channel oc of the tile, when that channel exists.
#define STORE(vec, oc, offset)                                                                                      \
    do {                                                                                                            \
        if ((oc) < o) {                                                                                             \
            __m256 v_ = (vec);                                                                                      \
            if (relu) v_ = _mm256_andnot_ps(_mm256_cmp_ps(zero, v_, _CMP_GE_OQ), v_);                              \
            _mm256_storeu_ps(y + (size_t)(oc) * stride + (size_t)b * plane + (size_t)r * s + col + (offset), v_);  \
        }                                                                                                           \
    } while (0)

__attribute__((target("avx2,fma")))
static void conv_avx2(const float *x, const float *packed, const float *bias, float *y,
                      int c, int o, int n, int s, bool relu, int first, int count, int block_first, int block_count, float *workspace) {
    const int p = s + 2, blocks = (o + B - 1) / B;
    const size_t plane = (size_t)s * s, stride = (size_t)n * plane;
    const __m256 zero = _mm256_setzero_ps();
    for (int b = first; b < first + count; b++) {
        pad_image(x, c, n, s, b, workspace);
        for (int ob = block_first; ob < block_first + block_count && ob < blocks; ob++) {
            const float *wb = packed + (size_t)ob * c * 9 * B;
            const int oc0 = ob * B;
            __m256 init[B];
            for (int j = 0; j < B; j++)
                init[j] = _mm256_set1_ps(bias && oc0 + j < o ? bias[oc0 + j] : 0);
            for (int r = 0; r < s; r++) {
                int col = 0;
                for (; col + 16 <= s; col += 16) {
                    __m256 a0 = init[0], a1 = init[1], a2 = init[2], a3 = init[3];
                    __m256 b0 = init[0], b1 = init[1], b2 = init[2], b3 = init[3];
                    for (int ci = 0; ci < c; ci++) {
                        const float *in = workspace + (size_t)ci * p * p + (size_t)r * p + col;
                        const float *wk = wb + (size_t)ci * 9 * B;
                        for (int ky = 0; ky < 3; ky++) {
                            const float *row = in + ky * p;
                            for (int kx = 0; kx < 3; kx++) {
                                const __m256 u = _mm256_loadu_ps(row + kx), v = _mm256_loadu_ps(row + kx + 8);
                                const float *w4 = wk + (ky * 3 + kx) * B;
                                __m256 w;
                                w = _mm256_broadcast_ss(w4 + 0); a0 = _mm256_fmadd_ps(w, u, a0); b0 = _mm256_fmadd_ps(w, v, b0);
                                w = _mm256_broadcast_ss(w4 + 1); a1 = _mm256_fmadd_ps(w, u, a1); b1 = _mm256_fmadd_ps(w, v, b1);
                                w = _mm256_broadcast_ss(w4 + 2); a2 = _mm256_fmadd_ps(w, u, a2); b2 = _mm256_fmadd_ps(w, v, b2);
                                w = _mm256_broadcast_ss(w4 + 3); a3 = _mm256_fmadd_ps(w, u, a3); b3 = _mm256_fmadd_ps(w, v, b3);
                            }
                        }
                    }
                    STORE(a0, oc0 + 0, 0); STORE(b0, oc0 + 0, 8);
                    STORE(a1, oc0 + 1, 0); STORE(b1, oc0 + 1, 8);
                    STORE(a2, oc0 + 2, 0); STORE(b2, oc0 + 2, 8);
                    STORE(a3, oc0 + 3, 0); STORE(b3, oc0 + 3, 8);
                }
                for (; col + 8 <= s; col += 8) {
                    __m256 a0 = init[0], a1 = init[1], a2 = init[2], a3 = init[3];
                    for (int ci = 0; ci < c; ci++) {
                        const float *in = workspace + (size_t)ci * p * p + (size_t)r * p + col;
                        const float *wk = wb + (size_t)ci * 9 * B;
                        for (int ky = 0; ky < 3; ky++) {
                            const float *row = in + ky * p;
                            for (int kx = 0; kx < 3; kx++) {
                                const __m256 u = _mm256_loadu_ps(row + kx);
                                const float *w4 = wk + (ky * 3 + kx) * B;
                                a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(w4 + 0), u, a0);
                                a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(w4 + 1), u, a1);
                                a2 = _mm256_fmadd_ps(_mm256_broadcast_ss(w4 + 2), u, a2);
                                a3 = _mm256_fmadd_ps(_mm256_broadcast_ss(w4 + 3), u, a3);
                            }
                        }
                    }
                    STORE(a0, oc0 + 0, 0); STORE(a1, oc0 + 1, 0); STORE(a2, oc0 + 2, 0); STORE(a3, oc0 + 3, 0);
                }
                for (; col < s; col++)
                    for (int j = 0; j < B && oc0 + j < o; j++)
                        y[(size_t)(oc0 + j) * stride + (size_t)b * plane + (size_t)r * s + col] =
                            finish(pixel(workspace, wb + j, bias ? bias[oc0 + j] : 0, c, p, r, col), relu);
            }
        }
    }
}

#endif

bool palimpsest_direct_has_simd(void) {
#if PALIMPSEST_X86
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return false;
#endif
}

void palimpsest_direct_conv3x3(const float *x, const float *packed, const float *bias, float *y,
                               int c, int o, int n, int s, bool relu, int first, int count, int block_first, int block_count, float *workspace) {
#if PALIMPSEST_X86
    if (palimpsest_direct_has_simd()) {
        conv_avx2(x, packed, bias, y, c, o, n, s, relu, first, count, block_first, block_count, workspace);
        return;
    }
#endif
    palimpsest_direct_conv3x3_scalar(x, packed, bias, y, c, o, n, s, relu, first, count, block_first, block_count, workspace);
}
