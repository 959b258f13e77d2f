import Foundation

/// Timings of Core's own kernels, for `palimpsest bench` (module Benchmarks): sgemm and every 3×3 conv kernel on a
/// layer shape, which the rest of the project never calls directly. Fastest of the timed passes after a warm-up.
public enum KernelTiming {
    /// Speed of one conv layer shape with one kernel.
    public struct ConvLayer: Sendable, Equatable {
        /// The first layer of that shape (`block1.conv2`).
        public var layer: String
        public var inChannels: Int, outChannels: Int
        /// Image side in pixels.
        public var size: Int
        public var kernel: ConvolutionKernel
        /// Effective GFLOP/s (2·O·9C·H·W·N FLOPs per pass) of the forward pass (bias + ReLU included).
        public var forwardGFLOPS: Double
        /// Effective GFLOP/s of the weight, bias and input gradients together (twice the forward FLOPs).
        public var backwardGFLOPS: Double
        /// Whether the network uses this kernel for this shape (`ConvolutionKernel.preferred`).
        public var preferred: Bool
    }

    /// BLAS and the project's pool on every core.
    public static func useAllCores() { BLAS.setThreads(Parallel.width) }

    /// Wall seconds of `body`.
    public static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// GFLOP/s of C ← A·B for size×size matrices (fastest of `repetitions` after one warm-up).
    public static func sgemmGFLOPS(size n: Int, repetitions: Int) -> Double {
        let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        let times: [Double] = (0...repetitions).map { _ in
            seconds {
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                    BLAS.sgemm(m: n, n: n, k: n, a: ap.baseAddress!, lda: n, b: bp.baseAddress!, ldb: n, beta: 0,
                               c: cp.baseAddress!, ldc: n)
                } } }
            }
        }
        let best = times.dropFirst().min()!
        return 2 * Double(n) * Double(n) * Double(n) / best / 1e9
    }

    /// Every distinct conv layer shape of `model` with every kernel on `batch` images, back to back per shape, on
    /// deterministic data.
    public static func convLayers(of model: VGG16, batch n: Int, repetitions: Int) -> [ConvLayer] {
        var results: [ConvLayer] = []
        var seen = Set<[Int]>()
        for layer in model.layers {
            guard case .conv(let c) = layer, seen.insert([c.inChannels, c.outChannels, c.size]).inserted else { continue }
            let plane = c.size * c.size
            let x = (0..<(c.inChannels * n * plane)).map { Float($0 % 251) / 251 }
            let w = model.parameters[c.weight].value, b = [Float](repeating: 0.01, count: c.outChannels)
            let dy = (0..<(c.outChannels * n * plane)).map { Float($0 % 17) / 17 - 0.5 }
            var y = [Float](repeating: 0, count: dy.count), dx = [Float](repeating: 0, count: x.count)
            var dw = [Float](repeating: 0, count: w.count), db = b
            let flops = 2 * Double(c.outChannels * c.inChannels * 9 * plane * n)
            let preferred = ConvolutionKernel.preferred(inChannels: c.inChannels, outChannels: c.outChannels, size: c.size)
            for kernel in ConvolutionKernel.allCases {
                var ws = [Float](repeating: 0, count: kernel.workspaceCount(inChannels: c.inChannels,
                                                                         outChannels: c.outChannels, batch: n, size: c.size))
                var forward: [Double] = [], backward: [Double] = []
                x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in b.withUnsafeBufferPointer { bp in
                    dy.withUnsafeBufferPointer { gp in y.withUnsafeMutableBufferPointer { yp in
                        dx.withUnsafeMutableBufferPointer { dxp in dw.withUnsafeMutableBufferPointer { dwp in
                            db.withUnsafeMutableBufferPointer { dbp in ws.withUnsafeMutableBufferPointer { sp in
                                for _ in 0...repetitions {
                                    forward.append(seconds {
                                        kernel.forward(input: xp.baseAddress!, weight: wp.baseAddress!, bias: bp.baseAddress!,
                                                       output: yp.baseAddress!, inChannels: c.inChannels,
                                                       outChannels: c.outChannels, batch: n, size: c.size, relu: true,
                                                       workspace: sp.baseAddress!)
                                    })
                                    backward.append(seconds {
                                        kernel.backward(input: xp.baseAddress!, weight: wp.baseAddress!,
                                                        gradOutput: gp.baseAddress!, gradWeight: dwp.baseAddress!,
                                                        gradBias: dbp.baseAddress!, gradInput: dxp.baseAddress!,
                                                        inChannels: c.inChannels, outChannels: c.outChannels, batch: n,
                                                        size: c.size, workspace: sp.baseAddress!)
                                    })
                                }
                            } }
                        } }
                    } }
                } } }
                results.append(ConvLayer(layer: c.name, inChannels: c.inChannels, outChannels: c.outChannels, size: c.size,
                                         kernel: kernel, forwardGFLOPS: flops / forward.dropFirst().min()! / 1e9,
                                         backwardGFLOPS: 2 * flops / backward.dropFirst().min()! / 1e9,
                                         preferred: kernel == preferred))
            }
        }
        return results
    }
}

extension VGG16 {
    /// FLOPs of one training step on `batch` images with the current frozen blocks: forward, weight gradients of
    /// trainable layers, input gradients above the lowest trainable layer (2 FLOPs per multiply–add).
    public func trainingStepFLOPs(batch: Int) -> Double {
        let lowest = lowestTrainableLayer
        var total = 0.0
        for (li, layer) in layers.enumerated() {
            let f: Double
            switch layer {
            case .conv(let c): f = 2 * Double(c.outChannels * c.inChannels * 9 * c.size * c.size)
            case .dense(let d): f = 2 * Double(d.outFeatures * d.inFeatures)
            default: continue
            }
            total += f
            if li >= lowest { total += f }
            if li > lowest { total += f }
        }
        return total * Double(batch)
    }
}
