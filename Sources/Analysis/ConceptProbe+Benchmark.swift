import Foundation

extension ConceptProbe {
    /// Times a probe at the study's scale on synthetic ReLU-like features with a weak planted concept
    /// (`palimpsest bench`).
    /// - Returns: wall-clock seconds for `repeats` × `folds` trainings on `images` × `dimension` features.
    public static func benchmark(images: Int = 600, dimension: Int = 512, repeats: Int = 500, folds: Int = 2) throws -> Double {
        var rng = SplitMix64(seed: 1)
        let labels = (0..<images).map { _ in Bool.random(using: &rng) }
        let features = (0..<(images * dimension)).map { i -> Float in
            let signal: Float = i % dimension < 8 && labels[i / dimension] ? 0.3 : 0
            return max(0, Float.random(in: -1...1, using: &rng) + signal)
        }
        let start = Date()
        _ = try ConceptProbe(folds: folds, repeats: repeats, seed: 1)
            .crossValidate(features: features, dimension: dimension, labels: labels)
        return Date().timeIntervalSince(start)
    }
}
