import Testing
@testable import Faces

struct ActionUnitRegionTests {
    @Test func maskHoldsThePixelsWhoseCentresLieInTheBoxes() {
        // Eyes 10 px apart (inter-ocular distance 10); lip corners at (12.2, 24.6) and (25, 24.6).
        var points = [SIMD2<Float>](repeating: [20, 20], count: 68)
        for i in 36...41 { points[i] = [10, 10] }
        for i in 42...47 { points[i] = [20, 10] }
        points[48] = [12.2, 24.6]
        points[54] = [25, 24.6]
        let mask = ActionUnitRegion.lipCorners.mask(points, width: 32, height: 32)
        // Boxes [9.7, 23.1]–[13.4, 26.1] and [23.8, 23.1]–[27.5, 26.1]: centres x + 0.5 inside for
        // x = 10…12 and 24…27, rows y = 23…25.
        var expected = [Bool](repeating: false, count: 32 * 32)
        for y in 23...25 { for x in Array(10...12) + Array(24...27) { expected[y * 32 + x] = true } }
        #expect(mask == expected)
        // Boxes outside the image give an empty mask, not a crash.
        let far = points.map { $0 + SIMD2(500, -500) }
        #expect(!ActionUnitRegion.mouth.mask(far, width: 32, height: 32).contains(true))
    }

    @Test func areasPartitionTheUnionOfTheirBoxes() {
        let face = FaceRenderer.render(identity: FaceIdentity.random(seed: 2, index: 9), aus: AUIntensities([.au12: 3]),
                                       nuisance: FaceNuisance(), size: 64, channels: 1)
        var owners = [Int](repeating: 0, count: 64 * 64)
        for region in ActionUnitRegion.allCases {
            for (i, inside) in region.mask(face.landmarks, width: 64, height: 64).enumerated() where inside { owners[i] += 1 }
        }
        #expect(owners.allSatisfy { $0 <= 1 }, "no pixel belongs to two areas")
        // Every pixel of any box belongs to some area: a pixel centre inside a box, checked directly.
        for y in 0..<64 {
            for x in 0..<64 {
                let p = SIMD2(Float(x) + 0.5, Float(y) + 0.5)
                let covered = ActionUnitRegion.allCases.flatMap(\.parts).contains { part in
                    let b = part.bounds(face.landmarks)
                    return p.x >= b.x && p.x <= b.z && p.y >= b.y && p.y <= b.w
                }
                #expect((owners[y * 64 + x] == 1) == covered, "pixel \(x), \(y)")
            }
        }
        #expect(ActionUnitRegion.precedence.sorted { $0.rawValue < $1.rawValue } == ActionUnitRegion.allCases.sorted { $0.rawValue < $1.rawValue })
    }

    /// Renders one face with and without `units` (same identity and nuisance) and returns the share of the
    /// absolute pixel change inside each region, and each region's change per pixel.
    func change(_ units: AUIntensities, size: Int = 96) -> [ActionUnitRegion: (share: Float, density: Float)] {
        var nuisance = FaceNuisance()
        nuisance.rotation = 4
        let identity = FaceIdentity.random(seed: 5, index: 2)
        let neutral = FaceRenderer.render(identity: identity, aus: AUIntensities(), nuisance: nuisance, size: size, channels: 1)
        let moved = FaceRenderer.render(identity: identity, aus: units, nuisance: nuisance, size: size, channels: 1)
        let diff = zip(neutral.pixels, moved.pixels).map { Float(abs(Int($0) - Int($1))) }
        let total = diff.reduce(0, +)
        var out: [ActionUnitRegion: (Float, Float)] = [:]
        for region in ActionUnitRegion.allCases {
            // Landmarks of the neutral face: a saliency map is compared with the landmarks of the shown image.
            let mask = region.mask(neutral.landmarks, width: size, height: size)
            let inside = zip(diff, mask).reduce(Float(0)) { $0 + ($1.1 ? $1.0 : 0) }
            let area = Float(mask.filter { $0 }.count)
            out[region] = (inside / total, inside / max(area, 1))
        }
        return out
    }

    @Test func eachRegionHoldsTheChangesOfItsActionUnits() {
        for region in ActionUnitRegion.allCases {
            for unit in region.actionUnits {
                let result = change(AUIntensities([unit: 4]))
                let densest = result.max { $0.value.density < $1.value.density }!.key
                let largest = result.max { $0.value.share < $1.value.share }!.key
                // The AU's own area has the densest change or the largest share of it (an AU that moves the whole
                // lower face, such as AU26's jaw, is densest in the small remainder of the mouth box).
                #expect(densest == region || largest == region, "\(unit): densest in \(densest), largest in \(largest): \(result)")
            }
        }
    }
}
