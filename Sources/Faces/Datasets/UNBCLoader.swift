import Foundation
import Randomness

/// One UNBC-McMaster frame with its labels.
public struct UNBCFrame: Equatable, Sendable {
    public var subject: String
    public var sequence: String
    /// Position in the sequence (0-based, frames sorted by file name).
    public var index: Int
    public var image: URL
    /// Prkachin–Solomon pain intensity.
    public var pspi: Double
    /// FACS codes of the frame: AU number → intensity.
    public var facs: [Int: Double]

    /// Pain = PSPI > 0.
    public var pain: Bool { pspi > 0 }
}

/// The study's UNBC split: held-out participants for testing, a balanced, non-consecutive sample of the rest.
public struct UNBCSplitOptions: Equatable, Sendable {
    /// Participants (subject folder names) whose frames form the test set (the study: the 4 whose images may be
    /// published); nil = `heldOut` drawn with `seed`.
    public var testParticipants: [String]?
    public var heldOut = 4
    /// Frames sampled from the other participants, half pain, half no pain.
    public var frames = 1000
    /// Of those, frames for validation (half pain, half no pain); the rest train.
    public var validationFrames = 100
    public var seed: UInt64 = 7

    public init() {}
}

/// Reads the UNBC-McMaster layout: `Images/<subject>/<sequence>/<frame>.png` with
/// `Frame_Labels/PSPI/<subject>/<sequence>/<frame>_facs.txt` (one number) and
/// `Frame_Labels/FACS/<subject>/<sequence>/<frame>_facs.txt` (AU, intensity rows).
public struct UNBCLoader: Sendable {
    public let root: URL
    public static let classNames = ["no pain", "pain"]

    public init(root: URL) { self.root = root }

    /// Every frame with its labels, validating that each image has both label files.
    public func frames() throws -> [UNBCFrame] {
        var problems = TreeProblems()
        let images = root.appendingPathComponent("Images")
        let pspiRoot = root.appendingPathComponent("Frame_Labels/PSPI")
        let facsRoot = root.appendingPathComponent("Frame_Labels/FACS")
        guard let subjects = LabelFile.list(images, directories: true) else {
            problems.add(images.path, "missing Images directory")
            try problems.check(dataset: "UNBC-McMaster", root: root)
            return []
        }
        for folder in [pspiRoot, facsRoot] where LabelFile.list(folder, directories: true) == nil {
            problems.add(folder.path, "missing label directory")
        }
        try problems.check(dataset: "UNBC-McMaster", root: root)
        var frames = [UNBCFrame]()
        for subject in subjects where !problems.isFull {
            for sequence in LabelFile.list(images.appendingPathComponent(subject), directories: true) ?? [] {
                let folder = "\(subject)/\(sequence)"
                let names = (LabelFile.list(images.appendingPathComponent(folder), directories: false) ?? []).filter(LabelFile.isImage)
                for (index, name) in names.enumerated() where !problems.isFull {
                    let stem = LabelFile.stem(name)
                    let pspiURL = pspiRoot.appendingPathComponent("\(folder)/\(stem)_facs.txt")
                    let facsURL = facsRoot.appendingPathComponent("\(folder)/\(stem)_facs.txt")
                    var pspi: Double?
                    var facs = [Int: Double]()
                    do {
                        let rows = try LabelFile.numbers(pspiURL)
                        if rows.count == 1, rows[0].count == 1, rows[0][0] >= 0 { pspi = rows[0][0] } else {
                            problems.add(pspiURL.path, "expected one non-negative PSPI number")
                        }
                    } catch let problem as LabelFile.Problem {
                        problems.add(pspiURL.path, problem.message)
                    }
                    do {
                        for row in try LabelFile.numbers(facsURL) {
                            guard row.count == 2, row[0] >= 1, row[0] == row[0].rounded() else {
                                problems.add(facsURL.path, "expected rows of 'AU intensity', found \(row.count) number(s)")
                                break
                            }
                            facs[Int(row[0])] = row[1]
                        }
                    } catch let problem as LabelFile.Problem {
                        problems.add(facsURL.path, problem.message)
                    }
                    if let pspi {
                        frames.append(UNBCFrame(subject: subject, sequence: sequence, index: index,
                                                image: images.appendingPathComponent("\(folder)/\(name)"), pspi: pspi, facs: facs))
                    }
                }
            }
        }
        if frames.isEmpty && problems.list.isEmpty { problems.add(images.path, "no frames found") }
        try problems.check(dataset: "UNBC-McMaster", root: root)
        return frames
    }

