import Core
import Faces
import Foundation
import Testing
@testable import Graph
@testable import Nodes

/// Test-only upstream: a `diff_saliency`-shaped output whose A−B difference is the pixel change an AU makes on
/// SynthFACS faces (so the truth is known): contempt ← AU14 (lip corners), surprise ← AU5 (upper lids).
struct PlantedSaliencyNode: NodeKind {
    static let kind = "planted_saliency"
    static let version = 1
    static let summary = "test: saliency maps with a planted difference"
    static let params: [ParamSpec] = [.bool("landmarks", default: true, doc: "write landmarks")]
    static let inputs: [PortSpec] = []
    static let outputs: [OutputSpec] = [OutputSpec("saliency", doc: "maps")]

    static func run(_ context: NodeContext) throws {
        let withLandmarks = try context.params.bool("landmarks")
        var selected: [SaliencyArtifact.Selected] = []
        var a: [Float] = [], b: [Float] = [], images: [Float] = []
        for (className, unit) in [("contempt", ActionUnit.au14), ("surprise", .au5)] {
            for person in 0..<3 {
                let (change, landmarks) = ForgettingConceptRankingTests.plantedDifference(unit, person: person)
                let base = [Float](repeating: 0.1, count: 64 * 64)
                a += zip(base, change).map { $0 + 0.8 * $1 }
                b += base
                images += change
                selected.append(.init(id: "\(className)/\(person).png", className: className, landmarks: withLandmarks ? landmarks : nil))
            }
        }
        let n = selected.count
        let diff = zip(a, b).map { 0.5 + ($0 - $1) / 2 }
        try SaliencyArtifact(selection: .init(rule: "z_dense_zplus_conv", a: "x", b: "y", classes: ["contempt", "surprise"], images: selected),
                             a: Tensor(shape: [n, 64, 64], data: a), b: Tensor(shape: [n, 64, 64], data: b),
                             diff: Tensor(shape: [n, 64, 64], data: diff), images: Tensor(shape: [n, 1, 64, 64], data: images))
            .write(to: context.output())
    }
}

@Suite struct ForgettingConceptCandidatesNodeTests {
    static let yaml = """
    palimpsest: 1
    name: candidates
    seed: 3
    nodes:
      saliency: {kind: planted_saliency}
      candidates: {kind: concept_candidates, inputs: {saliency: saliency}, params: {figure_images: 2}}
    """

    @Test func plantedDifferencesComeFirstInTheRankingFiles() throws {
        let p = try ForgettingProject(Self.yaml, extraKinds: [KindRef(PlantedSaliencyNode.self)])
        expectSuccess(try p.run())
        let out = try p.outputDirectory("candidates", "candidates")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("ranking.json"))) as? [String: Any])
        #expect(json["images"] as? Int == 6)
        let perClass = try #require(json["per_class"] as? [String: [[String: Any]]])
        #expect(perClass["contempt"]?.first?["region"] as? String == "lip_corners")
        #expect(perClass["contempt"]?.first?["action_units"] as? [String] == ["AU12", "AU14", "AU15", "AU20"])
        #expect(perClass["surprise"]?.first?["region"] as? String == "upper_lids")
        let scores = perClass["surprise"]!.map { $0["score"] as! Double }
        #expect(scores == scores.sorted(by: >))
        let csv = try String(contentsOf: out.appendingPathComponent("ranking.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv[0] == "class,rank,region,action_units,score,share,expected,pain_never_uses,shared_with_pain")
        #expect(csv.count == 1 + 2 * ActionUnitRegion.allCases.count)
        #expect(csv[1].hasPrefix("contempt,1,lip_corners,AU12 AU14 AU15 AU20,") && csv[1].hasSuffix(",pain_never_uses,AU12 AU14,"))
        // The planted areas are the predicted ones: contempt's AU14 and surprise's AU5 are never used by pain.
        let expected = try #require(json["expected"] as? [String: [String: Any]])
        #expect(expected["contempt"]?["top_region"] as? String == "lip_corners" && expected["contempt"]?["top_verdict"] as? String == "pain_never_uses")
        #expect(expected["surprise"]?["top_region"] as? String == "upper_lids" && expected["surprise"]?["top_verdict"] as? String == "pain_never_uses")
        #expect(perClass["surprise"]?.first?["pain_never_uses"] as? [String] == ["AU5"])
        // regions.png: 2 classes × 2 faces, each enlarged 64 → 128 px, 4 px apart.
        let figure = try ImageFile.read(out.appendingPathComponent("regions.png"))
        #expect(figure.width == 2 * 128 + 3 * 4 && figure.height == 2 * 128 + 3 * 4)
        #expect(try p.metrics("candidates")["images"] == 6)
    }

    @Test func imagesWithoutLandmarksAreAnError() throws {
        let p = try ForgettingProject(Self.yaml, extraKinds: [KindRef(PlantedSaliencyNode.self)])
        let summary = try p.run(["saliency.landmarks=false"])
        let failure = try #require(summary.results.first { $0.id == "candidates" })
        #expect(failure.status == .failed)
        #expect(failure.reason?.contains("has landmarks") ?? false, "\(failure.reason ?? "")")
    }
}
