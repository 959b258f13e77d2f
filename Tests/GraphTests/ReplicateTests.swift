import Foundation
import Testing
@testable import Graph

/// Replicates: `seeds: [7, 8, 9]` makes every seeded instance exist once per seed.
///
///     data ──► base[seed] ──► frozen[blocks × seed] ──► head[blocks × seed] ──► diff[seed] (blocks 5 − 0)
///      (relay,    (draw)          (relay)                   (draw)                  └──► across (gathers diff[seed=*])
///     unseeded)                                                                   fixed (seed: 3, reads base[seed=8])
@Suite struct ReplicateTests {
    static let study = """
    palimpsest: 1
    seeds: [7, 8, 9]
    nodes:
      data:   {kind: relay, params: {value: 100}}
      base:   {kind: draw, inputs: {from: data}}
      frozen: {kind: relay, inputs: {from: base}, matrix: {blocks: [0, 5]}}
      head:   {kind: draw, inputs: {from: frozen}}
      diff:   {kind: subtract, inputs: {a: "head[blocks=5]", b: "head[blocks=0]"}}
      across: {kind: collect, inputs: {items: "diff[seed=*]"}}
      fixed:  {kind: draw, seed: 3, inputs: {from: "base[seed=8]"}}
    """

    func ids(_ e: Experiment, _ node: String) -> [String] { e.instances(of: node).map { e.instances[$0].id } }
    func sources(_ e: Experiment, _ id: String) -> [[String]] {
        let inst = e.instances.first { $0.id == id }!
        return inst.inputs.map { $0.sources.map { e.instances[$0.instance].id } }
    }
    func parse(_ yaml: String, overrides: [String] = []) throws -> Experiment {
        try Experiment.parse(yaml, label: "r.yaml", directory: URL(fileURLWithPath: "/tmp"), kinds: testKinds, overrides: overrides)
    }

    @Test func seededInstancesExistOncePerSeedAndUnseededOnesAreShared() throws {
        let e = try parse(Self.study)
        #expect(e.replicateSeeds == [7, 8, 9] && e.seed == 7)
        #expect(ids(e, "data") == ["data"])
        #expect(ids(e, "base") == ["base[seed=7]", "base[seed=8]", "base[seed=9]"])
        #expect(sources(e, "base[seed=8]") == [["data"]])
        #expect(ids(e, "frozen").count == 6 && ids(e, "frozen").contains("frozen[blocks=5,seed=9]"))
        #expect(ids(e, "head").contains("head[blocks=0,seed=8]"))
        #expect(e.instances.first { $0.id == "head[blocks=0,seed=8]" }!.seed == 8)
        #expect(e.instances.first { $0.id == "frozen[blocks=0,seed=9]" }!.params["blocks"] == .int(0))
        #expect(e.instances.first { $0.id == "frozen[blocks=0,seed=9]" }!.params["seed"] == nil, "the seed is a coordinate, not a param")
    }

    @Test func selectionPairsWithinASeedAndGatheringSpansSeeds() throws {
        let e = try parse(Self.study)
        #expect(ids(e, "diff") == ["diff[seed=7]", "diff[seed=8]", "diff[seed=9]"])
        #expect(sources(e, "diff[seed=8]") == [["head[blocks=5,seed=8]"], ["head[blocks=0,seed=8]"]])
        #expect(ids(e, "across") == ["across"])
        #expect(sources(e, "across") == [["diff[seed=7]", "diff[seed=8]", "diff[seed=9]"]])
        #expect(ids(e, "fixed") == ["fixed"])
        #expect(e.instances.first { $0.id == "fixed" }!.seed == 3)
        #expect(sources(e, "fixed") == [["base[seed=8]"]])
    }

    @Test func runValuesCarryEachReplicatesSeed() throws {
        let box = try Sandbox(Self.study)
        let run = try box.run()
        #expect(run.executed.filter { $0 == "data" }.count == 1)
        #expect(run.executed.count == 1 + 3 + 6 + 6 + 3 + 1 + 1)
        // head = seed + (blocks + base) = seed + blocks + (seed + 100)
        #expect(try box.value("head[blocks=5,seed=8]") == 8 + 5 + 8 + 100)
        #expect(try box.value("diff[seed=9]") == 5)
        #expect(try box.value("fixed") == 3 + 8 + 100)
        let store = try CacheStore(root: box.cache)
        let plan = Planner.plan(try box.load(), store: store, lock: nil)
        let key = try #require(plan.first { $0.id == "across" }?.key)
        let list = try String(contentsOf: store.entryDirectory(key).appendingPathComponent("outputs/out/list.txt"), encoding: .utf8)
        #expect(list == "diff[seed=7]=5\ndiff[seed=8]=5\ndiff[seed=9]=5\n")
    }

