import Foundation
import Graph

/// The graph machinery's own benchmark: how long loading, validating, keying and verifying a fully cached
/// experiment takes (the cost a user pays on every `run` that has nothing to do).
public enum GraphBenchmark {
    /// A cheap kind for the benchmark: writes its params and the digests of its inputs to one file.
    struct Step: NodeKind {
        static let kind = "bench_step"
        static let version = 1
        static let summary = "Writes a small file from its params and inputs (benchmark only)."
        static let params: [ParamSpec] = [.int("value", default: 0, doc: "Any integer.")]
        static let inputs: [PortSpec] = [PortSpec("from", gather: true, optional: true, doc: "Upstream steps.")]
        static let outputs: [OutputSpec] = [OutputSpec("out", doc: "One text file.")]
        static func run(_ context: NodeContext) throws {
            let digests = (context.inputs["from"] ?? []).map(\.digest).joined(separator: "\n")
            try Data("value \(try context.params.int("value"))\n\(digests)\n".utf8)
                .write(to: context.output().appendingPathComponent("step.txt"))
        }
    }

    /// YAML for a layered graph of `nodes` steps: node i reads i−1 and i/2 (a DAG with long and short edges).
    static func experimentYAML(nodes: Int) -> String {
        var yaml = "palimpsest: 1\nname: bench\nseed: 1\nnodes:\n"
        for i in 0..<nodes {
            yaml += "  s\(i):\n    kind: bench_step\n    params: {value: \(i)}\n"
            if i > 0 {
                let ups = Set([i - 1, i / 2]).sorted()
                yaml += "    inputs: {from: [" + ups.map { "s\($0)" }.joined(separator: ", ") + "]}\n"
            }
        }
        return yaml
    }

    /// Seconds for load + validate + plan + a fully cached run (verifying every entry and writing the lock
    /// file) of a generated `nodes`-node graph, after one uncached run. Uses a temporary directory.
    public static func plannedCachedRerun(nodes: Int = 200) throws -> Double {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("palimpsest-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bench.yaml")
        try experimentYAML(nodes: nodes).write(to: file, atomically: true, encoding: .utf8)
        let kinds = [KindRef(Step.self)]
        let store = try CacheStore(root: dir.appendingPathComponent("cache"))
        let first = try Executor(experiment: try Experiment.load(file: file, kinds: kinds), store: store).run(RunOptions())
        guard first.count(.executed) == nodes else { throw NodeFailure("benchmark setup: first run executed \(first.count(.executed)) of \(nodes)") }
        let start = DispatchTime.now().uptimeNanoseconds
        let experiment = try Experiment.load(file: file, kinds: kinds)
        let freshStore = try CacheStore(root: store.root)
        let plan = Planner.plan(experiment, store: freshStore, lock: try LockFile.read(LockFile.url(for: file)))
        let rerun = try Executor(experiment: experiment, store: freshStore).run(RunOptions())
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard rerun.count(.cached) == nodes, plan.allSatisfy({ $0.state == .upToDate }) else {
            throw NodeFailure("benchmark: cached rerun was not fully cached")
        }
        return seconds
    }
}
