/// A facial region defined by iBUG-68 landmarks plus margins; used for crops (e.g. the upper face when probing
/// AU5, so AU26's open mouth cannot leak in) and to score where saliency falls.
public struct FaceRegion: Equatable, Sendable {
    /// Landmark indices (0…67) whose bounding box the region starts from.
    public var landmarks: [Int]
    /// Margins added to the left, top, right and bottom, in inter-ocular distances (eye centre to eye centre).
    public var margins: SIMD4<Float>

    public init(landmarks: [Int], margins: SIMD4<Float>) {
        self.landmarks = landmarks
        self.margins = margins
    }

    /// Brows and eyes with the forehead above them, down to the lower lids.
    public static let upperFace = FaceRegion(landmarks: Array(17...47), margins: [0.3, 0.5, 0.3, 0.2])
    /// Nose base, mouth and chin.
    public static let lowerFace = FaceRegion(landmarks: Array(3...13) + Array(31...35) + Array(48...67), margins: [0.1, 0.1, 0.1, 0.1])
    public static let eyes = FaceRegion(landmarks: Array(36...47), margins: [0.15, 0.2, 0.15, 0.15])
    public static let mouth = FaceRegion(landmarks: Array(48...67), margins: [0.3, 0.15, 0.3, 0.2])
    /// The whole face including the forehead.
    public static let face = FaceRegion(landmarks: Array(0...67), margins: [0.1, 0.6, 0.1, 0.1])

    /// Named regions for YAML and CLI use.
    public static let named: [String: FaceRegion] = [
        "upper_face": .upperFace, "lower_face": .lowerFace, "eyes": .eyes, "mouth": .mouth, "face": .face,
    ]

    /// The region where `unit` changes the face (SynthFACS renders each AU's changes inside it).
    public static func of(_ unit: ActionUnit) -> FaceRegion {
        switch unit {
        case .au1, .au2, .au4:
            return FaceRegion(landmarks: Array(17...26) + [37, 38, 43, 44], margins: [0.2, 0.6, 0.2, 0.1])
        case .au5, .au7, .au43:
            return FaceRegion(landmarks: Array(36...47), margins: [0.15, 0.2, 0.15, 0.15])
        case .au6:
            return FaceRegion(landmarks: Array(36...47) + [1, 2, 14, 15, 29], margins: [0.15, 0.2, 0.15, 0.15])
        case .au9:
            return FaceRegion(landmarks: Array(27...35) + [21, 22, 39, 42], margins: [0.15, 0.1, 0.15, 0.15])
        case .au10:
            return FaceRegion(landmarks: Array(31...35) + Array(48...54), margins: [0.3, 0.2, 0.3, 0.15])
        case .au12, .au14, .au15, .au20, .au23, .au25:
            return FaceRegion(landmarks: Array(48...67) + [31, 35], margins: [0.35, 0.15, 0.35, 0.25])
        case .au17:
            return FaceRegion(landmarks: Array(48...67) + Array(6...10), margins: [0.2, 0.1, 0.2, 0.15])
        case .au26:
            return FaceRegion(landmarks: Array(48...67) + Array(3...13), margins: [0.15, 0.1, 0.15, 0.15])
        }
    }

    /// The region's rectangle (minX, minY, maxX, maxY) in the landmarks' coordinates.
    public func bounds(_ points: [SIMD2<Float>]) -> SIMD4<Float> {
        precondition(points.count == 68, "iBUG landmarks have 68 points")
        let left = (points[36...41].reduce(SIMD2<Float>(), +)) / 6
        let right = (points[42...47].reduce(SIMD2<Float>(), +)) / 6
        let d = left - right
        let iod = max((d.x * d.x + d.y * d.y).squareRoot(), 1e-3)
        var lo = SIMD2<Float>(.infinity, .infinity), hi = SIMD2<Float>(-.infinity, -.infinity)
        for i in landmarks {
            lo = pointwiseMin(lo, points[i])
            hi = pointwiseMax(hi, points[i])
        }
        return [lo.x - margins[0] * iod, lo.y - margins[1] * iod, hi.x + margins[2] * iod, hi.y + margins[3] * iod]
    }

    /// The region as a pixel crop box (outward-rounded; may extend beyond the image, crops clip it).
    public func cropBox(_ points: [SIMD2<Float>]) -> CropBox {
        let b = bounds(points)
        let x0 = Int(b.x.rounded(.down)), y0 = Int(b.y.rounded(.down))
        let x1 = Int(b.z.rounded(.up)), y1 = Int(b.w.rounded(.up))
        return CropBox(x: x0, y: y0, width: max(1, x1 - x0), height: max(1, y1 - y0))
    }
}
