import Foundation
import Testing
@testable import Graph

/// Caching behaviour on small graphs:
///
///     a ──► b ──► d
///     c ─────────►┘
@Suite struct ExecutorTests {
    static let diamond = """
    palimpsest: 1
    name: diamond
    seed: 3
    nodes:
      a: {kind: emit, params: {value: 1}}
      b: {kind: emit, params: {value: 10}, inputs: {from: a}}
      c: {kind: emit, params: {value: 100}}
      d: {kind: emit, inputs: {from: [b, c]}}
    """

    @Test func firstRunExecutesAllAndSecondRunNothing() throws {
        let box = try Sandbox(Self.diamond)
        let first = try box.run()
        #expect(first.executed == ["a", "b", "c", "d"])
        #expect(first.summary.count(.executed) == 4)
        #expect(try box.value("d") == 111)
        let second = try box.run()
        #expect(second.executed.isEmpty)
        #expect(second.summary.count(.cached) == 4)
    }

    @Test func paramChangeRerunsExactlyThatInstanceAndDownstream() throws {
        let box = try Sandbox(Self.diamond)
        try box.run()
        try box.write(Self.diamond.replacingOccurrences(of: "value: 10}", with: "value: 20}"))
        let plan = Planner.plan(try box.load(), store: try CacheStore(root: box.cache), lock: try LockFile.read(LockFile.url(for: box.file)))
        #expect(plan.first { $0.id == "b" }?.reasons == ["params.value 10→20"])
        #expect(plan.first { $0.id == "d" }?.state == .waiting)
        #expect(plan.first { $0.id == "a" }?.state == .upToDate)
        let rerun = try box.run()
        #expect(rerun.executed == ["b", "d"])
        #expect(try box.value("d") == 121)
        // Reverting reuses the first entries.
        try box.write(Self.diamond)
        let reverted = try box.run()
        #expect(reverted.executed.isEmpty)
        #expect(try box.value("d") == 111)
    }

    @Test func identicalUpstreamOutputCutsOffDownstream() throws {
        let box = try Sandbox(Self.diamond)
        try box.run()
        try box.write(Self.diamond.replacingOccurrences(of: "value: 10}", with: "value: 10, label: renamed}"))
        let rerun = try box.run()
        #expect(rerun.executed == ["b"])
        #expect(rerun.summary.results.first { $0.id == "d" }?.status == .cached)
    }

    @Test func forceRerunsNodeAndDownstreamOnlyRunsItsAncestry() throws {
        let box = try Sandbox(Self.diamond)
        try box.run()
        #expect(try box.run(RunOptions(force: ["b"])).executed == ["b", "d"])
        let fresh = try Sandbox(Self.diamond)
        let only = try fresh.run(RunOptions(only: ["b"]))
        #expect(only.executed == ["a", "b"])
        #expect(only.summary.results.map(\.id) == ["a", "b"])
        #expect(throws: GraphError.self) { try fresh.run(RunOptions(only: ["bb"])) }
    }

    @Test func failureStopsDownstreamAndKeepGoingRunsIndependentBranches() throws {
        let failing = Self.diamond.replacingOccurrences(of: "value: 1}", with: "value: 1, fail: true}")
        let box = try Sandbox(failing)
        let stopped = try box.run()
        #expect(stopped.summary.results.first { $0.id == "a" }?.status == .failed)
        #expect(stopped.summary.results.first { $0.id == "b" }?.status == .skipped)
        #expect(stopped.summary.failed)
        #expect(!stopped.executed.contains("c"))
        let going = try box.run(RunOptions(keepGoing: true))
        #expect(going.executed == ["a", "c"])
        #expect(going.summary.results.first { $0.id == "d" }?.status == .skipped)
        // Nothing of the failed instance was committed.
        let store = try CacheStore(root: box.cache)
        #expect(store.allKeys().count == 1)
        #expect(try FileSystem.list(box.cache.appendingPathComponent("tmp").path).isEmpty)
    }

    @Test func parallelJobsGiveTheSameResults() throws {
        var yaml = "palimpsest: 1\nnodes:\n"
        for i in 0..<12 { yaml += "  n\(i): {kind: emit, params: {value: \(i)}\(i >= 4 ? ", inputs: {from: [n\(i - 4), n\(i - 3)]}" : "")}\n" }
        let serial = try Sandbox(yaml), parallel = try Sandbox(yaml)
        try serial.run()
        let p = try parallel.run(RunOptions(jobs: 4))
        #expect(Set(p.executed).count == 12 && p.executed.count == 12)
        for i in 0..<12 { #expect(try serial.value("n\(i)") == parallel.value("n\(i)")) }
    }

    @Test func lockFileRecordsKeysDigestsAndMetrics() throws {
        let box = try Sandbox(Self.diamond)
        try box.run()
        let lock = try #require(try LockFile.read(LockFile.url(for: box.file)))
        #expect(lock.instances.count == 4)
        #expect(lock.instances["d"]?.metrics["total"] == 111)
        let plan = Planner.plan(try box.load(), store: try CacheStore(root: box.cache), lock: lock)
        #expect(plan.allSatisfy { $0.state == .upToDate && $0.lockNotes.isEmpty })
        #expect(Set(plan.compactMap(\.key)) == Set(lock.instances.values.map(\.key)))
    }

    @Test func externalFileContentIsPartOfTheKey() throws {
        let box = try Sandbox("""
        palimpsest: 1
        nodes:
          data: {kind: read_file, params: {source: input.txt}}
          sum: {kind: emit, inputs: {from: data}}
        """)
        try "5\n".write(to: box.dir.appendingPathComponent("input.txt"), atomically: true, encoding: .utf8)
        #expect(try box.run().executed == ["data", "sum"])
        #expect(try box.run().executed.isEmpty)
        try "7\n".write(to: box.dir.appendingPathComponent("input.txt"), atomically: true, encoding: .utf8)
        let plan = Planner.plan(try box.load(), store: try CacheStore(root: box.cache), lock: try LockFile.read(LockFile.url(for: box.file)))
        #expect(plan.first?.reasons == ["external params.source changed (input.txt)"])
        #expect(try box.run().executed == ["data", "sum"])
        #expect(try box.value("sum") == 7)
    }

    @Test func missingExternalPathFailsThatInstanceOnly() throws {
        let box = try Sandbox("""
        palimpsest: 1
        nodes:
          data: {kind: read_file, params: {source: absent.txt}}
          other: {kind: emit, params: {value: 1}}
          after: {kind: emit, inputs: {from: data}}
        """)
        let plan = Planner.plan(try box.load(), store: try CacheStore(root: box.cache), lock: nil)
        #expect(plan[0].state == .broken && plan[0].reasons[0].contains("absent.txt"))
        #expect(plan[2].state == .broken && plan[2].reasons == ["upstream data cannot run"])
        let run = try box.run(RunOptions(keepGoing: true))
        #expect(run.summary.results.map(\.status) == [.failed, .executed, .skipped])
        #expect(run.executed == ["other"])
    }
}
