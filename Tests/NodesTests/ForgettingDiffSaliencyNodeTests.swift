import Core
import Faces
import Foundation
import Testing
@testable import Graph
@testable import Nodes

@Suite struct ForgettingDiffSaliencyNodeTests {
    static func yaml(perClass: Int = 100, classes: String = "[]") -> String {
        """
        palimpsest: 1
        name: saliency
        seed: 1
        nodes:
          faces: {kind: test_faces, params: {like: affectnet, size: 48, per_class: 4}}
          a: {kind: test_model, params: {init: 3}}
          b: {kind: test_model, params: {init: 4, favour: 0}}
          saliency: {kind: diff_saliency, inputs: {a: a, b: b, data: faces}, params: {per_class: \(perClass), classes: \(classes)}}
          candidates: {kind: concept_candidates, inputs: {saliency: saliency}}
        """
    }

    static let kinds = [KindRef(TestModelNode.self), KindRef(TestFacesNode.self)]

    /// The test images and each model's prediction, computed one image at a time straight from the files.
    static func oracle(_ p: ForgettingProject) throws -> (samples: [FaceSample], a: [Int], b: [Int]) {
        let tree = try p.outputDirectory("faces", "dataset").appendingPathComponent("tree")
        let samples = try AffectNetLoader(root: tree).load(validationFraction: 0).test.samples
        let pipeline = ImagePipeline(size: 32, channels: 3, normalization: Normalization(mean: TestModelNode.mean, std: TestModelNode.std))
        var predictions: [[Int]] = []
        for id in ["a", "b"] {
            let model = try VGG16.load(from: p.outputDirectory(id, "model").appendingPathComponent("weights.safetensors"))
            predictions.append(try samples.map { sample in
                let logits = try model.logits(Tensor(shape: [1, 3, 32, 32], data: pipeline.load(sample).normalized(pipeline.normalization))).data
                return logits.indices.max { logits[$0] < logits[$1] }!
            })
        }
        return (samples, predictions[0], predictions[1])
    }

