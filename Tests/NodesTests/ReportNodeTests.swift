import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Faces
import Testing
@testable import Graph
@testable import Nodes

/// Artifact directories written exactly as docs/artifacts.md specifies, copied into the graph by `shell` nodes.
enum ReportFixtures {
    static let emotions = ["neutral", "happy", "sad", "surprise", "fear", "disgust", "anger", "contempt"]

    static func json(_ object: Any, _ dir: URL, _ name: String) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: dir.appendingPathComponent(name))
    }

    /// `metrics.json` of an evaluation; precision = F1 = recall per class, support 10.
    static func metrics(_ classes: [String], recalls: [Double], accuracy: Double) -> [String: Any] {
        let mean = recalls.reduce(0, +) / Double(recalls.count)
        return ["split": "test", "samples": 10 * classes.count, "class_names": classes,
                "per_class": zip(classes, recalls).map { ["class": $0, "precision": $1, "recall": $1, "f1": $1, "support": 10] },
                "macro": ["precision": mean, "recall": mean, "f1": mean], "accuracy": accuracy,
                "confusion": classes.map { _ in classes.map { _ in 0 } }]
    }

    /// A small real PNG: a 2 × 4 grid of grey tiles.
    static func png(_ url: URL) throws {
        var image = RasterImage(width: 64, height: 32, channels: 3)
        for y in 0..<32 { for x in 0..<64 { for c in 0..<3 { image.pixels[(y * 64 + x) * 3 + c] = Float((x / 16 + y / 16 + c) % 4) / 3 } } }
        try PNGCodec.write(image, to: url)
    }

    static func write(into root: URL) throws {
        try json(metrics(["no pain", "pain"], recalls: [0.9, 0.5], accuracy: 0.8), root.appendingPathComponent("pain_0"), "metrics.json")
        try json(metrics(["no pain", "pain"], recalls: [0.8, 0.25], accuracy: 0.7), root.appendingPathComponent("pain_5"), "metrics.json")
        try json(metrics(emotions, recalls: [0.9, 0.8, 0.7, 0.25, 0.6, 0.5, 0.4, 0.0], accuracy: 0.6), root.appendingPathComponent("recall_0"), "metrics.json")
        try json(metrics(emotions, recalls: [0.9, 0.8, 0.7, 0.5, 0.6, 0.5, 0.4, 0.75], accuracy: 0.65), root.appendingPathComponent("recall_5"), "metrics.json")
        let row: ([String: Any]) -> [String: Any] = { $0 }
        try json(["test": "mcnemar", "a": "recall[blocks=5]", "b": "recall[blocks=0]",
                  "overall": ["n": 80, "b": 12, "c": 3, "p_exact": 0.0352, "chi2": 4.2667, "p_chi2": 0.0389, "accuracy_a": 0.65, "accuracy_b": 0.6],
                  "per_class": [row(["class": "contempt", "n": 10, "b": 7, "c": 0, "p_exact": 0.0156, "chi2": 5.1429, "p_chi2": 0.0233,
                                     "recall_a": 0.75, "recall_b": 0.0])]],
                 root.appendingPathComponent("mcnemar"), "result.json")
        for (blocks, concept, f1) in [(0, "AU5", 0.612), (5, "AU5", 0.874), (0, "AU14", 0.55), (5, "AU14", 0.791)] {
            let dir = root.appendingPathComponent("probe_\(blocks)_\(concept)")
            try json(["concept": concept, "layer": "block5", "crop": concept == "AU5" ? "upper_face" : NSNull(), "repeats": 3, "folds": 2,
                      "c": 1.0, "positives": 20, "negatives": 40, "feature_dimension": 128, "mean_f1": f1, "sd_f1": 0.04,
                      "mean_precision": f1, "mean_recall": f1, "mean_accuracy": f1], dir, "summary.json")
            try "id,score,precision,recall,accuracy\n0,\(f1),\(f1),\(f1),\(f1)\n".write(to: dir.appendingPathComponent("scores.csv"), atomically: true, encoding: .utf8)
        }
        for (concept, t) in [("AU5", 12.5), ("AU14", 8.25)] {
            try json(["test": "paired_t", "a": "probe[blocks=5,concept=\(concept)]", "b": "probe[blocks=0,concept=\(concept)]", "n": 3,
                      "mean_a": 0.8, "mean_b": 0.6, "mean_difference": 0.2, "t": t, "df": 2, "p": 0.0063, "cohens_d": 7.2],
                     root.appendingPathComponent("ttest_\(concept)"), "result.json")
        }
        let saliency = root.appendingPathComponent("saliency")
        try json(["rule": "z_dense_zplus_conv", "a": "recall[blocks=5]", "b": "recall[blocks=0]", "classes": ["contempt", "surprise"],
                  "images": [["id": "a.png", "class": "contempt", "landmarks": NSNull()], ["id": "b.png", "class": "contempt", "landmarks": NSNull()],
                             ["id": "c.png", "class": "surprise", "landmarks": NSNull()]]], saliency, "selection.json")
        try png(saliency.appendingPathComponent("grid_contempt.png"))
        try png(saliency.appendingPathComponent("grid_surprise.png"))
        let candidates = root.appendingPathComponent("candidates")
        try json(["images": 3, "per_class": [
            "contempt": [["region": "lip_corners", "action_units": ["AU12", "AU14"], "score": 0.61, "share": 0.42],
                         ["region": "eyes", "action_units": ["AU5"], "score": 0.2, "share": 0.1]],
            "surprise": [["region": "eyes", "action_units": ["AU5"], "score": 0.7, "share": 0.5]]]], candidates, "ranking.json")
        try png(candidates.appendingPathComponent("regions.png"))
    }

    static let experiment = """
    palimpsest: 1
    name: report-smoke
    seed: 3
    nodes:
      pain_eval:
        kind: shell
        matrix: {blocks: [0, 5]}
        params: {cmd: "cp -R $DEPS/pain_$BLOCKS/. $PALIMPSEST_OUTPUT/", deps: [fixtures]}
      recall:
        kind: shell
        matrix: {blocks: [0, 5]}
        params: {cmd: "cp -R $DEPS/recall_$BLOCKS/. $PALIMPSEST_OUTPUT/", deps: [fixtures]}
      forgetting:
        kind: shell
        inputs: {a: "recall[blocks=5]", b: "recall[blocks=0]"}
        params: {cmd: "cp -R $DEPS/mcnemar/. $PALIMPSEST_OUTPUT/", deps: [fixtures]}
      saliency:
        kind: shell
        inputs: {a: "recall[blocks=5]", b: "recall[blocks=0]"}
        params: {cmd: "cp -R $DEPS/saliency/. $PALIMPSEST_OUTPUT/", deps: [fixtures]}
      candidates:
        kind: shell
        inputs: {saliency: saliency}
        params: {cmd: "cp -R $DEPS/candidates/. $PALIMPSEST_OUTPUT/", deps: [fixtures]}
      probe:
        kind: shell
        matrix: {blocks: [0, 5], concept: [AU5, AU14]}
        params: {cmd: "cp -R $DEPS/probe_${BLOCKS}_${CONCEPT}/. $PALIMPSEST_OUTPUT/", deps: [fixtures]}
      probe_test:
        kind: shell
        inputs: {a: "probe[blocks=5]", b: "probe[blocks=0]"}
        params: {cmd: "cp -R $DEPS/ttest_$CONCEPT/. $PALIMPSEST_OUTPUT/", deps: [fixtures]}
      report: {kind: report, inputs: {all: "*"}}
    """
}