    /// The study's split (see `UNBCSplitOptions`); labels 0 = no pain, 1 = pain.
    ///
    /// Every sampled participant with pain frames contributes at least one pain frame, every one with no-pain frames
    /// at least one no-pain frame; no two sampled frames are adjacent in a sequence. Validation and training are
    /// stratified by class.
    public func load(_ options: UNBCSplitOptions = UNBCSplitOptions()) throws -> FaceSplits {
        let all = try frames()
        let subjects = Array(Set(all.map(\.subject))).sorted()
        var test: Set<String>
        if let named = options.testParticipants {
            guard !named.isEmpty, Set(named).count == named.count else {
                throw FacesError.invalidParameter(name: "test_participants", expected: "distinct subject folders of \(root.path)/Images",
                                                  found: named.isEmpty ? "an empty list" : named.joined(separator: ", "))
            }
            let unknown = named.filter { !subjects.contains($0) }
            guard unknown.isEmpty else {
                throw FacesError.invalidParameter(name: "test_participants", expected: "subject folders of \(root.path)/Images",
                                                  found: unknown.joined(separator: ", "))
            }
            test = Set(named)
        } else {
            guard options.heldOut < subjects.count else {
                throw FacesError.infeasibleSplit(dataset: "UNBC-McMaster",
                                                 reason: "cannot hold out \(options.heldOut) of \(subjects.count) participants")
            }
            var r = SplitMix64(deriving: options.seed, 0x7E57)
            test = Set(subjects.shuffled(using: &r).prefix(options.heldOut))
        }
        guard options.frames % 2 == 0, options.validationFrames % 2 == 0, options.validationFrames < options.frames else {
            throw FacesError.invalidParameter(name: "frames/validation_frames", expected: "even counts with validation < frames",
                                              found: "\(options.frames)/\(options.validationFrames)")
        }
        let pool = all.filter { !test.contains($0.subject) }
        let chosen = try Self.sample(pool, perClass: options.frames / 2, seed: options.seed)
        var r = SplitMix64(deriving: options.seed, 0x5B11)
        var train = [UNBCFrame](), validation = [UNBCFrame]()
        for pain in [false, true] {
            let frames = chosen.filter { $0.pain == pain }.shuffled(using: &r)
            validation += frames.prefix(options.validationFrames / 2)
            train += frames.dropFirst(options.validationFrames / 2)
        }
        func dataset(_ name: String, _ frames: [UNBCFrame]) -> FaceDataset {
            let samples = frames.sorted { ($0.subject, $0.sequence, $0.index) < ($1.subject, $1.sequence, $1.index) }.map {
                FaceSample(image: $0.image, crop: nil, label: $0.pain ? 1 : 0, group: $0.subject,
                           key: "Images/\($0.subject)/\($0.sequence)/\($0.image.lastPathComponent)")
            }
            return FaceDataset(name: "unbc/\(name)", classNames: Self.classNames, samples: samples)
        }
        return FaceSplits(train: dataset("train", train), validation: dataset("validation", validation),
                          test: dataset("test", all.filter { test.contains($0.subject) }))
    }

    /// Draws `perClass` pain and `perClass` no-pain frames: first one of each class per participant, then the rest
    /// at random, never taking a frame next to an already taken one in its sequence.
    static func sample(_ pool: [UNBCFrame], perClass: Int, seed: UInt64) throws -> [UNBCFrame] {
        var r = SplitMix64(deriving: seed, 0x5A3)
        var taken = Set<String>()
        func id(_ f: UNBCFrame, _ offset: Int) -> String { "\(f.subject)/\(f.sequence)/\(f.index + offset)" }
        var chosen = [[UNBCFrame]](repeating: [], count: 2)
        func take(_ f: UNBCFrame) -> Bool {
            guard !taken.contains(id(f, 0)), !taken.contains(id(f, -1)), !taken.contains(id(f, 1)) else { return false }
            taken.insert(id(f, 0))
            chosen[f.pain ? 1 : 0].append(f)
            return true
        }
        let order = pool.shuffled(using: &r)
        let participants = Array(Set(pool.map(\.subject))).sorted()
        for pain in [true, false] {
            for subject in participants {
                for f in order where f.subject == subject && f.pain == pain {
                    if take(f) { break }
                }
            }
        }
        for f in order {
            let c = f.pain ? 1 : 0
            if chosen[c].count < perClass { _ = take(f) }
        }
        let counts = chosen.map(\.count)
        guard counts[0] >= perClass, counts[1] >= perClass else {
            throw FacesError.infeasibleSplit(dataset: "UNBC-McMaster", reason:
                "needed \(perClass) pain and \(perClass) no-pain non-adjacent frames outside the test participants, "
                + "found \(counts[1]) pain and \(counts[0]) no-pain")
        }
        // The per-participant firsts may overshoot a class when there are many participants; trim at random,
        // keeping each participant's first pick.
        var result = [UNBCFrame]()
        for c in 0..<2 {
            var seen = Set<String>()
            var firsts = [UNBCFrame](), rest = [UNBCFrame]()
            for f in chosen[c] { if seen.insert(f.subject).inserted { firsts.append(f) } else { rest.append(f) } }
            guard firsts.count <= perClass else {
                throw FacesError.infeasibleSplit(dataset: "UNBC-McMaster",
                                                 reason: "\(firsts.count) participants need a frame each but only \(perClass) per class are drawn")
            }
            result += firsts + rest.prefix(perClass - firsts.count)
        }
        return result
    }
}
