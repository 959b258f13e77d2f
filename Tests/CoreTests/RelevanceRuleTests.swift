import Testing
@testable import Core

/// Each LRP rule on small random conv and dense layers against a slow twin that follows the rule's definition
/// neuron by neuron (explicit connections, double precision), plus conservation where the rule guarantees it.
@Suite struct RelevanceRuleTests {
    /// A layer as explicit connections: output j reads inputs `inputs[j]` through weights `weights[j]`.
    struct Connections {
        var inputs: [[Int]] = []
        var weights: [[Int]] = []
        var biasOf: [Int] = []
        var channelOf: [Int] = []
    }

    static let convShape = (c: 3, o: 4, n: 2, s: 5)
    static let denseShape = (i: 7, o: 5, n: 3)

    /// 3×3 pad-1 conv on CNHW [C, N, S, S] → [O, N, S, S]; padded positions are not inputs.
    static func convConnections(c: Int, o: Int, n: Int, s: Int) -> Connections {
        var k = Connections()
        k.channelOf = (0..<(c * n * s * s)).map { $0 / (n * s * s) }
        for oc in 0..<o {
            for img in 0..<n {
                for y in 0..<s {
                    for x in 0..<s {
                        var ins: [Int] = [], ws: [Int] = []
                        for ic in 0..<c {
                            for ky in 0..<3 {
                                for kx in 0..<3 {
                                    let yy = y + ky - 1, xx = x + kx - 1
                                    guard yy >= 0, yy < s, xx >= 0, xx < s else { continue }
                                    ins.append(((ic * n + img) * s + yy) * s + xx)
                                    ws.append(((oc * c + ic) * 3 + ky) * 3 + kx)
                                }
                            }
                        }
                        k.inputs.append(ins)
                        k.weights.append(ws)
                        k.biasOf.append(oc)
                    }
                }
            }
        }
        return k
    }

    /// Dense [N, I] → [N, O] with weights [O, I].
    static func denseConnections(i: Int, o: Int, n: Int) -> Connections {
        var k = Connections()
        k.channelOf = (0..<(n * i)).map { $0 % i }
        for r in 0..<n {
            for j in 0..<o {
                k.inputs.append((0..<i).map { r * i + $0 })
                k.weights.append((0..<i).map { j * i + $0 })
                k.biasOf.append(j)
            }
        }
        return k
    }

    static func stab(_ z: Double, _ e: Double = 1e-6) -> Double { z >= 0 ? z + e : z - e }
    static func pos(_ v: Double) -> Double { max(v, 0) }
    static func neg(_ v: Double) -> Double { min(v, 0) }

    /// The rule's definition, one output neuron at a time: R_i = Σ_j (z_ij / z_j)·R_j with the rule's z_ij.
    static func naive(_ rule: RelevanceRule, _ k: Connections, x xf: [Float], weight wf: [Float], bias bf: [Float],
                      relevance rf: [Float]) -> [Double] {
        let x = xf.map(Double.init), w = wf.map(Double.init), b = bf.map(Double.init), r = rf.map(Double.init)
        var out = [Double](repeating: 0, count: x.count)
        for j in k.inputs.indices {
            let ins = k.inputs[j], ws = k.weights[j], bias = b[k.biasOf[j]], rj = r[j]
            func spread(_ share: (Int) -> Double, over z: Double) {
                for t in ins.indices { out[ins[t]] += share(t) / z * rj }
            }
            let plain = ins.indices.reduce(bias) { $0 + x[ins[$1]] * w[ws[$1]] }
            switch rule {
            case .epsilon(let e):
                spread({ x[ins[$0]] * w[ws[$0]] }, over: stab(plain, Double(e)))
            case .zPlus:
                let p = { (t: Int) in pos(x[ins[t]]) * pos(w[ws[t]]) + neg(x[ins[t]]) * neg(w[ws[t]]) }
                spread(p, over: stab(ins.indices.reduce(pos(bias)) { $0 + p($1) }))
            case let .alphaBeta(alpha, beta):
                let p = { (t: Int) in pos(x[ins[t]]) * pos(w[ws[t]]) + neg(x[ins[t]]) * neg(w[ws[t]]) }
                let q = { (t: Int) in pos(x[ins[t]]) * neg(w[ws[t]]) + neg(x[ins[t]]) * pos(w[ws[t]]) }
                spread({ Double(alpha) * p($0) }, over: stab(ins.indices.reduce(pos(bias)) { $0 + p($1) }))
                spread({ -Double(beta) * q($0) }, over: stab(ins.indices.reduce(neg(bias)) { $0 + q($1) }))
            case .gamma(let gf):
                let g = Double(gf)
                if plain > 0 {
                    let p = { (t: Int) in
                        pos(x[ins[t]]) * (w[ws[t]] + g * pos(w[ws[t]])) + neg(x[ins[t]]) * (w[ws[t]] + g * neg(w[ws[t]]))
                    }
                    spread(p, over: stab(ins.indices.reduce(bias + g * pos(bias)) { $0 + p($1) }))
                } else if plain < 0 {
                    let q = { (t: Int) in
                        pos(x[ins[t]]) * (w[ws[t]] + g * neg(w[ws[t]])) + neg(x[ins[t]]) * (w[ws[t]] + g * pos(w[ws[t]]))
                    }
                    spread(q, over: stab(ins.indices.reduce(bias + g * neg(bias)) { $0 + q($1) }))
                }
            case .flat:
                spread({ _ in 1 }, over: stab(Double(ins.count)))
            case let .zB(low, high):
                let l = { (i: Int) in Double(low.count == 1 ? low[0] : low[k.channelOf[i]]) }
                let h = { (i: Int) in Double(high.count == 1 ? high[0] : high[k.channelOf[i]]) }
                let p = { (t: Int) in
                    x[ins[t]] * w[ws[t]] - l(ins[t]) * pos(w[ws[t]]) - h(ins[t]) * neg(w[ws[t]])
                }
                spread(p, over: stab(ins.indices.reduce(0) { $0 + p($1) }))
            }
        }
        return out
    }

