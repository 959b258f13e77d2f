import CKernels

/// 3×3 convolution, stride 1, zero padding 1, on CNHW activations by Winograd's minimal filtering F(2×2, 3×3):
/// 16 batched sgemms on transformed tiles instead of one im2col sgemm, 2.25× fewer multiplications.
///
/// Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", CVPR 2016. Each 2×2 output tile is
/// Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A for its 4×4 input patch d (rows 2ty−1…2ty+2, zeros outside the image). With
/// U_k [O, C] (k = 4i + j, the 16 entries of G g Gᵀ) and V_k [C, T] (of Bᵀ d B over T tiles), the products are
/// M_k = U_k·V_k, one sgemm each. The backward passes use the same tiles:
/// * input gradient: the same-padded correlation of dy with the kernels flipped and transposed; in the transformed
///   domain that kernel is U with rows and columns 0 ↔ 3 swapped, so the sgemm reads U transposed (no new transform);
/// * weight gradient: Y is linear in U, so ∂L/∂U_k = Σ_tiles (A dY Aᵀ)_k ⊙ V_k, i.e. dU_k = dM_k·V_kᵀ (one sgemm each,
///   accumulated over chunks), then dg = Gᵀ dU G.
///
/// Shapes as `Conv3x3`: x [C, N, H, W], weight [O, C, 3, 3], bias [O], y [O, N, H, W]; tiles are numbered by
/// global tile row r = n·⌈H/2⌉ + ty, then tx, and processed in chunks of whole tile rows (`tileRowsPerChunk`).
/// Rounding: the transforms add and halve only, but float32 sums of up to 16 terms per tile entry make the error a
/// few times im2col's (bounded in `WinogradTests`, stated in docs/core.md).
enum Winograd {
    /// Target floats of one chunk's V and M buffers together (16 MiB).
    static let chunkBudget = 1 << 22
    /// Fewest tiles per chunk, so each of the 16 sgemms keeps a BLAS-friendly width.
    static let minimumTiles = 1024

    /// Tile rows and columns of an H×W image.
    static func tiles(height h: Int, width w: Int) -> (rows: Int, columns: Int) { ((h + 1) / 2, (w + 1) / 2) }

    /// Global tile rows per chunk for a layer with `inChannels` + `outChannels` channels.
    static func tileRowsPerChunk(inChannels c: Int, outChannels o: Int, batch n: Int, height h: Int, width w: Int) -> Int {
        let t = tiles(height: h, width: w)
        let byBudget = chunkBudget / (16 * (c + o) * t.columns)
        let byWidth = (minimumTiles + t.columns - 1) / t.columns
        return max(1, min(n * t.rows, max(byBudget, byWidth)))
    }

    /// Floats of the workspace `forward` and `backward` need: U and dU (16·O·C each), V and M for one chunk.
    static func workspaceCount(inChannels c: Int, outChannels o: Int, batch n: Int, height h: Int, width w: Int) -> Int {
        let rows = tileRowsPerChunk(inChannels: c, outChannels: o, batch: n, height: h, width: w)
        return 32 * o * c + 16 * (c + o) * rows * tiles(height: h, width: w).columns
    }

    // MARK: Transforms (input and output gradient in C, `winograd_transforms.c`: one channel per call, channels
    // spread over the pool)

    /// v [16, C, T] ← Bᵀ d B of the 4×4 patches of tile rows r0..<r0+rows of x [C, N, H, W]
    /// (Bᵀ rows: [1 0 −1 0], [0 1 1 0], [0 −1 1 0], [0 1 0 −1]); T = rows·⌈W/2⌉.
    static func transformInput(_ x: UnsafePointer<Float>, channels c: Int, batch n: Int, height h: Int, width w: Int,
                               firstRow r0: Int, rows: Int, into v: UnsafeMutablePointer<Float>,
                               isa: InstructionSet = .chosen) {
        let t = rows * tiles(height: h, width: w).columns, plane = h * w
        Parallel.forEach(c) { ch in
            palimpsest_winograd_input(isa.raw, x + ch * n * plane, Int32(h), Int32(w), Int32(r0), Int32(rows),
                                      v + ch * t, c * t)
        }
    }

