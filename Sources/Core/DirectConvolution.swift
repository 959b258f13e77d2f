import CKernels
import Foundation

/// 3×3 convolution, stride 1, zero padding 1, computed directly with AVX-512 or AVX2/FMA register tiles (C target
/// `CKernels`): 4 output channels × 64 (AVX-512) or 16 (AVX2) pixels of a row accumulate the C × 9 products in
/// registers, with bias and ReLU fused into the store; on images of 16 px or less the tiles run along one flat row
/// over the whole padded image instead (`Tiling`). For the thin layers of the scaled network, whose im2col GEMMs
/// (16–32 rows, K = 9C) are too short for the BLAS to reach its speed, and, when forced, its small images (8–16 px).
///
/// Shapes as `Conv3x3`: x [C, N, S, S], weight [O, C, 3, 3], bias [O], y [O, N, S, S]. The input gradient is the
/// same kernel on dy with the weights flipped and transposed. Each output is one fused multiply–add chain in the
/// order (c, ky, kx), so the AVX-512, AVX2 and scalar paths agree bit for bit; the rounding is that of a float32 dot
/// product of length 9C, like im2col's but summed in another order. The weight gradient is im2col + sgemm
/// (`Conv3x3.backward`), or on request the direct reduction: each image summed in 8 lanes of fused multiply–adds
/// (4 output channels × 3 taps in registers) and the images' partials added in order, also bit-identical to its
/// scalar twin and independent of the thread count, since each worker owns whole blocks of output channels.
enum DirectConv3x3 {
    /// Whether this CPU runs SIMD tiles (else every call takes the scalar twin, far slower than im2col).
    static let hasSIMD = InstructionSet.widest != .scalar

    /// How a block's outputs are walked; both give the same bits (every output is the same chain, the dropped
    /// outputs of `flat` are never stored).
    enum Tiling: CaseIterable {
        /// Row by row: tiles of 64, 32 or 16 (AVX2: 16 or 8) pixels, then pixel by pixel.
        case rows
        /// One flat row over the padded image, tiles crossing row ends, its two border columns per row computed and
        /// dropped: for small images, whose rows are shorter than the tiles.
        case flat

        /// `flat` for images of 16 px or less (rows of at most one AVX-512 tile), else `rows`.
        static func preferred(size s: Int) -> Tiling { s <= 16 ? .flat : .rows }
    }

    /// Floats of workspace for `forward` and `backward`: packed weights and one padded image per worker, and for
    /// the weight gradient im2col's column buffer or (`directWeightGradient`) one padded image and one block's
    /// accumulators per worker.
    static func workspaceCount(inChannels c: Int, outChannels o: Int, batch n: Int, size s: Int,
                               directWeightGradient: Bool = false) -> Int {
        let forward = packedCount(c, o) + Parallel.width * paddedCount(c, s)
        let inputGradient = packedCount(o, c) + Parallel.width * paddedCount(o, s)
        let weightGradient = directWeightGradient ? Parallel.width * weightGradientCount(c, s)
            : Conv3x3.columnCount(channels: c, batch: n, plane: s * s)
        return max(forward, inputGradient, weightGradient)
    }

    private static func packedCount(_ c: Int, _ o: Int) -> Int { palimpsest_direct_packed_count(Int32(c), Int32(o)) }
    private static func paddedCount(_ c: Int, _ s: Int) -> Int { palimpsest_direct_workspace_count(Int32(c), Int32(s)) }
    private static func weightGradientCount(_ c: Int, _ s: Int) -> Int {
        palimpsest_direct_weight_gradient_workspace_count(Int32(c), Int32(s))
    }

    /// y ← conv(x, weight) + bias, then max(·, 0) when `relu`. `workspace` holds `workspaceCount` floats.
    /// `tiling` defaults to the preferred one for the size (the tests run both).
    static func forward(
        input x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        output y: UnsafeMutablePointer<Float>, inChannels c: Int, outChannels o: Int,
        batch n: Int, size s: Int, relu: Bool, workspace ws: UnsafeMutablePointer<Float>,
        instructionSet isa: InstructionSet = .chosen, tiling: Tiling? = nil
    ) {
        palimpsest_direct_pack(weight, Int32(c), Int32(o), false, ws)
        run(x, packed: ws, bias: bias, y, inChannels: c, outChannels: o, batch: n, size: s, relu: relu,
            pads: ws + packedCount(c, o), isa: isa, tiling: tiling ?? Tiling.preferred(size: s))
    }

