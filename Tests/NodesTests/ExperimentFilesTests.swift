import Faces
import Foundation
import Testing

/// The shipped experiment files validate and plan: `paper.yaml` (the study as published, for the real datasets)
/// against dataset trees in the real layouts, pointed at with `--set` as its header tells users to do; `demo.yaml`
/// (the study on SynthFACS, what `scripts/demo` runs) as it is.
@Suite struct ExperimentFilesTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func demoExperimentPlansTheWholeStudy() throws {
        let p = try ShellProject(try String(contentsOf: Self.repository.appendingPathComponent("experiments/demo.yaml"), encoding: .utf8))
        let planned = try RunnerProcessTests.run(["run", "exp.yaml", "--dry-run"], in: p.dir)
        #expect(planned.status == 0, "\(planned.err)")
        // Three seeds: 3 shared datasets, 40 seeded instances per seed, 3 tests across seeds and the report.
        #expect(planned.out.contains("demo: 127 of 127 instances would run") && !planned.out.contains("error"), "\(planned.out)")
        for id in ["emotions", "base[seed=7]", "pain[blocks=0,seed=8]", "head[blocks=5,seed=9]", "forgetting", "saliency[seed=7]",
                   "candidates[seed=8]", "contrast_candidates[seed=9]", "base_eval[seed=7]", "au5_b0[seed=9]", "au14_b5[seed=7]", "au5_test", "au14_test", "report"] {
            #expect(planned.out.contains(" \(id): never run") || planned.out.contains(" \(id): upstream"), "\(id) planned")
        }
    }

    @Test func paperExperimentPlansOnFakeTrees() throws {
        let repository = Self.repository
        let p = try ShellProject(try String(contentsOf: repository.appendingPathComponent("experiments/paper.yaml"), encoding: .utf8))
        let data = p.dir.appendingPathComponent("elsewhere")
        var affectnet = SynthAffectNetOptions()
        affectnet.images = 32; affectnet.testPerClass = 1; affectnet.size = 32; affectnet.identities = 8
        _ = try SynthFACS.writeAffectNet(affectnet, to: data.appendingPathComponent("AffectNet"))
        var unbc = SynthUNBCOptions()
        unbc.participants = 6; unbc.sequencesPerParticipant = 1; unbc.framesPerSequence = 10; unbc.size = 32
        _ = try SynthFACS.writeUNBC(unbc, to: data.appendingPathComponent("UNBC"))
        var ckplus = SynthCKPlusOptions()
        ckplus.subjects = 4; ckplus.size = 32
        _ = try SynthFACS.writeCKPlus(ckplus, to: data.appendingPathComponent("CK+"))
        try Data("stand-in for the exported ImageNet weights".utf8).write(to: data.appendingPathComponent("vgg16.safetensors"))

        // The UNBC test participants have no value in the file: it does not validate until the user names them.
        let unnamed = try RunnerProcessTests.run(["run", "exp.yaml", "--dry-run"], in: p.dir)
        #expect(unnamed.status == 2 && unnamed.err.contains("test_participants is required"), "\(unnamed.status): \(unnamed.err)")
        let subjects = Set(try UNBCLoader(root: data.appendingPathComponent("UNBC")).frames().map(\.subject)).sorted()
        let participants = "pain_data.test_participants=[\(subjects.prefix(4).joined(separator: ","))]"
        let missing = try RunnerProcessTests.run(["run", "exp.yaml", "--dry-run", "--set", participants], in: p.dir)
        #expect(missing.out.contains("error    emotions:") && missing.out.contains("data/AffectNet"), "the unedited paths do not exist here: \(missing.out)")
        let planned = try RunnerProcessTests.run(["run", "exp.yaml", "--dry-run", "--set", participants,
                                                  "--set", "emotions.root=\(data.path)/AffectNet", "--set", "pain_data.root=\(data.path)/UNBC",
                                                  "--set", "au_data.root=\(data.path)/CK+", "--set", "base.weights=\(data.path)/vgg16.safetensors"], in: p.dir)
        #expect(planned.status == 0, "\(planned.err)")
        #expect(planned.out.contains("emotions-to-pain-paper: 52 of 52 instances would run") && !planned.out.contains("error"), "\(planned.out)")
        #expect(planned.out.contains("run      emotions: never run") && planned.out.contains("run?     probe_au5[blocks=3]") && planned.out.contains("run?     report"))
    }
}
