import Foundation
import Testing
@testable import Faces

/// SynthFACS writes the real layouts: the real loaders must read what it writes.
struct SynthLayoutTests {
    @Test func affectNetOutputLoads() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var o = SynthAffectNetOptions()
        o.images = 200
        o.testPerClass = 3
        o.size = 48
        o.excludedRate = 0.05
        let summary = try SynthFACS.writeAffectNet(o, to: dir.url)
        let splits = try AffectNetLoader(root: dir.url).load(validationFraction: 0.1, seed: 2)
        let excluded = (8...10).reduce(0) { $0 + (summary.perClass[$1] ?? 0) }
        #expect(excluded > 0)
        #expect(splits.train.samples.count + splits.validation.samples.count == 200 - excluded)
        #expect(splits.test.classCounts == [Int](repeating: 3, count: 8))
        let image = try ImagePipeline(size: 48).load(splits.test.samples[0])
        #expect(image.width == 48 && image.channels == 3)
        var problems = TreeProblems()
        let rows = AffectNetLoader(root: dir.url).readList("training.csv", problems: &problems)
        #expect(problems.list.isEmpty && rows.allSatisfy { $0.landmarks.count == 68 })
    }

    @Test func unbcOutputSupportsTheStudySplit() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var o = SynthUNBCOptions()
        o.participants = 8
        o.sequencesPerParticipant = 3
        o.framesPerSequence = 30
        o.size = 32
        _ = try SynthFACS.writeUNBC(o, to: dir.url)
        var split = UNBCSplitOptions()
        split.heldOut = 2
        split.frames = 80
        split.validationFrames = 10
        let splits = try UNBCLoader(root: dir.url).load(split)
        #expect(splits.train.classCounts == [35, 35] && splits.validation.classCounts == [5, 5])
        #expect(Set(splits.test.samples.map(\.group)).count == 2)
        #expect(Set(splits.test.samples.map(\.group)).isDisjoint(with: splits.train.samples.map(\.group)))
    }

    @Test func ckPlusOutputHasAU5AndAU14PositivesAndNegatives() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var o = SynthCKPlusOptions()
        o.subjects = 12
        o.framesPerSequence = 3...4
        o.size = 48
        _ = try SynthFACS.writeCKPlus(o, to: dir.url)
        let loader = CKPlusLoader(root: dir.url)
        for unit in [5, 14] {
            let counts = try loader.load(actionUnit: unit, region: .upperFace).classCounts
            #expect(counts[0] > 0 && counts[1] > 0, "AU\(unit): \(counts)")
        }
        let sequences = try loader.sequences()
        #expect(sequences.allSatisfy { $0.landmarks?.count == 68 })
        let emotions = try loader.loadEmotions()
        #expect(emotions.samples.count > 0 && emotions.samples.count < sequences.count)
    }
}
