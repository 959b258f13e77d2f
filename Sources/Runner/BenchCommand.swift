import Analysis
import ArgumentParser
import Benchmarks
import Core
import Foundation
import Graph

extension ConvolutionKernel: ExpressibleByArgument {}

/// `palimpsest bench`: measures the compute core, the graph runner and the concept probe on this machine.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure this machine's sgemm, VGG16 training/inference, graph planning and probe speed.",
        discussion: """
            core: sgemm, then full224 (VGG16, 224 px, batch 16), scaled64 (width 0.25, 64 px, head 512-512, \
            batch 64), scaled64_frozen3 (scaled64 with 3 frozen blocks), demo64 (the demo's base: head 256-256, \
            batch 32, also one Trainer.fit epoch); GFLOP/s count 2 FLOPs per multiply-add. \
            graph: load, plan and fully cached rerun of a generated 200-node graph. probe: 500 repeats of a \
            2-fold linear-SVM probe on 600 × 512 features, then the AU14 probe's shape with each fast solver. --demo: experiments/demo.yaml cold with one seed. \
            SynthFACS speed: `palimpsest synth --bench`.
            """)

    enum Suite: String, ExpressibleByArgument, CaseIterable {
        case all, core, graph, probe
    }

    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Option(help: "Which part to measure: \(Suite.allCases.map(\.rawValue).joined(separator: ", ")).")
    var only: Suite = .all
    @Option(help: "Force one 3×3 conv kernel in every layer of the core setups and the LRP passes: \(ConvolutionKernel.allCases.map(\.rawValue).joined(separator: ", ")) (default: the faster one per layer shape).")
    var convKernel: ConvolutionKernel?
    @Flag(help: "Also time every conv layer shape of scaled64 and full224 with each kernel (JSON key conv_layers).")
    var layers = false
    @Flag(help: "Also time full224 and scaled64 with the preferred kernels and with im2col everywhere, steps interleaved (JSON key kernel_comparison).")
    var compareKernels = false
    @Option(help: "Measure only this core setup (repeatable): \(Benchmark.standardSetups.map(\.name).joined(separator: ", ")) (default: all).")
    var config: [String] = []
    @Flag(help: "Also run the demo cold with one seed into a temporary cache, after the other measurements (JSON key demo; minutes).")
    var demo = false
    @Option(help: ArgumentHelp("The experiment --demo runs.", valueName: "file"))
    var demoFile = "experiments/demo.yaml"
    @Option(help: "The one seed --demo runs (its seeds: list is replaced by this seed).")
    var demoSeed = 7

    func validate() throws {
        if demo, !FileManager.default.fileExists(atPath: demoFile) {
            throw ValidationError("--demo-file '\(demoFile)' does not exist (run from the project root, or give the path).")
        }
        let names = Benchmark.standardSetups.map(\.name)
        if let bad = config.first(where: { !names.contains($0) }) {
            throw ValidationError("--config '\(bad)' is not a setup; expected one of \(names.joined(separator: ", ")).")
        }
    }

    private var setups: [Benchmark.Setup] {
        config.isEmpty ? Benchmark.standardSetups : Benchmark.standardSetups.filter { config.contains($0.name) }
    }

    func run() throws {
        var object: [String: Any] = [:]
        if only == .all || only == .core {
            let report = try Benchmark.run(setups: setups, kernel: convKernel, progress: json ? nil : { print($0) })
            object = try Self.jsonObject(report) as? [String: Any] ?? [:]
            if !json { printCore(report) }
        }
        if compareKernels {
            let results = try Benchmark.compareKernels(setups: config.isEmpty ? Array(setups.prefix(2)) : setups)
            object["kernel_comparison"] = try Self.jsonObject(results)
            if !json {
                print("")
                for r in results {
                    print(r.name.padding(toLength: 10, withPad: " ", startingAt: 0) + r.kernel.padding(toLength: 10, withPad: " ", startingAt: 0)
                          + String(format: "batch %3d  train %8.2f images/s  infer %8.2f images/s", r.batch, r.trainImagesPerSecond,
                                   r.inferImagesPerSecond))
                }
            }
        }
        if layers {
            let results = Benchmark.measureConvLayers(setups: config.isEmpty ? Array(setups.prefix(2)) : setups)
            object["conv_layers"] = try Self.jsonObject(results)
            if !json { printLayers(results) }
        }
        if only == .all || only == .graph {
            let seconds = try GraphBenchmark.plannedCachedRerun(nodes: 200)
            object["graph_cached_rerun_200_s"] = seconds
            if !json { print(String(format: "graph: plan + fully cached rerun of 200 nodes: %.3f s (target < 0.3 s)", seconds)) }
        }
        if only == .all || only == .probe {
            let seconds = try ConceptProbe.benchmark()
            object["probe_500x2_600x512_s"] = seconds
            if !json { print(String(format: "probe: 500 × 2-fold linear SVM on 600 × 512 features: %.1f s (target < 30 s)", seconds)) }
            let runs = try ConceptProbe.compareSolvers([.finiteNewton, .dualCoordinateDescent])
            object["probe_au14_shape"] = try Self.jsonObject(runs)
            if !json {
                print("probe, the demo's AU14 shape (445 × 512, 47 positive): 500 × 2-fold + 100 × 5 permutation test (target < 15 s)")
                for run in runs {
                    print("  " + run.solver.padding(toLength: 14, withPad: " ", startingAt: 0)
                        + String(format: "%.1f + %.1f s (%.1f processor-s), mean F1 %.4f ± %.4f, null mean %.4f", run.crossValidationSeconds, run.permutationTestSeconds, run.cpuSeconds,
                                 run.meanF1, run.sdF1, run.nullMeanF1))
                }
            }
        }
        if demo {
            let result = try DemoBenchmark.run(file: URL(fileURLWithPath: demoFile).standardizedFileURL, seed: demoSeed)
            object["demo"] = try Self.jsonObject(result)
            if !json {
                print(String(format: "demo: %@ with seed %d, cold, %d instances: %.1f s (target ≤ 300 s)", result.file, result.seed,
                             result.instances, result.seconds))
                for n in result.nodes {
                    print("  " + n.node.padding(toLength: 12, withPad: " ", startingAt: 0)
                          + String(format: "%3d × %8.1f s", n.instances, n.seconds))
                }
            }
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    /// `value` as a JSON object (sorted keys), to be placed in the one object `--json` prints.
    private static func jsonObject(_ value: some Encodable) throws -> Any {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try JSONSerialization.jsonObject(with: encoder.encode(value))
    }

    private func printLayers(_ results: [Benchmark.ConvLayerResult]) {
        print("")
        print("config    layer          C→O        size  batch  kernel    forward GFLOP/s  backward GFLOP/s")
        for r in results {
            let name = r.config.padding(toLength: 10, withPad: " ", startingAt: 0) + r.layer.padding(toLength: 15, withPad: " ", startingAt: 0)
            let channels = "\(r.inChannels)→\(r.outChannels)".padding(toLength: 11, withPad: " ", startingAt: 0)
            let kernel = r.kernel.padding(toLength: 8, withPad: " ", startingAt: 0)
            let speed = String(format: "  %15.1f  %16.1f", r.forwardGFLOPS, r.backwardGFLOPS)
            print(name + channels + String(format: "%4d  %5d  ", r.size, r.batch) + kernel + speed + (r.preferred ? "  (used)" : ""))
        }
    }

    private func printCore(_ report: Benchmark.Report) {
        print("")
        print(String(format: "sgemm (4096³, %d threads, OpenBLAS %@ kernels): %.1f GFLOP/s; C kernels (direct conv, Winograd transforms): %@; load average before the run: %@",
                     report.threads, report.kernels, report.sgemmGFLOPS, report.directInstructionSet ?? "n/a",
                     report.loadAverage.map { String(format: "%.2f", $0) } ?? "n/a"))
        print("config             batch  train img/s  train GFLOP/s  (% sgemm)  infer img/s  infer GFLOP/s  train peak RSS")
        for c in report.configs {
            let name = c.name.padding(toLength: 18, withPad: " ", startingAt: 0)
            print(name + String(format: " %5d  %11.2f  %13.1f  %8.0f%%  %11.2f  %13.1f  ",
                         c.batch, c.trainImagesPerSecond, c.trainGFLOPS, 100 * c.trainGFLOPS / report.sgemmGFLOPS,
                         c.inferImagesPerSecond, c.inferGFLOPS)
                  + (c.trainPeakRSSMiB.map { String(format: "%.0f MiB", $0) } ?? "n/a"))
        }
        for c in report.configs {
            guard let fit = c.fitImagesPerSecond, let mean = c.trainMeanImagesPerSecond else { continue }
            print(String(format: "%@: a Trainer.fit epoch (as a training node runs it) %.2f images/s = %.0f%% of the fastest step, %.0f%% of the mean step (%.2f images/s)",
                         c.name, fit, 100 * fit / c.trainImagesPerSecond, 100 * fit / mean, mean))
        }
        for r in report.relevance {
            print(String(format: "LRP (z_dense_zplus_conv) %@, batch %d: %.2f maps/s, %.1f GFLOP/s", r.name, r.batch, r.mapsPerSecond, r.gflops))
        }
    }
}
