/// A labelled batch: images NCHW [n, C, S, S] in float32 and one class per image.
public struct Batch: Sendable {
    public var input: Tensor
    public var labels: [Int]

    public init(input: Tensor, labels: [Int]) {
        self.input = input
        self.labels = labels
    }
}

/// Where the trainer gets its images: the data module implements it (decoding, augmentation), Core only asks.
///
/// The trainer chooses which samples form each batch (seeded shuffling) and passes a seed drawn from its own
/// generator, so augmentation that uses only `seed` keeps training reproducible and resumable.
public protocol BatchSource {
    /// Number of samples.
    var count: Int { get }
    /// The samples at `indices` (each in 0..<count) as one batch; `seed` drives this batch's random augmentation.
    func batch(indices: [Int], seed: UInt64) throws -> Batch
}

/// Images already in memory, without augmentation.
public struct InMemoryBatchSource: BatchSource, Sendable {
    /// All images, NCHW [count, C, S, S].
    public let images: Tensor
    /// One class per image.
    public let labels: [Int]

    /// Wraps `images` [count, C, S, S] and `labels` (count values).
    public init(images: Tensor, labels: [Int]) throws {
        guard images.shape.count == 4, images.shape[0] == labels.count else {
            throw CoreError.invalidData(field: "images", expected: "[\(labels.count), C, S, S] for \(labels.count) labels",
                                        found: "\(images.shape)")
        }
        self.images = images
        self.labels = labels
    }

    public var count: Int { labels.count }

    public func batch(indices: [Int], seed: UInt64) throws -> Batch {
        let per = images.shape[1...].reduce(1, *)
        var data = [Float]()
        data.reserveCapacity(indices.count * per)
        for i in indices { data.append(contentsOf: images.data[(i * per)..<((i + 1) * per)]) }
        return Batch(input: Tensor(shape: [indices.count] + Array(images.shape[1...]), data: data),
                     labels: indices.map { labels[$0] })
    }
}
