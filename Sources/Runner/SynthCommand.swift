import ArgumentParser
import Benchmarks
import Faces
import Foundation

/// `palimpsest synth affectnet|unbc|ckplus --out DIR`: writes a SynthFACS dataset in a real dataset's layout.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write synthetic faces with known action units in the AffectNet, UNBC-McMaster or CK+ layout.",
        discussion: "Same parameters give the same bytes. --bench measures the generator instead (faces/s, 64 px).")

    enum Layout: String, ExpressibleByArgument, CaseIterable {
        case affectnet, unbc, ckplus
    }

    @Argument(help: "Layout to write: affectnet, unbc or ckplus.") var layout: Layout?
    @Option(name: .long, help: "Output directory (created if missing).") var out: String?
    @Option(help: "Image width and height in pixels (48…224 intended).") var size = 64
    @Option(help: "Random seed; same seed and parameters give the same bytes.") var seed: UInt64 = 7
    @Option(help: "AffectNet: training images.") var images = 12_000
    @Option(name: .customLong("test-per-class"), help: "AffectNet: validation (test) images per class.") var testPerClass = 100
    @Option(help: "AffectNet: distinct people.") var identities = 600
    @Option(name: .customLong("label-noise"), help: "AffectNet: probability of a wrong written label.") var labelNoise = 0.05
    @Flag(help: "AffectNet: equal class frequencies instead of AffectNet's imbalance.") var balanced = false
    @Option(help: "UNBC: participants.") var participants = 25
    @Option(help: "UNBC: sequences per participant.") var sequences = 6
    @Option(help: "UNBC: frames per sequence.") var frames = 40
    @Option(help: "UNBC: comma-separated pain distractors (talking, smiles) or 'none'.") var distractors = "talking,smiles"
    @Option(help: "CK+: subjects.") var subjects = 120
    @Option(help: "Channels: 3 (RGB) or 1 (grey); default 3 for affectnet and unbc, 1 for ckplus.") var channels: Int?
    @Option(help: "Worker threads (default: all cores).") var threads = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Deflate the PNGs (about 20% smaller, about half the speed).") var compress = false
    @Flag(help: "Measure generator speed (faces/s written to disk) instead of writing a dataset.") var bench = false
    @Option(name: .customLong("bench-faces"), help: "Faces to write when measuring.") var benchFaces = 4000
    @Option(name: .customLong("bench-dir"), help: "Directory to measure in (default: the system's temporary directory).")
    var benchDirectory: String?
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        if !bench {
            guard layout != nil else { throw ValidationError("give a layout: affectnet, unbc or ckplus") }
            guard out != nil else { throw ValidationError("--out DIR is required") }
        }
        if let channels, channels != 1 && channels != 3 { throw ValidationError("--channels must be 1 or 3") }
    }

    /// Copies the flags shared by every layout; without `--channels` each layout keeps its own default.
    private func applyRenderSettings<Options: SynthRenderSettings>(to options: inout Options) {
        options.size = size
        options.seed = seed
        options.channels = channels ?? options.channels
        options.threads = threads
        options.compressPNG = compress
    }

    func run() throws {
        if bench {
            let result = try SynthFACS.benchmark(faces: benchFaces, size: size, threads: threads, compressPNG: compress,
                                                 directory: benchDirectory.map { URL(fileURLWithPath: $0) })
            if json {
                print(#"{"faces": \#(result.faces), "size": \#(result.size), "threads": \#(result.threads), "seconds": \#(result.seconds), "faces_per_second": \#(result.facesPerSecond), "mean_file_bytes": \#(result.meanFileBytes)}"#)
            } else {
                print(String(format: "synthfacs: %d faces of %d×%d px in %.2f s on %d threads = %.0f faces/s (mean PNG %.0f bytes)",
                             result.faces, result.size, result.size, result.seconds, result.threads, result.facesPerSecond, result.meanFileBytes))
            }
            return
        }
        let root = URL(fileURLWithPath: out!)
        let summary: SynthSummary
        switch layout! {
        case .affectnet:
            var o = SynthAffectNetOptions()
            o.images = images
            o.testPerClass = testPerClass
            o.identities = identities
            o.labelNoise = labelNoise
            if balanced { o.classWeights = Array(repeating: 1, count: 8) }
            applyRenderSettings(to: &o)
            summary = try SynthFACS.writeAffectNet(o, to: root)
        case .unbc:
            var o = SynthUNBCOptions()
            o.participants = participants
            o.sequencesPerParticipant = sequences
            o.framesPerSequence = frames
            o.distractors = try PainDistractor.parse(distractors == "none" ? [] : distractors.split(separator: ",").map(String.init),
                                                     field: "--distractors")
            applyRenderSettings(to: &o)
            summary = try SynthFACS.writeUNBC(o, to: root)
        case .ckplus:
            var o = SynthCKPlusOptions()
            o.subjects = subjects
            applyRenderSettings(to: &o)
            summary = try SynthFACS.writeCKPlus(o, to: root)
        }
        let classes = summary.perClass.keys.sorted().map { "\($0): \(summary.perClass[$0]!)" }.joined(separator: ", ")
        if json {
            let counts = summary.perClass.keys.sorted().map { "\"\($0)\": \(summary.perClass[$0]!)" }.joined(separator: ", ")
            print(#"{"images": \#(summary.images), "seconds": \#(summary.seconds), "per_class": {\#(counts)}}"#)
        } else {
            print(String(format: "synthfacs: wrote %d images to %@ in %.2f s (per class: %@)", summary.images, root.path, summary.seconds, classes))
        }
    }
}