    /// Weight, bias and input gradients (each when given): db as `Conv3x3.backward`, dW as `Conv3x3.backward` or by
    /// the direct reduction (`directWeightGradient`), dx ← the direct convolution of dy with the flipped, transposed
    /// kernels. `workspace` holds `workspaceCount` floats for the same `directWeightGradient`.
    static func backward(
        input x: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput dy: UnsafePointer<Float>,
        gradWeight dw: UnsafeMutablePointer<Float>?, gradBias db: UnsafeMutablePointer<Float>?,
        gradInput dx: UnsafeMutablePointer<Float>?, inChannels c: Int, outChannels o: Int,
        batch n: Int, size s: Int, directWeightGradient: Bool = false, workspace ws: UnsafeMutablePointer<Float>,
        instructionSet isa: InstructionSet = .chosen, tiling: Tiling? = nil
    ) {
        if directWeightGradient {
            if let db { Conv3x3.biasGradient(dy, channels: o, count: n * s * s, into: db) }
            if let dw { weightGradient(x, dy, dw, inChannels: c, outChannels: o, batch: n, size: s, workspace: ws, isa: isa) }
        } else if dw != nil || db != nil {
            Conv3x3.backward(input: x, weight: weight, gradOutput: dy, gradWeight: dw, gradBias: db, gradInput: nil,
                             inChannels: c, outChannels: o, batch: n, height: s, width: s, column: ws)
        }
        guard let dx else { return }
        palimpsest_direct_pack(weight, Int32(c), Int32(o), true, ws)
        run(dy, packed: ws, bias: nil, dx, inChannels: o, outChannels: c, batch: n, size: s, relu: false,
            pads: ws + packedCount(o, c), isa: isa, tiling: tiling ?? Tiling.preferred(size: s))
    }

    /// dW over the whole batch, the output-channel blocks split between the workers (each pads every image itself).
    private static func weightGradient(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dw: UnsafeMutablePointer<Float>, inChannels c: Int,
        outChannels o: Int, batch n: Int, size s: Int, workspace ws: UnsafeMutablePointer<Float>, isa: InstructionSet
    ) {
        let blocks = (o + Int(PALIMPSEST_DIRECT_BLOCK) - 1) / Int(PALIMPSEST_DIRECT_BLOCK)
        let parts = min(Parallel.width, blocks), each = weightGradientCount(c, s)
        Parallel.forEach(parts) { p in
            let lo = blocks * p / parts, hi = blocks * (p + 1) / parts
            palimpsest_direct_weight_gradient(isa.raw, x, dy, dw, Int32(c), Int32(o), Int32(n), Int32(s), Int32(lo), Int32(hi - lo), ws + p * each)
        }
    }

    /// Runs the kernel over the batch on every worker: whole images per worker when there are enough, else
    /// blocks of output channels (each worker then pads every image itself).
    private static func run(
        _ x: UnsafePointer<Float>, packed: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        _ y: UnsafeMutablePointer<Float>, inChannels c: Int, outChannels o: Int, batch n: Int, size s: Int,
        relu: Bool, pads: UnsafeMutablePointer<Float>, isa: InstructionSet, tiling: Tiling
    ) {
        let blocks = (o + Int(PALIMPSEST_DIRECT_BLOCK) - 1) / Int(PALIMPSEST_DIRECT_BLOCK)
        let byImages = n >= Parallel.width
        let parts = min(Parallel.width, byImages ? n : blocks)
        let pad = paddedCount(c, s)
        Parallel.forEach(parts) { p in
            let total = byImages ? n : blocks, lo = total * p / parts, hi = total * (p + 1) / parts
            let images = byImages ? (lo, hi - lo) : (0, n), range = byImages ? (0, blocks) : (lo, hi - lo)
            palimpsest_direct_conv3x3(isa.raw, x, packed, bias, y, Int32(c), Int32(o), Int32(n), Int32(s), relu,
                                      tiling == .flat, Int32(images.0), Int32(images.1), Int32(range.0),
                                      Int32(range.1), pads + p * pad)
        }
    }
}
