import Analysis
import Core
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Graph
@testable import Nodes
import Report

/// The study's node kinds through the real graph runner: the smoke experiment end to end, frozen blocks kept
/// bit-identical, McNemar on hand-built predictions, and resumption of a killed training run.
@Suite struct StudyNodesTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The output directory `output` of instance `id` in a project's cache.
    static func output(_ p: ShellProject, _ id: String, _ output: String) throws -> URL {
        let e = try Experiment.load(file: p.file, kinds: NodeRegistry.all)
        let store = try CacheStore(root: p.cache)
        let key = try #require(Planner.plan(e, store: store, lock: nil).first { $0.id == id }?.key, "no key for \(id)")
        return store.entryDirectory(key).appendingPathComponent("outputs").appendingPathComponent(output)
    }

    @Test func smokeExperimentRunsEndToEnd() throws {
        let yaml = try String(contentsOf: Self.repository.appendingPathComponent("experiments/smoke.yaml"), encoding: .utf8)
        let p = try ShellProject(yaml)
        func executed(_ r: RunSummary) -> Set<String> { Set(r.results.filter { $0.status == .executed }.map(\.id)) }
        func chain(_ k: Int) -> Set<String> {
            Set(["frozen", "pain", "head", "recall", "pain_eval"].map { "\($0)[blocks=\(k)]" } + ["AU5", "AU14"].map { "probe[blocks=\(k),concept=\($0)]" })
        }
        // Sweeping: a sweep over depths 0, 1, 5 runs everything; moving 1 to 2 runs only depth 2's chain and the
        // report, which gathers every depth; the full sweep then adds only depths 3 and 4 (and the report).
        let narrow = try p.run(["frozen.matrix.blocks=[0, 1, 5]"])
        #expect(!narrow.failed, "\(narrow.results.filter { $0.status != .executed }.map { "\($0.id): \($0.reason ?? "")" })")
        #expect(narrow.count(.executed) == narrow.results.count)
        let moved = try p.run(["frozen.matrix.blocks=[0, 2, 5]"])
        #expect(executed(moved) == chain(2).union(["report"]))
        let first = try p.run()
        #expect(!first.failed)
        #expect(executed(first) == chain(3).union(chain(4)).union(["report"]))
        let again = try p.run()
        #expect(again.count(.cached) == again.results.count, "a rerun executes nothing")

        // Freezing keeps blocks 1…k bit-identical to the base model; block k+1 moved.
        let base = try VGG16.load(from: Self.output(p, "base", "model").appendingPathComponent("weights.safetensors"))
        let pain3 = try ModelArtifact.load(from: Self.output(p, "pain[blocks=3]", "model"), instance: "pain[blocks=3]")
        #expect(pain3.model.frozenBlocks == 3 && pain3.task == .pain && pain3.classNames == ["no pain", "pain"])
        for key in base.parameterKeys where key.hasPrefix("block") {
            let block = Int(key.dropFirst(5).prefix(1))!
            let same = base.parameter(key)!.data == pain3.model.parameter(key)!.data
            #expect(same == (block <= 3), "\(key) after fine-tuning with 3 blocks frozen")
        }
        let head0 = try ModelArtifact.load(from: Self.output(p, "head[blocks=0]", "model"), instance: "head[blocks=0]")
        let pain0 = try VGG16.load(from: Self.output(p, "pain[blocks=0]", "model").appendingPathComponent("weights.safetensors"))
        #expect(head0.model.frozenBlocks == 5 && head0.classNames.count == 8)
        #expect(pain0.parameterKeys.filter { $0.hasPrefix("block") }.allSatisfy { pain0.parameter($0)!.data == head0.model.parameter($0)!.data },
                "retrain_head leaves every conv block as the pain model had it")

        // evaluate: metrics agree with the per-sample predictions and the confusion matrix.
        let evaluation = try Self.output(p, "recall[blocks=5]", "evaluation")
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: evaluation.appendingPathComponent("metrics.json"))) as! [String: Any]
        let confusion = metrics["confusion"] as! [[Int]]
        let rows = try String(contentsOf: evaluation.appendingPathComponent("predictions.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(rows.count == metrics["samples"] as! Int && confusion.joined().reduce(0, +) == rows.count)
        let correct = rows.filter { $0.hasSuffix(",1") }.count
        #expect(abs(metrics["accuracy"] as! Double - Double(correct) / Double(rows.count)) < 1e-12)
        #expect(correct == (0..<8).reduce(0) { $0 + confusion[$1][$1] })
        let perClass = metrics["per_class"] as! [[String: Any]]
        for (c, entry) in perClass.enumerated() where confusion[c].reduce(0, +) > 0 {
            #expect(abs(entry["recall"] as! Double - Double(confusion[c][c]) / Double(confusion[c].reduce(0, +))) < 1e-12)
        }

        // McNemar: b and c recounted from the two prediction files.
        let other = try Self.output(p, "recall[blocks=0]", "evaluation")
        func correctness(_ dir: URL) throws -> [String: Bool] {
            var out: [String: Bool] = [:]
            for line in try String(contentsOf: dir.appendingPathComponent("predictions.csv"), encoding: .utf8).split(separator: "\n").dropFirst() {
                out[String(line.split(separator: ",")[0])] = line.hasSuffix(",1")
            }
            return out
        }
        let a = try correctness(evaluation), b = try correctness(other)
        let result = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.output(p, "forgetting", "result").appendingPathComponent("result.json"))) as! [String: Any]
        let overall = result["overall"] as! [String: Any]
        #expect(overall["b"] as! Int == a.keys.filter { a[$0]! && !b[$0]! }.count)
        #expect(overall["c"] as! Int == a.keys.filter { !a[$0]! && b[$0]! }.count)
        #expect((result["per_class"] as! [[String: Any]]).count == 8)
        // The probe's paired t-test read both probes' 20 repeats.
        let t = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.output(p, "probe_test[concept=AU5]", "result").appendingPathComponent("result.json"))) as! [String: Any]
        #expect(t["n"] as! Int == 20 && t["df"] as! Int == 19)

        // The report shows every section: Table 1 and Fig. 7 a row per freeze depth, Fig. 4 a series per head,
        // a paired-t row per concept; it is well-formed XML; retitling reruns only the report.
        let html = try String(contentsOf: try ReportNodeTests.reportDirectory(p).appendingPathComponent("index.html"), encoding: .utf8)
        for id in ReportDocument.sectionIDs { #expect(html.contains("<section id=\"\(id)\">"), "section \(id)") }
        for k in 0...5 {
            #expect(html.contains("<tr><td>pain[blocks=\(k)]</td><td>macro</td>"), "Table 1 row of pain[blocks=\(k)]")
            #expect(html.contains("<tr><td class=\"num\">\(k)</td>"), "Fig. 7 point at depth \(k)")
            #expect(html.contains(">head[blocks=\(k)]</text>"), "Fig. 4 legend entry of head[blocks=\(k)]")
        }
        #expect(html.contains("forgetting: A = recall[blocks=5], B = recall[blocks=0]"))
        for concept in ["AU5", "AU14"] {
            #expect(html.contains("<tr><td>probe[blocks=5,concept=\(concept)]</td><td>probe[blocks=0,concept=\(concept)]</td><td class=\"num\">20</td>"))
        }
        _ = try XMLDocument(xmlString: html, options: [])
        let retitled = try p.run(["report.title=Smoke study"])
        #expect(retitled.results.filter { $0.status == .executed }.map(\.id) == ["report"])
    }

    /// Two evaluate-like outputs made by shell nodes, compared by significance_test.
    static func predictionsProject(a: String, b: String) throws -> ShellProject {
        let metrics = #"{\"class_names\": [\"x\", \"y\"]}"#
        return try ShellProject("""
        palimpsest: 1
        nodes:
          a: {kind: shell, params: {cmd: "printf '\(a)' > $PALIMPSEST_OUTPUT/predictions.csv; echo '\(metrics)' > $PALIMPSEST_OUTPUT/metrics.json"}}
          b: {kind: shell, params: {cmd: "printf '\(b)' > $PALIMPSEST_OUTPUT/predictions.csv; echo '\(metrics)' > $PALIMPSEST_OUTPUT/metrics.json"}}
          test: {kind: significance_test, params: {test: mcnemar, per: class}, inputs: {a: a, b: b}}
        """)
    }

    @Test func mcnemarOnHandBuiltPredictions() throws {
        // 4 samples: s1 and s2 (class x) right only in A, s3 right in both, s4 (class y) right only in B.
        let a = #"id,label,predicted,correct\ns1,x,x,1\ns2,x,x,1\ns3,y,y,1\ns4,y,x,0\n"#
        let b = #"id,label,predicted,correct\ns2,x,y,0\ns1,x,y,0\ns3,y,y,1\ns4,y,y,1\n"#
        let p = try Self.predictionsProject(a: a, b: b)
        let summary = try p.run()
        #expect(!summary.failed, "\(summary.results.map { "\($0.id): \($0.reason ?? "")" })")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.output(p, "test", "result").appendingPathComponent("result.json"))) as! [String: Any]
        let overall = json["overall"] as! [String: Any]
        #expect(overall["b"] as! Int == 2 && overall["c"] as! Int == 1)
        // Exact: 2·P(X ≤ 1 | n = 3, ½) = 2·(1 + 3)/8 = 1 (capped); χ² with continuity: (|2 − 1| − 1)² / 3 = 0.
        #expect(abs(overall["p_exact"] as! Double - 1) < 1e-12 && abs(overall["chi2"] as! Double) < 1e-12)
        let perClass = json["per_class"] as! [[String: Any]]
        #expect(perClass.map { $0["class"] as! String } == ["x", "y"])
        // Class x: b = 2, c = 0: exact p = 2·(½)² = 0.5; χ² = (2 − 1)²/2 = 0.5.
        #expect(perClass[0]["b"] as! Int == 2 && perClass[0]["c"] as! Int == 0)
        #expect(abs(perClass[0]["p_exact"] as! Double - 0.5) < 1e-12 && abs(perClass[0]["chi2"] as! Double - 0.5) < 1e-12)
        #expect(abs(perClass[0]["accuracy_a"] as! Double - 1) < 1e-12 && abs(perClass[0]["accuracy_b"] as! Double) < 1e-12)

        // Samples that do not match are an error naming them, never a silent skip.
        let mismatched = try Self.predictionsProject(a: a, b: #"id,label,predicted,correct\ns1,x,y,0\ns9,x,x,1\n"#)
        let failed = try mismatched.run()
        let reason = failed.results.first { $0.id == "test" }?.reason ?? ""
        #expect(failed.failed && reason.contains("different samples") && reason.contains("s9"), "\(reason)")
    }

    @Test func killedTrainingResumesToTheSameWeights() throws {
        let yaml = """
        palimpsest: 1
        seed: 3
        model: {input: 32, channels: 3, width: 0.125, head: [32, 32]}
        nodes:
          emotions: {kind: synth_faces, params: {like: affectnet, images: 640, test_per_class: 4, identities: 40, size: 32}}
          base: {kind: train_base, inputs: {data: emotions}, params: {epochs: 6, batch_size: 16, patience: 0}}
        """
        // Both runs go through the binary: it picks OpenBLAS kernels the test process may not use, and other
        // kernels round differently.
        let whole = try ShellProject(yaml)
        #expect(try RunnerProcessTests.run(["run", "exp.yaml"], in: whole.dir).status == 0)
        let reference = try Data(contentsOf: Self.output(whole, "base", "model").appendingPathComponent("weights.safetensors"))

        let killed = try ShellProject(yaml)
        let (process, _, _) = try RunnerProcessTests.start(["run", "exp.yaml"], in: killed.dir)
        let partial = killed.cache.appendingPathComponent("partial")
        var snapshot = false
        for _ in 0..<600 where !snapshot {
            usleep(50_000)
            let files = (FileManager.default.enumerator(atPath: partial.path)?.allObjects as? [String]) ?? []
            snapshot = files.contains { $0.hasSuffix("progress.json") }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(snapshot, "a snapshot appeared before the run ended")
        let resumed = try RunnerProcessTests.run(["run", "exp.yaml"], in: killed.dir)
        #expect(resumed.status == 0, "\(resumed.err)")
        let log = try String(contentsOf: Self.output(killed, "base", "model").deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("log.txt"), encoding: .utf8)
        #expect(log.contains("resuming after epoch"), "\(log)")
        let weights = try Data(contentsOf: Self.output(killed, "base", "model").appendingPathComponent("weights.safetensors"))
        let identical = weights == reference
        #expect(identical, "resumed training ends bit-identical to an uninterrupted run (\(weights.count) vs \(reference.count) bytes)")
    }
}