    /// dm [16, O, T] ← A dY Aᵀ of the 2×2 tiles of dy [O, N, H, W] in tile rows r0..<r0+rows (zeros outside the
    /// image; A rows: [1 0], [1 1], [1 −1], [0 −1]).
    static func transformGradOutput(_ dy: UnsafePointer<Float>, channels o: Int, batch n: Int, height h: Int, width w: Int,
                                    firstRow r0: Int, rows: Int, into dm: UnsafeMutablePointer<Float>,
                                    isa: InstructionSet = .chosen) {
        let t = rows * tiles(height: h, width: w).columns, plane = h * w
        Parallel.forEach(o) { ch in
            palimpsest_winograd_grad_output(isa.raw, dy + ch * n * plane, Int32(h), Int32(w), Int32(r0), Int32(rows),
                                            dm + ch * t, o * t)
        }
    }

    /// u [16, O, C] ← G g Gᵀ for every kernel g = weight[o, c] (G rows: [1 0 0], [½ ½ ½], [½ −½ ½], [0 0 1]).
    static func transformWeights(_ weight: UnsafePointer<Float>, outChannels o: Int, inChannels c: Int,
                                 into u: UnsafeMutablePointer<Float>) {
        let stride = o * c
        Parallel.ranges(stride, grain: 256) { range in
            for oc in range {
                let g = weight + oc * 9
                // G g, one SIMD lane per kernel column: rows of the 4×3 product.
                let g0 = SIMD4<Float>(g[0], g[1], g[2], 0), g1 = SIMD4<Float>(g[3], g[4], g[5], 0)
                let g2 = SIMD4<Float>(g[6], g[7], g[8], 0)
                func store(_ r: SIMD4<Float>, row i: Int) {
                    let base = u + (4 * i) * stride + oc
                    base[0] = r[0]
                    base[stride] = 0.5 * (r[0] + r[1] + r[2])
                    base[2 * stride] = 0.5 * (r[0] - r[1] + r[2])
                    base[3 * stride] = r[2]
                }
                store(g0, row: 0); store(0.5 * (g0 + g1 + g2), row: 1); store(0.5 * (g0 - g1 + g2), row: 2); store(g2, row: 3)
            }
        }
    }

    /// dw [O, C, 3, 3] ← Gᵀ dU G for every (o, c), from du [16, O, C].
    static func weightGradient(_ du: UnsafePointer<Float>, outChannels o: Int, inChannels c: Int,
                               into dw: UnsafeMutablePointer<Float>) {
        let stride = o * c
        Parallel.ranges(stride, grain: 256) { range in
            for oc in range {
                // Gᵀ v for a 4-vector v: [v0 + ½(v1 + v2), ½(v1 − v2), ½(v1 + v2) + v3]; first along the rows of dU
                // (SIMD lane = column of dU), then along its columns.
                func row(_ i: Int) -> SIMD4<Float> {
                    let b = du + 4 * i * stride + oc
                    return SIMD4(b[0], b[stride], b[2 * stride], b[3 * stride])
                }
                let v0 = row(0), v1 = row(1), v2 = row(2), v3 = row(3)
                let d = dw + oc * 9
                func store(_ r: SIMD4<Float>, row y: Int) {
                    d[3 * y] = r[0] + 0.5 * (r[1] + r[2]); d[3 * y + 1] = 0.5 * (r[1] - r[2]); d[3 * y + 2] = 0.5 * (r[1] + r[2]) + r[3]
                }
                store(v0 + 0.5 * (v1 + v2), row: 0); store(0.5 * (v1 - v2), row: 1); store(0.5 * (v1 + v2) + v3, row: 2)
            }
        }
    }

