import Analysis
import Core
import Faces
import Foundation
import Graph

/// `svm_probe`: is an action unit still linearly decodable from a model's features? A linear SVM (L2-regularised
/// squared hinge, class-balanced weights, solved by `solver`) detects the AU from one block's activations on the
/// peak frames of an AU-coded CK+-layout dataset, in stratified k-fold cross-validation repeated `repeats` times.
///
/// Features are computed once (the block's max-pool output, flattened C·h·w per image); with `crop`, each image
/// is first cut to a landmark region (e.g. `upper_face`) or to the study's `above_mouth` square (AU5: the bottom
/// cut off so AU26's open mouth cannot leak in, proportions kept) and resized to the model input. Fold assignments come from the node's seed: the same seed gives the same
/// bytes. Output (docs/nodes.md): `scores.csv` (per repeat the mean F1, precision, recall and accuracy over its
/// folds), `folds.csv` (every fold's scores, for the corrected resampled t-test) and `summary.json`, which also
/// holds the chance baseline: the feature-blind guessers' scores, a permutation test of the whole probe on
/// shuffled concept labels, and the verdict (`beats_chance`, `below_all_positive`, `at_chance`; docs/statistics.md).
/// Headline metrics `mean_f1` and, with permutations, `permutation_p` and `beats_chance` (1 or 0).
public struct SVMProbeNode: NodeKind {
    public static let kind = "svm_probe"
    public static let version = 2
    public static let summary = "Linear-SVM probe for one AU on a model block's features; repeated stratified k-fold F1."
    public static let params: [ParamSpec] = [
        ParamSpec("concept", .string, doc: "The action unit to detect, e.g. AU5 (coded at any intensity = positive).", check: { value in
            guard let s = value.stringValue, conceptNumber(s) != nil else { return "expected an action unit such as AU5" }
            return nil
        }),
        .string("layer", default: "block5", allowed: Array(VGG16Configuration.blockNames.prefix(5)),
                doc: "The block whose max-pool output is probed (block5 = the last conv block)."),
        .number("c", default: 1, range: 1e-6...1e6, doc: "Inverse regularisation strength C of the SVM."),
        .int("folds", default: ConceptProbe.studyFolds, range: 2...20, doc: "Folds k of each stratified cross-validation."),
        .int("repeats", default: ConceptProbe.studyRepeats, range: 1...100_000, doc: "Cross-validation repeats, each with its own seeded folds."),
        ParamSpec("crop", .string, optional: true, allowed: ProbeCrop.named.keys.sorted().map(ParamValue.string),
                  doc: "Cut each image before feature extraction: a landmark region's box, or above_mouth (the study's AU5 crop: the bottom cut off above the mouth, the largest square of the rest, undistorted); null: whole image."),
        .bool("balance", default: true, doc: "Weight the classes by n / (2 · n_class) of the training fold."),
        .bool("standardize", default: true, doc: "Standardise each feature by the training fold's mean and deviation."),
        .int("batch", default: 32, range: 1...1024, doc: "Images per forward pass."),
        .string("solver", default: ConceptProbe.Solver.finiteNewton.rawValue,
                allowed: ConceptProbe.Solver.allCases.map(\.rawValue),
                doc: "finite_newton (the exact optimum by finite Newton steps on the Gram matrix, the default), dual_cd (dual coordinate descent to tolerance 1e-3, the default until finite_newton) or primal_newton (LIBLINEAR's primal solver at its default tolerance, as svm_probe v1)."),
        .int("permutations", default: 100, range: 0...100_000,
             doc: "Label shuffles of the chance baseline's permutation test (p ≥ 1/(N+1)); 0 skips it and leaves the verdict untested."),
        .int("permutation_repeats", default: 5, range: 1...1000,
             doc: "CV repeats behind each permutation statistic (mean F1 of repeats 0…R−1, the same folds as the probe's first R)."),
    ]
    public static let inputs: [PortSpec] = [
        PortSpec("model", doc: "The model whose features are probed (a model output)."),
        PortSpec("data", doc: "An AU-coded dataset in the CK+ layout (ckplus or synth_faces like: ckplus)."),
    ]
    public static let outputs: [OutputSpec] = [OutputSpec("probe", doc: "scores.csv, folds.csv and summary.json (with the chance baseline).")]

