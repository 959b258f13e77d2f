import Foundation
import Graph
import Report

/// Readers that turn upstream artifact directories (formats of docs/artifacts.md) into the report's plain values.
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

    /// The artifact's `seed` coordinate (replicates), if it has one.
    static func seed(_ a: InputArtifact) -> Int? { a.coordinates["seed"]?.intValue }

    /// An instance id without its `seed` coordinate (`head[blocks=5,seed=8]` → `head[blocks=5]`, `au5[seed=8]` → `au5`):
    /// the name replicates of one model share.
    static func withoutSeed(_ id: String) -> String {
        guard let open = id.firstIndex(of: "["), id.hasSuffix("]") else { return id }
        let axes = id[id.index(after: open)..<id.index(before: id.endIndex)].split(separator: ",").filter { !$0.hasPrefix("seed=") }
        return axes.isEmpty ? String(id[..<open]) : String(id[..<open]) + "[" + axes.joined(separator: ",") + "]"
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
        return ClassificationResult(instance: a.instance, model: withoutSeed(upstream(a, port: "model") ?? a.instance), seed: seed(a),
                                    freezeDepth: freezeDepth(a), samples: try json.int("samples"), perClass: perClass,
                                    macroPrecision: try macro.double("precision"), macroRecall: try macro.double("recall"),
                                    macroF1: try macro.double("f1"), accuracy: try json.double("accuracy"))
    }

    /// What a `significance_test` artifact holds.
    enum Significance {
        case mcnemar(McNemarResult)
        case replicatedMcNemar(ReplicatedMcNemarResult)
        case pairedT(PairedTResult)
        case replicatedPairedT(ReplicatedPairedTResult)
    }

    /// A significance test's `result.json`: McNemar or paired t, of one pair or (with `per_seed`) of replicates. Fields
    /// added by later versions (`corrected`, `chance_a`, `interpretable`, …) may be absent.
    static func significance(_ a: InputArtifact) throws -> Significance? {
        guard exists(a, "result.json") else { return nil }
        let json = try JSONFields.load(file(a, "result.json"))
        let replicated = json.has("per_seed")
        switch try json.string("test") {
        case "mcnemar" where replicated:
            let perSeed = try json.objects("per_seed").map { s in try mcnemar(s, instance: a.instance, seed: try s.int("seed")) }
            let across = try json.object("across_seeds")
            let rows = try (across.has("per_class") ? across.objects("per_class") : []) + [across.object("overall")]
            return .replicatedMcNemar(ReplicatedMcNemarResult(
                instance: a.instance, a: try json.string("a"), b: try json.string("b"), seeds: try seeds(json, perSeed.compactMap(\.seed)),
                perSeed: perSeed, across: try rows.map { r in
                    McNemarAcrossRow(label: try r.optionalString("class") ?? "overall", acrossSeeds: try acrossSeeds(r.object("across_seeds")),
                                     pooled: try mcnemarRow(r.object("pooled"), label: try r.optionalString("class") ?? "overall"))
                }))
        case "mcnemar":
            return .mcnemar(try mcnemar(json, instance: a.instance, seed: seed(a)))
        case "paired_t" where replicated:
            let perSeed = try json.objects("per_seed").map { s in try pairedT(s, instance: a.instance, seed: try s.int("seed")) }
            return .replicatedPairedT(ReplicatedPairedTResult(
                instance: a.instance, a: try json.string("a"), b: try json.string("b"), seeds: try seeds(json, perSeed.compactMap(\.seed)),
                perSeed: perSeed, acrossSeeds: try acrossSeeds(json.object("across_seeds")), interpretable: try json.optionalBool("interpretable")))
        case "paired_t":
            return .pairedT(try pairedT(json, instance: a.instance, seed: seed(a)))
        case let other:
            throw ReportError.invalid(file: file(a, "result.json").path, field: "test", expected: "mcnemar or paired_t", found: "\"\(other)\"")
        }
    }

    /// `seeds` of a replicated result, or the per-seed entries' seeds when it has none.
    static func seeds(_ json: JSONFields, _ fallback: [Int]) throws -> [Int] {
        guard json.has("seeds") else { return fallback }
        guard let list = json.values["seeds"] as? [Any], let ints = list as? [NSNumber] else {
            throw ReportError.invalid(file: json.file, field: "seeds", expected: "a list of integers", found: JSONFields.kind(of: json.values["seeds"]!))
        }
        return ints.map(\.intValue)
    }

    /// One McNemar row; per-class rows give recall as `accuracy_a`/`accuracy_b` (accuracy restricted to the class, as
    /// `significance_test` writes it: docs/artifacts.md §5) or as `recall_a`/`recall_b` (which the reader also accepts).
    static func mcnemarRow(_ r: JSONFields, label: String) throws -> McNemarRow {
        McNemarRow(label: label, n: try r.int("n"), b: try r.int("b"), c: try r.int("c"), pExact: try r.double("p_exact"),
                   chi2: try r.double("chi2"), pChi2: try r.double("p_chi2"), scoreA: try r.double(r.has("recall_a") ? "recall_a" : "accuracy_a"),
                   scoreB: try r.double(r.has("recall_b") ? "recall_b" : "accuracy_b"))
    }

    /// One pair's McNemar report (`{a, b, overall, per_class}`), at top level or as a `per_seed` entry.
    static func mcnemar(_ json: JSONFields, instance: String, seed: Int?) throws -> McNemarResult {
        let rows = try (json.has("per_class") ? json.objects("per_class") : []).map { r in try mcnemarRow(r, label: try r.string("class")) }
        return McNemarResult(instance: instance, a: try json.string("a"), b: try json.string("b"), seed: seed,
                             overall: try mcnemarRow(json.object("overall"), label: "overall"), perClass: rows)
    }

    /// The paired t over seeds (`across_seeds` of a replicated result).
    static func acrossSeeds(_ t: JSONFields) throws -> PairedTOverSeeds {
        PairedTOverSeeds(scoreA: try t.doubles("score_a"), scoreB: try t.doubles("score_b"), meanA: try t.double("mean_a"), meanB: try t.double("mean_b"),
                     meanDifference: try t.double("mean_difference"), sdDifference: try t.double("sd_difference"), t: try t.double("t"),
                     df: try t.double("df"), p: try t.double("p"))
    }

    /// One pair's paired t report, at top level or as a `per_seed` entry.
    static func pairedT(_ json: JSONFields, instance: String, seed: Int?) throws -> PairedTResult {
        let corrected = try json.optionalObject("corrected").map { c in CorrectedT(t: try c.double("t"), df: try c.double("df"), p: try c.double("p")) }
        return PairedTResult(instance: instance, a: try json.string("a"), b: try json.string("b"), seed: seed, n: try json.int("n"),
                             meanA: try json.double("mean_a"), meanB: try json.double("mean_b"), meanDifference: try json.double("mean_difference"),
                             t: try json.double("t"), df: try json.double("df"), p: try json.double("p"), cohensD: try json.double("cohens_d"),
                             corrected: corrected, chanceA: try verdict(json, "chance_a"), chanceB: try verdict(json, "chance_b"),
                             interpretable: try json.optionalBool("interpretable"))
    }

    /// A chance verdict field (`beats_chance`, `below_all_positive`, `at_chance`), `nil` when absent or `null`.
    static func verdict(_ json: JSONFields, _ key: String) throws -> ProbeVerdict? {
        guard let s = try json.optionalString(key) else { return nil }
        guard let v = ProbeVerdict(rawValue: s) else {
            throw ReportError.invalid(file: json.file, field: json.path.isEmpty ? key : "\(json.path).\(key)",
                                      expected: "beats_chance, below_all_positive or at_chance", found: "the string \"\(s)\"")
        }
        return v
    }

    /// An `svm_probe` artifact's `summary.json`; `chance` (version 2 on) may be absent.
    static func probe(_ a: InputArtifact) throws -> ProbeResult? {
        guard exists(a, "summary.json") else { return nil }
        let json = try JSONFields.load(file(a, "summary.json"))
        guard a.kind == "svm_probe" || json.has("mean_f1") else { return nil }
        let concept = try json.string("concept")
        let chance = try json.optionalObject("chance").map { k -> ProbeChance in
            let baseline = try k.object("baseline")
            let permutation = try k.optionalObject("permutation")
            return ProbeChance(positives: try baseline.int("positives"), negatives: try baseline.int("negatives"),
                               allPositiveF1: try baseline.object("all_positive").double("f1"), majorityAccuracy: try baseline.double("majority_accuracy"),
                               permutations: try permutation?.int("permutations"), permutationP: try permutation?.double("p"),
                               nullMeanF1: try permutation?.double("null_mean"), verdict: try verdict(k, "verdict"))
        }
        return ProbeResult(instance: a.instance, model: withoutSeed(upstream(a, port: "model") ?? withoutAxis(a, "concept")), seed: seed(a),
                           concept: concept, layer: try json.string("layer"), crop: try json.optionalString("crop"), repeats: try json.int("repeats"),
                           folds: try json.int("folds"), meanF1: try json.double("mean_f1"), sdF1: try json.double("sd_f1"),
                           meanPrecision: try json.double("mean_precision"), meanRecall: try json.double("mean_recall"),
                           meanAccuracy: try json.optionalDouble("mean_accuracy"), chance: chance)
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
            let url = file(a, SaliencyArtifact.gridFile(for: cls))
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let png: Data
            do { png = try Data(contentsOf: url) } catch { throw ReportError.unreadable(file: url.path, reason: error.localizedDescription) }
            grids.append(SaliencyFigure.Grid(className: cls, images: images.filter { $0 == cls }.count, png: png))
        }
        let difference: SaliencyDifference
        switch try json.optionalString("difference") {
        case nil: difference = .normalisedMaps
        case let name?:
            guard let d = SaliencyDifference(rawValue: name) else {
                throw ReportError.invalid(file: file(a, "selection.json").path, field: "difference", expected: "raw_maps or normalised_maps",
                                          found: "the string \"\(name)\"")
            }
            difference = d
        }
        return SaliencyFigure(instance: a.instance, a: try json.string("a"), b: try json.string("b"), rule: try json.string("rule"),
                              difference: difference, contrastive: try json.optionalString("start") == "softmax_gradient", grids: grids)
    }

    /// A `concept_candidates` artifact: `ranking.json` (+ `regions.png`).
    static func candidates(_ a: InputArtifact) throws -> CandidateRanking? {
        guard exists(a, "ranking.json") else { return nil }
        let json = try JSONFields.load(file(a, "ranking.json"))
        let perClass = try json.objectLists("per_class").map { cls, list in
            (className: cls, candidates: try list.map { k in
                CandidateRanking.Candidate(region: try k.string("region"), actionUnits: try k.strings("action_units"),
                                           score: try k.double("score"), share: try k.double("share"),
                                           expected: try k.optionalString("expected"),
                                           painNeverUses: k.has("pain_never_uses") ? try k.strings("pain_never_uses") : [],
                                           sharedWithPain: k.has("shared_with_pain") ? try k.strings("shared_with_pain") : [])
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

    /// The seeds the results come from: the distinct `seed` coordinates (replicates), else the one seed every seeded
    /// instance's key holds (`components.seed`); empty when no instance is seeded or their seeds differ.
    static func seeds(_ artifacts: [InputArtifact]) -> [Int] {
        let replicated = Set(artifacts.compactMap(seed))
        if !replicated.isEmpty { return replicated.sorted() }
        let keyed = Set(artifacts.compactMap { $0.manifest.components.mapValue?["seed"]?.intValue })
        return keyed.count == 1 ? Array(keyed) : []
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
