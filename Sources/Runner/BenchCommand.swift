import ArgumentParser
import Core
import Foundation

/// `palimpsest bench`: measures this machine's sgemm and the VGG16 core's training and inference speed.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure this machine's sgemm and VGG16 training/inference speed.",
        discussion: """
            Configurations: full224 (VGG16, 224 px, batch 16), scaled64 (width 0.25, 64 px, head 512-512, batch 64), \
            scaled64_frozen3 (scaled64 with 3 frozen blocks). GFLOP/s count 2 FLOPs per multiply-add.
            """)

    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func run() throws {
        let report = try Benchmark.run(progress: json ? nil : { print($0) })
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print("")
        print(String(format: "sgemm (4096³, %d threads): %.1f GFLOP/s; load average before the run: %@",
                     report.threads, report.sgemmGFLOPS, report.loadAverage.map { String(format: "%.2f", $0) } ?? "n/a"))
        print("config             batch  train img/s  train GFLOP/s  (% sgemm)  infer img/s  infer GFLOP/s  train peak RSS")
        for c in report.configs {
            print(String(format: "%-18@ %5d  %11.2f  %13.1f  %8.0f%%  %11.2f  %13.1f  %@",
                         c.name, c.batch, c.trainImagesPerSecond, c.trainGFLOPS, 100 * c.trainGFLOPS / report.sgemmGFLOPS,
                         c.inferImagesPerSecond, c.inferGFLOPS,
                         c.trainPeakRSSMiB.map { String(format: "%.0f MiB", $0) } ?? "n/a"))
        }
    }
}
