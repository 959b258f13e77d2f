import Foundation
import Graph
import Nodes

/// `palimpsest bench --demo`: the end-to-end cold time of an experiment (the demo) with one seed, run in this process
/// into a fresh temporary cache that is deleted afterwards, with the time of each node summed over its instances.
public struct DemoBenchmark {
    /// One node of the experiment: how many of its instances ran and their summed run times.
    public struct Node: Codable, Equatable, Sendable {
        public var node: String
        public var instances: Int
        public var seconds: Double
    }

    /// The whole cold run.
    public struct Result: Codable, Equatable, Sendable {
        public var file: String
        public var seed: Int
        /// Wall time of the run, planning included.
        public var seconds: Double
        public var instances: Int
        /// In the order the nodes first finished.
        public var nodes: [Node]
    }

    /// Collects finished instances and forwards every event to the console (standard error).
    private final class Recorder: RunObserver, @unchecked Sendable {
        private let lock = NSLock()
        private let console = ConsolePrinter()
        private(set) var finished: [(instance: String, seconds: Double)] = []

        func handle(_ event: RunEvent) {
            if case .finished(let instance, _, let seconds) = event {
                lock.lock()
                finished.append((instance, seconds))
                lock.unlock()
            }
            console.handle(event)
        }
    }

    /// Instances of the demo failed (their log tails are printed as they fail): a run-time failure, not the
    /// user's input, so the CLI exits 1.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `file` cold with `seeds` overridden to `[seed]` (one job at a time, as `palimpsest run` does by default).
    public static func run(file: URL, seed: Int) throws -> Result {
        let experiment = try Experiment.load(file: file, kinds: NodeRegistry.all, overrides: ["seeds=[\(seed)]"])
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("palimpsest-bench-demo-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: root)
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try CacheStore(root: root)
        let recorder = Recorder()
        let start = DispatchTime.now().uptimeNanoseconds
        let summary = try Executor(experiment: experiment, store: store, observer: recorder).run(RunOptions(writeLockFile: false))
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard !summary.failed else {
            throw Failure(description: "bench --demo: \(summary.count(.failed)) instances of \(file.path) failed, "
                + "\(summary.count(.skipped)) skipped; the figure is not measured")
        }
        var nodes: [Node] = []
        for (instance, s) in recorder.finished {
            let name = String(instance.prefix { $0 != "[" })
            if let i = nodes.firstIndex(where: { $0.node == name }) {
                nodes[i].instances += 1
                nodes[i].seconds += s
            } else {
                nodes.append(Node(node: name, instances: 1, seconds: s))
            }
        }
        return Result(file: file.path, seed: seed, seconds: seconds, instances: summary.count(.executed), nodes: nodes)
    }
}
