import Faces
import Foundation
import Graph

/// `concept_candidates`: ranks the face's AU areas by how much of the positive saliency difference (model A more
/// relevant than model B) falls inside each, per class, over the images `diff_saliency` selected.
///
/// Beyond the study, which had a human look at the difference maps. Output (docs/artifacts.md §8): `ranking.json`
/// `{"per_class": {class: [{"region", "action_units", "score", "share", "expected", "pain_never_uses",
/// "shared_with_pain"}, …]}, "expected": {class: {"top_region", "top_verdict", "mean_score"}}, "images": N}` sorted
/// by score, `ranking.csv`, and `regions.png` (per class a few faces with the areas tinted). Scores:
/// `ConceptRanking`; the prediction each area is labelled with: `ForgettingExpectation`.
/// An empty selection gives an empty ranking (`images` 0) and no figure.
public struct ConceptCandidatesNode: NodeKind {
    public static let kind = "concept_candidates"
    public static let version = 2
    public static let summary = "Rank facial AU areas by how much positive A−B saliency difference falls in each (per class)."
    public static let params: [ParamSpec] = [
        .int("figure_images", default: 4, range: 1...32, doc: "At most this many faces per class (one row each) in regions.png."),
    ]
    public static let inputs: [PortSpec] = [PortSpec("saliency", doc: "A diff_saliency output (maps and landmarks).")]
    public static let outputs: [OutputSpec] = [OutputSpec("candidates", doc: "ranking.json, ranking.csv, regions.png.")]
    public static let usesSeed = false

    /// The checked params, decoded once.
    struct Params: Decodable { var figureImages: Int }

    /// `ranking.json`.
    struct RankingFile: Encodable {
        var perClass: [String: [ConceptRanking.Entry]]
        var expected: [String: ConceptRanking.ClassExpectation]
        var images: Int

        enum CodingKeys: String, CodingKey {
            case perClass = "per_class", expected, images
        }
    }

    public static func run(_ context: NodeContext) throws {
        let input = try context.input("saliency")
        let saliency = try SaliencyArtifact.load(from: input.directory)
        let h = saliency.height, w = saliency.width, plane = h * w
        let selected = saliency.selection.images
        let images = selected.enumerated().map { n, image in
            ConceptRanking.Image(className: image.className, landmarks: image.points,
                                 a: saliency.a.data[n * plane..<(n + 1) * plane], b: saliency.b.data[n * plane..<(n + 1) * plane])
        }
        let ranking = ConceptRanking(images: images, width: w, height: h)
        guard ranking.images > 0 || selected.isEmpty else {
            throw NodeFailure("none of the \(selected.count) images selected by \(input.instance) has landmarks; "
                + "concept_candidates needs a dataset with 68-point landmarks (SynthFACS, CK+ Landmarks/, AffectNet's list)")
        }
        let out = context.output()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(RankingFile(perClass: ranking.perClass, expected: ranking.expectations, images: ranking.images))
            .write(to: out.appendingPathComponent("ranking.json"))

        // The classes in the order diff_saliency chose them.
        let classes = saliency.selection.classes.filter { ranking.perClass[$0] != nil }
        var csv = ["class,rank,region,action_units,score,share,expected,pain_never_uses,shared_with_pain"]
        for name in classes {
            for (rank, e) in ranking.perClass[name]!.enumerated() {
                csv.append("\(csvField(name)),\(rank + 1),\(e.region),\(e.actionUnits.joined(separator: " ")),\(e.score),\(e.share),"
                    + "\(e.expected ?? ""),\(e.painNeverUses.joined(separator: " ")),\(e.sharedWithPain.joined(separator: " "))")
            }
            let top = ranking.perClass[name]![0]
            context.log("\(name): \(top.region) (\(top.actionUnits.joined(separator: ", "))) score \(String(format: "%.2f", top.score))"
                + (top.expected.map { ", predicted: \($0.replacingOccurrences(of: "_", with: " "))" } ?? ", no AU table for this class"))
        }
        try Data((csv.joined(separator: "\n") + "\n").utf8).write(to: out.appendingPathComponent("ranking.csv"))
        context.metric("images", Double(ranking.images))
        guard !classes.isEmpty else {
            context.log("the saliency selection \(input.instance) is empty: nothing to rank, no regions.png")
            return
        }

        let limit = try context.params.decode(Params.self).figureImages
        let channels = saliency.images.shape[1]
        let shownPerClass = classes.map { name in
            Array(selected.indices.filter { selected[$0].className == name && selected[$0].landmarks != nil }.prefix(limit))
        }
        let perRow = shownPerClass.map(\.count).max()!
        var cells: [RasterImage] = []
        for shown in shownPerClass {
            for n in shown {
                let pixels = Array(saliency.images.data[n * channels * plane..<(n + 1) * channels * plane])
                let face = RasterImage(width: w, height: h, channels: channels, pixels: pixels.map { min(max($0, 0), 1) })
                cells.append(SaliencyFigures.regions(face, landmarks: selected[n].points!))
            }
            let blank = RasterImage(width: cells.last!.width, height: cells.last!.height, channels: 3, fill: 1)
            cells += Array(repeating: blank, count: perRow - shown.count)
        }
        try PNGCodec.write(RasterImage.grid(cells, columns: perRow, padding: 4), to: out.appendingPathComponent("regions.png"))
    }

    /// A CSV field, quoted when it holds a comma or quote.
    static func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
