import Faces
import Foundation
import Testing
@testable import Graph
@testable import Nodes

/// The `unbc` kind's test set is a stated choice: named participants (the study's way) or an explicit seeded
/// draw; with neither, or both, the experiment does not validate.
@Suite struct UNBCTestParticipantsTests {
    /// A synthetic UNBC tree of 8 participants (`001-sf001` … `008-sf008`) beside a project whose `pain` node reads
    /// it with `params`.
    static func project(_ params: String) throws -> ForgettingProject {
        let p = try ForgettingProject("""
        palimpsest: 1
        name: unbc-test-set
        seed: 1
        nodes:
          pain: {kind: unbc, params: {root: tree, frames: 40, validation_frames: 10\(params.isEmpty ? "" : ", " + params)}}
        """)
        var o = SynthUNBCOptions()
        o.participants = 8
        o.sequencesPerParticipant = 3
        o.framesPerSequence = 30
        o.size = 16
        _ = try SynthFACS.writeUNBC(o, to: p.dir.appendingPathComponent("tree"))
        return p
    }

    static func dataset(_ p: ForgettingProject) throws -> [String: Any] {
        let url = try p.outputDirectory("pain", "dataset").appendingPathComponent("dataset.json")
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    @Test func namedParticipantsAreTheTestSet() throws {
        let p = try Self.project("test_participants: [003-sf003, 007-sf007]")
        expectSuccess(try p.run())
        let json = try Self.dataset(p)
        #expect(json["test_participants"] as? [String] == ["003-sf003", "007-sf007"])
        let splits = try DatasetArtifact(format: .unbc, root: "", validationFraction: nil, testParticipants: ["003-sf003", "007-sf007"],
                                         heldOut: 4, frames: 40, validationFrames: 10, splitSeed: 7, classNames: [], counts: [:])
            .splits(root: p.dir.appendingPathComponent("tree"))
        #expect(Set(splits.test.samples.map(\.group)) == ["003-sf003", "007-sf007"] && splits.test.samples.count == 2 * 3 * 30)
        #expect((json["counts"] as? [String: [Int]])?["test"]?.reduce(0, +) == 180)
    }

    @Test func aSeededDrawMustBeAskedFor() throws {
        let p = try Self.project("held_out: 2")
        expectSuccess(try p.run())
        let json = try Self.dataset(p)
        #expect(json["test_participants"] == nil && json["held_out"] as? Int == 2)
        #expect((json["counts"] as? [String: [Int]])?["test"]?.reduce(0, +) == 180)
    }

    @Test func neitherBothOrBadListsDoNotValidate() throws {
        let cases = [
            ("", "test_participants is required"),
            ("test_participants: [001-sf001], held_out: 2", "not both"),
            ("test_participants: []", "at least one participant"),
            ("test_participants: [001-sf001, 001-sf001]", "listed twice"),
        ]
        for (params, message) in cases {
            let p = try Self.project(params)
            #expect { try p.run() } throws: { error in "\(error)".contains(message) }
        }
        // A name that is no participant folder fails when the node reads the tree, naming the folder it looked in.
        let unknown = try Self.project("test_participants: [042-xx042]")
        let failed = try #require(try unknown.run().results.first { $0.id == "pain" })
        #expect(failed.status == .failed && (failed.reason ?? "").contains("042-xx042") && (failed.reason ?? "").contains("Images"), "\(failed.reason ?? "")")
    }
}
