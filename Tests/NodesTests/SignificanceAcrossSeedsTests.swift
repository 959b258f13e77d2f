import Foundation
import Testing
@testable import Graph
@testable import Nodes

/// `significance_test` with replicates: per-seed tests and the tests across seeds, on hand-built inputs whose
/// numbers are worked out below (t and p checked against scipy.stats.ttest_rel).
@Suite struct SignificanceAcrossSeedsTests {
    /// Six samples (s1–s3 class x, s4–s6 class y); A gets all right, B gets s1…s_seed wrong.
    static let evaluations = """
    palimpsest: 1
    seeds: [1, 2, 3]
    nodes:
      a: {kind: shell, params: {cmd: "echo '{\\"class_names\\": [\\"x\\", \\"y\\"]}' > $PALIMPSEST_OUTPUT/metrics.json; echo id,label,predicted,correct > $PALIMPSEST_OUTPUT/predictions.csv; for i in 1 2 3 4 5 6; do l=x; [ $i -gt 3 ] && l=y; echo s$i,$l,$l,1 >> $PALIMPSEST_OUTPUT/predictions.csv; done"}}
      b: {kind: shell, params: {cmd: "echo '{\\"class_names\\": [\\"x\\", \\"y\\"]}' > $PALIMPSEST_OUTPUT/metrics.json; echo id,label,predicted,correct > $PALIMPSEST_OUTPUT/predictions.csv; for i in 1 2 3 4 5 6; do l=x; [ $i -gt 3 ] && l=y; c=1; [ $i -le $PALIMPSEST_SEED ] && c=0; echo s$i,$l,$l,$c >> $PALIMPSEST_OUTPUT/predictions.csv; done"}}
      per_seed: {kind: significance_test, params: {test: mcnemar}, inputs: {a: a, b: b}}
      combined: {kind: significance_test, params: {test: mcnemar}, inputs: {a: "a[seed=*]", b: "b[seed=*]"}}
    """

    static func json(_ p: ShellProject, _ id: String) throws -> [String: Any] {
        let url = try StudyNodesTests.output(p, id, "result").appendingPathComponent("result.json")
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    @Test func mcnemarPerSeedAndAcrossSeeds() throws {
        let p = try ShellProject(Self.evaluations)
        let summary = try p.run()
        #expect(!summary.failed, "\(summary.results.map { "\($0.id): \($0.reason ?? "")" })")
        // Within one seed: the plain report of one pair.
        let two = try Self.json(p, "per_seed[seed=2]")
        #expect(two["a"] as? String == "a[seed=2]" && (two["overall"] as! [String: Any])["b"] as? Int == 2)

        let all = try Self.json(p, "combined")
        #expect(all["a"] as? String == "a[seed=*]" && all["seeds"] as? [Int] == [1, 2, 3])
        let perSeed = all["per_seed"] as! [[String: Any]]
        #expect(perSeed.map { ($0["overall"] as! [String: Any])["b"] as! Int } == [1, 2, 3])
        let across = all["across_seeds"] as! [String: Any]
        let overall = across["overall"] as! [String: Any]
        // Accuracy differences 1/6, 2/6, 3/6: mean 1/3, sd 1/6, t = (1/3)/((1/6)/√3) = 2√3, df 2, p = 0.0741799 (scipy).
        let t = overall["across_seeds"] as! [String: Any]
        #expect(abs(t["t"] as! Double - 2 * 3.0.squareRoot()) < 1e-9 && t["df"] as? Int == 2)
        #expect(abs(t["p"] as! Double - 0.07417990022744855) < 1e-6)
        #expect(abs(t["sd_difference"] as! Double - 1.0 / 6) < 1e-12)
        // Pooled McNemar: Σb = 6, Σc = 0 over 18 pairs; exact p = 2 · 0.5⁶ = 0.03125.
        let pooled = overall["pooled"] as! [String: Any]
        #expect(pooled["b"] as? Int == 6 && pooled["c"] as? Int == 0 && pooled["n"] as? Int == 18)
        #expect(abs(pooled["p_exact"] as! Double - 0.03125) < 1e-12)
        #expect(abs(pooled["accuracy_b"] as! Double - 12.0 / 18) < 1e-12)
        // Class y: B never errs, so no difference in any seed: t = 0, p = 1.
        let y = (across["per_class"] as! [[String: Any]]).first { $0["class"] as? String == "y" }!
        let ty = y["across_seeds"] as! [String: Any]
        #expect(ty["t"] as? Double == 0 && ty["p"] as? Double == 1)
        let csv = try String(contentsOf: StudyNodesTests.output(p, "combined", "result").appendingPathComponent("result.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("seed,class,n,b,c,") && csv.contains("\nall,overall,18,6,0,0.0312500000000000"), "\(csv)")
    }

    @Test func pairedTOverSeedsOfProbeScores() throws {
        // Per seed s: A scores 0.5 + s/10 + i/100, B scores 0.5 + i/100 over repeats i = 0…4, so the per-seed mean
        // differences are 0.1, 0.2, 0.3: t = 0.2 / (0.1/√3) = 2√3 again.
        let p = try ShellProject("""
        palimpsest: 1
        seeds: [1, 2, 3]
        nodes:
          a: {kind: shell, params: {cmd: "echo id,score > $PALIMPSEST_OUTPUT/scores.csv; for i in 0 1 2 3 4; do echo $i,0.$((50 + PALIMPSEST_SEED * 10 + i)) >> $PALIMPSEST_OUTPUT/scores.csv; done"}}
          b: {kind: shell, params: {cmd: "echo id,score > $PALIMPSEST_OUTPUT/scores.csv; for i in 0 1 2 3 4; do echo $i,0.$((50 + i)) >> $PALIMPSEST_OUTPUT/scores.csv; done"}}
          test: {kind: significance_test, params: {test: paired_t}, inputs: {a: "a[seed=*]", b: "b[seed=*]"}}
          one: {kind: significance_test, params: {test: paired_t}, inputs: {a: "a[seed=1]", b: "b[seed=1]"}}
        """)
        let summary = try p.run()
        #expect(!summary.failed, "\(summary.results.map { "\($0.id): \($0.reason ?? "")" })")
        let json = try Self.json(p, "test")
        let across = json["across_seeds"] as! [String: Any]
        #expect(abs(across["t"] as! Double - 2 * 3.0.squareRoot()) < 1e-9 && across["df"] as? Int == 2)
        #expect(abs(across["mean_difference"] as! Double - 0.2) < 1e-12)
        let perSeed = json["per_seed"] as! [[String: Any]]
        #expect(perSeed.map { $0["seed"] as! Int } == [1, 2, 3])
        #expect(perSeed[0]["t"] as? String == "inf", "every difference is 0.1: t = +∞, written as a string")
        // A single pair with t = +∞ succeeds too: the infinite t stays out of the manifest's metrics.
        #expect(try Self.json(p, "one")["t"] as? String == "inf")
    }

    @Test func unmatchedSeedsAreAnErrorNamingThem() throws {
        let yaml = Self.evaluations.replacingOccurrences(of: "b: \"b[seed=*]\"", with: "b: \"b[seed=1]\"")
        let p = try ShellProject(yaml)
        let summary = try p.run()
        let reason = summary.results.first { $0.id == "combined" }?.reason ?? ""
        #expect(summary.failed && reason.contains("different seeds") && reason.contains("[1, 2, 3]"), "\(reason)")
    }
}