    /// The checked params, decoded once.
    struct Params: Decodable {
        /// What is probed where: the AU, the block and the optional crop.
        var concept: String, layer: String, crop: String?
        /// The SVM and its cross-validation.
        var c: Double, folds: Int, repeats: Int, balance: Bool, standardize: Bool, solver: ConceptProbe.Solver
        /// Images per forward pass.
        var batch: Int
        /// The chance baseline's permutation test.
        var permutations: Int, permutationRepeats: Int
    }

    /// The AU number of "AU5", "au5" or "5"; nil otherwise.
    static func conceptNumber(_ s: String) -> Int? {
        let digits = s.uppercased().hasPrefix("AU") ? String(s.dropFirst(2)) : s
        guard let n = Int(digits), n >= 1 else { return nil }
        return n
    }

    public static func run(_ context: NodeContext) throws {
        let p = try context.params.decode(Params.self)
        let concept = p.concept
        let unit = conceptNumber(concept)!
        let layer = p.layer
        let cropName = p.crop
        let model = try ModelArtifact.load(try context.input("model"))
        let data = try ForgettingData(try context.input("data"))
        let set = try data.ckplus().load(actionUnit: unit, crop: cropName.map { ProbeCrop.named[$0]! })
        let labels = set.samples.map { $0.label == 1 }

        let batchSize = p.batch
        let started = Date()
        context.progress(0, "features of \(set.samples.count) images")
        let features = try ImageSet(set.samples, pipeline: model.pipeline).features(of: model.model, after: layer, batchSize: batchSize)
        let dimension = features.count / max(set.samples.count, 1)
        let probe = ConceptProbe(C: p.c, folds: p.folds, repeats: p.repeats, seed: context.seed,
                                 balanceClasses: p.balance, standardize: p.standardize, solver: p.solver)
        let positives = labels.filter { $0 }.count
        context.log("\(concept) on \(layer)\(cropName.map { " (crop \($0))" } ?? ""): \(positives) positive, "
            + "\(labels.count - positives) negative images, \(dimension) features in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        let probeStarted = Date()
        context.progress(0.5, "\(probe.repeats) × \(probe.folds)-fold linear SVM")
        let result: ProbeResult
        do {
            result = try probe.crossValidate(features: features.data, dimension: dimension, labels: labels)
        } catch let error as AnalysisError {
            throw NodeFailure("\(data.root.path): \(concept): \(error.description)")
        }
        context.log(String(format: "mean F1 %.4f ± %.4f over %d repeats of %d folds in %.1f s", result.meanF1,
                           result.standardDeviationF1, probe.repeats, probe.folds, Date().timeIntervalSince(probeStarted)))
        let permutations = p.permutations
        var permutation: PermutationTestResult?
        if permutations > 0 {
            let repeats = p.permutationRepeats
            let permutationStarted = Date()
            context.progress(0.75, "chance baseline: \(permutations) label shuffles × \(repeats) repeats")
            permutation = try probe.permutationTest(features: features.data, dimension: dimension, labels: labels,
                                                    permutations: permutations, repeats: repeats, seed: context.seed ^ 0x5045_524D)
            context.log(String(format: "permutation test: observed F1 %.4f over %d repeats, null mean %.4f, 95%% %.4f, p %.4g (%d shuffles, %.1f s)",
                               permutation!.observed, repeats, permutation!.nullMean, permutation!.nullQuantile(0.95), permutation!.p,
                               permutations, Date().timeIntervalSince(permutationStarted)))
        }
        let report = ProbeReport(concept: "AU\(unit)", layer: layer, crop: cropName, probe: probe, result: result,
                                 positives: positives, negatives: labels.count - positives, dimension: dimension,
                                 permutation: permutation)
        try report.write(to: context.output())
        context.metric("mean_f1", report.summary.meanF1)
        context.metric("sd_f1", report.summary.sdF1)
        context.metric("mean_accuracy", report.summary.meanAccuracy)
        if let chance = report.summary.chance, let test = chance.permutation {
            context.metric("permutation_p", test.p)
            context.metric("beats_chance", chance.verdict == .beatsChance ? 1 : 0)
        }
        context.log("chance: all-positive F1 \(String(format: "%.4f", report.summary.chance?.baseline.allPositive.f1 ?? .nan)), "
            + "majority accuracy \(String(format: "%.4f", report.summary.chance?.baseline.majorityAccuracy ?? .nan)); "
            + "verdict \(report.summary.chance?.verdict?.rawValue ?? "untested")")
    }
}
