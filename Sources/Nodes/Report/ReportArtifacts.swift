import Foundation
import Graph
import Report

/// Readers that turn upstream artifact directories (formats of CONTRACTS.md) into the report's plain values.
///
/// An artifact is recognised by its files, so a user's `shell` node that writes the same files feeds the
/// report too: `metrics.json` with `per_class` (evaluation), `result.json` (significance test),
/// `summary.json` with `mean_f1` (probe), `selection.json` + `grid_<class>.png` (saliency),
/// `ranking.json` (concept candidates).
enum ReportArtifacts {
    static func file(_ a: InputArtifact, _ name: String) -> URL { a.directory.appendingPathComponent(name) }

    static func exists(_ a: InputArtifact, _ name: String) -> Bool {
        FileManager.default.fileExists(atPath: file(a, name).path)
    }

    /// The first upstream instance on `port` of the artifact's producer (e.g. the evaluated model).
    static func upstream(_ a: InputArtifact, port: String) -> String? {
        a.manifest.provenance.inputs[port]?.first
    }

    /// The `blocks` coordinate of the artifact or, failing that, of the model it evaluated (by instance id).
    static func freezeDepth(_ a: InputArtifact) -> Double? {
        if let d = a.coordinates["blocks"]?.number { return d }
        guard let model = upstream(a, port: "model"), let range = model.range(of: "blocks=") else { return nil }
        return Double(model[range.upperBound...].prefix { $0.isNumber || $0 == "." })
    }

    /// An `evaluate` artifact's `metrics.json`, if it has one with per-class metrics.
    static func evaluation(_ a: InputArtifact) throws -> ClassificationResult? {
        guard exists(a, "metrics.json") else { return nil }
        let json = try JSONFields.load(file(a, "metrics.json"))
        guard a.kind == "evaluate" || json.has("per_class") else { return nil }
        let perClass = try json.objects("per_class").map { c in
            ClassMetrics(name: try c.string("class"), precision: try c.double("precision"), recall: try c.double("recall"),
                         f1: try c.double("f1"), support: try c.int("support"))
        }
        let macro = try json.object("macro")
        return ClassificationResult(instance: a.instance, model: upstream(a, port: "model") ?? a.instance, freezeDepth: freezeDepth(a),
                                    samples: try json.int("samples"), perClass: perClass, macroPrecision: try macro.double("precision"),
                                    macroRecall: try macro.double("recall"), macroF1: try macro.double("f1"), accuracy: try json.double("accuracy"))
    }

    /// A significance test's `result.json`: McNemar or paired t. Per-class rows give recall as `recall_a`/`recall_b`
    /// (CONTRACTS §5) or as `accuracy_a`/`accuracy_b` (accuracy restricted to the class, as `significance_test` writes it).
    static func significance(_ a: InputArtifact) throws -> Either<McNemarResult, PairedTResult>? {
        guard exists(a, "result.json") else { return nil }
        let json = try JSONFields.load(file(a, "result.json"))
        switch try json.string("test") {
        case "mcnemar":
            let o = try json.object("overall")
            let overall = McNemarRow(label: "overall", n: try o.int("n"), b: try o.int("b"), c: try o.int("c"), pExact: try o.double("p_exact"),
                                     chi2: try o.double("chi2"), pChi2: try o.double("p_chi2"), scoreA: try o.double("accuracy_a"),
                                     scoreB: try o.double("accuracy_b"))
            let rows = try (json.has("per_class") ? json.objects("per_class") : []).map { r in
                McNemarRow(label: try r.string("class"), n: try r.int("n"), b: try r.int("b"), c: try r.int("c"), pExact: try r.double("p_exact"),
                           chi2: try r.double("chi2"), pChi2: try r.double("p_chi2"), scoreA: try r.double(r.has("recall_a") ? "recall_a" : "accuracy_a"),
                           scoreB: try r.double(r.has("recall_b") ? "recall_b" : "accuracy_b"))
            }
            return .left(McNemarResult(instance: a.instance, a: try json.string("a"), b: try json.string("b"), overall: overall, perClass: rows))
        case "paired_t":
            return .right(PairedTResult(instance: a.instance, a: try json.string("a"), b: try json.string("b"), n: try json.int("n"),
                                        meanA: try json.double("mean_a"), meanB: try json.double("mean_b"),
                                        meanDifference: try json.double("mean_difference"), t: try json.double("t"), df: try json.double("df"),
                                        p: try json.double("p"), cohensD: try json.double("cohens_d")))
        case let other:
            throw ReportError.invalid(file: file(a, "result.json").path, field: "test", expected: "mcnemar or paired_t", found: "\"\(other)\"")
        }
    }

    /// An `svm_probe` artifact's `summary.json`.
    static func probe(_ a: InputArtifact) throws -> ProbeResult? {
        guard exists(a, "summary.json") else { return nil }
        let json = try JSONFields.load(file(a, "summary.json"))
        guard a.kind == "svm_probe" || json.has("mean_f1") else { return nil }
        let concept = try json.string("concept")
        return ProbeResult(instance: a.instance, model: upstream(a, port: "model") ?? withoutAxis(a, "concept"), concept: concept, layer: try json.string("layer"),
                           crop: try json.optionalString("crop"), repeats: try json.int("repeats"), folds: try json.int("folds"),
                           meanF1: try json.double("mean_f1"), sdF1: try json.double("sd_f1"), meanPrecision: try json.double("mean_precision"),
                           meanRecall: try json.double("mean_recall"))
    }

