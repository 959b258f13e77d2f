import Foundation
import Testing
@testable import Faces

struct UNBCLoaderTests {
    /// 6 subjects, one sequence of 12 frames each; frames 3–6 (0-based) are in pain with PSPI 1…4.
    func makeTree(_ dir: TemporaryDirectory, subjects: Int = 6) throws {
        let image = patternImage(width: 8, height: 8, channels: 3)
        for s in 1...subjects {
            let folder = "s\(s)/seq"
            for f in 0..<12 {
                let name = "s\(s)f\(String(format: "%03d", f))"
                try dir.write(image, to: "Images/\(folder)/\(name).png")
                let pspi = (3...6).contains(f) ? f - 2 : 0
                try dir.write(String(format: "%15.7e\n", Double(pspi)), to: "Frame_Labels/PSPI/\(folder)/\(name)_facs.txt")
                let facs = pspi > 0 ? String(format: "%15.7e%15.7e\n", 4.0, Double(pspi)) : ""
                try dir.write(facs + String(format: "%15.7e%15.7e\n", 25.0, 2.0), to: "Frame_Labels/FACS/\(folder)/\(name)_facs.txt")
            }
        }
    }

    @Test func framesCarryPSPIAndFACS() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try makeTree(dir)
        let frames = try UNBCLoader(root: dir.url).frames()
        #expect(frames.count == 72)
        let f = frames.first { $0.subject == "s2" && $0.index == 5 }!
        #expect(f.pspi == 3 && f.pain && f.facs == [4: 3, 25: 2])
        #expect(frames.filter(\.pain).count == 24)
    }

    @Test func studySplitHoldsOutParticipantsAndKeepsConstraints() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try makeTree(dir)
        var options = UNBCSplitOptions()
        options.testParticipants = ["s1"]
        options.frames = 10
        options.validationFrames = 2
        let splits = try UNBCLoader(root: dir.url).load(options)
        #expect(splits.test.samples.count == 12 && splits.test.samples.allSatisfy { $0.group == "s1" })
        let sampled = splits.train.samples + splits.validation.samples
        #expect(splits.train.classCounts == [4, 4] && splits.validation.classCounts == [1, 1])
        #expect(!sampled.contains { $0.group == "s1" })
        for subject in ["s2", "s3", "s4", "s5", "s6"] {
            let mine = sampled.filter { $0.group == subject }
            #expect(mine.contains { $0.label == 1 } && mine.contains { $0.label == 0 }, "\(subject) needs both classes")
        }
        let positions = Set(sampled.map { $0.key })
        #expect(positions.count == 10)
        for key in positions {
            // Keys end in s<k>f<nnn>.png: the neighbours in the sequence must not be sampled.
            let number = Int(key.suffix(7).prefix(3))!
            let prefix = key.dropLast(7)
            for neighbour in [number - 1, number + 1] {
                #expect(!positions.contains(prefix + String(format: "%03d.png", neighbour)), "\(key) has a sampled neighbour")
            }
        }
        let labelsOK = sampled.allSatisfy { s in
            let index = Int(s.key.suffix(7).prefix(3))!
            return s.label == ((3...6).contains(index) ? 1 : 0)
        }
        #expect(labelsOK)
        #expect(try UNBCLoader(root: dir.url).load(options) == splits)

        var seeded = UNBCSplitOptions()
        seeded.frames = 4
        seeded.validationFrames = 2
        seeded.heldOut = 4
        let held = try UNBCLoader(root: dir.url).load(seeded)
        #expect(Set(held.test.samples.map(\.group)).count == 4)
    }

    @Test func impossibleSplitsAndBrokenTreesAreErrors() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try makeTree(dir)
        var options = UNBCSplitOptions()
        options.testParticipants = ["s1"]
        options.frames = 30   // 15 pain frames, but at most 2 non-adjacent ones per participant exist
        options.validationFrames = 2
        #expect { try UNBCLoader(root: dir.url).load(options) } throws: { error in
            guard case let FacesError.infeasibleSplit(_, reason) = error else { return false }
            return reason.contains("found 10 pain")
        }
        options.testParticipants = ["nobody"]
        #expect(throws: FacesError.self) { try UNBCLoader(root: dir.url).load(options) }

        let missing = dir.path("Frame_Labels/PSPI/s3/seq/s3f004_facs.txt")
        try FileManager.default.removeItem(at: missing)
        try dir.write("   1.0 oops\n", to: "Frame_Labels/FACS/s4/seq/s4f000_facs.txt")
        #expect { try UNBCLoader(root: dir.url).frames() } throws: { error in
            guard case let FacesError.invalidTree(_, _, problems) = error else { return false }
            return problems == ["\(missing.path): missing or unreadable label file",
                                "\(dir.path("Frame_Labels/FACS/s4/seq/s4f000_facs.txt").path): line 1: 'oops' is not a number"]
        }
    }
}