    /// y tiles of rows r0..<r0+rows ← Aᵀ M A (+ bias, then max(·, 0) when `relu`) from m [16, O, T]
    /// (Aᵀ rows: [1 1 1 0], [0 1 −1 −1]); parts of tiles outside the image are dropped.
    static func transformOutput(_ m: UnsafePointer<Float>, channels o: Int, batch n: Int, height h: Int, width w: Int,
                                firstRow r0: Int, rows: Int, bias: UnsafePointer<Float>?, relu: Bool,
                                into y: UnsafeMutablePointer<Float>) {
        let (th, tw) = tiles(height: h, width: w)
        let t = rows * tw, stride = o * t, plane = h * w
        Parallel.forEach(o) { ch in
            let b = bias?[ch] ?? 0
            for r in 0..<rows {
                let img = (r0 + r) / th, ty = (r0 + r) % th
                let src = m + ch * t + r * tw
                let dst = y + (ch * n + img) * plane
                let y1 = 2 * ty + 1
                let row0 = dst + 2 * ty * w, row1 = row0 + w
                // Eight whole tiles at a time, one SIMD lane per tile: the same operations in the same order as
                // the tile-by-tile loop below, so the same bits. A last tile cut by an odd width stays scalar.
                let whole = w % 2 == 0 ? tw : tw - 1
                var tx = 0
                while tx + 8 <= whole {
                    let p = src + tx
                    func at(_ k: Int) -> SIMD8<Float> { UnsafeRawPointer(p + k * stride).loadUnaligned(as: SIMD8<Float>.self) }
                    let top0 = at(0) + at(4) + at(8), top1 = at(1) + at(5) + at(9)
                    let top2 = at(2) + at(6) + at(10), top3 = at(3) + at(7) + at(11)
                    let bottom0 = at(4) - at(8) - at(12), bottom1 = at(5) - at(9) - at(13)
                    let bottom2 = at(6) - at(10) - at(14), bottom3 = at(7) - at(11) - at(15)
                    var v00 = top0 + top1 + top2 + b, v01 = top1 - top2 - top3 + b
                    var v10 = bottom0 + bottom1 + bottom2 + b, v11 = bottom1 - bottom2 - bottom3 + b
                    if relu {
                        v00.replace(with: 0, where: v00 .<= 0); v01.replace(with: 0, where: v01 .<= 0)
                        v10.replace(with: 0, where: v10 .<= 0); v11.replace(with: 0, where: v11 .<= 0)
                    }
                    UnsafeMutableRawPointer(row0 + 2 * tx).storeBytes(of: interleave(v00, v01), as: SIMD16<Float>.self)
                    if y1 < h { UnsafeMutableRawPointer(row1 + 2 * tx).storeBytes(of: interleave(v10, v11), as: SIMD16<Float>.self) }
                    tx += 8
                }
                for tx in tx..<tw {
                    // Aᵀ along the rows (top = row 0 of Aᵀ M, bottom = row 1), then along the columns.
                    let m0 = SIMD4<Float>(src[tx], src[stride + tx], src[2 * stride + tx], src[3 * stride + tx])
                    let m1 = SIMD4<Float>(src[4 * stride + tx], src[5 * stride + tx], src[6 * stride + tx], src[7 * stride + tx])
                    let m2 = SIMD4<Float>(src[8 * stride + tx], src[9 * stride + tx], src[10 * stride + tx], src[11 * stride + tx])
                    let m3 = SIMD4<Float>(src[12 * stride + tx], src[13 * stride + tx], src[14 * stride + tx], src[15 * stride + tx])
                    let top = m0 + m1 + m2, bottom = m1 - m2 - m3
                    var v00 = top[0] + top[1] + top[2] + b, v01 = top[1] - top[2] - top[3] + b
                    var v10 = bottom[0] + bottom[1] + bottom[2] + b, v11 = bottom[1] - bottom[2] - bottom[3] + b
                    if relu { v00 = max(v00, 0); v01 = max(v01, 0); v10 = max(v10, 0); v11 = max(v11, 0) }
                    let x0 = 2 * tx
                    row0[x0] = v00
                    if x0 + 1 < w { row0[x0 + 1] = v01 }
                    if y1 < h {
                        row1[x0] = v10
                        if x0 + 1 < w { row1[x0 + 1] = v11 }
                    }
                }
            }
        }
    }
}

