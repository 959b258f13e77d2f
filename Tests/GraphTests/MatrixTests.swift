import Foundation
import Testing
@testable import Graph

/// Sweeps: expansion, downstream expansion along unfixed axes, selection, gathering, --set.
///
///     frozen[blocks] ──► pain[blocks] ──► probe[blocks × concept] ──► test[concept]  (selects blocks=5 and 0)
///                                   └──► all (gathers pain[*])
@Suite struct MatrixTests {
    static let study = """
    palimpsest: 1
    nodes:
      base:   {kind: emit, params: {value: 1}}
      frozen: {kind: emit, inputs: {from: base}, matrix: {blocks: [0, 1, 5]}}
      pain:   {kind: emit, inputs: {from: frozen}}
      probe:  {kind: emit, inputs: {from: pain}, matrix: {value: [10, 20]}}
      test:   {kind: subtract, inputs: {a: "probe[blocks=5]", b: "probe[blocks=0]"}}
      all:    {kind: collect, inputs: {items: "pain[*]"}}
    """

    func ids(_ e: Experiment, _ node: String) -> [String] { e.instances(of: node).map { e.instances[$0].id } }

    @Test func expansionFollowsUnfixedAxes() throws {
        let e = try Experiment.parse(Self.study, label: "s.yaml", directory: URL(fileURLWithPath: "/tmp"), kinds: testKinds)
        #expect(ids(e, "frozen") == ["frozen[blocks=0]", "frozen[blocks=1]", "frozen[blocks=5]"])
        #expect(ids(e, "pain") == ["pain[blocks=0]", "pain[blocks=1]", "pain[blocks=5]"])
        #expect(ids(e, "probe").count == 6)
        #expect(ids(e, "probe").contains("probe[blocks=1,value=20]"))
        #expect(ids(e, "test") == ["test[value=10]", "test[value=20]"])
        #expect(ids(e, "all") == ["all"])
        let test20 = e.instances[e.instances(of: "test")[1]]
        let sources = test20.inputs.map { ($0.port, $0.sources.map { e.instances[$0.instance].id }) }
        #expect(sources.map(\.0) == ["a", "b"])
        #expect(sources.map(\.1) == [["probe[blocks=5,value=20]"], ["probe[blocks=0,value=20]"]])
        let all = e.instances[e.instances(of: "all")[0]]
        #expect(all.inputs[0].sources.map { e.instances[$0.instance].id } == ["pain[blocks=0]", "pain[blocks=1]", "pain[blocks=5]"])
        #expect(e.instances[e.instances(of: "frozen")[2]].params["blocks"] == .int(5))
        #expect(e.instances[e.instances(of: "pain")[2]].params["blocks"] == .int(0), "inherited axes are coordinates, not params")
    }

    @Test func gatherOrderDoesNotDependOnListedOrder() throws {
        let yaml = "palimpsest: 1\nnodes:\n  f: {kind: emit, matrix: {blocks: [5, 0, 1]}}\n  all: {kind: collect, inputs: {items: \"f[*]\"}}\n"
        let reordered = yaml.replacingOccurrences(of: "[5, 0, 1]", with: "[0, 1, 5]")
        let a = try Sandbox(yaml), b = try Sandbox(reordered)
        try a.run()
        try b.run()
        let e = try a.load()
        #expect(e.instances[e.instances(of: "all")[0]].inputs[0].sources.map { e.instances[$0.instance].id } == ["f[blocks=0]", "f[blocks=1]", "f[blocks=5]"])
        let keyA = Planner.plan(e, store: try CacheStore(root: a.cache), lock: nil).last?.key
        let keyB = Planner.plan(try b.load(), store: try CacheStore(root: b.cache), lock: nil).last?.key
        #expect(keyA != nil && keyA == keyB)
    }

