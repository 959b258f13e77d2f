/// Which images `diff_saliency` explains: those model A classifies correctly and model B wrongly.
enum SaliencySelection {
    /// Indices of the samples whose label is one of `classes`, predicted right by A and wrong by B.
    ///
    /// Per class at most `cap` images (nil: all), spread evenly over that class's candidates in dataset order
    /// (candidate ⌊i·m/cap⌋ for i = 0…cap−1 of m), so the choice is deterministic and not biased to the first files.
    /// - Returns: indices grouped by class in `classes` order, ascending within a class.
    static func pick(labels: [Int], predictedA: [Int], predictedB: [Int], classes: [Int], cap: Int?) -> [Int] {
        precondition(labels.count == predictedA.count && labels.count == predictedB.count, "one prediction per sample")
        precondition(cap.map { $0 >= 1 } ?? true, "cap must be positive")
        return classes.flatMap { c -> [Int] in
            let candidates = labels.indices.filter { labels[$0] == c && predictedA[$0] == c && predictedB[$0] != c }
            guard let cap, candidates.count > cap else { return candidates }
            return (0..<cap).map { candidates[$0 * candidates.count / cap] }
        }
    }
}
