import Analysis
import Foundation
import Testing
@testable import Graph
@testable import Nodes

/// The study finds what SynthFACS planted, beyond training noise: `experiments/science.yaml` run end to end over three
/// seeds, and its outcomes checked against what the generator's tables predict (docs/data.md, "What each class
/// draws"). About 45 minutes cold on 2 idle cores (README), so it runs only with `PALIMPSEST_SCIENCE=1`
/// (`bash scripts/science`, which CI runs after the suite).
///
/// The planted truth: pain frames show AU4, 6, 7, 9, 10 and 43 and never AU5 or AU14 (`distractors: []`, so no
/// mouth or smile either); the emotions' base model needs AU5 (surprise, fear, anger) and AU14 (contempt). A model
/// fine-tuned on pain with no block frozen (FreezeB0) keeps what pain uses and is free to lose the rest; with every
/// conv block frozen (FreezeB5) it keeps the base's features exactly. Every threshold below is a chance baseline
/// or follows from that design, never from one run's numbers; each says so where it is set.
///
/// Two kinds of check. Those that held on every seed and every training path run so far (the base, the pain
/// models, overall forgetting, the probes beating chance) are asserted per seed. The claims about what is forgotten
/// (contempt's recall, the AU5 and AU14 probes, contempt's lip corners) are asserted across seeds, by the paired t
/// over the three seeds' differences (one-sided, the plant predicts the direction; df = 2, so t > 2.92): that is
/// the test against training noise (docs/statistics.md). Asserted on one seed, four of them failed on some seed or
/// on a training path that differs only in float32 rounding, while pointing the planted way across seeds
/// (docs/forgetting.md, "What the science test finds").
///
/// The test fails when the study can no longer see the plant, e.g. with AU14 not rendered: the base then cannot
/// encode AU14, so FreezeB5's AU14 probe does not beat chance and the first probe expectation fails.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["PALIMPSEST_SCIENCE"] == "1", "a target of its own: bash scripts/science"))
struct ScienceTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The study run through the `palimpsest` binary, as users run it: it restarts itself with the BLAS kernels it
    /// prefers (README, Benchmarks), so the numbers are those of `palimpsest run experiments/science.yaml`.
    /// `PALIMPSEST_SCIENCE_CACHE` names a cache to run in instead of a fresh one, to recheck these expectations on
    /// a study already computed there (cached instances are reused by key, as any run reuses them).
    struct Study {
        let project: ForgettingProject
        let cache: URL

        init() throws {
            project = try ForgettingProject(try String(contentsOf: ScienceTests.repository.appendingPathComponent("experiments/science.yaml"), encoding: .utf8))
            cache = ProcessInfo.processInfo.environment["PALIMPSEST_SCIENCE_CACHE"].map { URL(fileURLWithPath: $0) } ?? project.cache
            let run = try RunnerProcessTests.run(["run", "exp.yaml", "--cache", cache.path, "-j", "2"], in: project.dir)
            try #require(run.status == 0, "palimpsest run exited \(run.status): \(run.err.suffix(3000))")
        }

        /// The cache entry of instance `id`.
        func entry(_ id: String) throws -> URL {
            let e = try Experiment.load(file: project.file, kinds: NodeRegistry.all)
            let store = try CacheStore(root: cache)
            let key = try #require(Planner.plan(e, store: store, lock: nil).first { $0.id == id }?.key, "no instance \(id)")
            return store.entryDirectory(key)
        }

        /// A JSON object read from `file` in instance `id`'s output `output`.
        func json(_ id: String, _ output: String, _ file: String) throws -> [String: Any] {
            let url = try entry(id).appendingPathComponent("outputs/\(output)/\(file)")
            return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any], "\(url.path) is no JSON object")
        }

        /// The headline metrics of instance `id`'s manifest.
        func metrics(_ id: String) throws -> [String: Double] {
            let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: try entry(id).appendingPathComponent("manifest.json"))) as? [String: Any]
            return try #require(manifest?["metrics"] as? [String: Double], "no metrics in \(id)'s manifest")
        }
    }

    static let seeds = [7, 8, 9]

    /// P(X ≥ k) for X ~ Binomial(n, p).
    static func upperTail(_ k: Int, _ n: Int, _ p: Double) -> Double {
        k <= 0 ? 1 : 1 - SpecialFunctions.binomialLowerTail(k: k - 1, n: n, p: p)
    }

    /// Whether a paired t over seeds with mean difference A − B `d` and two-sided p `p` finds A above B at one-sided
    /// p < 0.05 (the plant predicts the direction).
    static func aboveAcrossSeeds(meanDifference d: Double, p: Double) -> Bool { d > 0 && p / 2 < 0.05 }

    /// `aboveAcrossSeeds` for an across-seeds paired t written by `significance_test` (`AcrossSeedsT` as JSON).
    static func dropsAcrossSeeds(_ t: [String: Any]) -> Bool {
        guard let d = t["mean_difference"] as? Double, let p = t["p"] as? Double else { return false }
        return aboveAcrossSeeds(meanDifference: d, p: p)
    }

    /// An across-seeds t for the failure message: per-seed values, t and p.
    static func describe(_ t: [String: Any]) -> String {
        "A \(t["score_a"] ?? "?") vs B \(t["score_b"] ?? "?"), t = \(t["t"] ?? "?"), two-sided p = \(t["p"] ?? "?")"
    }

    @Test func theStudyRecoversThePlantedForgetting() throws {
        let p = try Study()

        for seed in Self.seeds {
            // 1. Each seed's base learns the 8 balanced emotions: its test accuracy must beat chance (1/8) with
            // one-sided binomial p < 1e-6 and reach half the images (4 × chance), or nothing downstream means anything.
            let base = try p.json("base_eval[seed=\(seed)]", "evaluation", "metrics.json")
            let n = try #require(base["samples"] as? Int), accuracy = try #require(base["accuracy"] as? Double)
            #expect(accuracy >= 0.5 && Self.upperTail(Int((accuracy * Double(n)).rounded()), n, 1.0 / 8) < 1e-6,
                    "seed \(seed): base test accuracy \(accuracy) on \(n) images")

            // 2. Both pain models detect pain: on the held-out participants the mean of the two classes' recalls
            // beats the 0.5 every feature-blind guesser gets (whatever the class frequencies) by 0.1.
            for depth in [5, 0] {
                let pain = try p.metrics("pain_eval[blocks=\(depth),seed=\(seed)]")
                let balanced = ((pain["recall_pain"] ?? 0) + (pain["recall_no_pain"] ?? 0)) / 2
                #expect(balanced >= 0.6, "seed \(seed): pain[blocks=\(depth)] balanced accuracy \(balanced)")
            }
        }

        // 3. FreezeB0 forgets emotions. In each seed, over all 1 600 test images, more are right with FreezeB5's head
        // and wrong with FreezeB0's (b) than the reverse (c), exact one-sided McNemar p < 0.01 (every emotion but
        // neutral shows AUs pain never shows), and across seeds the accuracy drop beats training noise. Contempt,
        // whose one core AU (AU14) pain never shows, loses recall across seeds. Surprise is not asserted: it carries
        // three cues pain never shows (brows AU1/2, lids AU5, jaw AU26), and FreezeB0 loses it in some seeds and
        // gains it in others (docs/forgetting.md, "What the science test finds").
        let forgetting = try p.json("forgetting", "result", "result.json")
        let perSeed = try #require(forgetting["per_seed"] as? [[String: Any]])
        #expect(perSeed.compactMap { $0["seed"] as? Int } == Self.seeds, "seeds of the forgetting test")
        for report in perSeed {
            let overall = try #require(report["overall"] as? [String: Any])
            let b = try #require(overall["b"] as? Int), c = try #require(overall["c"] as? Int)
            #expect(Self.upperTail(b, b + c, 0.5) < 0.01, "seed \(report["seed"] ?? "?"), all emotions: b = \(b), c = \(c)")
        }
        let across = try #require(forgetting["across_seeds"] as? [String: Any])
        let overall = try #require((across["overall"] as? [String: Any])?["across_seeds"] as? [String: Any])
        #expect(Self.dropsAcrossSeeds(overall), "all emotions, accuracy across seeds: \(Self.describe(overall))")
        let perClass = try #require(across["per_class"] as? [[String: Any]])
        let contempt = try #require(perClass.first { ($0["class"] as? String)?.lowercased() == "contempt" }?["across_seeds"] as? [String: Any])
        #expect(Self.dropsAcrossSeeds(contempt), "contempt recall across seeds: \(Self.describe(contempt))")

        // 4. Probes on the last conv block: FreezeB5 keeps the base's features, which must encode AU5 and AU14
        // beyond chance in each seed (permutation p < 0.01 and above the all-positive guesser's F1: verdict
        // beats_chance); FreezeB0 decodes each worse, by a mean F1 drop that beats training noise across seeds.
        for concept in ["au5", "au14"] {
            let t = try p.json("\(concept)_test", "result", "result.json")
            for report in try #require(t["per_seed"] as? [[String: Any]]) {
                #expect(report["chance_a"] as? String == "beats_chance", "seed \(report["seed"] ?? "?"), \(concept) FreezeB5 probe: \(report["chance_a"] ?? "no verdict")")
            }
            let drop = try #require(t["across_seeds"] as? [String: Any])
            #expect(Self.dropsAcrossSeeds(drop), "\(concept) F1, FreezeB5 vs FreezeB0 across seeds: \(Self.describe(drop))")
        }

        // 5. Concept candidates from contrastive LRP maps (start softmax_gradient): where FreezeB5's relevance for
        // contempt, against the classes each model weighs against it, exceeds FreezeB0's on the contempt faces
        // FreezeB5 gets right and FreezeB0 wrong, the area of the AUs contempt uses and pain never shows (lip corners,
        // AU12/14) scores above the mean of the areas contempt does not use, by a margin that beats training noise
        // across seeds (one seed's check has about even odds by chance: one area against the mean of seven). The
        // study's own start (the logit alone) fails this: its difference maps favour the eyes and brows for every
        // class (docs/forgetting.md, "What the science test finds"). Surprise is not asserted (3.).
        var lips: [Double] = [], others: [Double] = []
        for seed in Self.seeds {
            let ranking = try p.json("candidates[seed=\(seed)]", "candidates", "ranking.json")
            let means = try #require(((ranking["expected"] as? [String: Any])?["Contempt"] as? [String: Any])?["mean_score"] as? [String: Double],
                                     "seed \(seed): no expectation for Contempt")
            lips.append(try #require(means["pain_never_uses"], "seed \(seed): \(means)"))
            others.append(try #require(means["not_in_class"], "seed \(seed): \(means)"))
        }
        let scores = try PairedTTestResult(a: lips, b: others)
        #expect(Self.aboveAcrossSeeds(meanDifference: scores.meanDifference, p: scores.p),
                "contempt's lip corners \(lips) vs areas it does not use \(others): t = \(scores.t), two-sided p = \(scores.p)")
    }
}