    @Test func excludeAndInclude() throws {
        let yaml = """
        palimpsest: 1
        nodes:
          g:
            kind: emit
            matrix:
              blocks: [0, 1]
              value: [1, 2]
              exclude: [{blocks: 1, value: 2}]
              include: [{blocks: 4, value: 9}]
        """
        let e = try Experiment.parse(yaml, label: "m.yaml", directory: URL(fileURLWithPath: "/tmp"), kinds: testKinds)
        #expect(ids(e, "g") == ["g[blocks=0,value=1]", "g[blocks=0,value=2]", "g[blocks=1,value=1]", "g[blocks=4,value=9]"])
    }

    @Test func gatherAlongOneAxisKeepsTheOther() throws {
        let yaml = Self.study + "\n  per_value: {kind: collect, inputs: {items: \"probe[blocks=*]\"}}\n"
        let e = try Experiment.parse(yaml, label: "s.yaml", directory: URL(fileURLWithPath: "/tmp"), kinds: testKinds)
        #expect(ids(e, "per_value") == ["per_value[value=10]", "per_value[value=20]"])
        #expect(e.instances[e.instances(of: "per_value")[0]].inputs[0].sources.count == 3)
    }

    @Test func setOverridesMatrixAndParams() throws {
        let e = try Experiment.parse(Self.study, label: "s.yaml", directory: URL(fileURLWithPath: "/tmp"), kinds: testKinds,
                                     overrides: ["frozen.matrix.blocks=[0, 5]", "base.value=4", "seed=9"])
        #expect(ids(e, "pain") == ["pain[blocks=0]", "pain[blocks=5]"])
        #expect(e.instances[0].params["value"] == .int(4))
        #expect(e.seed == 9)
        let bad = diagnostics(Self.study, overrides: ["frozen.matrix.blocks=[0, 9]"])
        #expect(bad.count == 1 && bad[0].message.contains("out of range"))
        #expect(bad[0].location.file == "--set frozen.matrix.blocks=[0, 9]" && bad[0].location.column == 26)
    }

    @Test func gatherAllRunsAndSeesEveryInstance() throws {
        let box = try Sandbox(Self.study)
        let run = try box.run()
        #expect(run.summary.count(.executed) == 1 + 3 + 3 + 6 + 2 + 1)
        let store = try CacheStore(root: box.cache)
        let plan = Planner.plan(try box.load(), store: store, lock: nil)
        let key = try #require(plan.first { $0.id == "all" }?.key)
        let list = try String(contentsOf: store.entryDirectory(key).appendingPathComponent("outputs/out/list.txt"), encoding: .utf8)
        #expect(list == "pain[blocks=0]=1\npain[blocks=1]=1\npain[blocks=5]=1\n")
        // test[value=20] = probe(5,20) − probe(0,20) = (20+1) − (20+1)
        #expect(try box.value("test[value=20]") == 0)
        // Narrowing the sweep with --set reruns nothing: those instances are all cached.
        #expect(try box.run(overrides: ["frozen.matrix.blocks=[0, 5]"]).executed == ["all"])
    }

    @Test func sharedBlockGivesDefaultsAndNodeFieldsOverride() throws {
        let yaml = """
        palimpsest: 1
        model: {input: 32}
        nodes:
          a: {kind: emit}
          b: {kind: emit, params: {model: {width: 0.5}}}
        """
        let e = try Experiment.parse(yaml, label: "m.yaml", directory: URL(fileURLWithPath: "/tmp"), kinds: testKinds)
        #expect(e.instances[0].params["model"] == .map(["input": .int(32), "width": .double(0.25)]))
        #expect(e.instances[1].params["model"] == .map(["input": .int(32), "width": .double(0.5)]))
        let bad = diagnostics("palimpsest: 1\nmodel: {inptu: 32}\nnodes:\n  a: {kind: emit}\n")
        #expect(bad.count == 1 && bad[0].message.contains("unknown param 'model.inptu'") && bad[0].location.line == 2)
    }
}
