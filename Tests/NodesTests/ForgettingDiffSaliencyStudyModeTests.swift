import Core
import Faces
import Foundation
import Testing
@testable import Graph
@testable import Nodes

/// `diff_saliency` in the study's mode (`difference: raw_maps`, `per_class: all`), against a slow oracle that
/// recomputes each image's relevance straight from the files; the default mode's files stay as they were.
@Suite struct ForgettingDiffSaliencyStudyModeTests {
    static func yaml(_ params: String) -> String {
        ForgettingDiffSaliencyNodeTests.yaml().replacingOccurrences(of: "params: {per_class: 100, classes: []}", with: "params: {\(params)}")
    }

    @Test func rawMapsAreSubtractedThenMinMaxNormalisedAndAllCandidatesExplained() throws {
        let p = try ForgettingProject(Self.yaml("per_class: all, difference: raw_maps"), extraKinds: ForgettingDiffSaliencyNodeTests.kinds)
        expectSuccess(try p.run())
        let (samples, a, b) = try ForgettingDiffSaliencyNodeTests.oracle(p)
        // all: every image right by A and wrong by B, grouped by class.
        let expected = (0..<8).flatMap { c in samples.indices.filter { samples[$0].label == c && a[$0] == c && b[$0] != c } }
        let out = try p.outputDirectory("saliency", "saliency")
        let artifact = try SaliencyArtifact.load(from: out)
        #expect(artifact.selection.images.map(\.id) == expected.map { samples[$0].key })
        #expect(artifact.selection.difference == "raw_maps")

        let plane = 32 * 32
        let pipeline = ImagePipeline(size: 32, channels: 3, normalization: Normalization(mean: TestModelNode.mean, std: TestModelNode.std))
        let models = try ["a", "b"].map { try VGG16.load(from: p.outputDirectory($0, "model").appendingPathComponent("weights.safetensors")) }
        for (n, index) in expected.enumerated().prefix(3) {
            let input = Tensor(shape: [1, 3, 32, 32], data: try pipeline.load(samples[index]).normalized(pipeline.normalization))
            let raw = try models.map { model -> [Float] in
                let r = try model.relevance(input: input, classes: [samples[index].label], composite: .zDenseZPlusConv).data
                return (0..<plane).map { i in r[i] + r[plane + i] + r[2 * plane + i] }
            }
            // The study: the raw maps subtracted, A − B, then the difference scaled to [0, 1] by its own min and max.
            let d = zip(raw[0], raw[1]).map { $0 - $1 }
            let lo = d.min()!, hi = d.max()!
            #expect(hi > lo, "image \(n): the two models' maps differ")
            let got = artifact.diff.data[n * plane..<(n + 1) * plane]
            #expect(zip(got, d).allSatisfy { abs($0 - ($1 - lo) / (hi - lo)) < 1e-4 }, "image \(n)")
            #expect(got.min() == 0 && got.max() == 1)
            // A and B stay the normalised, clipped maps that concept_candidates reads.
            for (m, maps) in [artifact.a, artifact.b].enumerated() {
                let peak = raw[m].map(abs).max()!
                #expect(zip(maps.data[n * plane..<(n + 1) * plane], raw[m]).allSatisfy { abs($0 - max($1, 0) / peak) < 1e-5 })
            }
        }
        // With no fixed zero point, the difference is drawn "hot" like the maps, not blue–white–red around 0.5.
        let heat = try ImageFile.read(out.appendingPathComponent("heatmaps/0_diff.png"))
        let expectedHeat = SaliencyFigures.heat(artifact.diff.data[0..<plane], width: 32, height: 32)
        #expect(zip(heat.pixels, expectedHeat.pixels).allSatisfy { abs($0 - $1) <= 1 / 255 + 1e-6 })
    }

    @Test func theDefaultDifferenceWritesNoDifferenceField() throws {
        let p = try ForgettingProject(Self.yaml("per_class: 2"), extraKinds: ForgettingDiffSaliencyNodeTests.kinds)
        expectSuccess(try p.run())
        let json = try String(contentsOf: p.outputDirectory("saliency", "saliency").appendingPathComponent("selection.json"), encoding: .utf8)
        #expect(!json.contains("difference"), "selection.json of the default mode is unchanged: \(json.prefix(200))")
    }