@Suite struct ReportNodeTests {
    /// The report's output directory after a run.
    static func reportDirectory(_ p: ShellProject, id: String = "report") throws -> URL {
        let e = try Experiment.load(file: p.file, kinds: NodeRegistry.all)
        let store = try CacheStore(root: p.cache)
        guard let key = Planner.plan(e, store: store, lock: nil).first(where: { $0.id == id })?.key else { throw NodeFailure("no key for \(id)") }
        return store.entryDirectory(key).appendingPathComponent("outputs/report")
    }

    /// A class name with punctuation still finds its figure: diff_saliency writes `grid_contempt__AU14_.png` for
    /// "contempt (AU14)" (SaliencyArtifact.gridFile), and the report reads that name back; a contrastive
    /// selection (`start: softmax_gradient`) says so in the caption.
    @Test func saliencyFiguresOfPunctuatedClassNamesAreFound() throws {
        let p = try ShellProject(ReportFixtures.experiment)
        let fixtures = p.dir.appendingPathComponent("fixtures")
        try ReportFixtures.write(into: fixtures)
        let saliency = fixtures.appendingPathComponent("saliency")
        try ReportFixtures.json(["rule": "z_dense_zplus_conv", "a": "recall[blocks=5]", "b": "recall[blocks=0]", "classes": ["contempt (AU14)"],
                                 "images": [["id": "a.png", "class": "contempt (AU14)", "landmarks": NSNull()]], "start": "softmax_gradient"],
                                saliency, "selection.json")
        #expect(SaliencyArtifact.gridFile(for: "contempt (AU14)") == "grid_contempt__AU14_.png")
        try FileManager.default.moveItem(at: saliency.appendingPathComponent("grid_contempt.png"),
                                         to: saliency.appendingPathComponent(SaliencyArtifact.gridFile(for: "contempt (AU14)")))
        _ = try p.run()
        let html = try String(contentsOf: try Self.reportDirectory(p).appendingPathComponent("index.html"), encoding: .utf8)
        #expect(html.contains("Fig. 5. contempt (AU14): A = recall[blocks=5], B = recall[blocks=0], 1 image (saliency, rule z_dense_zplus_conv, contrastive start p_y(δ_yk − p_k);"))
    }

