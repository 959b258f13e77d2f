import Foundation
import Testing
@testable import Faces
import Randomness

struct SynthFACSTests {
    /// Every file under `root` (relative path → bytes).
    func snapshot(_ root: URL) throws -> [String: Data] {
        var files = [String: Data]()
        let base = root.resolvingSymlinksInPath().path
        for case let url as URL in FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)! {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[String(url.resolvingSymlinksInPath().path.dropFirst(base.count))] = try Data(contentsOf: url)
            }
        }
        return files
    }

    @Test func sameParametersGiveSameBytesWhateverTheThreads() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var o = SynthCKPlusOptions()
        o.subjects = 3
        o.sequencesPerSubject = 1...2
        o.framesPerSequence = 3...4
        o.size = 48
        o.threads = 1
        _ = try SynthFACS.writeCKPlus(o, to: dir.path("a"))
        o.threads = 3
        _ = try SynthFACS.writeCKPlus(o, to: dir.path("b"))
        let a = try snapshot(dir.path("a")), b = try snapshot(dir.path("b"))
        #expect(a.count > 10)
        #expect(a == b)

        var n = SynthAffectNetOptions()
        n.images = 30
        n.testPerClass = 1
        n.size = 48
        n.identities = 5
        _ = try SynthFACS.writeAffectNet(n, to: dir.path("c"))
        _ = try SynthFACS.writeAffectNet(n, to: dir.path("d"))
        n.seed = 8
        _ = try SynthFACS.writeAffectNet(n, to: dir.path("e"))
        let c = try snapshot(dir.path("c"))
        #expect(c == (try snapshot(dir.path("d"))))
        #expect(c != (try snapshot(dir.path("e"))))
    }

    /// Sum of absolute RGB differences inside and outside `box` (minX, minY, maxX, maxY), and the largest change.
    func difference(_ a: RasterImage, _ b: RasterImage, box: SIMD4<Float>) -> (inside: Float, outside: Float, count: Int) {
        var inside: Float = 0, outside: Float = 0, count = 0
        for y in 0..<a.height {
            for x in 0..<a.width {
                var d: Float = 0
                for c in 0..<a.channels { d += abs(a[c, y, x] - b[c, y, x]) }
                let px = Float(x) + 0.5, py = Float(y) + 0.5
                if px >= box.x && px <= box.z && py >= box.y && py <= box.w { inside += d } else { outside += d }
                if d > 0.15 { count += 1 }
            }
        }
        return (inside, outside, count)
    }

    @Test(arguments: ActionUnit.allCases)
    func eachActionUnitChangesOnlyItsRegion(unit: ActionUnit) {
        for person in 0..<3 {
            let identity = FaceIdentity.random(seed: 11, index: person)
            let neutral = FaceRenderer.render(identity: identity, aus: AUIntensities(), nuisance: FaceNuisance(), size: 96)
            let moved = FaceRenderer.render(identity: identity, aus: AUIntensities([unit: 5]), nuisance: FaceNuisance(), size: 96)
            let region = FaceRegion.of(unit)
            let a = region.bounds(neutral.landmarks), b = region.bounds(moved.landmarks)
            let box = SIMD4<Float>(min(a.x, b.x), min(a.y, b.y), max(a.z, b.z), max(a.w, b.w))
            let d = difference(neutral.image, moved.image, box: box)
            #expect(d.inside / (d.inside + d.outside) >= 0.97, "\(unit) person \(person): \(d.outside / (d.inside + d.outside)) of the change lies outside its region")
            #expect(d.count >= 10, "\(unit) person \(person): only \(d.count) clearly changed pixels")
        }
    }

    @Test func unilateralUnitsMoveOneSide() {
        let identity = FaceIdentity.random(seed: 2, index: 0)
        let neutral = FaceRenderer.render(identity: identity, aus: AUIntensities(), nuisance: FaceNuisance(), size: 96).image
        var aus = AUIntensities()
        aus[.au14, .right] = 5
        aus[.au12, .right] = 5
        #expect(aus.isUnilateral(.au12) && aus[.au12] == 5 && aus[.au12, .left] == 0)
        let moved = FaceRenderer.render(identity: identity, aus: aus, nuisance: FaceNuisance(), size: 96).image
        // The subject's right is the image's left half.
        let left = difference(neutral, moved, box: [0, 0, 48, 96]).inside
        let right = difference(neutral, moved, box: [48, 0, 96, 96]).inside
        #expect(left > 10 * right)
    }

    @Test func landmarksFollowTheIBUGOrder() {
        let face = FaceRenderer.render(identity: FaceIdentity.random(seed: 4, index: 3), aus: AUIntensities(),
                                       nuisance: FaceNuisance(), size: 100)
        let p = face.landmarks
        #expect(p.count == 68)
        #expect(p[0].x < p[8].x && p[8].x < p[16].x && p[8].y > p[0].y)       // jaw from image left through the chin
        #expect(p[17].x < p[21].x && p[22].x < p[26].x && p[21].x < p[22].x)  // brows
        #expect(p[36].x < p[39].x && p[39].x < p[42].x && p[42].x < p[45].x)  // eye corners
        #expect(p[37].y < p[41].y && p[43].y < p[47].y)                       // upper lids above lower lids
        #expect(p[19].y < p[37].y && p[30].y > p[39].y && p[51].y > p[33].y)  // brow above eye, nose below eyes, mouth below nose
        #expect(p[48].x < p[51].x && p[51].x < p[54].x && p[57].y > p[51].y)  // lips
        #expect(p.allSatisfy { $0.x > 0 && $0.x < 100 && $0.y > 0 && $0.y < 100 })
    }

    @Test func expressionsFollowTheirPrototypes() {
        for emotion in Emotion.allCases {
            for i in 0..<40 {
                var r = SplitMix64(deriving: 3, UInt64(emotion.rawValue), UInt64(i))
                let aus = SynthFACS.sampleExpression(emotion, &r, optionalRate: 0.5, offPrototypeRate: 0)
                for unit in emotion.prototype.core.prefix(2) { #expect(aus[unit] >= 1 && aus[unit] <= 5) }
                let allowed = Set(emotion.prototype.core + emotion.prototype.optional)
                #expect(aus.active.allSatisfy { allowed.contains($0.unit) })
                if emotion == .contempt { #expect(aus.isUnilateral(.au12) && aus.isUnilateral(.au14)) }
            }
        }
    }

    @Test func affectNetClassesFollowTheImbalance() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var o = SynthAffectNetOptions()
        o.images = 800
        o.testPerClass = 2
        o.size = 32
        o.labelNoise = 0
        o.excludedRate = 0
        let summary = try SynthFACS.writeAffectNet(o, to: dir.url)
        let train = (0..<8).map { (summary.perClass[$0] ?? 0) - 2 }
        let expected = Emotion.affectNetTrainingCounts.map { $0 / Emotion.affectNetTrainingCounts.reduce(0, +) * 800 }
        for c in 0..<8 { #expect(abs(Double(train[c]) - expected[c]) < 4 * expected[c].squareRoot() + 3, "class \(c)") }
        #expect(train[1] == train.max())
    }

    @Test func pspiFromGroundTruthMatchesTheWrittenLabels() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var o = SynthUNBCOptions()
        o.participants = 4
        o.sequencesPerParticipant = 2
        o.framesPerSequence = 20
        o.size = 32
        let summary = try SynthFACS.writeUNBC(o, to: dir.url)
        #expect(summary.images == 160)
        let lines = try String(contentsOf: dir.path("ground_truth.csv"), encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",").map(String.init)
        func column(_ name: String) -> Int { header.firstIndex(of: name)! }
        var pain = 0
        for line in lines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            func au(_ n: Int) -> Double { Double(f[column("AU\(n)")])! }
            let pspi = au(4) + max(au(6), au(7)) + max(au(9), au(10)) + au(43)
            let image = f[column("image")]                      // Images/<subject>/<sequence>/<frame>.png
            let stem = String(image.dropFirst("Images/".count).dropLast(4))
            let written = try String(contentsOf: dir.path("Frame_Labels/PSPI/\(stem)_facs.txt"), encoding: .utf8)
            #expect(Double(written.trimmingCharacters(in: .whitespacesAndNewlines)) == pspi)
            #expect(f[column("label")] == (pspi > 0 ? "1" : "0"))
            #expect(au(5) == 0 && au(14) == 0, "pain data never uses AU5 or AU14")
            if pspi > 0 { pain += 1 }
        }
        #expect(pain > 10 && pain < 150)
        let frames = try UNBCLoader(root: dir.url).frames()
        #expect(frames.count == 160)
        #expect(frames.filter(\.pain).count == pain)
    }

    /// The ground truth of a small UNBC-layout run: per frame (image path, active AUs).
    func painTruth(_ distractors: Set<PainDistractor>, _ dir: TemporaryDirectory, _ name: String) throws -> [(String, [ActionUnit: Float])] {
        var o = SynthUNBCOptions()
        o.participants = 3
        o.sequencesPerParticipant = 4
        o.framesPerSequence = 20
        o.size = 16
        o.distractors = distractors
        _ = try SynthFACS.writeUNBC(o, to: dir.path(name))
        let lines = try String(contentsOf: dir.path("\(name)/ground_truth.csv"), encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",").map(String.init)
        return lines.dropFirst().map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            var aus = [ActionUnit: Float]()
            for unit in ActionUnit.allCases { if let v = Float(f[header.firstIndex(of: unit.description)!]), v > 0 { aus[unit] = v } }
            return (f[0], aus)
        }
    }

    @Test func painDistractorsAreAParameter() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let both = try painTruth([.talking, .smiles], dir, "both")
        let none = try painTruth([], dir, "none")
        let talking = try painTruth([.talking], dir, "talking")
        let allowed = Set(SynthFACS.painUnits + PainDistractor.allCases.flatMap(\.units))
        #expect(both.allSatisfy { $0.1.keys.allSatisfy(allowed.contains) })
        for unit in [ActionUnit.au12, .au25, .au26] { #expect(both.contains { $0.1[unit] != nil }, "\(unit) drawn by default") }
        #expect(none.allSatisfy { $0.1.keys.allSatisfy(SynthFACS.painUnits.contains) })
        #expect(talking.allSatisfy { $0.1[.au12] == nil } && talking.contains { $0.1[.au25] != nil })
        // Switching distractors off changes only their AUs: the same frames, pain AUs and timing.
        for (a, b) in zip(both, none) {
            #expect(a.0 == b.0 && a.1.filter { SynthFACS.painUnits.contains($0.key) } == b.1)
        }
        for (a, b) in zip(both, talking) { #expect(a.1.filter { $0.key != .au12 } == b.1) }
    }

    @Test func unknownOrRepeatedDistractorsAreErrors() throws {
        #expect(try PainDistractor.parse([]) == [])
        #expect(try PainDistractor.parse(["smiles", "talking"]) == [.smiles, .talking])
        #expect(throws: FacesError.invalidParameter(name: "distractors", expected: "a list of talking, smiles (or [] for none)", found: "'smile'")) {
            try PainDistractor.parse(["smile"])
        }
        #expect(throws: FacesError.invalidParameter(name: "distractors", expected: "each distractor at most once", found: "'talking' twice")) {
            try PainDistractor.parse(["talking", "talking"])
        }
    }

    /// The table in docs/data.md of the AUs each class draws, built from the generator's own tables.
    static func designTable() -> String {
        func list(_ units: [ActionUnit]) -> String { units.isEmpty ? "—" : units.sorted().map { String($0.rawValue) }.joined(separator: ", ") }
        let distracting = Set(PainDistractor.allCases.flatMap(\.units))
        var rows = ["| Class | Core AUs | Optional AUs | Never in pain data | Also never with `distractors: []` |", "|---|---|---|---|---|"]
        for emotion in Emotion.allCases {
            let drawn = emotion.prototype.core + emotion.prototype.optional
            let never = drawn.filter { !SynthFACS.painUnits.contains($0) && !distracting.contains($0) }
            let withoutDistractors = drawn.filter { !SynthFACS.painUnits.contains($0) && distracting.contains($0) }
            rows.append("| \(emotion) | \(list(emotion.prototype.core)) | \(list(emotion.prototype.optional)) | \(list(never)) | \(withoutDistractors.isEmpty ? "—" : "+ " + list(withoutDistractors)) |")
        }
        let distractors = PainDistractor.allCases.map { "\($0.rawValue): \(list($0.units))" }.joined(separator: "; ")
        rows.append("| Pain (`unbc`) | \(list(SynthFACS.painUnits)) | the distractors (\(distractors)) | — | — |")
        return rows.joined(separator: "\n")
    }

    @Test func dataDocumentationListsTheDrawnAUs() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/data.md")
        let written = try String(contentsOf: docs, encoding: .utf8)
        #expect(written.contains(Self.designTable()), "docs/data.md must hold this table:\n\(Self.designTable())")
    }
}
