import Core
import Foundation
import Testing
@testable import Nodes

@Suite struct ForgettingSaliencyArtifactTests {
    func directory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("saliency-artifact-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func artifact(n: Int, landmarks: [SIMD2<Float>]?) -> SaliencyArtifact {
        let maps = Tensor(shape: [2, 4, 5], data: (0..<40).map { Float($0) / 40 })
        return SaliencyArtifact(
            selection: .init(rule: "z_dense_zplus_conv", a: "a", b: "b", classes: ["Happy"],
                             images: (0..<n).map { .init(id: "img\($0).png", className: "Happy", landmarks: landmarks) }),
            a: maps, b: maps, diff: maps, images: Tensor(shape: [2, 1, 4, 5], data: [Float](repeating: 0.5, count: 40)))
    }

    @Test func roundTripsAndFollowsTheContract() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let points = (0..<68).map { SIMD2(Float($0), Float($0) / 2) }
        let written = artifact(n: 2, landmarks: points)
        try written.write(to: dir)
        let read = try SaliencyArtifact.load(from: dir)
        #expect(read.selection == written.selection && read.a == written.a && read.diff == written.diff && read.images == written.images)
        #expect(read.selection.images[0].points == points)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("selection.json"))) as? [String: Any])
        #expect(Set(json.keys) == ["rule", "a", "b", "classes", "images"])
        let image = try #require((json["images"] as? [[String: Any]])?.first)
        #expect(Set(image.keys) == ["id", "class", "landmarks"] && (image["landmarks"] as? [[Double]])?[3] == [3, 1.5])
        #expect(try SafetensorsFile(contentsOf: dir.appendingPathComponent("maps.safetensors")).names == ["a", "b", "diff", "images"])
    }

    @Test func mapsThatDisagreeWithTheSelectionAreErrors() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try artifact(n: 3, landmarks: nil).write(to: dir)
        #expect { try SaliencyArtifact.load(from: dir) } throws: { "\($0)".contains("tensor 'a' has shape [2, 4, 5], expected [3, H, W]") }
        try artifact(n: 2, landmarks: [SIMD2(1, 2)]).write(to: dir)
        #expect { try SaliencyArtifact.load(from: dir) } throws: { "\($0)".contains("images[0].landmarks: expected 68 [x, y] pairs") }
        try Data("{}".utf8).write(to: dir.appendingPathComponent("selection.json"))
        #expect { try SaliencyArtifact.load(from: dir) } throws: { "\($0)".contains("not a diff_saliency selection") }
    }
}
