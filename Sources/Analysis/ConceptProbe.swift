import Dispatch

/// A linear probe for one concept (e.g. an action unit) in a model's features: a linear SVM trained and
/// tested by stratified k-fold cross-validation, repeated with `repeats` seeds (Kim et al.'s concept
/// probes; the study uses 2 folds and 500 repeats on VGG16's last conv block).
public struct ConceptProbe: Sendable {
    /// Inverse regularisation strength of the SVM.
    public var C: Double = 1
    /// Folds per repeat (k), ≥ 2.
    public var folds: Int = 2
    /// Cross-validation repeats, each with its own fold assignment.
    public var repeats: Int = 500
    /// Seed of repeat r is derived from (seed, r).
    public var seed: UInt64 = 0
    /// Weights each class by n / (2 · n_class) of the training fold, as scikit-learn's `balanced`.
    public var balanceClasses: Bool = true
    /// Standardises each feature by the training fold's mean and standard deviation.
    public var standardize: Bool = true

    public init(C: Double = 1, folds: Int = 2, repeats: Int = 500, seed: UInt64 = 0,
                balanceClasses: Bool = true, standardize: Bool = true) {
        self.C = C
        self.folds = folds
        self.repeats = repeats
        self.seed = seed
        self.balanceClasses = balanceClasses
        self.standardize = standardize
    }

    /// Cross-validates the probe.
    /// - Parameters:
    ///   - features: n × d values, row-major (one row per image).
    ///   - dimension: d.
    ///   - labels: whether each image shows the concept.
    /// - Returns: per-repeat scores (each the mean over its folds), in repeat order. Bit-reproducible for a
    ///   given seed, whatever the number of threads.
    public func crossValidate(features: [Float], dimension d: Int, labels: [Bool]) throws -> ProbeResult {
        precondition(folds >= 2 && repeats >= 1 && C > 0, "invalid probe settings")
        precondition(features.count == labels.count * d && d > 0, "features must hold n × d values")
        let positives = labels.indices.filter { labels[$0] }
        let negatives = labels.indices.filter { !labels[$0] }
        guard positives.count >= folds, negatives.count >= folds else {
            throw AnalysisError.tooFewPerClass(needed: folds, positives: positives.count, negatives: negatives.count)
        }
        let rows = features.map(Double.init)
        var perRepeat = [BinaryScores](repeating: BinaryScores(precision: 0, recall: 0, f1: 0, accuracy: 0),
                                       count: repeats)
        perRepeat.withUnsafeMutableBufferPointer { results in
            let out = UnsafeSendable(results)
            DispatchQueue.concurrentPerform(iterations: repeats) { r in
                out.value[r] = runRepeat(r, rows: rows, d: d, labels: labels, positives: positives, negatives: negatives)
            }
        }
        return ProbeResult(perRepeat: perRepeat)
    }

    /// One repeat: a seeded stratified fold assignment, then train on k − 1 folds and test on the last.
    private func runRepeat(_ r: Int, rows: [Double], d: Int, labels: [Bool],
                           positives: [Int], negatives: [Int]) -> BinaryScores {
        var rng = SplitMix64(seed: seed ^ (UInt64(r) &* 0xD1B5_4A32_D192_ED03))
        var fold = [Int](repeating: 0, count: labels.count)
        for var group in [positives, negatives] {
            group.shuffle(using: &rng)
            for (position, index) in group.enumerated() { fold[index] = position % folds }
        }
        var scores: [BinaryScores] = []
        for k in 0..<folds {
            let train = labels.indices.filter { fold[$0] != k }
            let test = labels.indices.filter { fold[$0] == k }
            let scaler = standardize ? Standardizer(rows: rows, d: d, indices: train) : nil
            let trainRows = gather(rows, d: d, train, scaler)
            let trainLabels = train.map { labels[$0] }
            let nPositive = Double(trainLabels.filter { $0 }.count), n = Double(trainLabels.count)
            let svm = LinearSVM.train(
                rows: trainRows, dimension: d, labels: trainLabels, C: C,
                positiveWeight: balanceClasses ? n / (2 * nPositive) : 1,
                negativeWeight: balanceClasses ? n / (2 * (n - nPositive)) : 1)
            let testRows = gather(rows, d: d, test, scaler)
            let predicted = test.indices.map { svm.decision(testRows[$0 * d..<($0 + 1) * d]) > 0 }
            scores.append(BinaryScores(predicted: predicted, truth: test.map { labels[$0] }))
        }
        return BinaryScores.mean(scores)
    }

    private func gather(_ rows: [Double], d: Int, _ indices: [Int], _ scaler: Standardizer?) -> [Double] {
        var out = [Double](repeating: 0, count: indices.count * d)
        for (i, index) in indices.enumerated() {
            for j in 0..<d {
                let x = rows[index * d + j]
                out[i * d + j] = scaler.map { (x - $0.mean[j]) / $0.scale[j] } ?? x
            }
        }
        return out
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

/// Results of a repeated cross-validated probe.
public struct ProbeResult: Codable, Equatable, Sendable {
    /// One entry per repeat: the mean of its folds' scores.
    public var perRepeat: [BinaryScores]

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
private struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
