import Faces

/// Ranks the AU areas of the face by how much positive difference relevance (where model A's map exceeds
/// model B's) falls inside them: which concepts might B have forgotten (`concept_candidates`).
///
/// For an area R over the images of one class, with d⁺ = max(0, a − b) per pixel:
/// - `share` = Σ_images Σ_{p∈R} d⁺ / Σ_images Σ_p d⁺ (the part of all positive difference inside R);
/// - `score` = (Σ_images Σ_{p∈R} d⁺ / Σ_images |R|) / (Σ_images Σ_p d⁺ / Σ_images H·W): the mean d⁺ per
///   pixel of the area relative to the mean over whole images, so area size does not decide the rank
///   (1 = as dense as the image average, 3 = three times as dense; 0 when there is no positive difference).
/// Images without landmarks are left out. Each entry of an emotion class carries the table's prediction
/// (`ForgettingExpectation`): whether the class shows an AU of the area that pain never uses.
public struct ConceptRanking: Sendable, Equatable {
    /// One ranked area.
    public struct Entry: Sendable, Equatable, Codable {
        public var region: String
        public var actionUnits: [String]
        public var score: Double
        public var share: Double
        /// `ForgettingExpectation.Verdict` of the area for the class; nil when the class is no emotion of the table.
        public var expected: String?
        /// The area's AUs the class shows and pain never uses / pain uses too ("AU5" style; empty without a verdict).
        public var painNeverUses: [String]
        public var sharedWithPain: [String]

        enum CodingKeys: String, CodingKey {
            case region, actionUnits = "action_units", score, share, expected
            case painNeverUses = "pain_never_uses", sharedWithPain = "shared_with_pain"
        }
    }

    /// How one class's ranking compares with the table's prediction.
    public struct ClassExpectation: Sendable, Equatable, Codable {
        /// The top-ranked area and its verdict.
        public var topRegion: String
        public var topVerdict: String
        /// Mean score of the areas with each verdict (`pain_never_uses`, …); verdicts no area has are absent.
        public var meanScore: [String: Double]

        enum CodingKeys: String, CodingKey {
            case topRegion = "top_region", topVerdict = "top_verdict", meanScore = "mean_score"
        }
    }

    /// One image's maps and where its face is.
    public struct Image: Sendable {
        /// Class name (the grouping of the ranking).
        public var className: String
        /// 68 landmarks in map pixels, or nil (the image is skipped).
        public var landmarks: [SIMD2<Float>]?
        /// Model A's and model B's relevance maps, H×W row-major, in [0, 1].
        public var a: ArraySlice<Float>
        public var b: ArraySlice<Float>

        public init(className: String, landmarks: [SIMD2<Float>]?, a: ArraySlice<Float>, b: ArraySlice<Float>) {
            self.className = className
            self.landmarks = landmarks
            self.a = a
            self.b = b
        }
    }

    /// Entries per class, each list sorted by score (descending; ties in `ActionUnitRegion.allCases` order).
    public var perClass: [String: [Entry]]
    /// Images that had landmarks and were scored.
    public var images: Int
    /// Per emotion class (classes the table does not know are absent): the ranking against the prediction.
    public var expectations: [String: ClassExpectation]

    /// Scores every area for every class present in `images`.
    /// - Parameters:
    ///   - width, height: the maps' size W, H in pixels.
    public init(images list: [Image], width: Int, height: Int) {
        struct Sums {
            var inside = [Double](repeating: 0, count: ActionUnitRegion.allCases.count)
            var area = [Double](repeating: 0, count: ActionUnitRegion.allCases.count)
            var total = 0.0
            var pixels = 0.0
        }
        var sums: [String: Sums] = [:]
        var used = 0
        for image in list {
            precondition(image.a.count == width * height && image.b.count == width * height, "maps must be H×W")
            guard let points = image.landmarks else { continue }
            used += 1
            let positive = zip(image.a, image.b).map { Double(max(0, $0 - $1)) }
            var s = sums[image.className] ?? Sums()
            s.total += positive.reduce(0, +)
            s.pixels += Double(width * height)
            for (r, region) in ActionUnitRegion.allCases.enumerated() {
                let mask = region.mask(points, width: width, height: height)
                for (value, inside) in zip(positive, mask) where inside {
                    s.inside[r] += value
                    s.area[r] += 1
                }
            }
            sums[image.className] = s
        }
        perClass = Dictionary(uniqueKeysWithValues: sums.map { className, s in
            let meanDensity = s.total / s.pixels
            let entries = ActionUnitRegion.allCases.enumerated().map { r, region in
                let density = s.area[r] > 0 ? s.inside[r] / s.area[r] : 0
                let expectation = ForgettingExpectation(region: region, className: className)
                return Entry(region: region.rawValue, actionUnits: region.actionUnits.map(\.description),
                             score: meanDensity > 0 ? density / meanDensity : 0,
                             share: s.total > 0 ? s.inside[r] / s.total : 0,
                             expected: expectation?.verdict.rawValue,
                             painNeverUses: expectation?.painNeverUses.map(\.description) ?? [],
                             sharedWithPain: expectation?.sharedWithPain.map(\.description) ?? [])
            }
            // A stable sort keeps the areas' declared order among equal scores.
            let ranked = entries.enumerated().sorted { x, y in
                x.element.score != y.element.score ? x.element.score > y.element.score : x.offset < y.offset
            }.map(\.element)
            return (className, ranked)
        })
        images = used
        expectations = perClass.compactMapValues { entries in
            guard let top = entries.first, let topVerdict = top.expected else { return nil }
            let groups = Dictionary(grouping: entries.filter { $0.expected != nil }, by: { $0.expected! })
            return ClassExpectation(topRegion: top.region, topVerdict: topVerdict,
                                    meanScore: groups.mapValues { $0.map(\.score).reduce(0, +) / Double($0.count) })
        }
    }
}
