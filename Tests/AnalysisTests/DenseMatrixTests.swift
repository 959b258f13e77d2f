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

    /// The factorisation's two-row lockstep gives the bits of the plain row-by-row Cholesky solve (its naive twin
    /// below, with the same `dot` per entry), for odd and even sizes, including the pivot failure.
    @Test(arguments: [1, 2, 3, 8, 9, 16, 17, 40, 41])
    func solveGivesTheRowByRowBits(m: Int) throws {
        var rng = SplitMix64(seed: UInt64(m))
        let b = (0..<(m * (m + 3))).map { _ in Double.random(in: -1...1, using: &rng) }
        var a = DenseMatrix.gram(rows: b, count: m, dimension: m + 3, adding: 0.5)
        for i in 0..<m { a[i, i] += 0.25 }
        let rhs = (0..<m).map { _ in Double.random(in: -1...1, using: &rng) }
        let fast = try #require(a.solvePositiveDefinite(rhs))
        let plain = try #require(Self.rowByRowSolve(a, rhs))
        #expect(fast.map(\.bitPattern) == plain.map(\.bitPattern))
        if m >= 2 {
            var broken = a
            broken[m - 1, m - 1] = -1
            #expect(broken.solvePositiveDefinite(rhs) == nil && Self.rowByRowSolve(broken, rhs) == nil)
        }
    }

    /// Cholesky A = L Lᵀ one row at a time, as `solvePositiveDefinite` factored before its rows ran in pairs, then
    /// its triangular solves.
    static func rowByRowSolve(_ a: DenseMatrix, _ b: [Double]) -> [Double]? {
        let m = a.size
        var l = a.values, x = b
        return l.withUnsafeMutableBufferPointer { l -> [Double]? in
            let base = l.baseAddress!
            for i in 0..<m {
                let rowI = base + i * m
                for j in 0..<i { rowI[j] = (rowI[j] - DenseMatrix.dot(rowI, base + j * m, j)) / base[j * m + j] }
                let pivot = rowI[i] - DenseMatrix.dot(rowI, rowI, i)
                guard pivot > 0 else { return nil }
                rowI[i] = pivot.squareRoot()
            }
            DenseMatrix.substitute(factor: base, size: m, &x)
            return x
        }
    }

    @Test func submatrixKeepsTheGivenOrder() {
        var a = DenseMatrix(size: 3)
        a.values = [0, 1, 2, 3, 4, 5, 6, 7, 8]
        #expect(a.submatrix([2, 0]).values == [8, 6, 2, 0])
    }
}
