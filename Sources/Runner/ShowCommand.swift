import ArgumentParser
import Foundation
import Graph

/// `palimpsest show`: an instance's cache entry: manifest, outputs, metrics and log path.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show the cache entry of a node's instances: manifest, outputs, metrics, log path.")

    @OptionGroup var options: ExperimentOptions

    @Argument(help: "A node (all its instances) or an instance such as pain[blocks=3].")
    var node: String

    @Flag(help: "Print the full manifest.json of each instance.")
    var manifest = false

    func run() throws {
        let experiment = try options.experiment()
        let store = try options.store()
        let chosen = try experiment.select([node])
        let plan = Planner.plan(experiment, store: store, lock: nil, selected: try experiment.withAncestors(of: [node]))
        for entry in plan where chosen.contains(where: { experiment.instances[$0].id == entry.id }) {
            print("\(entry.id)")
            guard entry.state == .upToDate, let key = entry.key, let m = store.manifest(key) else {
                print("  not in the cache: \((entry.reasons.isEmpty ? ["never run"] : entry.reasons).joined(separator: "; "))")
                continue
            }
            let dir = store.entryDirectory(key)
            print("  key      \(key)")
            print("  kind     \(m.components.mapValue?["kind"]?.description ?? "?") v\(m.components.mapValue?["version"]?.description ?? "?")")
            print("  params   \(m.components.mapValue?["params"]?.description ?? "{}")")
            print("  ran      \(m.started) for \(String(format: "%.2f", m.seconds)) s on \(m.host) (palimpsest \(m.toolVersion))")
            for name in m.outputs.keys.sorted() {
                let out = m.outputs[name]!
                print("  output   \(name): \(dir.appendingPathComponent("outputs/\(name)").path) (\(out.files.count) files, \(out.files.reduce(0) { $0 + $1.size }) bytes, \(out.digest))")
                for f in out.files.prefix(10) { print("           \(f.path) \(f.size) B") }
                if out.files.count > 10 { print("           … \(out.files.count - 10) more") }
            }
            for name in m.metrics.keys.sorted() { print("  metric   \(name) = \(m.metrics[name]!)") }
            print("  log      \(dir.appendingPathComponent(m.log).path)")
            if manifest, let data = try? Data(contentsOf: dir.appendingPathComponent("manifest.json")) {
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }
}
