import Testing
@testable import Core

/// The row-major sgemm wrapper against a loop product, in all four transpose combinations, with β accumulation.
@Suite struct BLASTests {
    @Test func sgemmMatchesLoopsForEveryTransposeCombination() {
        let (m, n, k) = (5, 7, 3)
        for transA in [false, true] {
            for transB in [false, true] {
                let a = TestSupport.random(m * k, seed: 1), b = TestSupport.random(k * n, seed: 2)
                let c0 = TestSupport.random(m * n, seed: 3)
                var c = c0
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                    BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 2, a: ap.baseAddress!,
                               lda: transA ? m : k, b: bp.baseAddress!, ldb: transB ? k : n, beta: 0.5,
                               c: cp.baseAddress!, ldc: n)
                } } }
                var expected = [Float](repeating: 0, count: m * n)
                for i in 0..<m {
                    for j in 0..<n {
                        var s: Float = 0
                        for p in 0..<k { s += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]) }
                        expected[i * n + j] = 2 * s + 0.5 * c0[i * n + j]
                    }
                }
                #expect(TestSupport.relativeError(c, expected) < 1e-5, "transA \(transA) transB \(transB)")
            }
        }
    }

    @Test func haswellKernelsArePreferredOnlyOverAVX512Kernels() {
        #expect(BLAS.preferredCoreName(current: "Cooperlake") == "Haswell")
        #expect(BLAS.preferredCoreName(current: "SkylakeX") == "Haswell")
        #expect(BLAS.preferredCoreName(current: "Haswell") == nil)
        #expect(BLAS.preferredCoreName(current: "Zen") == nil)
        #expect(!BLAS.coreName.isEmpty)
    }
}
