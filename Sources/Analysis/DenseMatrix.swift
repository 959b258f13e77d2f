/// A square matrix of Doubles, row-major: what the finite Newton SVM solver needs (a Gram matrix, its principal
/// submatrices and a symmetric positive definite solve), with loops in a fixed order so results are the same
/// bits on every run.
struct DenseMatrix {
    /// size × size values, row-major.
    var values: [Double]
    let size: Int

    init(size: Int) {
        self.size = size
        values = [Double](repeating: 0, count: size * size)
    }

    subscript(row: Int, column: Int) -> Double {
        get { values[row * size + column] }
        set { values[row * size + column] = newValue }
    }

    /// K = X Xᵀ + `constant` for the n × d rows X (row-major): Kᵢⱼ = xᵢ·xⱼ + constant, symmetric.
    /// Computed in 2 × 2 blocks of rows, which halves the loads per multiply–add.
    static func gram(rows: [Double], count n: Int, dimension d: Int, adding constant: Double) -> DenseMatrix {
        precondition(rows.count == n * d, "rows must hold n × d values")
        var gram = DenseMatrix(size: n)
        rows.withUnsafeBufferPointer { x in
            gram.values.withUnsafeMutableBufferPointer { k in
                let base = x.baseAddress!
                var i = 0
                while i < n {
                    let pairRow = i + 1 < n
                    var j = i
                    while j < n {
                        let pairColumn = j + 1 < n
                        if pairRow && pairColumn {
                            let (s00, s01, s10, s11) = dot2x2(base + i * d, base + (i + 1) * d,
                                                              base + j * d, base + (j + 1) * d, d)
                            k[i * n + j] = s00 + constant
                            k[i * n + j + 1] = s01 + constant
                            k[(i + 1) * n + j] = s10 + constant
                            k[(i + 1) * n + j + 1] = s11 + constant
                        } else {
                            for a in i..<(pairRow ? i + 2 : i + 1) {
                                for b in j..<(pairColumn ? j + 2 : j + 1) {
                                    k[a * n + b] = dot(base + a * d, base + b * d, d) + constant
                                }
                            }
                        }
                        j += 2
                    }
                    i += 2
                }
                // Mirror the upper triangle (the diagonal blocks wrote both halves already).
                for a in 0..<n { for b in 0..<a { k[a * n + b] = k[b * n + a] } }
            }
        }
        return gram
    }

    /// The principal submatrix of the given rows and columns, in that order.
    func submatrix(_ indices: [Int]) -> DenseMatrix {
        var result = DenseMatrix(size: indices.count)
        for (a, i) in indices.enumerated() {
            for (b, j) in indices.enumerated() { result.values[a * indices.count + b] = values[i * size + j] }
        }
        return result
    }

    /// x with A x = b for this symmetric positive definite A, by Cholesky factorisation A = L Lᵀ (in a copy);
    /// nil when a pivot is not positive, i.e. A is not positive definite to working precision.
    func solvePositiveDefinite(_ b: [Double]) -> [Double]? {
        precondition(b.count == size, "one right-hand side value per row")
        let m = size
        var l = values
        var x = b
        let factored = l.withUnsafeMutableBufferPointer { l -> Bool in
            let base = l.baseAddress!
            // Row by row: Lᵢⱼ = (Aᵢⱼ − Lᵢ.·Lⱼ. over k < j) / Lⱼⱼ, Lᵢᵢ = √(Aᵢᵢ − ‖Lᵢ.‖²); rows are contiguous prefixes.
            // Rows i and i + 1 run in lockstep over the columns j < i (neither needs the other there), sharing the
            // loads of row j; every entry is still `dot`'s sum, so the factor is that of one row at a time.
            var i = 0
            while i < m {
                let rowI = base + i * m
                if i + 1 < m {
                    let rowNext = rowI + m
                    for j in 0..<i {
                        let (d0, d1) = Self.dots(rowI, rowNext, base + j * m, j)
                        let pivot = base[j * m + j]
                        rowI[j] = (rowI[j] - d0) / pivot
                        rowNext[j] = (rowNext[j] - d1) / pivot
                    }
                    guard Self.finishRow(rowI, i) else { return false }
                    rowNext[i] = (rowNext[i] - Self.dot(rowNext, rowI, i)) / rowI[i]
                    guard Self.finishRow(rowNext, i + 1) else { return false }
                    i += 2
                } else {
                    for j in 0..<i {
                        rowI[j] = (rowI[j] - Self.dot(rowI, base + j * m, j)) / base[j * m + j]
                    }
                    guard Self.finishRow(rowI, i) else { return false }
                    i += 1
                }
            }
            Self.substitute(factor: base, size: m, &x)
            return true
        }
        return factored ? x : nil
    }