    @Test func reportThroughTheGraphShowsEverySectionWithItsNumbers() throws {
        let p = try ShellProject(ReportFixtures.experiment)
        try ReportFixtures.write(into: p.dir.appendingPathComponent("fixtures"))
        let first = try p.run()
        #expect(first.count(.executed) == 14, "\(first.results.map { ($0.id, $0.status, $0.reason ?? "") })")
        let dir = try Self.reportDirectory(p)
        if let keep = ProcessInfo.processInfo.environment["PALIMPSEST_REPORT_SAMPLE"] {
            // A copy to open in a browser (docs/report.md shows the headless Chromium check).
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: dir, to: URL(fileURLWithPath: keep))
        }
        let html = try String(contentsOf: dir.appendingPathComponent("index.html"), encoding: .utf8)
        for id in ["dag", "pain", "emotions", "freeze", "mcnemar", "saliency", "candidates", "probes", "provenance"] {
            #expect(html.contains("<section id=\"\(id)\">"), "section \(id)")
        }
        #expect(html.contains("<h1>Palimpsest report: report-smoke</h1>"))
        // No replicates: the page says the results rest on one seed (the shell nodes' seed 3).
        #expect(html.contains("<p class=\"note\">Results are from one seed (seed 3): every model was trained once"))
        #expect(html.contains("Table 1. Precision, recall and F1 per class and macro-averaged; accuracy per model (one seed, so no spread across training runs is shown)."))
        // Probes from before svm_probe version 2 have no chance baseline, and the old paired-t results no corrected t.
        #expect(html.contains("4 probes recorded no chance baseline (svm_probe before version 2): whether they beat chance is unknown."))
        #expect(html.contains("<td class=\"num\">–</td><td class=\"num\">7.20</td><td class=\"prose\">chance not tested</td>"))
        // Fig. 5 of normalised maps (no difference field): 0.5 is no difference.
        #expect(html.contains("difference 0.5 + (A − B)/2 of the normalised maps: 0.5 = no difference"))
        // Table 1 from the pain evaluations (two classes incl. "pain"); labelled by instance since shell records no model input.
        #expect(html.contains("<tr><td>pain_eval[blocks=5]</td><td>macro</td><td class=\"num\">0.525</td><td class=\"num\">0.525</td><td class=\"num\">0.525</td><td class=\"num\">20</td><td class=\"num\">0.700</td></tr>"))
        // Fig. 7 from the blocks coordinates: depth 0 → pain 0.5, surprise 0.25, contempt 0.
        #expect(html.contains("<tr><td class=\"num\">0</td><td class=\"num\">0.500</td><td class=\"num\">0.250</td><td class=\"num\">0.000</td></tr>"))
        #expect(html.contains("<td>contempt</td><td class=\"num\">10</td><td class=\"num\">0.750</td><td class=\"num\">0.000</td><td class=\"num\">7</td><td class=\"num\">0</td>"))
        // Probes pivot by model without the concept axis; paired t per concept.
        #expect(html.contains("<tr><td>probe[blocks=5]</td><td class=\"num\">0.791 ± 0.040</td><td class=\"num\">0.874 ± 0.040</td></tr>"))
        #expect(html.contains("<tr><td>probe[blocks=5,concept=AU5]</td><td>probe[blocks=0,concept=AU5]</td><td class=\"num\">3</td>"))
        #expect(html.contains("<td class=\"num\">12.50</td><td class=\"num\">2</td><td class=\"num\">0.006</td><td class=\"num\">–</td>"))
        #expect(html.contains("<td>surprise</td><td class=\"num\">1</td><td>eyes</td><td>AU5</td>"))
        #expect(html.contains("Fig. 5. contempt: A = recall[blocks=5], B = recall[blocks=0], 2 images"))
        // Provenance: every upstream instance with its key from the lock file.
        let lock = try #require(try LockFile.read(LockFile.url(for: p.file)))
        for (id, entry) in lock.instances where id != "report" {
            #expect(html.contains("<tr><td>\(id)</td><td>shell</td><td>v1</td><td class=\"code\">\(entry.key)</td>"), "provenance of \(id)")
        }
        // Params as written: the deps path instead of its content fingerprint.
        #expect(html.contains("{&quot;cmd&quot;:&quot;cp -R $DEPS/mcnemar/. $PALIMPSEST_OUTPUT/&quot;,&quot;deps&quot;:[&quot;fixtures&quot;],&quot;outputs&quot;:[]}"))
        #expect(!html.contains("tree:"))
        // DAG: 13 boxes (the report's own edges are omitted), edges from recorded provenance.
        #expect(html.components(separatedBy: "rx=\"6\"").count - 1 == 13)
        #expect(html.contains("<title>saliency → candidates (saliency)</title>"))

