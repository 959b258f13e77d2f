// Report module: pure rendering of a study's results as HTML and Markdown.
// Knows nothing of the graph or of tensors: callers fill `ReportContent` with plain values.
import Foundation

/// Everything a report shows; every section is optional and rendered only when it has data.
public struct ReportContent: Sendable {
    public var title: String
    /// One line under the title (experiment name, instance count).
    public var subtitle: String
    public var dag: DagGraph?
    /// Every evaluation (pain and emotion models alike); `ClassificationResult.isPain` tells them apart.
    public var evaluations: [ClassificationResult]
    public var saliency: [SaliencyFigure]
    /// McNemar tests of one pair of models (one seed, or a study without replicates).
    public var mcnemar: [McNemarResult]
    /// McNemar tests of replicated models: per seed and across seeds.
    public var replicatedMcNemar: [ReplicatedMcNemarResult]
    public var candidates: [CandidateRanking]
    public var probes: [ProbeResult]
    /// Paired t-tests of one pair of score tables (one seed, or a study without replicates).
    public var pairedTests: [PairedTResult]
    /// Paired t-tests of replicated probes: per seed and across seeds.
    public var replicatedPairedTests: [ReplicatedPairedTResult]
    public var provenance: [ProvenanceRecord]
    /// The seeds the results come from, ascending: the `seed` coordinates of replicated instances, else the seed of
    /// the seeded (trained) instances; empty when unknown. Two or more mean the study has replicates.
    public var seeds: [Int]

    public init(title: String, subtitle: String = "", dag: DagGraph? = nil, evaluations: [ClassificationResult] = [],
                saliency: [SaliencyFigure] = [], mcnemar: [McNemarResult] = [], replicatedMcNemar: [ReplicatedMcNemarResult] = [],
                candidates: [CandidateRanking] = [], probes: [ProbeResult] = [], pairedTests: [PairedTResult] = [],
                replicatedPairedTests: [ReplicatedPairedTResult] = [], provenance: [ProvenanceRecord] = [], seeds: [Int] = []) {
        self.title = title
        self.subtitle = subtitle
        self.dag = dag
        self.evaluations = evaluations
        self.saliency = saliency
        self.mcnemar = mcnemar
        self.replicatedMcNemar = replicatedMcNemar
        self.candidates = candidates
        self.probes = probes
        self.pairedTests = pairedTests
        self.replicatedPairedTests = replicatedPairedTests
        self.provenance = provenance
        self.seeds = seeds
    }

    /// Whether results come from several seeds (replicates), so tables show spread across seeds.
    public var isReplicated: Bool { seeds.count > 1 }

    /// Evaluations of pain models (Table 1).
    public var painEvaluations: [ClassificationResult] { evaluations.filter(\.isPain) }
    /// Evaluations of emotion models, e.g. retrained heads (Fig. 4).
    public var emotionEvaluations: [ClassificationResult] { evaluations.filter { !$0.isPain } }
}

/// The instance graph: nodes in run order and edges upstream → downstream.
public struct DagGraph: Sendable {
    public struct Node: Sendable, Equatable {
        public let id: String
        public let kind: String
        public init(id: String, kind: String) { self.id = id; self.kind = kind }
    }

    public struct Edge: Sendable, Equatable {
        public let from: String
        public let to: String
        public let port: String
        public init(from: String, to: String, port: String) { self.from = from; self.to = to; self.port = port }
    }

    public let nodes: [Node]
    public let edges: [Edge]
    /// Shown under the figure (e.g. that the report node itself gathers every instance).
    public let caption: String

    public init(nodes: [Node], edges: [Edge], caption: String = "") {
        self.nodes = nodes
        self.edges = edges
        self.caption = caption
    }
}

/// Precision, recall, F1 and support of one class.
public struct ClassMetrics: Sendable, Equatable {
    public let name: String
    public let precision: Double
    public let recall: Double
    public let f1: Double
    public let support: Int

    public init(name: String, precision: Double, recall: Double, f1: Double, support: Int) {
        self.name = name
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.support = support
    }
}

/// One evaluated model (an `evaluate` artifact).
public struct ClassificationResult: Sendable {
    /// The evaluation's instance id.
    public let instance: String
    /// What the tables call the model (the evaluated model's instance id when known, without its `seed`
    /// coordinate): evaluations with the same `model` and different seeds are replicates of one model.
    public let model: String
    /// The replicate's seed (the `seed` coordinate), `nil` without replicates.
    public let seed: Int?
    /// Freeze depth (the `blocks` matrix coordinate), when the model has one; the x axis of Fig. 7.
    public let freezeDepth: Double?
    public let samples: Int
    public let perClass: [ClassMetrics]
    public let macroPrecision: Double
    public let macroRecall: Double
    public let macroF1: Double
    public let accuracy: Double

