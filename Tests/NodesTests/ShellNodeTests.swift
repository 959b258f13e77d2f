import Foundation
import Testing
@testable import Graph
@testable import Nodes

/// A temporary project for shell experiments, run in-process.
final class ShellProject: @unchecked Sendable {
    let dir: URL
    var file: URL { dir.appendingPathComponent("exp.yaml") }
    var cache: URL { dir.appendingPathComponent("cache") }

    init(_ yaml: String) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("nodes-test-\(UUID().uuidString.prefix(10))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try yaml.write(to: file, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    func run(_ overrides: [String] = [], observer: RunObserver? = nil) throws -> RunSummary {
        let e = try Experiment.load(file: file, kinds: NodeRegistry.all, overrides: overrides)
        return try Executor(experiment: e, store: try CacheStore(root: cache), observer: observer).run(RunOptions())
    }

    /// The text of `name` in the output of instance `id`.
    func output(_ id: String, _ name: String, overrides: [String] = []) throws -> String {
        let e = try Experiment.load(file: file, kinds: NodeRegistry.all, overrides: overrides)
        let store = try CacheStore(root: cache)
        guard let key = Planner.plan(e, store: store, lock: nil).first(where: { $0.id == id })?.key else { throw NodeFailure("no key for \(id)") }
        return try String(contentsOf: store.entryDirectory(key).appendingPathComponent("outputs/out/\(name)"), encoding: .utf8)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
}

@Suite struct ShellNodeTests {
    static let pipeline = """
    palimpsest: 1
    name: shell-demo
    seed: 11
    nodes:
      prep:
        kind: shell
        params:
          cmd: "cat $DEPS > $PALIMPSEST_OUTPUT/lines.txt"
          deps: [raw.txt]
      counts:
        kind: shell
        inputs: {text: prep}
        matrix: {n: [1, 3]}
        params:
          cmd: "head -n $N $PALIMPSEST_INPUT_TEXT/lines.txt > $PALIMPSEST_OUTPUT/head.txt; echo \\"{\\\\\\"n\\\\\\": $N}\\" > $PALIMPSEST_OUTPUT/metrics.json"
          outputs: [head.txt]
      joined:
        kind: shell
        inputs: {parts: "counts[*]"}
        params:
          suffix: end
          cmd: "for d in $PALIMPSEST_INPUT_PARTS; do cat $d/head.txt; done > $PALIMPSEST_OUTPUT/all.txt; echo $SUFFIX $PALIMPSEST_SEED >> $PALIMPSEST_OUTPUT/all.txt; pwd > $PALIMPSEST_OUTPUT/cwd.txt"
    """

    @Test func environmentCarriesInputsAxesParamsAndSeed() throws {
        let p = try ShellProject(Self.pipeline)
        try p.write("raw.txt", "a\nb\nc\nd\n")
        let first = try p.run()
        #expect(first.count(.executed) == 4, "\(first.results)")
        #expect(try p.output("counts[n=3]", "head.txt") == "a\nb\nc\n")
        #expect(try p.output("joined", "all.txt") == "a\na\nb\nc\nend 11\n")
        let cwd = try p.output("joined", "cwd.txt")
        #expect(cwd.contains("/cache/tmp/"), "commands run in a fresh directory inside the cache's staging area")
        let lock = try #require(try LockFile.read(LockFile.url(for: p.file)))
        #expect(lock.instances["counts[n=3]"]?.metrics["n"] == 3)
        #expect(try p.run().count(.cached) == 4)
    }

    @Test func dependencyContentIsFingerprinted() throws {
        let p = try ShellProject(Self.pipeline)
        try p.write("raw.txt", "a\nb\nc\nd\n")
        _ = try p.run()
        try p.write("raw.txt", "z\nb\nc\nd\n")
        let e = try Experiment.load(file: p.file, kinds: NodeRegistry.all)
        let plan = Planner.plan(e, store: try CacheStore(root: p.cache), lock: try LockFile.read(LockFile.url(for: p.file)))
        #expect(plan[0].reasons == ["external params.deps[0] changed (raw.txt)"])
        #expect(plan[1].reasons == ["upstream prep will run first"])
        let rerun = try p.run()
        #expect(rerun.results.filter { $0.status == .executed }.map(\.id) == ["prep", "counts[n=1]", "counts[n=3]", "joined"])
        #expect(try p.output("joined", "all.txt").hasPrefix("z\nz\nb\nc\n"))
        // Same content again under a new mtime: the keys of the first run come back, nothing executes.
        try p.write("raw.txt", "a\nb\nc\nd\n")
        #expect(try p.run().count(.executed) == 0)
    }

    @Test func failingCommandKeepsNothingAndShowsItsLog() throws {
        let p = try ShellProject("""
        palimpsest: 1
        nodes:
          bad: {kind: shell, params: {cmd: "echo partial > $PALIMPSEST_OUTPUT/x.txt; echo oops >&2; exit 3"}}
          after: {kind: shell, inputs: {x: bad}, params: {cmd: "true"}}
        """)
        let events = Events()
        let summary = try p.run(observer: events)
        #expect(summary.results.map(\.status) == [.failed, .skipped])
        #expect(summary.results[0].reason == "command exited with status 3")
        let tail = events.failures.first?.1 ?? []
        #expect(tail.contains("oops"))
        #expect(try CacheStore(root: p.cache).allKeys().isEmpty)
    }

    @Test func missingDeclaredOutputFails() throws {
        let p = try ShellProject("palimpsest: 1\nnodes:\n  a: {kind: shell, params: {cmd: \"true\", outputs: [result.csv]}}\n")
        let summary = try p.run()
        #expect(summary.results[0].status == .failed)
        #expect(summary.results[0].reason?.contains("result.csv") == true)
    }

    @Test func shellParamsAreValidated() {
        func messages(_ text: String) -> [Diagnostic] {
            do {
                _ = try Experiment.parse(text, label: "e.yaml", directory: URL(fileURLWithPath: "/tmp"), kinds: NodeRegistry.all)
                return []
            } catch {
                if case .invalid(let d) = error { return d }
                return []
            }
        }
        let shadow = messages("palimpsest: 1\nnodes:\n  a: {kind: shell, params: {palimpsest_output: x, cmd: \"true\"}}\n")
        #expect(shadow.count == 1 && shadow[0].message.contains("would shadow a PALIMPSEST_ variable") && shadow[0].location.line == 3)
        let list = messages("palimpsest: 1\nnodes:\n  b: {kind: shell, params: {cmd: [1]}}\n")
        #expect(list.count == 1 && list[0].message.contains("cmd: expected a string, found a list") && list[0].location.column == 34)
        let bool = messages("palimpsest: 1\nnodes:\n  b: {kind: shell, params: {cmd: true}}\n")
        #expect(bool.count == 1 && bool[0].message.contains("expected a string, found a boolean"))
    }
}

final class Events: RunObserver, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var failures: [(String, [String])] = []
    func handle(_ event: RunEvent) {
        if case .failed(let id, _, let tail) = event { lock.lock(); failures.append((id, tail)); lock.unlock() }
    }
}
