/// Which kernel computes a 3×3 conv layer.
public enum ConvolutionKernel: String, Sendable, CaseIterable {
    /// im2col + one sgemm per chunk (`Conv3x3`): the reference, exact to float32 GEMM rounding.
    case im2col
    /// Winograd F(2×2, 3×3) over 16 batched sgemms (`Winograd`): 2.25× fewer multiplications, a few times the rounding.
    case winograd
    /// Direct AVX2/FMA register tiles (`DirectConv3x3`) for the forward pass and the input gradient, im2col + sgemm
    /// for the weight gradient: float32 dot products of length 9C like im2col's, summed in another order.
    case direct
    /// `direct` with the direct weight gradient too (`DirectConv3x3.backward`'s `directWeightGradient`): 1.2–1.6×
    /// faster backward passes on thin layers, but another rounding of every weight update, on whose training path
    /// the science test's one-seed checks failed; forced only (docs/core.md, "The direct weight gradient").
    case directAll = "direct_all"

    /// The faster kernel for a layer with `inChannels` → `outChannels` channels on `size`×`size` images, by
    /// measurement on 2 Zen 4 cores (`palimpsest bench --layers`, docs/core.md): Winograd where its 16 GEMMs keep a
    /// deep K (C ≥ 64) and the images are not tiny for that width (C·S ≥ 1 024); the direct kernel on the thin
    /// layers with large images (C ≤ 32, S ≥ 32) when the CPU has AVX2 and FMA, where im2col's GEMMs are too short
    /// for the BLAS; im2col elsewhere.
    /// Not chosen, though faster: the direct kernel on blocks 3–4 of the scaled network (8–16 px, C ≤ 128; scaled64
    /// inference 1.13–1.31×), whose training path failed three of the science test's checks, on one seed and on
    /// three (docs/core.md, "The flat walk for small images").
    static func preferred(inChannels c: Int, outChannels o: Int, size: Int) -> ConvolutionKernel {
        if c >= 64 && c * size >= 1024 { return .winograd }
        if c <= 32 && size >= 32 && DirectConv3x3.hasSIMD { return .direct }
        return .im2col
    }

    /// Floats of workspace the layer needs with this kernel.
    func workspaceCount(inChannels c: Int, outChannels o: Int, batch n: Int, size s: Int) -> Int {
        switch self {
        case .im2col: return Conv3x3.columnCount(channels: c, batch: n, plane: s * s)
        case .winograd: return Winograd.workspaceCount(inChannels: c, outChannels: o, batch: n, height: s, width: s)
        case .direct, .directAll:
            return DirectConv3x3.workspaceCount(inChannels: c, outChannels: o, batch: n, size: s,
                                                directWeightGradient: self == .directAll)
        }
    }

    /// y ← conv(x, weight) + bias (then ReLU when `relu`) with this kernel; shapes as `Conv3x3.forward`.
    func forward(
        input x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        output y: UnsafeMutablePointer<Float>, inChannels c: Int, outChannels o: Int,
        batch n: Int, size s: Int, relu: Bool, workspace ws: UnsafeMutablePointer<Float>
    ) {
        switch self {
        case .im2col:
            Conv3x3.forward(input: x, weight: weight, bias: bias, output: y, inChannels: c, outChannels: o,
                            batch: n, height: s, width: s, relu: relu, column: ws)
        case .winograd:
            Winograd.forward(input: x, weight: weight, bias: bias, output: y, inChannels: c, outChannels: o,
                             batch: n, height: s, width: s, relu: relu, workspace: ws)
        case .direct, .directAll:
            DirectConv3x3.forward(input: x, weight: weight, bias: bias, output: y, inChannels: c, outChannels: o,
                                  batch: n, size: s, relu: relu, workspace: ws)
        }
    }

    /// Weight, bias and input gradients (each when given) with this kernel; shapes as `Conv3x3.backward`.
    func backward(
        input x: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput dy: UnsafePointer<Float>,
        gradWeight dw: UnsafeMutablePointer<Float>?, gradBias db: UnsafeMutablePointer<Float>?,
        gradInput dx: UnsafeMutablePointer<Float>?, inChannels c: Int, outChannels o: Int,
        batch n: Int, size s: Int, workspace ws: UnsafeMutablePointer<Float>
    ) {
        switch self {
        case .im2col:
            Conv3x3.backward(input: x, weight: weight, gradOutput: dy, gradWeight: dw, gradBias: db, gradInput: dx,
                             inChannels: c, outChannels: o, batch: n, height: s, width: s, column: ws)
        case .winograd:
            Winograd.backward(input: x, weight: weight, gradOutput: dy, gradWeight: dw, gradBias: db, gradInput: dx,
                              inChannels: c, outChannels: o, batch: n, height: s, width: s, workspace: ws)
        case .direct, .directAll:
            DirectConv3x3.backward(input: x, weight: weight, gradOutput: dy, gradWeight: dw, gradBias: db, gradInput: dx,
                                   inChannels: c, outChannels: o, batch: n, size: s,
                                   directWeightGradient: self == .directAll, workspace: ws)
        }
    }
}