    @Test func explainsExactlyTheImagesARightAndBWrong() throws {
        let p = try ForgettingProject(Self.yaml(), extraKinds: Self.kinds)
        expectSuccess(try p.run())
        let (samples, a, b) = try Self.oracle(p)
        // B always says Neutral: the candidates are A's correct answers on the other classes, grouped by class.
        #expect(b.allSatisfy { $0 == 0 })
        let expected = (0..<8).flatMap { c in samples.indices.filter { samples[$0].label == c && a[$0] == c && b[$0] != c } }
        #expect(!expected.isEmpty, "the random model A gets some images right")
        let out = try p.outputDirectory("saliency", "saliency")
        let artifact = try SaliencyArtifact.load(from: out)
        #expect(artifact.selection.images.map(\.id) == expected.map { samples[$0].key })
        #expect(artifact.selection.images.map(\.className) == expected.map { Emotion.names[samples[$0].label] })
        #expect(artifact.selection.classes == Emotion.names && artifact.selection.rule == "z_dense_zplus_conv")
        #expect(artifact.selection.a == "a" && artifact.selection.b == "b")
        #expect(try p.metrics("saliency")["images"] == Double(expected.count))

        // Landmarks: the list's points scaled from the 48 px image to the 32 px input.
        let rows = try String(contentsOf: p.outputDirectory("faces", "dataset").appendingPathComponent("tree/Manually_Annotated_file_lists/validation.csv"),
                              encoding: .utf8).split(separator: "\n")
        let first = artifact.selection.images[0]
        let row = try #require(rows.first { $0.hasPrefix(first.id.dropFirst("Manually_Annotated_Images/".count) + ",") })
        let numbers = row.split(separator: ",")[5].split(separator: ";").map { Float($0)! }
        let landmarks = try #require(first.landmarks)
        #expect(landmarks.count == 68)
        #expect(zip(landmarks, stride(from: 0, to: 136, by: 2)).allSatisfy { abs($0[0] - numbers[$1] * 32 / 48) < 1e-4 && abs($0[1] - numbers[$1 + 1] * 32 / 48) < 1e-4 })

        // Maps: each model's z⁺/z relevance for the true class, summed over channels, divided by the largest
        // absolute value and clipped at 0. (B, forced to say Neutral, may see only evidence against the class.)
        let plane = 32 * 32
        #expect(artifact.a.shape == [expected.count, 32, 32] && artifact.images.shape == [expected.count, 3, 32, 32])
        let pipeline = ImagePipeline(size: 32, channels: 3, normalization: Normalization(mean: TestModelNode.mean, std: TestModelNode.std))
        var positiveMaps = 0
        for (n, index) in expected.enumerated().prefix(3) {
            let input = Tensor(shape: [1, 3, 32, 32], data: try pipeline.load(samples[index]).normalized(pipeline.normalization))
            for (id, maps) in [("a", artifact.a), ("b", artifact.b)] {
                let model = try VGG16.load(from: p.outputDirectory(id, "model").appendingPathComponent("weights.safetensors"))
                let r = try model.relevance(input: input, classes: [samples[index].label], composite: .zDenseZPlusConv).data
                var summed = [Float](repeating: 0, count: plane)
                for c in 0..<3 { for i in 0..<plane { summed[i] += r[c * plane + i] } }
                let peak = summed.map(abs).max()!
                let got = maps.data[n * plane..<(n + 1) * plane]
                #expect(peak > 0 && zip(got, summed).allSatisfy { abs($0 - max($1, 0) / peak) < 1e-5 }, "image \(n) model \(id)")
                if id == "a" { positiveMaps += got.max() == 1 ? 1 : 0 }
            }
            for i in 0..<plane {
                let k = n * plane + i
                #expect(abs(artifact.diff.data[k] - (0.5 + (artifact.a.data[k] - artifact.b.data[k]) / 2)) < 1e-6)
            }
        }

        #expect(positiveMaps > 0, "A, right on these images, finds evidence for the class")

        // Figures: one grid per class with images (columns) × 4 rows of 128 px cells; three heatmaps per image.
        for name in Set(artifact.selection.images.map(\.className)) {
            let count = artifact.selection.images.filter { $0.className == name }.count
            let grid = try ImageFile.read(out.appendingPathComponent("grid_\(name).png"))
            #expect(grid.width == count * 128 + (count + 1) * 4 && grid.height == 4 * 128 + 5 * 4)
        }
        for n in 0..<expected.count {
            for part in ["a", "b", "diff"] {
                #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("heatmaps/\(n)_\(part).png").path))
            }
        }
        // Downstream, the candidates see every selected image with its landmarks.
        let ranking = try JSONSerialization.jsonObject(with: Data(contentsOf: p.outputDirectory("candidates", "candidates")
            .appendingPathComponent("ranking.json"))) as! [String: Any]
        #expect(ranking["images"] as? Int == expected.count)
    }

    @Test func capAndClassesChooseDeterministically() throws {
        let p = try ForgettingProject(Self.yaml(perClass: 1, classes: "[happy, SAD, surprise, fear, disgust, anger, contempt]"),
                                      extraKinds: Self.kinds)
        expectSuccess(try p.run())
        let (samples, a, b) = try Self.oracle(p)
        // One image per class: the first candidate (⌊0 · m / 1⌋) of each class that has any.
        let expected = (1..<8).compactMap { c in samples.indices.first { samples[$0].label == c && a[$0] == c && b[$0] != c } }
        let artifact = try SaliencyArtifact.load(from: p.outputDirectory("saliency", "saliency"))
        #expect(artifact.selection.images.map(\.id) == expected.map { samples[$0].key })
        #expect(artifact.selection.classes == Array(Emotion.names.dropFirst()))
    }

