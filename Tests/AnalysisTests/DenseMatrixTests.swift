import Testing
@testable import Analysis
import Randomness

struct DenseMatrixTests {
    /// The blocked Gram matrix against one plain dot product per entry, for even and odd counts and lengths
    /// that are not multiples of the SIMD width.
    @Test(arguments: [(1, 3), (2, 4), (5, 7), (8, 13), (9, 16)])
    func gramMatchesPlainDotProducts(n: Int, d: Int) {
        var rng = SplitMix64(seed: UInt64(n * 100 + d))
        let rows = (0..<(n * d)).map { _ in Double.random(in: -1...1, using: &rng) }
        let gram = DenseMatrix.gram(rows: rows, count: n, dimension: d, adding: 1)
        for i in 0..<n {
            for j in 0..<n {
                let plain = (0..<d).reduce(1.0) { $0 + rows[i * d + $1] * rows[j * d + $1] }
                #expect(abs(gram[i, j] - plain) < 1e-12)
                #expect(gram[i, j] == gram[j, i])
            }
        }
    }

    /// A x = b for a random symmetric positive definite A = B Bᵀ + I, and a 2 × 2 system by hand:
    /// [[4, 2], [2, 3]] x = [2, 1] has x = [1/2, 0].
    @Test func solvesPositiveDefiniteSystems() throws {
        var small = DenseMatrix(size: 2)
        small.values = [4, 2, 2, 3]
        let x = small.solvePositiveDefinite([2, 1])!
        #expect(abs(x[0] - 0.5) < 1e-15 && abs(x[1]) < 1e-15)
        var singular = DenseMatrix(size: 2)
        singular.values = [1, 1, 1, 1]
        #expect(singular.solvePositiveDefinite([1, 1]) == nil)

        var rng = SplitMix64(seed: 3)
        let m = 37
        let b = (0..<(m * m)).map { _ in Double.random(in: -1...1, using: &rng) }
        var a = DenseMatrix.gram(rows: b, count: m, dimension: m, adding: 0)
        for i in 0..<m { a[i, i] += 1 }
        let rhs = (0..<m).map { _ in Double.random(in: -1...1, using: &rng) }
        let solution = try #require(a.solvePositiveDefinite(rhs))
        for i in 0..<m {
            let row = (0..<m).reduce(0.0) { $0 + a[i, $1] * solution[$1] }
            #expect(abs(row - rhs[i]) < 1e-10)
        }
    }

    @Test func submatrixKeepsTheGivenOrder() {
        var a = DenseMatrix(size: 3)
        a.values = [0, 1, 2, 3, 4, 5, 6, 7, 8]
        #expect(a.submatrix([2, 0]).values == [8, 6, 2, 0])
    }
}