    @Test func addingASeedRerunsOnlyItsInstancesAndTheGathers() throws {
        let box = try Sandbox(Self.study)
        try box.run()
        let fourth = try box.run(overrides: ["seeds=[7, 8, 9, 10]"]).executed
        #expect(Set(fourth) == ["base[seed=10]", "frozen[blocks=0,seed=10]", "frozen[blocks=5,seed=10]",
                                "head[blocks=0,seed=10]", "head[blocks=5,seed=10]", "diff[seed=10]", "across"])
        try box.write(Self.study.replacingOccurrences(of: "[7, 8, 9]", with: "[7, 8, 9, 10]"))
        #expect(try box.run().executed.isEmpty, "the edited file matches what --set ran")
        // Dropping a seed reruns only the gather: the other replicates are cached.
        #expect(try box.run(overrides: ["seeds=[8, 10]"]).executed == ["across"])
    }

    @Test func aSingleRunsSeedBecomesTheFirstReplicateWithoutRecomputingItsRoots() throws {
        // The seeded root's key is unchanged (the seed enters keys as before); readers of it rerun, because every
        // input's coordinates are part of its reader's key (they name the input in the outputs).
        let box = try Sandbox(Self.study.replacingOccurrences(of: "seeds: [7, 8, 9]", with: "seed: 7")
            .replacingOccurrences(of: "\n  across: {kind: collect, inputs: {items: \"diff[seed=*]\"}}", with: "")
            .replacingOccurrences(of: "base[seed=8]", with: "base"))
        #expect(try box.run().executed.contains("base"))
        try box.write(Self.study)
        let executed = try box.run().executed
        #expect(!executed.contains("data") && !executed.contains("base[seed=7]"))
        #expect(executed.contains("base[seed=8]") && executed.contains("frozen[blocks=0,seed=7]"))
    }

    @Test func cliSelectionByPartialCoordinates() throws {
        let e = try parse(Self.study)
        let heads = try e.select(["head[seed=8]"]).map { e.instances[$0].id }.sorted()
        #expect(heads == ["head[blocks=0,seed=8]", "head[blocks=5,seed=8]"])
        #expect(try e.withAncestors(of: ["diff[seed=9]"]).map { e.instances[$0].id }.sorted()
            == ["base[seed=9]", "data", "diff[seed=9]", "frozen[blocks=0,seed=9]", "frozen[blocks=5,seed=9]",
                "head[blocks=0,seed=9]", "head[blocks=5,seed=9]"])
        #expect(throws: GraphError.self) { try e.select(["head[seed=4]"]) }
    }

    @Test func badSeedsAreDiagnosedAtTheirPlace() throws {
        let both = diagnostics("palimpsest: 1\nseed: 7\nseeds: [7, 8]\nnodes:\n  a: {kind: draw}\n")
        #expect(both.count == 1 && both[0].location.line == 2 && both[0].message.contains("not both"))
        let twice = diagnostics("palimpsest: 1\nseeds: [7, 8, 7]\nnodes:\n  a: {kind: draw}\n")
        #expect(twice.count == 1 && twice[0].location.column == 15 && twice[0].message.contains("7 appears twice"))
        #expect(diagnostics("palimpsest: 1\nseeds: []\nnodes:\n  a: {kind: draw}\n").first?.message.contains("at least one") == true)
        #expect(diagnostics("palimpsest: 1\nseeds: 3\nnodes:\n  a: {kind: draw}\n").first?.message.contains("expected a list") == true)
        #expect(diagnostics("palimpsest: 1\nseeds: [1, -2]\nnodes:\n  a: {kind: draw}\n").first?.message.contains("non-negative") == true)
        let axis = diagnostics("palimpsest: 1\nseeds: [1, 2]\nnodes:\n  a: {kind: emit, matrix: {value: [1]}}\n  b: {kind: collect, inputs: {items: \"a[seed=*]\"}}\n")
        #expect(axis.isEmpty)
        let noReplicates = diagnostics("palimpsest: 1\nseed: 1\nnodes:\n  a: {kind: draw}\n  b: {kind: collect, inputs: {items: \"a[seed=*]\"}}\n")
        #expect(noReplicates.count == 1 && noReplicates[0].message.contains("has no axis 'seed'"))
        let bad = diagnostics("palimpsest: 1\nseeds: [1]\nnodes:\n  a: {kind: draw}\n  b: {kind: subtract, inputs: {a: \"a[seed=4]\", b: a}}\n")
        #expect(bad.count == 1 && bad[0].message.contains("not 4"))
    }
}
