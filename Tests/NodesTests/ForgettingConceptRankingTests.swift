import Faces
import Foundation
import Testing
@testable import Nodes

@Suite struct ForgettingConceptRankingTests {
    /// Eyes 10 px apart; lip corners at (12.2, 24.6) and (25, 24.6): the lip-corner area is the 21 pixels
    /// x ∈ {10…12, 24…27}, y ∈ {23…25} (see ActionUnitRegionTests); everything else sits at (20, 20).
    static var points: [SIMD2<Float>] {
        var p = [SIMD2<Float>](repeating: [20, 20], count: 68)
        for i in 36...41 { p[i] = [10, 10] }
        for i in 42...47 { p[i] = [20, 10] }
        p[48] = [12.2, 24.6]
        p[54] = [25, 24.6]
        return p
    }

    @Test func scoresAreAreaNormalisedDensitiesByHand() throws {
        let n = 32 * 32
        var a = [Float](repeating: 0.2, count: n)
        let b = [Float](repeating: 0.2, count: n)
        for y in 23...25 { for x in Array(10...12) + Array(24...27) { a[y * 32 + x] = 0.7 } }
        // B more relevant somewhere: negative differences must not count.
        var b2 = b
        b2[0] = 1
        let ranking = ConceptRanking(images: [
            .init(className: "contempt", landmarks: Self.points, a: a[...], b: b2[...]),
            .init(className: "contempt", landmarks: nil, a: a[...], b: b[...]),
        ], width: 32, height: 32)
        #expect(ranking.images == 1)
        let entries = try #require(ranking.perClass["contempt"])
        #expect(entries[0].region == "lip_corners" && entries[0].actionUnits == ["AU12", "AU14", "AU15", "AU20"])
        // All positive difference (21 × 0.5) lies in the 21 lip-corner pixels: density 0.5 against an image mean
        // of 10.5 / 1024, so score = 0.5 / (10.5 / 1024) = 1024 / 21.
        #expect(abs(entries[0].score - 1024.0 / 21) < 1e-9 && abs(entries[0].share - 1) < 1e-12)
        #expect(entries.dropFirst().allSatisfy { $0.score == 0 && $0.share == 0 })
        // Ties keep the declared order of the areas.
        #expect(entries.dropFirst().map(\.region) == ActionUnitRegion.allCases.map(\.rawValue).filter { $0 != "lip_corners" })
    }

    /// The model-input-sized pixel change |face with `unit` − neutral face| of a rendered SynthFACS face, as a map
    /// in [0, 1], plus the neutral face's landmarks.
    static func plantedDifference(_ unit: ActionUnit, person: Int, size: Int = 64) -> (map: [Float], landmarks: [SIMD2<Float>]) {
        var nuisance = FaceNuisance()
        nuisance.rotation = Float(person % 5) * 2 - 4
        nuisance.shiftX = Float(person % 3) * 0.03 - 0.03
        let identity = FaceIdentity.random(seed: 21, index: person)
        let neutral = FaceRenderer.render(identity: identity, aus: AUIntensities(), nuisance: nuisance, size: size, channels: 1)
        let moved = FaceRenderer.render(identity: identity, aus: AUIntensities([unit: 4]), nuisance: nuisance, size: size, channels: 1)
        let change = zip(neutral.pixels, moved.pixels).map { Float(abs(Int($0) - Int($1))) }
        let peak = max(change.max() ?? 1, 1)
        return (change.map { $0 / peak }, neutral.landmarks)
    }

    @Test func plantedDifferencesRankTheirAreaFirst() throws {
        // A's maps = B's (smooth, face-shaped relevance) + the pixel change an AU makes on that face.
        var images: [ConceptRanking.Image] = []
        let planted: [(String, ActionUnit, String)] = [("contempt", .au14, "lip_corners"), ("surprise", .au5, "upper_lids"),
                                                       ("disgust", .au9, "nose")]
        for (className, unit, _) in planted {
            for person in 0..<4 {
                let (change, landmarks) = Self.plantedDifference(unit, person: person)
                let b = (0..<(64 * 64)).map { i -> Float in
                    let x = Float(i % 64) - 32, y = Float(i / 64) - 32
                    return 0.5 * exp(-(x * x + y * y) / 400)
                }
                let a = zip(b, change).map { min($0 + 0.5 * $1, 1) }
                images.append(.init(className: className, landmarks: landmarks, a: a[...], b: b[...]))
            }
        }
        let ranking = ConceptRanking(images: images, width: 64, height: 64)
        #expect(ranking.images == 12)
        for (className, unit, region) in planted {
            let entries = try #require(ranking.perClass[className])
            #expect(entries[0].region == region, "\(unit): \(entries.map { "\($0.region) \($0.score)" })")
            #expect(entries[0].score > 1.5 * entries[1].score)
        }
    }

