/// How a concept probe cuts each CK+ peak frame before its features are computed.
///
/// Two families: a landmark region's bounding box (`FaceRegion`, resized to the model input whatever its shape,
/// so a wide box is stretched), and the study's AU5 crop, which "crops the bottom of the images such that they do
/// not contain the mouth area" and keeps the face's proportions.
public enum ProbeCrop: Equatable, Sendable {
    /// The bounding box of a landmark region plus its margins.
    case region(FaceRegion)
    /// Everything from `margin` inter-ocular distances above the mouth's topmost landmark (48–67) down is cut
    /// off; of the rest, the largest square is kept, centred horizontally on the eyes (the top rows go first when
    /// the image is narrower than the part above the mouth). A square crop is resized to the square model input
    /// by the same factor on both axes, so the eyes are not distorted.
    case aboveMouth(margin: Float)

    /// The study's AU5 crop: cut 0.1 inter-ocular distances above the upper lip.
    public static let studyAboveMouth = ProbeCrop.aboveMouth(margin: 0.1)

    /// Named crops for YAML and CLI use: the `FaceRegion.named` regions and `above_mouth` (the study's AU5 crop).
    public static let named: [String: ProbeCrop] = FaceRegion.named.mapValues(ProbeCrop.region)
        .merging(["above_mouth": .studyAboveMouth]) { region, _ in region }

    /// The crop box in a `width`×`height` image with iBUG-68 `points` (pixels, x right, y down).
    /// - Throws: `ProbeCropProblem` when the above-mouth square cannot hold both eyes or nothing lies above the mouth.
    public func box(_ points: [SIMD2<Float>], width: Int, height: Int) throws(ProbeCropProblem) -> CropBox {
        precondition(points.count == 68, "iBUG landmarks have 68 points")
        switch self {
        case .region(let region):
            return region.cropBox(points)
        case .aboveMouth(let margin):
            let leftEye = points[36...41].reduce(SIMD2<Float>(), +) / 6, rightEye = points[42...47].reduce(SIMD2<Float>(), +) / 6
            let d = rightEye - leftEye
            let iod = max((d.x * d.x + d.y * d.y).squareRoot(), 1e-3)
            let mouthTop = points[48...67].map(\.y).min()!
            // Rows 0..<cut lie wholly above the line (row r spans y ∈ [r, r + 1)).
            let cut = min(Int((mouthTop - margin * iod).rounded(.down)), height)
            guard cut > 0 else { throw ProbeCropProblem(message: "the mouth (top at y = \(mouthTop)) leaves no rows above it") }
            let side = min(cut, width)
            let centre = (leftEye.x + rightEye.x) / 2
            let x = min(max(Int((centre - Float(side) / 2).rounded()), 0), width - side)
            let box = CropBox(x: x, y: cut - side, width: side, height: side)
            let eyes = points[36...47]
            let inside = eyes.allSatisfy { p in
                p.x >= Float(box.x) && p.x <= Float(box.x + side) && p.y >= Float(box.y) && p.y <= Float(box.y + side)
            }
            guard inside else {
                throw ProbeCropProblem(message: "the largest square above the mouth (\(side) px at x = \(box.x), y = \(box.y)) does not hold both eyes")
            }
            return box
        }
    }
}

/// Why a probe crop cannot be made for one image (the caller adds the file).
public struct ProbeCropProblem: Error, Equatable, Sendable {
    public let message: String
}

extension CKPlusLoader {
    /// Peak frames labelled for `unit` as `load(actionUnit:region:)` does, each cut by `crop` (nil: whole image).
    ///
    /// A region crop is the same box `load(actionUnit:region:)` gives; the above-mouth crop decodes each peak frame
    /// once for its size.
    public func load(actionUnit unit: Int, crop: ProbeCrop?) throws -> FaceDataset {
        guard let crop else { return try load(actionUnit: unit) }
        if case .region(let region) = crop { return try load(actionUnit: unit, region: region) }
        var set = try load(actionUnit: unit)
        var problems = TreeProblems()
        for (i, sample) in set.samples.enumerated() {
            guard let landmarks = sample.landmarks else {
                problems.add(sample.image.path, "landmarks of the peak frame are needed for the above-mouth crop")
                continue
            }
            let image = try ImageFile.read(sample.image)
            do {
                set.samples[i].crop = try crop.box(landmarks, width: image.width, height: image.height)
            } catch {
                problems.add(sample.image.path, error.message)
            }
        }
        try problems.check(dataset: "CK+", root: root)
        return set
    }
}
