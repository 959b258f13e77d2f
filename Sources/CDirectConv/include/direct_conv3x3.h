#ifndef PALIMPSEST_DIRECT_CONV3X3_H
#define PALIMPSEST_DIRECT_CONV3X3_H

#include <stdbool.h>
#include <stddef.h>

/// Output channels per block of the packed weights (one broadcast register each).
#define PALIMPSEST_DIRECT_BLOCK 4

/// Floats of packed weights for `o` output and `c` input channels: ceil(o / 4) blocks of c × 9 × 4.
size_t palimpsest_direct_packed_count(int c, int o);

/// Floats of padding workspace one call needs: c planes of (s + 2)² plus one vector of slack.
size_t palimpsest_direct_workspace_count(int c, int s);

/// Packs w[o][c][3][3] into blocks of 4 output channels, [block][c][9][4], zero beyond o. With `flip`, packs the
/// input-gradient kernel instead: w'[c][o][2 − ky][2 − kx] (so `c` and `o` swap roles: it packs c output channels
/// of o inputs each).
void palimpsest_direct_pack(const float *w, int c, int o, bool flip, float *packed);

/// y[oc][b][·] ← Σ_ci Σ_ky,kx packed · x (zero padding 1, stride 1), plus bias[oc] when bias is not NULL, then
/// max(·, 0) when relu, for output blocks [block_first, block_first + block_count) (4 channels each) and images
/// b in [first, first + count) of a CNHW batch of n images of s × s. Channel strides are n·s²; rows run as SIMD
/// tiles of 16 or 8 pixels, the rest of a row pixel by pixel. Each output is one fused multiply–add chain in the
/// order ci, ky, kx, so the AVX2 path and the scalar path give the same bits. `workspace` holds
/// palimpsest_direct_workspace_count floats.
void palimpsest_direct_conv3x3(const float *x, const float *packed, const float *bias, float *y,
                               int c, int o, int n, int s, bool relu, int first, int count,
                               int block_first, int block_count, float *workspace);

/// The scalar path of palimpsest_direct_conv3x3 (the twin the tests compare the SIMD path with, bit for bit).
void palimpsest_direct_conv3x3_scalar(const float *x, const float *packed, const float *bias, float *y,
                                      int c, int o, int n, int s, bool relu, int first, int count,
                                      int block_first, int block_count, float *workspace);

/// Floats of workspace one weight-gradient call needs: a padded image (palimpsest_direct_workspace_count) and the
/// accumulators of one block of 4 output channels (c × 9 × 4 × 9).
size_t palimpsest_direct_weight_gradient_workspace_count(int c, int s);

/// dw[oc][ci][ky][kx] ← Σ_b Σ_r,col dy[oc][b][r][col] · x[ci][b][r + ky − 1][col + kx − 1] (zero padding 1) for the
/// output channels of blocks [block_first, block_first + block_count) (4 channels each), over all n images of a CNHW
/// batch of s × s (dw is overwritten). For each image and weight, 8 lanes sum the columns below s − s mod 8 that are
/// congruent to the lane mod 8, each one fmaf chain in the order (row, column), a scalar sums the other columns;
/// the image's partial is a fixed tree over the lanes plus the tail, and the partials are added in image order. So
/// the AVX2 path and the scalar path give the same bits, and the result does not depend on how blocks are split
/// between calls. `workspace` holds palimpsest_direct_weight_gradient_workspace_count floats.
void palimpsest_direct_weight_gradient(const float *x, const float *dy, float *dw, int c, int o, int n, int s,
                                       int block_first, int block_count, float *workspace);

/// The scalar path of palimpsest_direct_weight_gradient (its bit-for-bit twin in the tests).
void palimpsest_direct_weight_gradient_scalar(const float *x, const float *dy, float *dw, int c, int o, int n, int s,
                                              int block_first, int block_count, float *workspace);

/// Whether this CPU runs the AVX2/FMA path (otherwise the scalar path runs, with the same results, far slower).
bool palimpsest_direct_has_simd(void);

#endif