    /// The artifact's instance id without the coordinate `axis` (`probe[blocks=5,concept=AU5]` → `probe[blocks=5]`): what
    /// a probe was applied to when its producer records no `model` input.
    static func withoutAxis(_ a: InputArtifact, _ axis: String) -> String {
        let node = a.instance.firstIndex(of: "[").map { String(a.instance[..<$0]) } ?? a.instance
        let rest = a.coordinates.keys.filter { $0 != axis }.sorted()
        return rest.isEmpty ? node : node + "[" + rest.map { "\($0)=\(a.coordinates[$0]!)" }.joined(separator: ",") + "]"
    }

    /// A `diff_saliency` artifact: `selection.json` and its `grid_<class>.png` figures (in the selection's class order).
    static func saliency(_ a: InputArtifact) throws -> SaliencyFigure? {
        guard exists(a, "selection.json") else { return nil }
        let json = try JSONFields.load(file(a, "selection.json"))
        let images = try json.objects("images").map { try $0.string("class") }
        var grids: [SaliencyFigure.Grid] = []
        for cls in try json.strings("classes") {
            let url = file(a, "grid_\(cls).png")
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let png: Data
            do { png = try Data(contentsOf: url) } catch { throw ReportError.unreadable(file: url.path, reason: error.localizedDescription) }
            grids.append(SaliencyFigure.Grid(className: cls, images: images.filter { $0 == cls }.count, png: png))
        }
        return SaliencyFigure(instance: a.instance, a: try json.string("a"), b: try json.string("b"), rule: try json.string("rule"), grids: grids)
    }

    /// A `concept_candidates` artifact: `ranking.json` (+ `regions.png`).
    static func candidates(_ a: InputArtifact) throws -> CandidateRanking? {
        guard exists(a, "ranking.json") else { return nil }
        let json = try JSONFields.load(file(a, "ranking.json"))
        let perClass = try json.objectLists("per_class").map { cls, list in
            (className: cls, candidates: try list.map { k in
                CandidateRanking.Candidate(region: try k.string("region"), actionUnits: try k.strings("action_units"),
                                           score: try k.double("score"), share: try k.double("share"))
            }.sorted { $0.score > $1.score })
        }
        let png = try? Data(contentsOf: file(a, "regions.png"))
        return CandidateRanking(instance: a.instance, images: try json.int("images"), perClass: perClass, regionsPNG: png)
    }

    /// The provenance row of an artifact's instance: key, kind version, params, run time.
    static func provenance(_ a: InputArtifact) -> ProvenanceRecord {
        let components = a.manifest.components.mapValue ?? [:]
        let params = asWritten(components["params"] ?? .map([:]), path: "params", paths: a.manifest.provenance.paths)
        return ProvenanceRecord(instance: a.instance, kind: a.kind, kindVersion: components["version"]?.intValue, key: a.manifest.key,
                                params: params.canonicalJSON, seconds: a.manifest.seconds)
    }

    /// Key params with each external path's content fingerprint replaced by the path as written (`params.root` →
    /// `/data/AffectNet`), so the table shows what a reader would type.
    static func asWritten(_ value: ParamValue, path: String, paths: [String: String]) -> ParamValue {
        if let written = paths[path] { return .string(written) }
        switch value {
        case .map(let m): return .map(Dictionary(uniqueKeysWithValues: m.map { ($0, asWritten($1, path: "\(path).\($0)", paths: paths)) }))
        case .list(let l): return .list(l.enumerated().map { asWritten($1, path: "\(path)[\($0)]", paths: paths) })
        default: return value
        }
    }

    /// The instance graph from the artifacts' recorded upstream ids; upstreams that were not gathered appear
    /// with kind `?`.
    static func dag(_ artifacts: [InputArtifact], reportInstance: String) -> DagGraph {
        var nodes: [DagGraph.Node] = []
        var seen = Set<String>()
        for a in artifacts where seen.insert(a.instance).inserted { nodes.append(DagGraph.Node(id: a.instance, kind: a.kind)) }
        var edges: [DagGraph.Edge] = []
        for a in artifacts where !edges.contains(where: { $0.to == a.instance }) {
            for (port, sources) in a.manifest.provenance.inputs.sorted(by: { $0.key < $1.key }) {
                for s in sources {
                    if seen.insert(s).inserted { nodes.append(DagGraph.Node(id: s, kind: "?")) }
                    edges.append(DagGraph.Edge(from: s, to: a.instance, port: port))
                }
            }
        }
        return DagGraph(nodes: nodes, edges: edges,
                        caption: "\(reportInstance) gathers all \(Set(artifacts.map(\.instance)).count) instances shown (its edges are omitted).")
    }
}

/// One of two values (a significance artifact holds either test).
enum Either<Left, Right> {
    case left(Left)
    case right(Right)
}
