/// Passes relevance through one conv or dense layer with a rule, on the fast kernels.
///
/// Each rule is lowered to groups of terms (`RelevanceRule.groups`); a group costs one forward GEMM and one transposed
/// GEMM per term whose input part is not identically zero. Inputs that are all ≥ 0 (ReLU outputs, pixels in [0, 1])
/// make the a⁻ terms vanish, so z⁺ and ε cost one forward and one transposed pass of the layer.
enum RulePropagation {
    /// R_in [inputCount] from the layer input `x` [inputCount], its parameters and the upper relevance `r`
    /// [outputCount] (the relevance of the layer's output, which a following ReLU passes unchanged).
    static func propagate(
        rule: RelevanceRule, operator op: LinearOperator, input x: [Float], weight: [Float], bias: [Float],
        relevance r: [Float], column: inout [Float], pool: inout BufferPool
    ) -> [Float] {
        precondition(x.count == op.inputCount && r.count == op.outputCount, "RulePropagation: shape mismatch")
        if column.count < op.columnCount { column = [Float](repeating: 0, count: op.columnCount) }
        let (low, high) = range(x)
        // The mapped inputs and weights this call makes (x and weight themselves are the caller's), given back to
        // the pool at the end: z⁺ maps every conv weight on every pass, and fresh buffers would be new pages to fault
        // and zero each time.
        var made: [[Float]] = []
        defer { for b in made { pool.give(b) } }
        func map(_ v: [Float], _ f: (Float) -> Float) -> [Float] {
            let y = RulePropagation.map(v, into: pool.take(v.count), f)
            made.append(y)
            return y
        }
        var inputs: [InputPart: [Float]?] = [:]
        func input(_ part: InputPart) -> [Float]? {
            if let cached = inputs[part] { return cached }
            let value: [Float]?
            switch part {
            case .all: value = x
            case .positive: value = low >= 0 ? x : (high <= 0 ? nil : map(x) { max($0, 0) })
            case .negative: value = high <= 0 ? x : (low >= 0 ? nil : map(x) { min($0, 0) })
            case .constant(let v): value = v.allSatisfy { $0 == 0 } ? nil : op.constantInput(v)
            }
            inputs[part] = value
            return value
        }
        var weights: [ParameterMap: [Float]] = [:]
        func mapped(_ m: ParameterMap) -> [Float] {
            if m == .identity { return weight }
            if let cached = weights[m] { return cached }
            let w = map(weight) { m.apply($0) }
            weights[m] = w
            return w
        }
        let groups = rule.groups
        var plain: [Float] = []
        if groups.contains(where: { $0.mask != .all }) {
            plain = pool.take(op.outputCount)
            evaluate(op, input: x, weight: weight, bias: bias, sign: 1, accumulate: false, into: &plain, column: &column)
        }
        var result = pool.take(op.inputCount)
        var first = true
        var z = pool.take(op.outputCount)
        var g = pool.take(op.inputCount)
        for group in groups {
            var filled = false
            for term in group.terms {
                let b = term.bias == .zero ? nil : bias.map { term.bias.apply($0) }
                if let a = input(term.input) {
                    evaluate(op, input: a, weight: mapped(term.weight), bias: b, sign: term.sign, accumulate: filled,
                             into: &z, column: &column)
                    filled = true
                } else if let b {
                    if !filled { z.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
                    filled = true
                    addBias(op, b, sign: term.sign, into: &z)
                }
            }
            if !filled { z.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
            divide(r, by: &z, stabiliser: group.stabiliser, mask: group.mask, plain: plain)
            for term in group.terms {
                guard let a = input(term.input) else { continue }
                let w = mapped(term.weight)
                z.withUnsafeBufferPointer { sp in w.withUnsafeBufferPointer { wp in
                    g.withUnsafeMutableBufferPointer { gp in column.withUnsafeMutableBufferPointer { cp in
                        op.transpose(sp.baseAddress!, weight: wp.baseAddress!, into: gp.baseAddress!, column: cp.baseAddress!)
                    } }
                } }
                accumulate(a, times: g, scale: group.coefficient * term.sign, into: &result, overwrite: first)
                first = false
            }
        }
        if first { result.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        pool.give(z)
        pool.give(g)
        pool.give(plain)
        return result
    }

    /// (min, max) of `x` (+∞, −∞ when empty), one contiguous part per core.
    static func range(_ x: [Float]) -> (Float, Float) {
        let parts = Parallel.width
        var lows = [Float](repeating: .infinity, count: parts), highs = [Float](repeating: -.infinity, count: parts)
        x.withUnsafeBufferPointer { xp in lows.withUnsafeMutableBufferPointer { lp in highs.withUnsafeMutableBufferPointer { hp in
            let v = xp.baseAddress, count = xp.count
            Parallel.forEach(parts) { k in
                var low = Float.infinity, high = -Float.infinity
                for i in (count * k / parts)..<(count * (k + 1) / parts) {
                    low = v![i] < low ? v![i] : low
                    high = v![i] > high ? v![i] : high
                }
                lp[k] = low
                hp[k] = high
            }
        } } }
        return (lows.min()!, highs.max()!)
    }

    /// y ← f(x) elementwise, into `y` (x.count floats, every one overwritten).
    private static func map(_ x: [Float], into y: [Float], _ f: (Float) -> Float) -> [Float] {
        var y = y
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
            let src = xp.baseAddress!, dst = yp.baseAddress!
            Parallel.ranges(xp.count) { r in for i in r { dst[i] = f(src[i]) } }
        } }
        return y
    }

    private static func evaluate(_ op: LinearOperator, input a: [Float], weight w: [Float], bias b: [Float]?, sign: Float,
                                 accumulate: Bool, into z: inout [Float], column: inout [Float]) {
        a.withUnsafeBufferPointer { ap in w.withUnsafeBufferPointer { wp in z.withUnsafeMutableBufferPointer { zp in
            column.withUnsafeMutableBufferPointer { cp in
                if let b {
                    b.withUnsafeBufferPointer { bp in
                        op.forward(ap.baseAddress!, weight: wp.baseAddress!, bias: bp.baseAddress!, sign: sign,
                                   accumulate: accumulate, into: zp.baseAddress!, column: cp.baseAddress!)
                    }
                } else {
                    op.forward(ap.baseAddress!, weight: wp.baseAddress!, bias: nil, sign: sign, accumulate: accumulate,
                               into: zp.baseAddress!, column: cp.baseAddress!)
                }
            }
        } } }
    }

    /// z += sign·b broadcast over the output (a term whose input part is identically zero keeps only its bias).
    private static func addBias(_ op: LinearOperator, _ b: [Float], sign: Float, into z: inout [Float]) {
        let o = b.count, n = z.count / o
        z.withUnsafeMutableBufferPointer { zp in
            switch op.shape {
            case .conv:
                for oc in 0..<o { for i in 0..<n { zp[oc * n + i] += sign * b[oc] } }
            case .dense:
                for r in 0..<n { for j in 0..<o { zp[r * o + j] += sign * b[j] } }
            }
        }
    }

    /// z ← mask ⊙ r / stab(z), stab(z) = z + ε·sign(z) with sign(0) = +1.
    private static func divide(_ r: [Float], by z: inout [Float], stabiliser e: Float, mask: RuleGroup.Mask, plain: [Float]) {
        r.withUnsafeBufferPointer { rp in z.withUnsafeMutableBufferPointer { zp in plain.withUnsafeBufferPointer { pp in
            let rv = rp.baseAddress!, zv = zp.baseAddress!, pv = pp.baseAddress
            Parallel.ranges(zp.count) { range in
                for i in range {
                    let v = zv[i]
                    let q = rv[i] / (v >= 0 ? v + e : v - e)
                    switch mask {
                    case .all: zv[i] = q
                    case .positiveOutput: zv[i] = pv![i] > 0 ? q : 0
                    case .negativeOutput: zv[i] = pv![i] < 0 ? q : 0
                    }
                }
            }
        } } }
    }

    /// result ← scale·a ⊙ g, or result += scale·a ⊙ g.
    private static func accumulate(_ a: [Float], times g: [Float], scale: Float, into result: inout [Float], overwrite: Bool) {
        a.withUnsafeBufferPointer { ap in g.withUnsafeBufferPointer { gp in result.withUnsafeMutableBufferPointer { rp in
            let av = ap.baseAddress!, gv = gp.baseAddress!, rv = rp.baseAddress!
            Parallel.ranges(rp.count) { range in
                if overwrite {
                    if scale == 1 { for i in range { rv[i] = av[i] * gv[i] } } else { for i in range { rv[i] = scale * av[i] * gv[i] } }
                } else {
                    for i in range { rv[i] += scale * av[i] * gv[i] }
                }
            }
        } } }
    }
}
