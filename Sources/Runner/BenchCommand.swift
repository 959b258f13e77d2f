import ArgumentParser

/// `palimpsest bench`: measures the compute core on this machine.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure this machine's sgemm and VGG16 training/inference speed.")
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    func run() throws { print("bench: not built yet") }
}
