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