    public init(instance: String, model: String, seed: Int? = nil, freezeDepth: Double?, samples: Int, perClass: [ClassMetrics],
                macroPrecision: Double, macroRecall: Double, macroF1: Double, accuracy: Double) {
        self.instance = instance
        self.model = model
        self.seed = seed
        self.freezeDepth = freezeDepth
        self.samples = samples
        self.perClass = perClass
        self.macroPrecision = macroPrecision
        self.macroRecall = macroRecall
        self.macroF1 = macroF1
        self.accuracy = accuracy
    }

    /// The rule that tells a pain model from an emotion model: exactly two classes, one of them named
    /// `pain` (case-insensitive). Everything else (8 emotions, or any other class set) counts as an emotion model.
    public var isPain: Bool {
        perClass.count == 2 && perClass.contains { $0.name.lowercased() == "pain" }
    }

    /// Recall of the class `name` (case-insensitive), if the model has it.
    public func recall(of name: String) -> Double? {
        perClass.first { $0.name.lowercased() == name.lowercased() }?.recall
    }
}

/// Saliency difference grids of one `diff_saliency` artifact (Fig. 5).
public struct SaliencyFigure: Sendable {
    public struct Grid: Sendable {
        public let className: String
        /// Images of this class in the selection (rows of the grid).
        public let images: Int
        /// The `grid_<class>.png` bytes.
        public let png: Data
        public init(className: String, images: Int, png: Data) {
            self.className = className
            self.images = images
            self.png = png
        }
    }

    public let instance: String
    /// Model A and model B (instance ids); the difference shown is A − B.
    public let a: String
    public let b: String
    public let rule: String
    /// How the difference row was made (`difference` in `selection.json`).
    public let difference: SaliencyDifference
    /// Whether relevance started contrastively (`start: softmax_gradient`) instead of at the true class's logit.
    public let contrastive: Bool
    public let grids: [Grid]

    public init(instance: String, a: String, b: String, rule: String, difference: SaliencyDifference = .normalisedMaps,
                contrastive: Bool = false, grids: [Grid]) {
        self.instance = instance
        self.contrastive = contrastive
        self.a = a
        self.b = b
        self.rule = rule
        self.difference = difference
        self.grids = grids
    }
}

/// How `diff_saliency` made its difference map.
public enum SaliencyDifference: String, Sendable {
    /// `0.5 + (a − b)/2` of the per-image normalised maps: 0.5 = no difference.
    case normalisedMaps = "normalised_maps"
    /// The raw maps subtracted, A − B, then min–max normalised per image to [0, 1]: no fixed zero point.
    case rawMaps = "raw_maps"
}

/// One row of a McNemar table: discordant counts and p-values.
public struct McNemarRow: Sendable {
    /// Class name, or `overall`.
    public let label: String
    public let n: Int
    /// A right and B wrong.
    public let b: Int
    /// A wrong and B right.
    public let c: Int
    public let pExact: Double
    public let chi2: Double
    public let pChi2: Double
    /// Recall (per class) or accuracy (overall) of A and B.
    public let scoreA: Double
    public let scoreB: Double

    public init(label: String, n: Int, b: Int, c: Int, pExact: Double, chi2: Double, pChi2: Double, scoreA: Double, scoreB: Double) {
        self.label = label
        self.n = n
        self.b = b
        self.c = c
        self.pExact = pExact
        self.chi2 = chi2
        self.pChi2 = pChi2
        self.scoreA = scoreA
        self.scoreB = scoreB
    }
}

/// One McNemar test of one pair of models (a `significance_test` artifact with `test: mcnemar`, or one seed of a
/// replicated one).
public struct McNemarResult: Sendable {
    public let instance: String
    public let a: String
    public let b: String
    /// The pair's seed, `nil` without replicates.
    public let seed: Int?
    public let overall: McNemarRow
    public let perClass: [McNemarRow]

    public init(instance: String, a: String, b: String, seed: Int? = nil, overall: McNemarRow, perClass: [McNemarRow]) {
        self.instance = instance
        self.a = a
        self.b = b
        self.seed = seed
        self.overall = overall
        self.perClass = perClass
    }
}

/// A paired t-test of one pair of score tables (a `significance_test` artifact with `test: paired_t`, or one
/// seed of a replicated one): the study's paired t over CV repeats and, for probes, the Nadeau–Bengio corrected t
/// and each probe's chance verdict.
public struct PairedTResult: Sendable {
    public let instance: String
    public let a: String
    public let b: String
    /// The pair's seed, `nil` without replicates.
    public let seed: Int?
    /// Repeats paired (the study's t has df = n − 1).
    public let n: Int
    public let meanA: Double
    public let meanB: Double
    public let meanDifference: Double
    public let t: Double
    public let df: Double
    public let p: Double
    public let cohensD: Double
    /// The Nadeau–Bengio corrected resampled t over the probes' fold scores, when both kept them.
    public let corrected: CorrectedT?
    /// Each probe's chance verdict, when both recorded one.
    public let chanceA: ProbeVerdict?
    public let chanceB: ProbeVerdict?
    /// `false` when neither probe beats chance (the difference is then no difference in decoding); `nil` when unknown.
    public let interpretable: Bool?

