import Foundation
@testable import Core
import Randomness

/// Shared helpers for the Core tests: seeded random arrays, fixtures, comparisons and finite differences.
enum TestSupport {
    /// Uniform values in [lo, hi) from a seeded generator.
    static func random(_ count: Int, seed: UInt64, in range: ClosedRange<Float> = -1...1) -> [Float] {
        var rng = Xoshiro256StarStar(seed: seed)
        return (0..<count).map { _ in range.lowerBound + (range.upperBound - range.lowerBound) * rng.nextUnitFloat() }
    }

    /// max |a − b| / max(max |b|, tiny).
    static func relativeError(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count, "relativeError: \(a.count) vs \(b.count) values")
        var diff = 0.0, scale = 1e-30
        for i in a.indices {
            diff = max(diff, abs(Double(a[i]) - Double(b[i])))
            scale = max(scale, abs(Double(b[i])))
        }
        return diff / scale
    }

    /// Σ r·y in double precision: a scalar whose gradient with respect to y is r.
    static func dot(_ r: [Float], _ y: [Float]) -> Double {
        zip(r, y).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Central differences (f(x + h·e_i) − f(x − h·e_i)) / 2h at the given indices.
    static func numericGradient(at x: [Float], indices: [Int], step h: Float, _ f: ([Float]) -> Double) -> [Double] {
        indices.map { i in
            var p = x, m = x
            p[i] += h
            m[i] -= h
            return (f(p) - f(m)) / Double(p[i] - m[i])
        }
    }

    /// Largest |analytic − numeric| over the checked indices, relative to the largest |numeric|.
    static func gradientError(analytic: [Float], numeric: [Double], indices: [Int]) -> Double {
        var diff = 0.0, scale = 1e-12
        for (k, i) in indices.enumerated() {
            diff = max(diff, abs(Double(analytic[i]) - numeric[k]))
            scale = max(scale, abs(numeric[k]))
        }
        return diff / scale
    }

    /// `count` distinct indices spread over 0..<n (all of them when n ≤ count).
    static func sample(_ n: Int, count: Int, seed: UInt64) -> [Int] {
        if n <= count { return Array(0..<n) }
        var rng = Xoshiro256StarStar(seed: seed)
        return Array(rng.permutation(n).prefix(count)).sorted()
    }

    /// Re-initialises every parameter He-uniform (±√(6/fan_in)) with biases U(−0.05, 0.1).
    ///
    /// Keras' Glorot-uniform with zero biases shrinks the signal about 2× per layer in a VGG16 without
    /// normalisation (RMS ~3e-4 after block5 on the tiny sets here), which makes tiny networks learn far
    /// too slowly for a unit test and leaves ReLUs at their kinks for finite differences.
    static func heInitialise(_ model: VGG16, seed: UInt64) throws {
        for (j, p) in model.parameters.enumerated() {
            let limit = Float((6.0 / Double(p.shape.dropFirst().reduce(1, *))).squareRoot())
            let range: ClosedRange<Float> = p.shape.count == 1 ? -0.05...0.1 : -limit...limit
            try model.setParameter(p.key, Tensor(shape: p.shape, data: random(p.value.count, seed: seed &+ UInt64(j), in: range)))
        }
    }

    /// URL of a file in Tests/CoreTests/Fixtures.
    static func fixture(_ name: String) throws -> URL {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        guard let url = Bundle.module.url(forResource: parts[0], withExtension: parts[1], subdirectory: "Fixtures") else {
            throw CoreError.io(file: name, reason: "fixture not found in the test bundle")
        }
        return url
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("core-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    // MARK: Array wrappers of the pointer kernels

    static func convForward(_ x: [Float], _ w: [Float], _ b: [Float], c: Int, o: Int, n: Int, h: Int, wd: Int,
                            relu: Bool, chunk: Int? = nil) -> [Float] {
        var y = [Float](repeating: .nan, count: o * n * h * wd)
        var col = [Float](repeating: 0, count: c * 9 * h * wd * (chunk ?? Conv3x3.imagesPerChunk(channels: c, batch: n, plane: h * wd)))
        x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in b.withUnsafeBufferPointer { bp in
            y.withUnsafeMutableBufferPointer { yp in col.withUnsafeMutableBufferPointer { cp in
                Conv3x3.forward(input: xp.baseAddress!, weight: wp.baseAddress!, bias: bp.baseAddress!, output: yp.baseAddress!,
                                inChannels: c, outChannels: o, batch: n, height: h, width: wd, relu: relu,
                                column: cp.baseAddress!, chunk: chunk)
            } }
        } } }
        return y
    }

    static func convBackward(_ x: [Float], _ w: [Float], _ dy: [Float], c: Int, o: Int, n: Int, h: Int, wd: Int,
                             chunk: Int? = nil) -> (weight: [Float], bias: [Float], input: [Float]) {
        var dw = [Float](repeating: .nan, count: w.count), db = [Float](repeating: .nan, count: o)
        var dx = [Float](repeating: .nan, count: x.count)
        var col = [Float](repeating: 0, count: c * 9 * h * wd * (chunk ?? Conv3x3.imagesPerChunk(channels: c, batch: n, plane: h * wd)))
        x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in dy.withUnsafeBufferPointer { gp in
            dw.withUnsafeMutableBufferPointer { dwp in db.withUnsafeMutableBufferPointer { dbp in
                dx.withUnsafeMutableBufferPointer { dxp in col.withUnsafeMutableBufferPointer { cp in
                    Conv3x3.backward(input: xp.baseAddress!, weight: wp.baseAddress!, gradOutput: gp.baseAddress!,
                                     gradWeight: dwp.baseAddress!, gradBias: dbp.baseAddress!, gradInput: dxp.baseAddress!,
                                     inChannels: c, outChannels: o, batch: n, height: h, width: wd,
                                     column: cp.baseAddress!, chunk: chunk)
                } }
            } }
        } } }
        return (dw, db, dx)
    }

    static func denseForward(_ x: [Float], _ w: [Float], _ b: [Float], n: Int, i: Int, o: Int, relu: Bool) -> [Float] {
        var y = [Float](repeating: .nan, count: n * o)
        x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in b.withUnsafeBufferPointer { bp in
            y.withUnsafeMutableBufferPointer { yp in
                DenseKernel.forward(input: xp.baseAddress!, weight: wp.baseAddress!, bias: bp.baseAddress!,
                                    output: yp.baseAddress!, batch: n, inFeatures: i, outFeatures: o, relu: relu)
            }
        } } }
        return y
    }

    static func denseBackward(_ x: [Float], _ w: [Float], _ dy: [Float], n: Int, i: Int, o: Int)
        -> (weight: [Float], bias: [Float], input: [Float]) {
        var dw = [Float](repeating: .nan, count: w.count), db = [Float](repeating: .nan, count: o)
        var dx = [Float](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in dy.withUnsafeBufferPointer { gp in
            dw.withUnsafeMutableBufferPointer { dwp in db.withUnsafeMutableBufferPointer { dbp in
                dx.withUnsafeMutableBufferPointer { dxp in
                    DenseKernel.backward(input: xp.baseAddress!, weight: wp.baseAddress!, gradOutput: gp.baseAddress!,
                                         gradWeight: dwp.baseAddress!, gradBias: dbp.baseAddress!, gradInput: dxp.baseAddress!,
                                         batch: n, inFeatures: i, outFeatures: o)
                }
            } }
        } } }
        return (dw, db, dx)
    }

    static func poolForward(_ x: [Float], planes: Int, h: Int, w: Int) -> [Float] {
        var y = [Float](repeating: .nan, count: planes * (h / 2) * (w / 2))
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
            MaxPool2x2.forward(input: xp.baseAddress!, output: yp.baseAddress!, planes: planes, height: h, width: w)
        } }
        return y
    }

    static func poolBackward(_ x: [Float], _ dy: [Float], planes: Int, h: Int, w: Int) -> [Float] {
        var dx = [Float](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { xp in dy.withUnsafeBufferPointer { gp in dx.withUnsafeMutableBufferPointer { dxp in
            MaxPool2x2.backward(input: xp.baseAddress!, gradOutput: gp.baseAddress!, gradInput: dxp.baseAddress!,
                                planes: planes, height: h, width: w)
        } } }
        return dx
    }
}

