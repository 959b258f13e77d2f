import Faces
import Foundation
import Testing
@testable import Graph
@testable import Nodes

@Suite struct ForgettingSVMProbeNodeTests {
    static func yaml(seed: Int = 5, repeats: Int = 20) -> String {
        """
        palimpsest: 1
        name: probes
        seed: \(seed)
        nodes:
          model: {kind: test_model, params: {size: 32, channels: 1, class_names: [a, b]}}
          separable: {kind: probe_faces, params: {mode: separable}}
          noise: {kind: probe_faces, params: {mode: random}}
          probe_sep: {kind: svm_probe, inputs: {model: model, data: separable}, params: {concept: AU5, repeats: \(repeats)}}
          probe_rand: {kind: svm_probe, inputs: {model: model, data: noise}, params: {concept: au5, repeats: \(repeats), layer: block4}}
        """
    }

    static let kinds = [KindRef(TestModelNode.self), KindRef(ProbeFacesNode.self), KindRef(TestFacesNode.self)]

    /// Rows of scores.csv as numbers (header checked).
    static func scores(_ dir: URL) throws -> [[Double]] {
        let lines = try String(contentsOf: dir.appendingPathComponent("scores.csv"), encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "id,score,precision,recall,accuracy")
        return lines.dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
    }

    static func summary(_ dir: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json"))) as! [String: Any]
    }

    @Test func separableConceptScoresNearOneAndRandomNearChance() throws {
        let p = try ForgettingProject(Self.yaml(), extraKinds: Self.kinds)
        expectSuccess(try p.run())
        let sep = try p.outputDirectory("probe_sep", "probe"), rand = try p.outputDirectory("probe_rand", "probe")
        let sepSummary = try Self.summary(sep), randSummary = try Self.summary(rand)
        #expect(sepSummary["mean_f1"] as! Double > 0.95, "\(sepSummary)")
        #expect(abs(randSummary["mean_f1"] as! Double - 0.5) < 0.2, "\(randSummary)")
        #expect(sepSummary["positives"] as? Int == 20 && sepSummary["negatives"] as? Int == 20)
        // block5 of a 32 px, width-1/16 network: 32 channels × 1 × 1; block4: 32 × 2 × 2.
        #expect(sepSummary["feature_dimension"] as? Int == 32 && randSummary["feature_dimension"] as? Int == 128)
        #expect(sepSummary["concept"] as? String == "AU5" && randSummary["concept"] as? String == "AU5")
        #expect(sepSummary["crop"] is NSNull && sepSummary["layer"] as? String == "block5")
        let rows = try Self.scores(rand)
        #expect(rows.map { Int($0[0]) } == Array(0..<20))
        // The summary is the mean of the table; the headline metric is the summary's.
        let mean = rows.map { $0[1] }.reduce(0, +) / 20
        #expect(abs(mean - (randSummary["mean_f1"] as! Double)) < 1e-12)
        #expect(try p.metrics("probe_rand")["mean_f1"] == randSummary["mean_f1"] as? Double)
        #expect(Set(rows.map { $0[1] }).count > 1, "repeats use different folds")
    }

    /// The chance baseline: planted separable features beat chance at the permutation test's floor; features
    /// without signal do not; a comparison is interpretable only when one of its probes beats chance.
    @Test func chanceBaselineSeparatesSignalFromNoise() throws {
        let yaml = Self.yaml(repeats: 10) + """

          probe_rand2: {kind: svm_probe, inputs: {model: model, data: noise}, params: {concept: AU5, repeats: 10}}
          probe_sep4: {kind: svm_probe, inputs: {model: model, data: separable}, params: {concept: AU5, repeats: 10, layer: block4}}
          sep_vs_sep: {kind: significance_test, params: {test: paired_t}, inputs: {a: probe_sep, b: probe_sep4}}
          rand_vs_rand: {kind: significance_test, params: {test: paired_t}, inputs: {a: probe_rand2, b: probe_rand}}
        """
        let p = try ForgettingProject(yaml, extraKinds: Self.kinds)
        let overrides = ["probe_sep.permutations=39", "probe_rand.permutations=39", "probe_rand2.permutations=39", "probe_sep4.permutations=39"]
        expectSuccess(try p.run(overrides))
        func chance(_ id: String) throws -> [String: Any] {
            try Self.summary(p.outputDirectory(id, "probe", overrides: ["\(id).permutations=39"]))["chance"] as! [String: Any]
        }
        let sep = try chance("probe_sep"), rand = try chance("probe_rand")
        let sepTest = sep["permutation"] as! [String: Any], randTest = rand["permutation"] as! [String: Any]
        #expect(sepTest["p"] as? Double == 1.0 / 40, "no shuffle reaches the planted signal: p at its floor 1/(N+1)")
        #expect(sepTest["permutations"] as? Int == 39 && sepTest["repeats"] as? Int == 5)
        #expect(sep["verdict"] as? String == "beats_chance")
        #expect(randTest["p"] as! Double >= 0.05 && rand["verdict"] as? String == "at_chance", "\(rand)")
        // 15 of 40 noise images positive: π = 3/8, all-positive F1 = 2π/(1 + π) = 6/11, majority accuracy 5/8.
        let baseline = rand["baseline"] as! [String: Any]
        #expect(baseline["positives"] as? Int == 15 && baseline["negatives"] as? Int == 25)
        #expect(abs((baseline["all_positive"] as! [String: Any])["f1"] as! Double - 6.0 / 11) < 1e-12)
        #expect(baseline["majority_accuracy"] as? Double == 0.625)
        let folds = try String(contentsOf: p.outputDirectory("probe_rand", "probe", overrides: ["probe_rand.permutations=39"])
            .appendingPathComponent("folds.csv"), encoding: .utf8).split(separator: "\n")
        #expect(folds.first == "repeat,fold,n_test,f1,precision,recall,accuracy" && folds.count == 1 + 10 * 2)
        // Stratified round-robin folds: ⌈15/2⌉ + ⌈25/2⌉ = 21 test images in fold 0, 7 + 12 = 19 in fold 1.
        #expect(folds[1].hasPrefix("0,0,21,") && folds[2].hasPrefix("0,1,19,"))

        func result(_ id: String) throws -> [String: Any] {
            let url = try p.outputDirectory(id, "result", overrides: overrides).appendingPathComponent("result.json")
            return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        }
        let good = try result("sep_vs_sep"), bad = try result("rand_vs_rand")
        #expect(good["interpretable"] as? Bool == true && good["chance_a"] as? String == "beats_chance")
        #expect(bad["interpretable"] as? Bool == false && bad["chance_a"] as? String == "at_chance")
        let corrected = good["corrected"] as! [String: Any]
        // 10 repeats × 2 folds: df 19; equal folds: n₂/n₁ = 1.
        #expect(corrected["df"] as? Int == 19 && corrected["test_train_ratio"] as? Double == 1)
        #expect(abs(corrected["t"] as! Double) <= abs(good["t"] as! Double), "the correction widens the fold-level variance")
        #expect(good["label"] as? String == ProbeComparison.studyLabel)
    }

