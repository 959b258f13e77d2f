import Dispatch
import Randomness

/// A linear probe for one concept (e.g. an action unit) in a model's features: a linear SVM trained and
/// tested by stratified k-fold cross-validation, repeated with `repeats` seeds (Kim et al.'s concept
/// probes; the study uses 2 folds and 500 repeats on VGG16's last conv block).
public struct ConceptProbe: Sendable {
    /// The study's folds per repeat, the default here and of `svm_probe`.
    public static let studyFolds = 2
    /// The study's repeats, the default here and of `svm_probe`.
    public static let studyRepeats = 500

    /// Inverse regularisation strength of the SVM.
    public var C: Double
    /// Folds per repeat (k), ≥ 2.
    public var folds: Int
    /// Cross-validation repeats, each with its own fold assignment.
    public var repeats: Int
    /// Seed of repeat r is derived from (seed, r).
    public var seed: UInt64
    /// Weights each class by n / (2 · n_class) of the training fold, as scikit-learn's `balanced`.
    public var balanceClasses: Bool
    /// Standardises each feature by the training fold's mean and standard deviation.
    public var standardize: Bool
    /// How the SVM is trained; both solve the same problem.
    public var solver: Solver

    /// The SVM's training algorithm.
    public enum Solver: String, Codable, Sendable, CaseIterable {
        /// Keerthi & DeCoste's finite Newton method on the training rows' Gram matrix (`LinearSVM.trainFiniteNewton`):
        /// the exact optimum up to rounding, in a handful of Newton steps when images are fewer than features.
        case finiteNewton = "finite_newton"
        /// Dual coordinate descent in Swift on dense rows, to a dual tolerance of 1e-3 (`LinearSVM.trainDual`), as
        /// the default before `finite_newton`: use it to reproduce those results bit for bit.
        case dualCoordinateDescent = "dual_cd"
        /// LIBLINEAR's primal trust-region Newton solver with its default tolerance 0.01 (`LinearSVM.train`),
        /// as in the probes' first version: use it to reproduce earlier results bit for bit.
        case primalNewton = "primal_newton"
    }

    public init(C: Double = 1, folds: Int = studyFolds, repeats: Int = studyRepeats, seed: UInt64 = 0,
                balanceClasses: Bool = true, standardize: Bool = true, solver: Solver = .finiteNewton) {
        self.C = C
        self.folds = folds
        self.repeats = repeats
        self.seed = seed
        self.balanceClasses = balanceClasses
        self.standardize = standardize
        self.solver = solver
    }

    /// Cross-validates the probe.
    /// - Parameters:
    ///   - features: n × d values, row-major (one row per image).
    ///   - dimension: d.
    ///   - labels: whether each image shows the concept.
    /// - Returns: per-repeat scores (each the mean over its folds) and per-fold scores, in repeat order.
    ///   Bit-reproducible for a given seed, whatever the number of threads.
    public func crossValidate(features: [Float], dimension d: Int, labels: [Bool]) throws -> ProbeResult {
        precondition(repeats >= 1 && C > 0, "invalid probe settings")
        let data = try ProbeData(features: features, dimension: d, labels: labels, folds: folds)
        var perFold = [[BinaryScores]](repeating: [], count: repeats)
        perFold.withUnsafeMutableBufferPointer { results in
            let out = UnsafeSendable(results)
            DispatchQueue.concurrentPerform(iterations: repeats) { r in
                out.value[r] = foldScores(repeat: r, data: data, labels: labels)
            }
        }
        return ProbeResult(perFold: perFold, testSizes: data.testSizes(folds: folds))
    }

    /// Scores of the k folds of repeat `r` on `labels` (the data's own or a permutation of them): a seeded
    /// stratified fold assignment, then for each fold train on the other k − 1 and test on it.
    func foldScores(repeat r: Int, data: ProbeData, labels: [Bool]) -> [BinaryScores] {
        var rng = SplitMix64(seed: seed ^ (UInt64(r) &* 0xD1B5_4A32_D192_ED03))
        var fold = [Int](repeating: 0, count: labels.count)
        for var group in [labels.indices.filter { labels[$0] }, labels.indices.filter { !labels[$0] }] {
            group.shuffle(using: &rng)
            for (position, index) in group.enumerated() { fold[index] = position % folds }
        }
        let rows = data.rows, d = data.d
        var scores: [BinaryScores] = []
        for k in 0..<folds {
            let train = labels.indices.filter { fold[$0] != k }
            let test = labels.indices.filter { fold[$0] == k }
            let scaler = standardize ? Standardizer(rows: rows, d: d, indices: train) : nil
            let trainRows = gather(rows, d: d, train, scaler)
            let trainLabels = train.map { labels[$0] }
            let nPositive = Double(trainLabels.filter { $0 }.count), n = Double(trainLabels.count)
            let positiveWeight = balanceClasses ? n / (2 * nPositive) : 1
            let negativeWeight = balanceClasses ? n / (2 * (n - nPositive)) : 1
            let svm = switch solver {
            case .finiteNewton:
                LinearSVM.trainFiniteNewton(rows: trainRows, dimension: d, labels: trainLabels, C: C,
                                            positiveWeight: positiveWeight, negativeWeight: negativeWeight)
            case .dualCoordinateDescent:
                LinearSVM.trainDual(rows: trainRows, dimension: d, labels: trainLabels, C: C,
                                    positiveWeight: positiveWeight, negativeWeight: negativeWeight)
            case .primalNewton:
                LinearSVM.train(rows: trainRows, dimension: d, labels: trainLabels, C: C,
                                positiveWeight: positiveWeight, negativeWeight: negativeWeight)
            }
            let testRows = gather(rows, d: d, test, scaler)
            let predicted = test.indices.map { svm.decision(testRows[$0 * d..<($0 + 1) * d]) > 0 }
            scores.append(BinaryScores(predicted: predicted, truth: test.map { labels[$0] }))
        }
        return scores
    }

