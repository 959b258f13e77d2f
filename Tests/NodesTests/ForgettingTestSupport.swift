import Foundation
import Testing
@testable import Graph
@testable import Nodes

/// A temporary project run in-process through the real graph runner, with the registry plus test-only kinds.
final class ForgettingProject: @unchecked Sendable {
    let dir: URL
    let kinds: [KindRef]
    var file: URL { dir.appendingPathComponent("exp.yaml") }
    var cache: URL { dir.appendingPathComponent("cache") }

    init(_ yaml: String, extraKinds: [KindRef] = []) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("forgetting-test-\(UUID().uuidString.prefix(10))")
        kinds = NodeRegistry.all + extraKinds
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try yaml.write(to: file, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    func run(_ overrides: [String] = []) throws -> RunSummary {
        let e = try Experiment.load(file: file, kinds: kinds, overrides: overrides)
        return try Executor(experiment: e, store: try CacheStore(root: cache)).run(RunOptions(writeLockFile: false))
    }

    /// The output directory `output` of instance `id` in the cache.
    func outputDirectory(_ id: String, _ output: String, overrides: [String] = []) throws -> URL {
        let e = try Experiment.load(file: file, kinds: kinds, overrides: overrides)
        let store = try CacheStore(root: cache)
        guard let key = Planner.plan(e, store: store, lock: nil).first(where: { $0.id == id })?.key else { throw NodeFailure("no key for \(id)") }
        return store.entryDirectory(key).appendingPathComponent("outputs/\(output)")
    }

    /// The manifest's headline metrics of instance `id`.
    func metrics(_ id: String) throws -> [String: Double] {
        let e = try Experiment.load(file: file, kinds: kinds)
        let store = try CacheStore(root: cache)
        guard let key = Planner.plan(e, store: store, lock: nil).first(where: { $0.id == id })?.key else { throw NodeFailure("no key for \(id)") }
        let data = try Data(contentsOf: store.entryDirectory(key).appendingPathComponent("manifest.json"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (object?["metrics"] as? [String: Double]) ?? [:]
    }
}

/// Fails the test with every instance's status and reason when a run did not succeed.
func expectSuccess(_ summary: RunSummary, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    #expect(!summary.failed, "\(summary.results.map { "\($0.id): \($0.status) \($0.reason ?? "")" })", sourceLocation: sourceLocation)
}