    /// `start: softmax_gradient`: the maps are each model's contrastive relevance (recomputed from the files),
    /// normalised and clipped as usual, and `selection.json` says how relevance started.
    @Test func contrastiveStartMapsAreTheModelsSoftmaxGradientRelevance() throws {
        let p = try ForgettingProject(Self.yaml("per_class: 2, start: softmax_gradient"), extraKinds: ForgettingDiffSaliencyNodeTests.kinds)
        expectSuccess(try p.run())
        let artifact = try SaliencyArtifact.load(from: p.outputDirectory("saliency", "saliency"))
        #expect(artifact.selection.start == "softmax_gradient")
        let (samples, _, _) = try ForgettingDiffSaliencyNodeTests.oracle(p)
        let byKey = Dictionary(samples.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let plane = 32 * 32
        let pipeline = ImagePipeline(size: 32, channels: 3, normalization: Normalization(mean: TestModelNode.mean, std: TestModelNode.std))
        let model = try VGG16.load(from: p.outputDirectory("a", "model").appendingPathComponent("weights.safetensors"))
        try #require(!artifact.selection.images.isEmpty, "no image selected")
        for (n, selected) in artifact.selection.images.enumerated().prefix(2) {
            let sample = try #require(byKey[selected.id])
            let input = Tensor(shape: [1, 3, 32, 32], data: try pipeline.load(sample).normalized(pipeline.normalization))
            let r = try model.relevance(input: input, classes: [sample.label], composite: .zDenseZPlusConv, start: .softmaxGradient).data
            let raw = (0..<plane).map { i in r[i] + r[plane + i] + r[2 * plane + i] }
            let peak = raw.map(abs).max()!
            // The contrastive map is Σ_k w_k R_k with w_k = p_y(δ_yk − p_k), weights that sum to 0, so it cancels: its
            // float32 error scales with Σ_k |w_k|·|R_k| (the one-start maps), not with its own peak. The node's batch
            // and this batch of 1 round differently (up to 1e-3 of the peak on a Zen 3, under 1e-5 on a Zen 4).
            let p = try model.probabilities(input).data.map(Double.init)
            var scale = [Double](repeating: 0, count: plane)
            for k in 0..<model.configuration.classCount {
                let w = abs(p[sample.label] * ((k == sample.label ? 1 : 0) - p[k]))
                let rk = try model.relevance(input: input, classes: [k], composite: .zDenseZPlusConv, start: .one).data
                for i in 0..<plane { scale[i] += w * Double(abs(rk[i]) + abs(rk[plane + i]) + abs(rk[2 * plane + i])) }
            }
            let bound = 1e-5 * scale.max()! / Double(peak)
            let error = zip(artifact.a.data[n * plane..<(n + 1) * plane], raw).map { Double(abs($0 - max($1, 0) / peak)) }.max()!
            #expect(error < bound, "image \(n): largest error \(error) of the peak, bound \(bound)")
        }
        let plain = try ForgettingProject(Self.yaml("per_class: 2"), extraKinds: ForgettingDiffSaliencyNodeTests.kinds)
        expectSuccess(try plain.run())
        #expect(try SaliencyArtifact.load(from: plain.outputDirectory("saliency", "saliency")).selection.start == nil)
    }

    @Test func perClassTakesAPositiveCountOrAll() throws {
        for bad in ["0", "some", "2.5"] {
            let p = try ForgettingProject(Self.yaml("per_class: \(bad)"), extraKinds: ForgettingDiffSaliencyNodeTests.kinds)
            #expect(throws: GraphError.self, "per_class: \(bad)") { try p.run() }
        }
        #expect(DiffSaliencyNode.capCheck(.int(10_000)) == nil && DiffSaliencyNode.capCheck(.string("all")) == nil)
        #expect(DiffSaliencyNode.minMax([2, 4, 3, 7, 7, 7], plane: 3) == [0, 1, 0.5, 0.5, 0.5, 0.5])
    }
}
