#ifndef PALIMPSEST_DIRECT_CONV3X3_H
#define PALIMPSEST_DIRECT_CONV3X3_H

#include <stdbool.h>
#include <stddef.h>

/// Output channels per block of the packed weights (one broadcast register each).
#define PALIMPSEST_DIRECT_BLOCK 4

/// The instruction sets the kernels run on. Every path gives the same bits (each output, and each weight-gradient
/// lane, is the same fused multiply–add chain in the same order); only their speed differs.
typedef enum {
    PALIMPSEST_DIRECT_SCALAR = 0,
    PALIMPSEST_DIRECT_AVX2 = 1,
    PALIMPSEST_DIRECT_AVX512 = 2,
} palimpsest_direct_isa;

/// Whether this CPU runs `isa` (the scalar path always; AVX2 needs AVX2 and FMA; AVX-512 needs those and AVX-512F).
bool palimpsest_direct_supports(palimpsest_direct_isa isa);

/// Floats of packed weights for `o` output and `c` input channels: ceil(o / 4) blocks of c × 9 × 4.
size_t palimpsest_direct_packed_count(int c, int o);

/// Floats of workspace one call needs: c planes of (s + 2)², one vector of slack, and the flat walk's staging rows.
size_t palimpsest_direct_workspace_count(int c, int s);

/// Packs w[o][c][3][3] into blocks of 4 output channels, [block][c][9][4], zero beyond o. With `flip`, packs the
/// input-gradient kernel instead: w'[c][o][2 − ky][2 − kx] (so `c` and `o` swap roles: it packs c output channels
/// of o inputs each).
void palimpsest_direct_pack(const float *w, int c, int o, bool flip, float *packed);

/// y[oc][b][·] ← Σ_ci Σ_ky,kx packed · x (zero padding 1, stride 1), plus bias[oc] when bias is not NULL, then
/// max(·, 0) when relu, for output blocks [block_first, block_first + block_count) (4 channels each) and images
/// b in [first, first + count) of a CNHW batch of n images of s × s, on instruction set `isa` (which the CPU must
/// support). Channel strides are n·s²; rows run as SIMD tiles (AVX-512: 64, 32 or 16 pixels, then AVX2: 16 or 8),
/// the rest of a row pixel by pixel. With `flat`, the tiles run instead along one flat row of s·(s + 2) − 2 outputs
/// over the padded image (crossing row ends; the two border columns per row are computed and dropped), rounded up
/// to whole tiles of 8, for images whose rows are shorter than the tiles. Each output is one fused multiply–add
/// chain in the order ci, ky, kx, so every path and both walks give the same bits. `workspace` holds
/// palimpsest_direct_workspace_count floats.
void palimpsest_direct_conv3x3(palimpsest_direct_isa isa, const float *x, const float *packed, const float *bias,
                               float *y, int c, int o, int n, int s, bool relu, bool flat, int first, int count,
                               int block_first, int block_count, float *workspace);

/// Floats of workspace one weight-gradient call needs: a padded image (palimpsest_direct_workspace_count) and the
/// accumulators of one block of 4 output channels (c × 9 × 4 × 9).
size_t palimpsest_direct_weight_gradient_workspace_count(int c, int s);

/// dw[oc][ci][ky][kx] ← Σ_b Σ_r,col dy[oc][b][r][col] · x[ci][b][r + ky − 1][col + kx − 1] (zero padding 1) for the
/// output channels of blocks [block_first, block_first + block_count) (4 channels each), over all n images of a CNHW
/// batch of s × s (dw is overwritten), on `isa` (AVX-512 runs the AVX2 path). Image b's dy is read in the padded
/// image's row layout (s rows of s + 2, zeros between), one flat range of pixels i; for each image and weight, 8
/// lanes sum the pixels i ≡ lane (mod 8), each one fmaf chain in ascending i; the image's partial is a fixed tree
/// over the lanes, and the partials are added in image order. So every path gives the same bits, and the result
/// does not depend on how blocks are split between calls. `workspace` holds
/// palimpsest_direct_weight_gradient_workspace_count floats.
void palimpsest_direct_weight_gradient(palimpsest_direct_isa isa, const float *x, const float *dy, float *dw,
                                       int c, int o, int n, int s, int block_first, int block_count, float *workspace);

#endif