extension Winograd {
    /// (a₀, b₀, a₁, b₁, …, a₇, b₇): two adjacent output columns of eight tiles, in image order.
    @inline(__always)
    static func interleave(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD16<Float> {
        SIMD16(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
    }

    /// For the input gradient's kernel (flipped and transposed): entry k of its transform is entry `flipped[k]` of U.
    static let flipped: [Int] = (0..<16).map { k in
        let q = [3, 1, 2, 0]
        return 4 * q[k / 4] + q[k % 4]
    }

    /// y ← conv(x, weight) + bias, then max(·, 0) when `relu`. `workspace` holds `workspaceCount` floats (or the
    /// same count for `rowsPerChunk` tile rows per chunk when that overrides the chunking). `instructionSet` runs
    /// the C transforms (every one gives the same bits; the tests compare them).
    static func forward(
        input x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        output y: UnsafeMutablePointer<Float>, inChannels c: Int, outChannels o: Int,
        batch n: Int, height h: Int, width w: Int, relu: Bool, workspace ws: UnsafeMutablePointer<Float>,
        rowsPerChunk: Int? = nil, instructionSet isa: InstructionSet = .chosen
    ) {
        let tw = tiles(height: h, width: w).columns, total = n * tiles(height: h, width: w).rows
        let step = rowsPerChunk ?? tileRowsPerChunk(inChannels: c, outChannels: o, batch: n, height: h, width: w)
        let u = ws, v = ws + 32 * o * c, m = v + 16 * c * step * tw
        transformWeights(weight, outChannels: o, inChannels: c, into: u)
        var r0 = 0
        while r0 < total {
            let rows = min(step, total - r0), t = rows * tw
            transformInput(x, channels: c, batch: n, height: h, width: w, firstRow: r0, rows: rows, into: v, isa: isa)
            for k in 0..<16 {
                BLAS.sgemm(m: o, n: t, k: c, a: u + k * o * c, lda: c, b: v + k * c * t, ldb: t,
                           beta: 0, c: m + k * o * t, ldc: t)
            }
            transformOutput(m, channels: o, batch: n, height: h, width: w, firstRow: r0, rows: rows,
                            bias: bias, relu: relu, into: y)
            r0 += rows
        }
    }

    /// Weight and bias gradients (when `gradWeight` is given) and input gradients (when `gradInput` is given)
    /// from dy [O, N, H, W] (already ReLU-masked); `workspace` as in `forward`.
    static func backward(
        input x: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput dy: UnsafePointer<Float>,
        gradWeight dw: UnsafeMutablePointer<Float>?, gradBias db: UnsafeMutablePointer<Float>?,
        gradInput dx: UnsafeMutablePointer<Float>?, inChannels c: Int, outChannels o: Int,
        batch n: Int, height h: Int, width w: Int, workspace ws: UnsafeMutablePointer<Float>,
        rowsPerChunk: Int? = nil, instructionSet isa: InstructionSet = .chosen
    ) {
        if let db { Conv3x3.biasGradient(dy, channels: o, count: n * h * w, into: db) }
        let tw = tiles(height: h, width: w).columns, total = n * tiles(height: h, width: w).rows
        let step = rowsPerChunk ?? tileRowsPerChunk(inChannels: c, outChannels: o, batch: n, height: h, width: w)
        let u = ws, du = ws + 16 * o * c, v = ws + 32 * o * c, m = v + 16 * c * step * tw
        if dx != nil { transformWeights(weight, outChannels: o, inChannels: c, into: u) }
        var r0 = 0
        while r0 < total {
            let rows = min(step, total - r0), t = rows * tw
            if dw != nil {
                transformInput(x, channels: c, batch: n, height: h, width: w, firstRow: r0, rows: rows, into: v, isa: isa)
                transformGradOutput(dy, channels: o, batch: n, height: h, width: w, firstRow: r0, rows: rows, into: m, isa: isa)
                for k in 0..<16 {
                    BLAS.sgemm(transB: true, m: o, n: c, k: t, a: m + k * o * t, lda: t, b: v + k * c * t, ldb: t,
                               beta: r0 == 0 ? 0 : 1, c: du + k * o * c, ldc: c)
                }
            }
            if let dx {
                transformInput(dy, channels: o, batch: n, height: h, width: w, firstRow: r0, rows: rows, into: m, isa: isa)
                for k in 0..<16 {
                    BLAS.sgemm(transA: true, m: c, n: t, k: o, a: u + flipped[k] * o * c, lda: c, b: m + k * o * t, ldb: t,
                               beta: 0, c: v + k * c * t, ldc: t)
                }
                transformOutput(v, channels: c, batch: n, height: h, width: w, firstRow: r0, rows: rows,
                                bias: nil, relu: false, into: dx)
            }
            r0 += rows
        }
        if let dw { weightGradient(du, outChannels: o, inChannels: c, into: dw) }
    }
}
