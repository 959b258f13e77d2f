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
    public var mcnemar: [McNemarResult]
    public var candidates: [CandidateRanking]
    public var probes: [ProbeResult]
    public var pairedTests: [PairedTResult]
    public var provenance: [ProvenanceRecord]

    public init(title: String, subtitle: String = "", dag: DagGraph? = nil, evaluations: [ClassificationResult] = [],
                saliency: [SaliencyFigure] = [], mcnemar: [McNemarResult] = [], candidates: [CandidateRanking] = [],
                probes: [ProbeResult] = [], pairedTests: [PairedTResult] = [], provenance: [ProvenanceRecord] = []) {
        self.title = title
        self.subtitle = subtitle
        self.dag = dag
        self.evaluations = evaluations
        self.saliency = saliency
        self.mcnemar = mcnemar
        self.candidates = candidates
        self.probes = probes
        self.pairedTests = pairedTests
        self.provenance = provenance
    }

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
    /// What the tables call the model (the evaluated model's instance id when known).
    public let model: String
    /// Freeze depth (the `blocks` matrix coordinate), when the model has one; the x axis of Fig. 7.
    public let freezeDepth: Double?
    public let samples: Int
    public let perClass: [ClassMetrics]
    public let macroPrecision: Double
    public let macroRecall: Double
    public let macroF1: Double
    public let accuracy: Double

    public init(instance: String, model: String, freezeDepth: Double?, samples: Int, perClass: [ClassMetrics],
                macroPrecision: Double, macroRecall: Double, macroF1: Double, accuracy: Double) {
        self.instance = instance
        self.model = model
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
    public let grids: [Grid]

    public init(instance: String, a: String, b: String, rule: String, grids: [Grid]) {
        self.instance = instance
        self.a = a
        self.b = b
        self.rule = rule
        self.grids = grids
    }
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

/// One McNemar test (a `significance_test` artifact with `test: mcnemar`).
public struct McNemarResult: Sendable {
    public let instance: String
    public let a: String
    public let b: String
    public let overall: McNemarRow
    public let perClass: [McNemarRow]

    public init(instance: String, a: String, b: String, overall: McNemarRow, perClass: [McNemarRow]) {
        self.instance = instance
        self.a = a
        self.b = b
        self.overall = overall
        self.perClass = perClass
    }
}

/// A paired t-test (a `significance_test` artifact with `test: paired_t`).
public struct PairedTResult: Sendable {
    public let instance: String
    public let a: String
    public let b: String
    public let n: Int
    public let meanA: Double
    public let meanB: Double
    public let meanDifference: Double
    public let t: Double
    public let df: Double
    public let p: Double
    public let cohensD: Double

    public init(instance: String, a: String, b: String, n: Int, meanA: Double, meanB: Double, meanDifference: Double,
                t: Double, df: Double, p: Double, cohensD: Double) {
        self.instance = instance
        self.a = a
        self.b = b
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
    /// The probed model's instance id.
    public let model: String
    public let concept: String
    public let layer: String
    public let crop: String?
    public let repeats: Int
    public let folds: Int
    public let meanF1: Double
    public let sdF1: Double
    public let meanPrecision: Double
    public let meanRecall: Double

    public init(instance: String, model: String, concept: String, layer: String, crop: String?, repeats: Int, folds: Int,
                meanF1: Double, sdF1: Double, meanPrecision: Double, meanRecall: Double) {
        self.instance = instance
        self.model = model
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
        public init(region: String, actionUnits: [String], score: Double, share: Double) {
            self.region = region
            self.actionUnits = actionUnits
            self.score = score
            self.share = share
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