    @Test func mismatchedClassesAreErrorsAndEmptySelectionsFlowOn() throws {
        let yaml = Self.yaml().replacingOccurrences(of: "b: {kind: test_model, params: {init: 4, favour: 0}}",
                                                    with: "b: {kind: test_model, params: {init: 4, class_names: [x, y]}}")
        let p = try ForgettingProject(yaml, extraKinds: Self.kinds)
        let failed = try #require(try p.run().results.first { $0.id == "saliency" })
        #expect(failed.status == .failed && (failed.reason ?? "").contains("different classes"), "\(failed.reason ?? "")")
        // B = A: nothing is right for A and wrong for B; an empty selection flows on (no figures, empty ranking).
        let same = try ForgettingProject(Self.yaml().replacingOccurrences(of: "init: 4, favour: 0", with: "init: 3"), extraKinds: Self.kinds)
        expectSuccess(try same.run())
        let empty = try SaliencyArtifact.load(from: same.outputDirectory("saliency", "saliency"))
        #expect(empty.selection.images.isEmpty && empty.a.shape == [0, 32, 32] && empty.images.shape == [0, 3, 32, 32])
        #expect(try same.metrics("saliency")["images"] == 0 && same.metrics("candidates")["images"] == 0)
        let candidates = try same.outputDirectory("candidates", "candidates")
        #expect(try String(contentsOf: candidates.appendingPathComponent("ranking.csv"), encoding: .utf8) == "class,rank,region,action_units,score,share,expected,pain_never_uses,shared_with_pain\n")
        let ranking = try JSONSerialization.jsonObject(with: Data(contentsOf: candidates.appendingPathComponent("ranking.json"))) as! [String: Any]
        #expect((ranking["per_class"] as? [String: Any])?.isEmpty == true && ranking["images"] as? Int == 0)
        let unknown = try ForgettingProject(Self.yaml(classes: "[joy]"), extraKinds: Self.kinds)
        let bad = try #require(try unknown.run().results.first { $0.id == "saliency" })
        #expect(bad.status == .failed && (bad.reason ?? "").contains("'joy'"), "\(bad.reason ?? "")")
    }

    @Test func ckPlusEmotionsAndBadModelFilesWork() throws {
        let yaml = """
        palimpsest: 1
        name: ckplus-saliency
        seed: 1
        nodes:
          faces: {kind: test_faces, params: {like: ckplus, size: 48, subjects: 12}}
          a: {kind: test_model, params: {init: 3}}
          b: {kind: test_model, params: {init: 4, favour: 7}}
          saliency: {kind: diff_saliency, inputs: {a: a, b: b, data: faces}}
        """
        let p = try ForgettingProject(yaml, extraKinds: Self.kinds)
        expectSuccess(try p.run())
        // Oracle: the emotion-coded peak frames, predicted one at a time.
        let tree = try p.outputDirectory("faces", "dataset").appendingPathComponent("tree")
        let samples = try CKPlusLoader(root: tree).loadEmotions().samples
        let pipeline = ImagePipeline(size: 32, channels: 3, normalization: Normalization(mean: TestModelNode.mean, std: TestModelNode.std))
        let model = try VGG16.load(from: p.outputDirectory("a", "model").appendingPathComponent("weights.safetensors"))
        let right = try samples.filter { sample in
            let logits = try model.logits(Tensor(shape: [1, 3, 32, 32], data: pipeline.load(sample).normalized(pipeline.normalization))).data
            return logits.indices.max { logits[$0] < logits[$1] }! == sample.label && sample.label != 7
        }
        let artifact = try SaliencyArtifact.load(from: p.outputDirectory("saliency", "saliency"))
        #expect(Set(artifact.selection.images.map(\.id)) == Set(right.map(\.key)))
        #expect(artifact.selection.images.allSatisfy { $0.landmarks?.count == 68 }, "CK+ Landmarks/ reach the selection")

        // A model description that does not fit its weights is reported with the file.
        let modelJSON = try p.outputDirectory("a", "model").appendingPathComponent("model.json")
        let text = try String(contentsOf: modelJSON, encoding: .utf8).replacingOccurrences(of: "\"size\":32", with: "\"size\":48")
        let broken = try ForgettingProject(yaml, extraKinds: Self.kinds)
        try FileManager.default.createDirectory(at: broken.dir.appendingPathComponent("m"), withIntermediateDirectories: true)
        try text.write(to: broken.dir.appendingPathComponent("m/model.json"), atomically: true, encoding: .utf8)
        let input = InputArtifact(instance: "m", kind: "test_model", output: "model", coordinates: [:],
                                  directory: broken.dir.appendingPathComponent("m"), digest: "", metrics: [:],
                                  manifest: try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: modelJSON
                                      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                                      .appendingPathComponent("manifest.json"))))
        try FileManager.default.copyItem(at: modelJSON.deletingLastPathComponent().appendingPathComponent("weights.safetensors"),
                                         to: broken.dir.appendingPathComponent("m/weights.safetensors"))
        #expect { try ModelArtifact.load(input) } throws: { "\($0)".contains("model.json: ") && "\($0)".contains("48 px ×") && "\($0)".contains("do not fit") }
    }
}