    /// The rows `indices`, standardised by `scaler` when given.
    private func gather(_ rows: [Double], d: Int, _ indices: [Int], _ scaler: Standardizer?) -> [Double] {
        [Double](unsafeUninitializedCapacity: indices.count * d) { out, count in
            rows.withUnsafeBufferPointer { x in
                for (i, index) in indices.enumerated() {
                    let source = x.baseAddress! + index * d, target = out.baseAddress! + i * d
                    if let scaler {
                        scaler.mean.withUnsafeBufferPointer { mean in
                            scaler.scale.withUnsafeBufferPointer { scale in
                                for j in 0..<d { target[j] = (source[j] - mean[j]) / scale[j] }
                            }
                        }
                    } else {
                        target.initialize(from: source, count: d)
                    }
                }
            }
            count = indices.count * d
        }
    }
}

/// Per-feature mean and standard deviation of the training rows (a constant feature keeps scale 1).
private struct Standardizer {
    var mean: [Double]
    var scale: [Double]

    init(rows: [Double], d: Int, indices: [Int]) {
        let n = Double(indices.count)
        mean = [Double](repeating: 0, count: d)
        var squares = [Double](repeating: 0, count: d)
        for i in indices { for j in 0..<d { mean[j] += rows[i * d + j] } }
        for j in 0..<d { mean[j] /= n }
        for i in indices { for j in 0..<d { let x = rows[i * d + j] - mean[j]; squares[j] += x * x } }
        scale = squares.map { let sd = ($0 / n).squareRoot(); return sd > 0 ? sd : 1 }
    }
}

/// A probe's inputs, checked once and converted to Double for the solvers.
struct ProbeData: Sendable {
    /// n × d, row-major.
    let rows: [Double]
    let d: Int
    let positives: Int
    let negatives: Int

    init(features: [Float], dimension d: Int, labels: [Bool], folds: Int) throws {
        precondition(folds >= 2, "a probe needs at least 2 folds")
        precondition(features.count == labels.count * d && d > 0, "features must hold n × d values")
        positives = labels.filter { $0 }.count
        negatives = labels.count - positives
        guard positives >= folds, negatives >= folds else {
            throw AnalysisError.tooFewPerClass(needed: folds, positives: positives, negatives: negatives)
        }
        rows = features.map(Double.init)
        self.d = d
    }

    /// Test-set size of each fold: the stratified assignment deals each class round-robin over the folds,
    /// so of k folds, fold j holds ⌈(P − j) / k⌉ of the P positives (likewise negatives) in every repeat.
    func testSizes(folds k: Int) -> [Int] {
        (0..<k).map { j in (positives - j + k - 1) / k + (negatives - j + k - 1) / k }
    }
}

/// Results of a repeated cross-validated probe.
public struct ProbeResult: Codable, Equatable, Sendable {
    /// One entry per repeat: the mean of its folds' scores.
    public var perRepeat: [BinaryScores]
    /// `perFold[r][k]`: the scores of repeat r's fold k (trained on the other folds, tested on fold k); repeats × k.
    /// Empty when decoded from a result written before fold scores were kept.
    public var perFold: [[BinaryScores]]
    /// Test-set size of each fold (k values, the same in every repeat); empty like `perFold` in old results.
    public var testSizes: [Int]

    /// A result from fold scores; `perRepeat` is the mean of each repeat's folds.
    public init(perFold: [[BinaryScores]], testSizes: [Int]) {
        precondition(!perFold.isEmpty && perFold.allSatisfy { $0.count == testSizes.count && !$0.isEmpty },
                     "one score per fold of every repeat")
        self.perFold = perFold
        self.testSizes = testSizes
        perRepeat = perFold.map(BinaryScores.mean)
    }

    enum CodingKeys: String, CodingKey { case perRepeat, perFold, testSizes }

    /// Reads both the current form and the older one that held `perRepeat` only.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        perRepeat = try c.decode([BinaryScores].self, forKey: .perRepeat)
        perFold = try c.decodeIfPresent([[BinaryScores]].self, forKey: .perFold) ?? []
        testSizes = try c.decodeIfPresent([Int].self, forKey: .testSizes) ?? []
    }

    /// Folds per repeat, k (0 for an old result without fold scores).
    public var folds: Int { testSizes.count }

    /// Number of samples n (every sample is tested once per repeat).
    public var sampleCount: Int { testSizes.reduce(0, +) }

    /// n₂/n₁ of Nadeau & Bengio's correction: the mean test-set size n/k over the mean training-set size
    /// n − n/k, which is 1/(k − 1) (folds differ by at most one sample per class).
    public var testTrainRatio: Double {
        let n = Double(sampleCount), k = Double(folds)
        return (n / k) / (n - n / k)
    }

    /// Mean F1 over repeats.
    public var meanF1: Double { perRepeat.reduce(0) { $0 + $1.f1 } / Double(perRepeat.count) }

    /// Sample standard deviation of the per-repeat F1 (0 for a single repeat).
    public var standardDeviationF1: Double {
        guard perRepeat.count > 1 else { return 0 }
        let mean = meanF1
        let sum = perRepeat.reduce(0) { $0 + ($1.f1 - mean) * ($1.f1 - mean) }
        return (sum / Double(perRepeat.count - 1)).squareRoot()
    }
}

/// Lets `concurrentPerform` write disjoint slots of one buffer.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
