#ifndef PALIMPSEST_WINOGRAD_TRANSFORMS_H
#define PALIMPSEST_WINOGRAD_TRANSFORMS_H

#include <stdbool.h>
#include <stddef.h>

#include "direct_conv3x3.h"

// Two tile transforms of Winograd's F(2×2, 3×3) (Swift: `Winograd`), one channel per call so that the caller's
// pool spreads channels over cores. Each runs on instruction set `isa` (palimpsest_direct_supports must hold);
// every path computes each value with the same float32 additions and halvings in the same order (no contraction),
// so every path gives the same bits. Tiles: ⌈H/2⌉ tile rows per image, ⌈W/2⌉ = tw tiles per row; a call covers
// `rows` global tile rows from r0 (row r is image r / ⌈H/2⌉, tile row r % ⌈H/2⌉), T = rows · tw tiles.

/// out[k · stride + t] ← (Bᵀ d B)_k of tile t's 4×4 patch d of one channel's n images x [N, H, W]
/// (rows 2ty − 1 … 2ty + 2, zeros outside the image), for k < 16 and t < T.
void palimpsest_winograd_input(palimpsest_direct_isa isa, const float *x, int h, int w, int r0, int rows,
                               float *out, size_t stride);

/// out[k · stride + t] ← (A dY Aᵀ)_k of tile t's 2×2 block of one channel's dy [N, H, W] (zeros outside).
void palimpsest_winograd_grad_output(palimpsest_direct_isa isa, const float *dy, int h, int w, int r0, int rows,
                                     float *out, size_t stride);

#endif