    /// The table's predictions, by hand from docs/data.md (EMFACS prototypes against PSPI's AU4, 6, 7, 9, 10, 43).
    @Test func expectationsFollowTheAUTable() throws {
        func verdict(_ region: ActionUnitRegion, _ cls: String) -> ForgettingExpectation? { ForgettingExpectation(region: region, className: cls) }
        // Surprise (1, 2, 5, 26; optional 25): AU5 in the upper lids, AU1/2 in the brows, 25/26 in the mouth.
        #expect(verdict(.upperLids, "Surprise") == ForgettingExpectation.init(region: .upperLids, className: "surprise"))
        #expect(verdict(.upperLids, "surprise")?.verdict == .painNeverUses && verdict(.upperLids, "surprise")?.painNeverUses == [.au5])
        #expect(verdict(.brows, "surprise")?.painNeverUses == [.au1, .au2])
        #expect(verdict(.cheeks, "surprise")?.verdict == .notInClass)
        // Contempt (12, 14): the lip corners; anger (4, 5, 7, 23): the brows' AU4 is pain's, the lids hold AU5 and AU7.
        #expect(verdict(.lipCorners, "contempt")?.painNeverUses == [.au12, .au14])
        #expect(verdict(.brows, "anger")?.verdict == .sharedWithPain && verdict(.brows, "anger")?.sharedWithPain == [.au4])
        let lids = try #require(verdict(.upperLids, "anger"))
        #expect(lids.verdict == .painNeverUses && lids.painNeverUses == [.au5] && lids.sharedWithPain == [.au7])
        // Disgust (9, 10, 15; optional 17): nose and upper lip are pain's too.
        #expect(verdict(.nose, "disgust")?.verdict == .sharedWithPain && verdict(.upperLip, "disgust")?.verdict == .sharedWithPain)
        #expect(verdict(.nose, "neutral")?.verdict == .notInClass)
        #expect(verdict(.nose, "pain") == nil && verdict(.nose, "") == nil)
    }

    /// Each entry carries its class's prediction; the per-class summary names the top area's verdict and averages
    /// scores per verdict.
    @Test func rankingCarriesThePrediction() throws {
        let n = 32 * 32
        var a = [Float](repeating: 0.2, count: n)
        let b = [Float](repeating: 0.2, count: n)
        for y in 23...25 { for x in Array(10...12) + Array(24...27) { a[y * 32 + x] = 0.7 } }
        let ranking = ConceptRanking(images: [
            .init(className: "Contempt", landmarks: Self.points, a: a[...], b: b[...]),
            .init(className: "pain", landmarks: Self.points, a: a[...], b: b[...]),
        ], width: 32, height: 32)
        let contempt = try #require(ranking.perClass["Contempt"])
        #expect(contempt[0].expected == "pain_never_uses" && contempt[0].painNeverUses == ["AU12", "AU14"])
        #expect(contempt.dropFirst().allSatisfy { $0.expected == "not_in_class" && $0.painNeverUses.isEmpty })
        let summary = try #require(ranking.expectations["Contempt"])
        #expect(summary.topRegion == "lip_corners" && summary.topVerdict == "pain_never_uses")
        #expect(abs(summary.meanScore["pain_never_uses"]! - 1024.0 / 21) < 1e-9 && summary.meanScore["not_in_class"] == 0)
        #expect(summary.meanScore["shared_with_pain"] == nil)
        // A class the table does not know gets entries without a verdict and no summary.
        #expect(ranking.perClass["pain"]!.allSatisfy { $0.expected == nil } && ranking.expectations["pain"] == nil)
    }
}
