import Analysis
import Foundation
import Testing
@testable import Nodes

@Suite struct ForgettingProbeReportTests {
    @Test func summaryAndScoresFollowTheContract() throws {
        // ProbeResult has no public memberwise initialiser; it is Codable.
        let scores = [BinaryScores(precision: 1, recall: 0.5, f1: 2.0 / 3, accuracy: 0.75),
                      BinaryScores(precision: 0.5, recall: 0.5, f1: 0.5, accuracy: 0.5)]
        let result = try JSONDecoder().decode(ProbeResult.self, from: JSONEncoder().encode(["perRepeat": scores]))
        let report = ProbeReport(concept: "AU5", layer: "block5", crop: nil, probe: ConceptProbe(C: 0.5, folds: 2, repeats: 2),
                                 result: result, positives: 4, negatives: 6, dimension: 512)
        #expect(report.scoresCSV == "id,score,precision,recall,accuracy\n0,\(2.0 / 3),1.0,0.5,0.75\n1,0.5,0.5,0.5,0.5\n")
        let data = try JSONEncoder().encode(report.summary)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["concept", "layer", "crop", "repeats", "folds", "c", "positives", "negatives",
                                     "feature_dimension", "mean_f1", "sd_f1", "mean_precision", "mean_recall", "mean_accuracy", "chance"])
        let chance = try #require(object["chance"] as? [String: Any])
        #expect(chance["permutation"] is NSNull && chance["verdict"] is NSNull, "no permutation test: the verdict is untested")
        #expect(object["crop"] is NSNull)
        #expect(abs((object["mean_f1"] as! Double) - (2.0 / 3 + 0.5) / 2) < 1e-12)
        // Sample standard deviation of {2/3, 1/2}: |2/3 − 1/2| / √2.
        #expect(abs((object["sd_f1"] as! Double) - (1.0 / 6) / 2.0.squareRoot()) < 1e-12)
        #expect(object["mean_accuracy"] as! Double == 0.625 && object["c"] as! Double == 0.5)
        #expect(try JSONDecoder().decode(ProbeReport.Summary.self, from: data) == report.summary)
    }
}