    /// x ← (L Lᵀ)⁻¹ x for the m × m lower triangle L at `factor` (row-major): L z = x, then Lᵀ x = z (by columns
    /// of Lᵀ, i.e. rows of L, from the last).
    static func substitute(factor base: UnsafePointer<Double>, size m: Int, _ x: inout [Double]) {
        x.withUnsafeMutableBufferPointer { x in
            for i in 0..<m { x[i] = (x[i] - dot(base + i * m, x.baseAddress!, i)) / base[i * m + i] }
            for i in stride(from: m - 1, through: 0, by: -1) {
                x[i] /= base[i * m + i]
                let xi = x[i], row = base + i * m
                for k in 0..<i { x[k] -= row[k] * xi }
            }
        }
    }

    /// Lᵢᵢ = √(Aᵢᵢ − ‖Lᵢ.‖²) for the row at `row` whose entries before column `i` are done; false when the pivot
    /// is not positive.
    private static func finishRow(_ row: UnsafeMutablePointer<Double>, _ i: Int) -> Bool {
        let pivot = row[i] - dot(row, row, i)
        guard pivot > 0 else { return false }
        row[i] = pivot.squareRoot()
        return true
    }

    /// `dot(a0, b, n)` and `dot(a1, b, n)`, bit for bit, in one pass over b.
    static func dots(_ a0: UnsafePointer<Double>, _ a1: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
                     _ n: Int) -> (Double, Double) {
        var s0 = SIMD4<Double>(), s1 = SIMD4<Double>(), t0 = SIMD4<Double>(), t1 = SIMD4<Double>()
        var j = 0
        while j + 8 <= n {
            let y0 = load(b + j), y1 = load(b + j + 4)
            s0 += load(a0 + j) * y0
            s1 += load(a0 + j + 4) * y1
            t0 += load(a1 + j) * y0
            t1 += load(a1 + j + 4) * y1
            j += 8
        }
        var sum0 = (s0 + s1).sum(), sum1 = (t0 + t1).sum()
        while j < n {
            sum0 += a0[j] * b[j]
            sum1 += a1[j] * b[j]
            j += 1
        }
        return (sum0, sum1)
    }

    /// Σⱼ a[j] · b[j] over two SIMD4 accumulators (a fixed order: the same bits on every run).
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
        var s0 = SIMD4<Double>(), s1 = SIMD4<Double>()
        var j = 0
        while j + 8 <= n {
            s0 += load(a + j) * load(b + j)
            s1 += load(a + j + 4) * load(b + j + 4)
            j += 8
        }
        var sum = (s0 + s1).sum()
        while j < n { sum += a[j] * b[j]; j += 1 }
        return sum
    }

    /// The four dot products of rows a0, a1 with rows b0, b1 (length n), one SIMD4 accumulator each.
    private static func dot2x2(_ a0: UnsafePointer<Double>, _ a1: UnsafePointer<Double>, _ b0: UnsafePointer<Double>,
                               _ b1: UnsafePointer<Double>, _ n: Int) -> (Double, Double, Double, Double) {
        var s00 = SIMD4<Double>(), s01 = SIMD4<Double>(), s10 = SIMD4<Double>(), s11 = SIMD4<Double>()
        var j = 0
        while j + 4 <= n {
            let x0 = load(a0 + j), x1 = load(a1 + j), y0 = load(b0 + j), y1 = load(b1 + j)
            s00 += x0 * y0
            s01 += x0 * y1
            s10 += x1 * y0
            s11 += x1 * y1
            j += 4
        }
        var t00 = s00.sum(), t01 = s01.sum(), t10 = s10.sum(), t11 = s11.sum()
        while j < n {
            t00 += a0[j] * b0[j]; t01 += a0[j] * b1[j]
            t10 += a1[j] * b0[j]; t11 += a1[j] * b1[j]
            j += 1
        }
        return (t00, t01, t10, t11)
    }

    private static func load(_ p: UnsafePointer<Double>) -> SIMD4<Double> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Double>.self)
    }
}