        let doc = try XMLDocument(xmlString: html, options: [])
        #expect(doc.rootElement()?.name == "html")
        #expect(!html.contains("http:") && !html.contains("https:") && !html.contains("<script"))
        #expect(html.components(separatedBy: "src=\"data:image/png;base64,").count - 1 == 3)

        let md = try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(md.contains("| pain\\_eval\\[blocks=5\\] | macro | 0.525 |"))
        for file in ["dag.svg", "fig4_emotion_recall.svg", "fig7_freeze_depth.svg", "fig5_0_contempt.png", "fig5_0_surprise.png", "candidates_0_regions.png"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path), "\(file)")
            #expect(md.contains("](\(file))"))
        }
        #expect(lock.instances["report"]?.metrics["sections"] == 9)
        #expect(try p.run().count(.cached) == 14)
    }

    @Test func hostileClassNamesFromArtifactsAreEscaped() throws {
        let p = try ShellProject("""
        palimpsest: 1
        name: hostile
        nodes:
          ev: {kind: shell, params: {cmd: "cp -R $DEPS/. $PALIMPSEST_OUTPUT/", deps: [fixtures]}}
          report: {kind: report, inputs: {all: "*"}, params: {title: "a < b & c"}}
        """)
        let hostile = "<img src=x onerror=alert(1)>"
        try ReportFixtures.json(ReportFixtures.metrics([hostile, "pain"], recalls: [0.5, 0.5], accuracy: 0.5),
                                p.dir.appendingPathComponent("fixtures"), "metrics.json")
        #expect(try p.run().count(.executed) == 2)
        let html = try String(contentsOf: try Self.reportDirectory(p).appendingPathComponent("index.html"), encoding: .utf8)
        #expect(!html.contains("<img src=x"))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(html.contains("<h1>a &lt; b &amp; c</h1>"))
        _ = try XMLDocument(xmlString: html, options: [])
    }

    @Test func malformedArtifactFailsNamingFileAndField() throws {
        let p = try ShellProject("""
        palimpsest: 1
        nodes:
          ev: {kind: shell, params: {cmd: "cp -R $DEPS/. $PALIMPSEST_OUTPUT/", deps: [fixtures]}}
          report: {kind: report, inputs: {all: "*"}}
        """)
        var bad = ReportFixtures.metrics(["no pain", "pain"], recalls: [1, 1], accuracy: 1)
        bad["macro"] = "high"
        try ReportFixtures.json(bad, p.dir.appendingPathComponent("fixtures"), "metrics.json")
        let summary = try p.run()
        let report = try #require(summary.results.first { $0.id == "report" })
        #expect(report.status == .failed)
        #expect(report.reason?.contains("metrics.json: field 'macro': expected an object, found the string \"high\"") == true, "\(report.reason ?? "")")
    }

    @Test func reportWithoutInputsIsAnEmptyValidPage() throws {
        let p = try ShellProject("palimpsest: 1\nname: empty\nnodes:\n  report: {kind: report, inputs: {all: \"*\"}}\n")
        let summary = try p.run()
        #expect(summary.count(.executed) == 1, "\(summary.results.map { ($0.id, $0.reason ?? "") })")
        let html = try String(contentsOf: try Self.reportDirectory(p).appendingPathComponent("index.html"), encoding: .utf8)
        #expect(html.contains("No artifacts to report"))
    }
}
