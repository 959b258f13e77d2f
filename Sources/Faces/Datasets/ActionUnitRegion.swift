/// The facial areas where action units show, each a union of landmark boxes: used to ask where a saliency
/// difference falls (`concept_candidates`).
///
/// Boxes are `FaceRegion`s (a landmark subset's bounding box plus margins in inter-ocular distances); bilateral
/// areas (upper lids, cheeks, lip corners) are two boxes. The areas never overlap: where boxes do, the pixel
/// belongs to the area earlier in `precedence` (the mouth is what remains of its box once the lip corners, the
/// upper lip and the chin are taken), so a change at the lip corners is credited to the lip corners alone.
public enum ActionUnitRegion: String, CaseIterable, Sendable, Codable {
    case brows, upperLids = "upper_lids", cheeks, nose, upperLip = "upper_lip", lipCorners = "lip_corners", chin, mouth

    /// The AUs that change this area (FACS; SynthFACS renders them there).
    public var actionUnits: [ActionUnit] {
        switch self {
        case .brows: return [.au1, .au2, .au4]
        case .upperLids: return [.au5, .au7, .au43]
        case .cheeks: return [.au6]
        case .nose: return [.au9]
        case .upperLip: return [.au10]
        case .lipCorners: return [.au12, .au14, .au15, .au20]
        case .chin: return [.au17]
        case .mouth: return [.au23, .au25, .au26]
        }
    }

    /// The boxes whose union is the area (iBUG-68 indices; the subject's right side is the image's left).
    public var parts: [FaceRegion] {
        switch self {
        case .brows:
            // Both brows, the glabella between them (AU4's knit) and the forehead strip above (AU1/2 raise).
            return [FaceRegion(landmarks: Array(17...26), margins: [0.1, 0.35, 0.1, 0.05])]
        case .upperLids:
            // Eye corners and upper-lid points; the box ends just below the corners.
            return [FaceRegion(landmarks: [36, 37, 38, 39], margins: [0.08, 0.08, 0.08, 0.05]),
                    FaceRegion(landmarks: [42, 43, 44, 45], margins: [0.08, 0.08, 0.08, 0.05])]
        case .cheeks:
            // From the lower lid down to the nose base, between the jaw line and the nose wing.
            return [FaceRegion(landmarks: [1, 2, 40, 41, 31], margins: [0, 0, 0, 0]),
                    FaceRegion(landmarks: [14, 15, 46, 47, 35], margins: [0, 0, 0, 0])]
        case .nose:
            return [FaceRegion(landmarks: Array(27...35), margins: [0.1, 0, 0.1, 0.05])]
        case .upperLip:
            // Philtrum and upper lip: nose base down to the upper lip's outer edge.
            return [FaceRegion(landmarks: [33, 49, 50, 51, 52, 53], margins: [0.05, 0, 0.05, 0.03])]
        case .lipCorners:
            // A box around each corner reaching outwards (AU14's creases sit lateral to the corners).
            return [FaceRegion(landmarks: [48], margins: [0.25, 0.15, 0.12, 0.15]),
                    FaceRegion(landmarks: [54], margins: [0.12, 0.15, 0.25, 0.15])]
        case .chin:
            // Below the lower lip down to the chin tip.
            return [FaceRegion(landmarks: [7, 8, 9, 57], margins: [0.1, -0.03, 0.1, 0])]
        case .mouth:
            return [FaceRegion(landmarks: Array(48...67), margins: [0.05, 0.05, 0.05, 0.05])]
        }
    }

    /// Which area keeps a pixel that several areas' boxes cover: the small, specific ones first.
    public static let precedence: [ActionUnitRegion] = [.lipCorners, .brows, .upperLids, .nose, .upperLip, .chin, .cheeks, .mouth]

    /// The area as a pixel mask of a `width`×`height` image: the pixels whose centres lie in one of its boxes
    /// and in no box of an area earlier in `precedence`.
    /// - Parameter points: 68 landmarks in the image's pixel coordinates.
    /// - Returns: H×W row-major flags.
    public func mask(_ points: [SIMD2<Float>], width: Int, height: Int) -> [Bool] {
        var mask = Self.boxes(parts, points, width: width, height: height)
        for earlier in Self.precedence.prefix(while: { $0 != self }) {
            for (i, taken) in Self.boxes(earlier.parts, points, width: width, height: height).enumerated() where taken {
                mask[i] = false
            }
        }
        return mask
    }

    /// The union of `parts`' boxes as H×W flags: a pixel belongs when its centre lies in a box.
    private static func boxes(_ parts: [FaceRegion], _ points: [SIMD2<Float>], width: Int, height: Int) -> [Bool] {
        var mask = [Bool](repeating: false, count: width * height)
        for part in parts {
            let b = part.bounds(points)
            // Pixel x's centre is x + 0.5; clamp in Float first so boxes far outside the image cannot overflow.
            func first(_ v: Float, _ limit: Int) -> Int { Int(min(max((v - 0.5).rounded(.up), 0), Float(limit))) }
            func last(_ v: Float, _ limit: Int) -> Int { Int(min(max((v - 0.5).rounded(.down), -1), Float(limit - 1))) }
            let x0 = first(b.x, width), x1 = last(b.z, width)
            let y0 = first(b.y, height), y1 = last(b.w, height)
            guard x0 <= x1, y0 <= y1 else { continue }
            for y in y0...y1 { for x in x0...x1 { mask[y * width + x] = true } }
        }
        return mask
    }
}