    struct Layer {
        var op: LinearOperator
        var connections: Connections
        var x: [Float], weight: [Float], bias: [Float], relevance: [Float]
    }

    /// A random conv or dense layer; `inputs` ≥ 0 when `nonNegative`, biases zero when `zeroBias`.
    static func layer(conv: Bool, seed: UInt64, nonNegative: Bool, zeroBias: Bool = false) -> Layer {
        let op: LinearOperator, k: Connections, wCount: Int, o: Int
        if conv {
            let (c, oc, n, s) = convShape
            op = LinearOperator(shape: .conv(inChannels: c, outChannels: oc, size: s), batch: n)
            k = convConnections(c: c, o: oc, n: n, s: s)
            wCount = oc * c * 9
            o = oc
        } else {
            let (i, oc, n) = denseShape
            op = LinearOperator(shape: .dense(inFeatures: i, outFeatures: oc), batch: n)
            k = denseConnections(i: i, o: oc, n: n)
            wCount = oc * i
            o = oc
        }
        let x = TestSupport.random(op.inputCount, seed: seed, in: nonNegative ? 0...1 : -1...1)
        let w = TestSupport.random(wCount, seed: seed + 1)
        let b = zeroBias ? [Float](repeating: 0, count: o) : TestSupport.random(o, seed: seed + 2, in: -0.3...0.3)
        let r = TestSupport.random(op.outputCount, seed: seed + 3, in: 0...1)
        return Layer(op: op, connections: k, x: x, weight: w, bias: b, relevance: r)
    }

    static func fast(_ rule: RelevanceRule, _ l: Layer) -> [Float] {
        var column: [Float] = [], pool = BufferPool()
        return RulePropagation.propagate(rule: rule, operator: l.op, input: l.x, weight: l.weight, bias: l.bias,
                                         relevance: l.relevance, column: &column, pool: &pool)
    }

    static let rules: [RelevanceRule] = [
        .epsilon(0.05), .epsilon(0), .zPlus, .gamma(0.25), .alphaBeta(alpha: 2, beta: 1), .alphaBeta(alpha: 1, beta: 0),
        .flat, .zB(low: [-1.2, -1, -1.1], high: [1, 1.3, 1.1]), .zB(low: -1.5, high: 1.5),
    ]