    @Test func seedsMakeRunsBitReproducible() throws {
        let first = try ForgettingProject(Self.yaml(repeats: 8), extraKinds: Self.kinds)
        let second = try ForgettingProject(Self.yaml(repeats: 8), extraKinds: Self.kinds)
        let other = try ForgettingProject(Self.yaml(seed: 6, repeats: 8), extraKinds: Self.kinds)
        var csv: [Data] = []
        for p in [first, second, other] {
            expectSuccess(try p.run(["probe_sep.repeats=8"]))
            csv.append(try Data(contentsOf: p.outputDirectory("probe_rand", "probe").appendingPathComponent("scores.csv")))
        }
        #expect(csv[0] == csv[1])
        #expect(csv[0] != csv[2], "another seed draws other folds")
    }

    @Test func cropsNeedLandmarksAndCutTheFace() throws {
        let yaml = """
        palimpsest: 1
        name: crops
        seed: 5
        nodes:
          model: {kind: test_model, params: {size: 32, channels: 1, class_names: [a, b]}}
          plain: {kind: probe_faces, params: {mode: separable, subjects: 8}}
          faces: {kind: test_faces, params: {like: ckplus, size: 48, subjects: 10}}
          cropped: {kind: svm_probe, inputs: {model: model, data: faces}, params: {concept: AU5, repeats: 3, crop: upper_face}}
          no_landmarks: {kind: svm_probe, inputs: {model: model, data: plain}, params: {concept: AU5, repeats: 3, crop: eyes}}
        """
        let p = try ForgettingProject(yaml, extraKinds: Self.kinds)
        let summary = try p.run()
        let failed = try #require(summary.results.first { $0.id == "no_landmarks" })
        #expect(failed.status == .failed && (failed.reason ?? "").contains("landmarks"), "\(failed.reason ?? "")")
        let cropped = try #require(summary.results.first { $0.id == "cropped" })
        #expect(cropped.status == .executed, "\(cropped.reason ?? "")")
        // Oracle: the loader's own count of AU5 peak frames.
        let tree = try p.outputDirectory("faces", "dataset").appendingPathComponent("tree")
        let truth = try CKPlusLoader(root: tree).load(actionUnit: 5, region: .upperFace)
        let s = try Self.summary(p.outputDirectory("cropped", "probe"))
        #expect(s["positives"] as? Int == truth.samples.filter { $0.label == 1 }.count)
        #expect(s["negatives"] as? Int == truth.samples.filter { $0.label == 0 }.count)
        #expect(s["crop"] as? String == "upper_face")
    }

    @Test func badConceptsAndDatasetsAreReported() throws {
        let yaml = """
        palimpsest: 1
        name: bad
        seed: 5
        nodes:
          model: {kind: test_model, params: {size: 32, channels: 1, class_names: [a, b]}}
          emotions: {kind: test_faces, params: {like: affectnet, size: 32, per_class: 1}}
          probe: {kind: svm_probe, inputs: {model: model, data: emotions}, params: {concept: AU5, repeats: 2}}
        """
        let p = try ForgettingProject(yaml, extraKinds: Self.kinds)
        let failed = try #require(try p.run().results.first { $0.id == "probe" })
        #expect(failed.status == .failed && (failed.reason ?? "").contains("expected 'ckplus'"), "\(failed.reason ?? "")")
        try yaml.replacingOccurrences(of: "concept: AU5", with: "concept: smile").write(to: p.file, atomically: true, encoding: .utf8)
        #expect(throws: GraphError.self) { try p.run() }
    }
}
