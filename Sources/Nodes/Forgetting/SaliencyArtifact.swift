import Core
import Foundation
import Graph

/// The `saliency` output of `diff_saliency` (docs/artifacts.md §7): `selection.json` and `maps.safetensors`.
///
/// Shapes: N selected images, maps H×W (the model input size), images C×H×W.
public struct SaliencyArtifact: Sendable {
    /// One selected image, in map order.
    public struct Selected: Codable, Sendable, Equatable {
        /// `FaceSample.key`.
        public var id: String
        /// Its true class (the class the relevance is for).
        public var className: String
        /// 68 landmarks in map pixels (x, y), or nil when the dataset has none.
        public var landmarks: [[Float]]?

        enum CodingKeys: String, CodingKey {
            case id
            case className = "class"
            case landmarks
        }

        public init(id: String, className: String, landmarks: [SIMD2<Float>]?) {
            self.id = id
            self.className = className
            self.landmarks = landmarks?.map { [$0.x, $0.y] }
        }

        /// The landmarks as points, nil when absent.
        public var points: [SIMD2<Float>]? { landmarks?.map { SIMD2($0[0], $0[1]) } }
    }

    /// `selection.json`.
    public struct Selection: Codable, Sendable, Equatable {
        /// The LRP composite preset.
        public var rule: String
        /// Instances of models A and B.
        public var a: String
        public var b: String
        /// The chosen classes, in the order their images appear.
        public var classes: [String]
        public var images: [Selected]
        /// `raw_maps` when `diff` is the study's min–max normalised raw difference; nil (not written) for the
        /// default 0.5 + (a − b) / 2.
        public var difference: String?
        /// `softmax_gradient` when relevance started contrastively; nil (not written) for the study's logit start.
        public var start: String? = nil
    }

    public var selection: Selection
    /// Model A's and model B's relevance maps in [0, 1] (1 = the image's most relevant pixel), [N, H, W].
    public var a: Tensor
    public var b: Tensor
    /// The difference in [0, 1], [N, H, W]: 0.5 + (a − b) / 2 (0.5 = no difference, above = more relevant for A),
    /// or with `selection.difference` = `raw_maps` the raw maps' difference A − B min–max normalised per image.
    public var diff: Tensor
    /// The model inputs before normalisation, in [0, 1], [N, C, H, W] (for figures; docs/artifacts.md §7).
    public var images: Tensor

    public static let selectionFile = "selection.json"
    public static let mapsFile = "maps.safetensors"

    public init(selection: Selection, a: Tensor, b: Tensor, diff: Tensor, images: Tensor) {
        self.selection = selection
        self.a = a
        self.b = b
        self.diff = diff
        self.images = images
    }

    /// Map height and width.
    public var height: Int { a.shape[1] }
    public var width: Int { a.shape[2] }

    /// Writes `selection.json` and `maps.safetensors` into `directory`.
    public func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(selection).write(to: directory.appendingPathComponent(Self.selectionFile))
        try SafetensorsFile.write([("a", a), ("b", b), ("diff", diff), ("images", images)],
                                  to: directory.appendingPathComponent(Self.mapsFile))
    }

    /// The figure of class `name`: `grid_<name>.png` with letters, digits, '-' and '_' kept and anything else '_'.
    public static func gridFile(for name: String) -> String {
        "grid_" + String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }) + ".png"
    }

    /// Reads a saliency output, checking that the maps and the selection agree.
    public static func load(from directory: URL) throws -> SaliencyArtifact {
        let selectionURL = directory.appendingPathComponent(selectionFile)
        let selection = try ArtifactJSON.decode(Selection.self, from: selectionURL, expected: "not a diff_saliency selection")
        let mapsURL = directory.appendingPathComponent(mapsFile)
        let file = try SafetensorsFile(contentsOf: mapsURL)
        let a = try file.tensor("a"), b = try file.tensor("b"), diff = try file.tensor("diff"), images = try file.tensor("images")
        let n = selection.images.count
        for (name, t) in [("a", a), ("b", b), ("diff", diff)] where t.shape.count != 3 || t.shape[0] != n || t.shape != a.shape {
            throw NodeFailure("\(mapsURL.path): tensor '\(name)' has shape \(t.shape), expected [\(n), H, W] like 'a' \(a.shape)")
        }
        guard images.shape.count == 4, images.shape[0] == n, Array(images.shape[2...]) == Array(a.shape[1...]) else {
            throw NodeFailure("\(mapsURL.path): tensor 'images' has shape \(images.shape), expected [\(n), C, \(a.shape[1]), \(a.shape[2])]")
        }
        for (k, image) in selection.images.enumerated() where image.landmarks.map({ $0.count != 68 || $0.contains { $0.count != 2 } }) ?? false {
            throw NodeFailure("\(selectionURL.path): images[\(k)].landmarks: expected 68 [x, y] pairs")
        }
        return SaliencyArtifact(selection: selection, a: a, b: b, diff: diff, images: images)
    }
}
