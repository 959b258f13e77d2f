import Foundation
import Testing
@testable import Graph

/// `status` reasons and the other small pieces: canonical encoding, dag rendering.
@Suite struct StatusTests {
    struct EmitV2: NodeKind {
        static let kind = "emit"
        static let version = 2
        static let summary = Emit.summary
        static let params = Emit.params
        static let inputs = Emit.inputs
        static let outputs = Emit.outputs
        static func run(_ context: NodeContext) throws { try Emit.run(context) }
    }

    @Test func reasonsNameWhatChanged() throws {
        let box = try Sandbox(ExecutorTests.diamond)
        try box.run()
        let lock = try LockFile.read(LockFile.url(for: box.file))
        let kinds = [KindRef(EmitV2.self), KindRef(Subtract.self), KindRef(Collect.self), KindRef(ReadFile.self)]
        let bumped = try Experiment.load(file: box.file, kinds: kinds)
        let plan = Planner.plan(bumped, store: try CacheStore(root: box.cache), lock: lock)
        #expect(plan[0].reasons == ["emit v1→v2"])
        #expect(plan[3].state == .waiting)
        let seeded = try box.load(["seed=8", "c.value=7"])
        let plan2 = Planner.plan(seeded, store: try CacheStore(root: box.cache), lock: lock)
        #expect(plan2.first { $0.id == "c" }?.reasons == ["params.value 100→7", "seed 3→8"])
        // After b changes, d's status says its upstream changed.
        try box.run(overrides: ["b.value=11"])
        let plan3 = Planner.plan(try box.load(["b.value=12"]), store: try CacheStore(root: box.cache), lock: try LockFile.read(LockFile.url(for: box.file)))
        #expect(plan3.first { $0.id == "b" }?.reasons == ["params.value 11→12"])
        try box.run(RunOptions(only: ["b"], writeLockFile: false), overrides: ["b.value=12"])
        let plan4 = Planner.plan(try box.load(["b.value=12"]), store: try CacheStore(root: box.cache), lock: try LockFile.read(LockFile.url(for: box.file)))
        #expect(plan4.first { $0.id == "d" }?.reasons == ["upstream b changed"])
        #expect(plan4.first { $0.id == "b" }?.lockNotes == ["params.value 11→12"])
    }

    @Test func canonicalEncodingSortsKeysAndNormalisesNumbers() {
        let v = ParamValue.map(["b": .double(2), "a": .list([.int(1), .double(0.5), .string("x\"y")]), "c": .null])
        #expect(v.canonicalJSON == #"{"a":[1,0.5,"x\"y"],"b":2,"c":null}"#)
        #expect(ParamValue.double(5).sameValue(as: .int(5)))
        #expect(!ParamValue.string("5").sameValue(as: .int(5)))
    }

    @Test func dagRendersEveryEdge() throws {
        let e = try Experiment.parse(ExecutorTests.diamond, label: "d.yaml", directory: URL(fileURLWithPath: "/tmp"), kinds: testKinds)
        #expect(DagRenderer.render(e, format: .text) == """
        diamond: 4 nodes, 4 instances
        a (emit)
        b (emit) ← from: a
        c (emit)
        d (emit) ← from: b, c

        """)
        let dot = DagRenderer.render(e, format: .dot)
        #expect(dot.components(separatedBy: " -> ").count - 1 == 3)
        let mermaid = DagRenderer.render(e, format: .mermaid)
        #expect(mermaid.contains("n1 -->|from| n3") && mermaid.contains("n2 -->|from| n3") && mermaid.contains("n0 -->|from| n1"))
    }

    @Test func suggestionsUseEditDistance() {
        #expect(Suggestion.distance("kitten", "sitting") == 3)
        #expect(Suggestion.closest(to: "epohcs", among: ["epochs", "gamma"]) == "epochs")
        #expect(Suggestion.closest(to: "zzz", among: ["epochs"]) == nil)
    }
}

@Suite struct JSONReaderTests {
    @Test func readsWhatJSONEncoderWrites() throws {
        let v = ParamValue.map(["a": .list([.int(-3), .double(2.5e-7), .bool(true), .null]),
                                "s": .string("quote\" back\\ tab\t é 🐱"), "m": .map(["x": .double(1.5)])])
        let data = try JSONEncoder().encode(v)
        let back = try JSONReader.parse(data)
        #expect(back == v)
        #expect(try JSONReader.parse(Data(#"{"u":"\u00e9\ud83d\udc31"}"#.utf8)) == .map(["u": .string("é🐱")]))
        #expect(throws: GraphError.self) { try JSONReader.parse(Data("{\"a\": 1,}".utf8)) }
    }
}

@Suite struct ConsolePrinterTests {
    @Test func plainOutputHasOneLinePerStateChangeAndProgressPerTenth() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("printer-\(UUID().uuidString.prefix(6)).txt")
        FileManager.default.createFile(atPath: url.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forWritingTo: url)
        let printer = ConsolePrinter(output: handle, isTTY: false)
        printer.handle(.started(instance: "base", reason: "params.epochs 8→10"))
        for step in 1...20 {
            printer.handle(.progress(instance: "base", update: ProgressUpdate(fraction: Double(step) / 20, message: "epoch \(step)/20"), elapsed: Double(step)))
        }
        printer.handle(.finished(instance: "base", key: String(repeating: "ab", count: 32), seconds: 20))
        printer.handle(.failed(instance: "head", reason: "boom", logTail: ["x", "y"]))
        try handle.close()
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.first == "▶ base: running (params.epochs 8→10)")
        #expect(lines.filter { $0.hasPrefix("  base: ") }.count == 10)
        // At half way after 10 s, 10 s remain.
        #expect(lines.contains("  base: 50% epoch 10/20, ETA 10.00s"))
        #expect(lines.contains("✓ base: done in 20.00s abababababab"))
        #expect(lines.contains("✗ head: FAILED: boom") && lines.contains("  | y"))
    }

    @Test func terminalOutputDrawsABarForLongNodesAndClearsItForLines() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("printer-\(UUID().uuidString.prefix(6)).txt")
        FileManager.default.createFile(atPath: url.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forWritingTo: url)
        let printer = ConsolePrinter(output: handle, isTTY: true)
        printer.handle(.progress(instance: "base", update: ProgressUpdate(fraction: 0.1, message: "early"), elapsed: 1))
        printer.handle(.progress(instance: "base", update: ProgressUpdate(fraction: 0.25, message: "epoch 1/4"), elapsed: 30))
        printer.handle(.finished(instance: "base", key: String(repeating: "0", count: 64), seconds: 120))
        try handle.close()
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(!text.contains("early"), "no bar for the first seconds of a node")
        #expect(text.contains("\r\u{1B}[K  base [██████··················] 25% epoch 1/4 ETA 1m30s"))
        #expect(text.hasSuffix("\r\u{1B}[K✓ base: done in 2m00s 000000000000\n"))
    }
}