    @Test(arguments: rules)
    func ruleMatchesItsDefinitionOnConvAndDenseLayers(rule: RelevanceRule) throws {
        for conv in [true, false] {
            for nonNegative in [true, false] {
                if case .zB(let low, _) = rule, low.count == 3, !conv { continue }
                let l = Self.layer(conv: conv, seed: conv ? 11 : 23, nonNegative: nonNegative)
                let got = Self.fast(rule, l)
                let want = Self.naive(rule, l.connections, x: l.x, weight: l.weight, bias: l.bias, relevance: l.relevance)
                let tolerance = rule == .epsilon(0) ? 1e-4 : 2e-6
                #expect(TestSupport.relativeError(got, want.map(Float.init)) < tolerance,
                        "\(rule), \(conv ? "conv" : "dense"), inputs \(nonNegative ? "≥ 0" : "mixed")")
                #expect(want.contains { $0 != 0 }, "degenerate case for \(rule)")
            }
        }
    }

    /// Rules that conserve relevance when biases are zero (ε only up to its ε, so a tiny one).
    static let conservingRules: [RelevanceRule] = [
        .epsilon(1e-9), .zPlus, .gamma(0.25), .alphaBeta(alpha: 2, beta: 1), .alphaBeta(alpha: 1, beta: 0), .flat,
        .zB(low: [-1.2, -1, -1.1], high: [1, 1.3, 1.1]), .zB(low: -1.5, high: 1.5),
    ]

    /// Σ R_in = Σ R_out for rules that conserve when biases are zero (z⁺, αβ with α − β = 1, γ, flat, zᴮ, ε ≈).
    @Test(arguments: conservingRules)
    func conservationWithoutBiases(rule: RelevanceRule) throws {
        for conv in [true, false] {
            if case .zB(let low, _) = rule, low.count == 3, !conv { continue }
            let l = Self.layer(conv: conv, seed: 5, nonNegative: true, zeroBias: true)
            let got = Self.fast(rule, l)
            let total = l.relevance.reduce(0.0) { $0 + Double($1) }
            let sum = got.reduce(0.0) { $0 + Double($1) }
            let scale = got.reduce(0.0) { $0 + abs(Double($1)) }
            #expect(abs(sum - total) <= 1e-5 * max(scale, total), "\(rule) \(conv ? "conv" : "dense"): \(sum) vs \(total)")
        }
    }

    /// zᴮ conserves even with biases (they cancel); z⁺ loses exactly the b⁺ share: Σ R_in = Σ_j R_j (z_j − b⁺_j)/(z_j + ε).
    @Test func biasSharesOfZBAndZPlus() throws {
        for conv in [true, false] {
            var l = Self.layer(conv: conv, seed: 9, nonNegative: true)
            l.bias = l.bias.map { abs($0) + 0.2 }
            let total = l.relevance.reduce(0.0) { $0 + Double($1) }
            let zb = Self.fast(.zB(low: 0, high: 1), l).reduce(0.0) { $0 + Double($1) }
            #expect(abs(zb - total) < 1e-5 * total)
            let k = l.connections
            var expected = 0.0
            for j in k.inputs.indices {
                let bias = max(Double(l.bias[k.biasOf[j]]), 0)
                let z = k.inputs[j].indices.reduce(bias) {
                    $0 + Double(l.x[k.inputs[j][$1]]) * max(Double(l.weight[k.weights[j][$1]]), 0)
                }
                expected += Double(l.relevance[j]) * (z - bias) / (z + 1e-6)
            }
            let zPlus = Self.fast(.zPlus, l).reduce(0.0) { $0 + Double($1) }
            #expect(abs(zPlus - expected) < 1e-5 * total)
            #expect(expected < total - 1e-3, "the positive biases should absorb relevance")
        }
    }

    @Test func badRuleParametersAreTypedErrors() throws {
        #expect(throws: CoreError.self) { try RelevanceRule.epsilon(-1).validate(inputChannels: 3, layer: "conv") }
        #expect(throws: CoreError.self) { try RelevanceRule.gamma(.nan).validate(inputChannels: 3, layer: "conv") }
        #expect(throws: CoreError.self) {
            try RelevanceRule.alphaBeta(alpha: 2, beta: -1).validate(inputChannels: 3, layer: "conv")
        }
        #expect(throws: CoreError.self) { try RelevanceRule.zB(low: [0, 0], high: [1, 1]).validate(inputChannels: 3, layer: "x") }
        #expect(throws: CoreError.self) { try RelevanceRule.zB(low: 1, high: 0).validate(inputChannels: 3, layer: "x") }
        #expect(throws: CoreError.self) { try RelevanceRule.zB(mean: [0.5], std: [0]).validate(inputChannels: 3, layer: "x") }
        try RelevanceRule.zB(mean: [0.5, 0.4, 0.3], std: [0.25, 0.2, 0.1]).validate(inputChannels: 3, layer: "first conv")
        #expect(RelevanceRule.zB(mean: [0.5], std: [0.25]) == .zB(low: [-2], high: [2]))
    }
}