extension TestSupport {
    static func winogradForward(_ x: [Float], _ w: [Float], _ b: [Float], c: Int, o: Int, n: Int, h: Int, wd: Int,
                                relu: Bool, rowsPerChunk: Int? = nil, isa: InstructionSet = .chosen) -> [Float] {
        var y = [Float](repeating: .nan, count: o * n * h * wd)
        var ws = [Float](repeating: .nan, count: winogradWorkspace(c: c, o: o, n: n, h: h, wd: wd, rowsPerChunk: rowsPerChunk))
        x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in b.withUnsafeBufferPointer { bp in
            y.withUnsafeMutableBufferPointer { yp in ws.withUnsafeMutableBufferPointer { sp in
                Winograd.forward(input: xp.baseAddress!, weight: wp.baseAddress!, bias: bp.baseAddress!, output: yp.baseAddress!,
                                 inChannels: c, outChannels: o, batch: n, height: h, width: wd, relu: relu,
                                 workspace: sp.baseAddress!, rowsPerChunk: rowsPerChunk, instructionSet: isa)
            } }
        } } }
        return y
    }

    static func winogradBackward(_ x: [Float], _ w: [Float], _ dy: [Float], c: Int, o: Int, n: Int, h: Int, wd: Int,
                                 rowsPerChunk: Int? = nil, isa: InstructionSet = .chosen) -> (weight: [Float], bias: [Float], input: [Float]) {
        var dw = [Float](repeating: .nan, count: w.count), db = [Float](repeating: .nan, count: o)
        var dx = [Float](repeating: .nan, count: x.count)
        var ws = [Float](repeating: .nan, count: winogradWorkspace(c: c, o: o, n: n, h: h, wd: wd, rowsPerChunk: rowsPerChunk))
        x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in dy.withUnsafeBufferPointer { gp in
            dw.withUnsafeMutableBufferPointer { dwp in db.withUnsafeMutableBufferPointer { dbp in
                dx.withUnsafeMutableBufferPointer { dxp in ws.withUnsafeMutableBufferPointer { sp in
                    Winograd.backward(input: xp.baseAddress!, weight: wp.baseAddress!, gradOutput: gp.baseAddress!,
                                      gradWeight: dwp.baseAddress!, gradBias: dbp.baseAddress!, gradInput: dxp.baseAddress!,
                                      inChannels: c, outChannels: o, batch: n, height: h, width: wd,
                                      workspace: sp.baseAddress!, rowsPerChunk: rowsPerChunk, instructionSet: isa)
                } }
            } }
        } } }
        return (dw, db, dx)
    }

    /// Workspace floats for `rowsPerChunk` tile rows per chunk (the default chunking when nil).
    private static func winogradWorkspace(c: Int, o: Int, n: Int, h: Int, wd: Int, rowsPerChunk: Int?) -> Int {
        guard let rows = rowsPerChunk else { return Winograd.workspaceCount(inChannels: c, outChannels: o, batch: n, height: h, width: wd) }
        return 32 * o * c + 16 * (c + o) * rows * Winograd.tiles(height: h, width: wd).columns
    }
}