    public init(instance: String, a: String, b: String, seed: Int? = nil, n: Int, meanA: Double, meanB: Double, meanDifference: Double,
                t: Double, df: Double, p: Double, cohensD: Double, corrected: CorrectedT? = nil, chanceA: ProbeVerdict? = nil,
                chanceB: ProbeVerdict? = nil, interpretable: Bool? = nil) {
        self.instance = instance
        self.a = a
        self.b = b
        self.seed = seed
        self.corrected = corrected
        self.chanceA = chanceA
        self.chanceB = chanceB
        self.interpretable = interpretable
        self.n = n
        self.meanA = meanA
        self.meanB = meanB
        self.meanDifference = meanDifference
        self.t = t
        self.df = df
        self.p = p
        self.cohensD = cohensD
    }
}

/// One concept probe (an `svm_probe` artifact).
public struct ProbeResult: Sendable {
    public let instance: String
    /// The probed model's instance id without its `seed` coordinate (probes of one model in several seeds share it).
    public let model: String
    /// The replicate's seed, `nil` without replicates.
    public let seed: Int?
    public let concept: String
    public let layer: String
    public let crop: String?
    public let repeats: Int
    public let folds: Int
    public let meanF1: Double
    public let sdF1: Double
    public let meanPrecision: Double
    public let meanRecall: Double
    /// Mean accuracy over repeats, when recorded.
    public let meanAccuracy: Double?
    /// The chance baseline (`svm_probe` version 2 on), `nil` for older probes.
    public let chance: ProbeChance?

    public init(instance: String, model: String, seed: Int? = nil, concept: String, layer: String, crop: String?, repeats: Int, folds: Int,
                meanF1: Double, sdF1: Double, meanPrecision: Double, meanRecall: Double, meanAccuracy: Double? = nil, chance: ProbeChance? = nil) {
        self.instance = instance
        self.model = model
        self.seed = seed
        self.meanAccuracy = meanAccuracy
        self.chance = chance
        self.concept = concept
        self.layer = layer
        self.crop = crop
        self.repeats = repeats
        self.folds = folds
        self.meanF1 = meanF1
        self.sdF1 = sdF1
        self.meanPrecision = meanPrecision
        self.meanRecall = meanRecall
    }
}

/// The concept-candidate ranking of one `concept_candidates` artifact.
public struct CandidateRanking: Sendable {
    public struct Candidate: Sendable {
        public let region: String
        public let actionUnits: [String]
        public let score: Double
        public let share: Double
        /// The AU table's prediction for the area (`pain_never_uses`, `shared_with_pain`, `not_in_class`), nil
        /// when the class is not in the table.
        public let expected: String?
        /// The area's AUs the class shows that pain never uses, and that pain uses too.
        public let painNeverUses: [String]
        public let sharedWithPain: [String]
        public init(region: String, actionUnits: [String], score: Double, share: Double, expected: String? = nil,
                    painNeverUses: [String] = [], sharedWithPain: [String] = []) {
            self.region = region
            self.actionUnits = actionUnits
            self.score = score
            self.share = share
            self.expected = expected
            self.painNeverUses = painNeverUses
            self.sharedWithPain = sharedWithPain
        }

        /// The prediction in words: "pain never uses AU5", "shared with pain: AU7", "not in class", or "—".
        public var predictionText: String {
            switch expected {
            case "pain_never_uses": return "pain never uses " + painNeverUses.joined(separator: ", ")
            case "shared_with_pain": return "shared with pain: " + sharedWithPain.joined(separator: ", ")
            case "not_in_class": return "not in class"
            default: return "—"
            }
        }
    }

    public let instance: String
    public let images: Int
    /// Classes in display order, each with its candidates sorted by score (descending).
    public let perClass: [(className: String, candidates: [Candidate])]
    /// `regions.png`, if present.
    public let regionsPNG: Data?

    public init(instance: String, images: Int, perClass: [(className: String, candidates: [Candidate])], regionsPNG: Data?) {
        self.instance = instance
        self.images = images
        self.perClass = perClass
        self.regionsPNG = regionsPNG
    }
}

/// Where one instance's result came from.
public struct ProvenanceRecord: Sendable {
    public let instance: String
    public let kind: String
    public let kindVersion: Int?
    /// The cache key (SHA-256 hex).
    public let key: String
    /// The resolved params as compact canonical JSON.
    public let params: String
    /// Wall-clock run time in seconds.
    public let seconds: Double

    public init(instance: String, kind: String, kindVersion: Int?, key: String, params: String, seconds: Double) {
        self.instance = instance
        self.kind = kind
        self.kindVersion = kindVersion
        self.key = key
        self.params = params
        self.seconds = seconds
    }
}
