import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Report

/// A small PNG-like payload; the report only embeds bytes, so any bytes do.
let fakePNG = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x01, 0x02, 0xFE, 0xFF])

let emotionNames = ["neutral", "happy", "sad", "surprise", "fear", "disgust", "anger", "contempt"]

/// An evaluation with the given per-class recalls (precision = F1 = recall for simplicity, support 10 each).
func evaluation(_ instance: String, model: String, depth: Double?, classes: [String], recalls: [Double], accuracy: Double) -> ClassificationResult {
    let per = zip(classes, recalls).map { ClassMetrics(name: $0, precision: $1, recall: $1, f1: $1, support: 10) }
    let mean = recalls.reduce(0, +) / Double(recalls.count)
    return ClassificationResult(instance: instance, model: model, freezeDepth: depth, samples: 10 * classes.count, perClass: per,
                                macroPrecision: mean, macroRecall: mean, macroF1: mean, accuracy: accuracy)
}

/// Content with every section filled, with numbers chosen so the expected cells are easy to compute by hand.
func sampleContent(modelName: (Int) -> String = { "head[blocks=\($0)]" }) -> ReportContent {
    var c = ReportContent(title: "Study", subtitle: "4 instances")
    c.dag = DagGraph(nodes: [.init(id: "base", kind: "train_base"), .init(id: "frozen[blocks=0]", kind: "freeze"),
                             .init(id: "frozen[blocks=5]", kind: "freeze"), .init(id: "forgetting", kind: "significance_test")],
                     edges: [.init(from: "base", to: "frozen[blocks=0]", port: "model"), .init(from: "base", to: "frozen[blocks=5]", port: "model"),
                             .init(from: "frozen[blocks=0]", to: "forgetting", port: "b"), .init(from: "frozen[blocks=5]", to: "forgetting", port: "a")],
                     caption: "report gathers all")
    c.evaluations = [
        evaluation("pain_eval[blocks=0]", model: "pain[blocks=0]", depth: 0, classes: ["no pain", "pain"], recalls: [0.9, 0.5], accuracy: 0.8),
        evaluation("pain_eval[blocks=5]", model: "pain[blocks=5]", depth: 5, classes: ["no pain", "pain"], recalls: [0.8, 0.25], accuracy: 0.7),
        evaluation("recall[blocks=0]", model: modelName(0), depth: 0, classes: emotionNames,
                   recalls: [0.9, 0.8, 0.7, 0.25, 0.6, 0.5, 0.4, 0.0], accuracy: 0.6),
        evaluation("recall[blocks=5]", model: modelName(5), depth: 5, classes: emotionNames,
                   recalls: [0.9, 0.8, 0.7, 0.5, 0.6, 0.5, 0.4, 0.75], accuracy: 0.65),
    ]
    c.mcnemar = [McNemarResult(instance: "forgetting", a: "recall[blocks=5]", b: "recall[blocks=0]",
                               overall: McNemarRow(label: "overall", n: 80, b: 12, c: 3, pExact: 0.0352, chi2: 4.2667, pChi2: 0.0389, scoreA: 0.65, scoreB: 0.6),
                               perClass: [McNemarRow(label: "contempt", n: 10, b: 7, c: 0, pExact: 0.0156, chi2: 5.1429, pChi2: 0.0233, scoreA: 0.75, scoreB: 0.0)])]
    c.saliency = [SaliencyFigure(instance: "saliency", a: "head[blocks=5]", b: "head[blocks=0]", rule: "z_dense_zplus_conv",
                                 grids: [.init(className: "contempt", images: 3, png: fakePNG)])]
    c.candidates = [CandidateRanking(instance: "candidates", images: 3, perClass: [
        (className: "contempt", candidates: [.init(region: "lip_corners", actionUnits: ["AU12", "AU14"], score: 0.61, share: 0.42,
                                                   expected: "pain_never_uses", painNeverUses: ["AU12", "AU14"]),
                                             .init(region: "eyes", actionUnits: ["AU5"], score: 0.2, share: 0.1, expected: "not_in_class")])], regionsPNG: fakePNG)]
    c.probes = [
        ProbeResult(instance: "probe[blocks=0,concept=AU5]", model: "pain[blocks=0]", concept: "AU5", layer: "block5", crop: "upper_face",
                    repeats: 500, folds: 2, meanF1: 0.612, sdF1: 0.041, meanPrecision: 0.6, meanRecall: 0.63),
        ProbeResult(instance: "probe[blocks=5,concept=AU5]", model: "pain[blocks=5]", concept: "AU5", layer: "block5", crop: "upper_face",
                    repeats: 500, folds: 2, meanF1: 0.874, sdF1: 0.022, meanPrecision: 0.88, meanRecall: 0.87),
        ProbeResult(instance: "probe[blocks=5,concept=AU14]", model: "pain[blocks=5]", concept: "AU14", layer: "block5", crop: nil,
                    repeats: 500, folds: 2, meanF1: 0.791, sdF1: 0.03, meanPrecision: 0.8, meanRecall: 0.78),
    ]
    c.pairedTests = [PairedTResult(instance: "probe_test[concept=AU5]", a: "probe[blocks=5,concept=AU5]", b: "probe[blocks=0,concept=AU5]",
                                   n: 500, meanA: 0.874, meanB: 0.612, meanDifference: 0.262, t: 123.456, df: 499, p: 1.5e-300, cohensD: 5.521)]
    c.provenance = [ProvenanceRecord(instance: "base", kind: "train_base", kindVersion: 3, key: String(repeating: "ab", count: 32),
                                     params: "{\"epochs\":8}", seconds: 125.5)]
    return c
}

/// Parses `text` as XML; returns the document or throws with the parser's message.
func parseXML(_ text: String) throws -> XMLDocument {
    try XMLDocument(xmlString: text, options: [])
}

/// The root element of `doc`.
func root(_ doc: XMLDocument) throws -> XMLElement {
    guard let r = doc.rootElement() else { throw CocoaError(.fileReadCorruptFile) }
    return r
}

/// All elements of `node`'s subtree, depth first.
func elements(_ node: XMLNode) -> [XMLElement] {
    var out: [XMLElement] = []
    for child in node.children ?? [] {
        if let e = child as? XMLElement { out.append(e) }
        out += elements(child)
    }
    return out
}
