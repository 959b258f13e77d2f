import Foundation
import Randomness

/// A batch of model inputs: N images as one NCHW `Float` buffer with their labels.
public struct FaceBatch: Sendable {
    /// N×C×H×W samples after augmentation and normalisation.
    public var images: [Float]
    public var labels: [Int]
    /// Positions of the images in the source's sample list (to pair predictions with samples).
    public var indices: [Int]
    public var channels: Int
    public var height: Int
    public var width: Int

    /// N.
    public var count: Int { labels.count }
    /// [N, C, H, W].
    public var shape: [Int] { [count, channels, height, width] }
}

/// Yields batches for training (shuffled and augmented, seeded per epoch) or inference (in order, plain), decoding
/// and augmenting on background threads ahead of the consumer.
///
/// Images come from the files (streamed: only `prefetch` batches are in memory) or from an `ImageCache`.
/// Results depend only on (samples, pipeline, seed, epoch): never on thread timing.
public final class FaceBatchSource: Sendable {
    public let samples: [FaceSample]
    public let pipeline: ImagePipeline
    public let batchSize: Int
    public let shuffle: Bool
    public let augmentation: Augmentation?
    public let seed: UInt64
    public let cache: ImageCache?
    /// Background threads decoding batches.
    public let workers: Int
    /// Batches decoded ahead of the consumer.
    public let prefetch: Int

    public init(samples: [FaceSample], pipeline: ImagePipeline, batchSize: Int, shuffle: Bool = false,
                augmentation: Augmentation? = nil, seed: UInt64 = 0, cache: ImageCache? = nil,
                workers: Int = 2, prefetch: Int = 4) {
        precondition(batchSize > 0 && workers > 0 && prefetch > 0, "batch size, workers and prefetch must be positive")
        if let cache {
            precondition(cache.count == samples.count && cache.channels == pipeline.channels
                         && cache.height == pipeline.height && cache.width == pipeline.width, "cache does not match samples and pipeline")
        }
        self.samples = samples
        self.pipeline = pipeline
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.augmentation = augmentation
        self.seed = seed
        self.cache = cache
        self.workers = workers
        self.prefetch = prefetch
    }

    /// Batches per epoch (the last may be smaller).
    public var batchCount: Int { (samples.count + batchSize - 1) / batchSize }

    /// The sample order of `epoch`: a seeded permutation when shuffling, else 0..<N.
    public func order(epoch: Int) -> [Int] {
        guard shuffle else { return Array(samples.indices) }
        var r = SplitMix64(deriving: seed, 0x0DE, UInt64(epoch))
        return samples.indices.shuffled(using: &r)
    }

    /// Starts decoding `epoch` in the background; read it with `next()`.
    public func epoch(_ epoch: Int) -> BatchStream {
        BatchStream(source: self, epoch: epoch)
    }

    /// Builds batch `number` of `order` (runs on a worker thread).
    func makeBatch(_ number: Int, order: [Int], epoch: Int) throws -> FaceBatch {
        let slice = order[(number * batchSize)..<min((number + 1) * batchSize, order.count)]
        let length = pipeline.imageLength
        var images = [Float](repeating: 0, count: slice.count * length)
        var labels = [Int]()
        for (position, index) in slice.enumerated() {
            var image = try cache?.image(index) ?? pipeline.load(samples[index])
            if let augmentation { image = augmentation.apply(to: image, seed: seed, epoch: epoch, index: index) }
            let normalized = image.normalized(pipeline.normalization)
            images.replaceSubrange((position * length)..<((position + 1) * length), with: normalized)
            labels.append(samples[index].label)
        }
        return FaceBatch(images: images, labels: labels, indices: Array(slice), channels: pipeline.channels,
                     height: pipeline.height, width: pipeline.width)
    }
}

/// One epoch's batches in order, produced by background threads; `next()` blocks only if they fall behind.
/// Dropping the stream stops its threads.
public final class BatchStream: @unchecked Sendable {
    private let state: StreamState
    public let batchCount: Int

    init(source: FaceBatchSource, epoch: Int) {
        batchCount = source.batchCount
        state = StreamState(source: source, epoch: epoch)
        for _ in 0..<min(source.workers, max(1, source.batchCount)) {
            let state = self.state
            let thread = Thread { state.work() }
            thread.name = "palimpsest.faces.batches"
            thread.start()
        }
    }

    deinit { state.cancel() }

    /// The next batch, nil after the last; a batch that failed to decode throws its error (naming the file) in
    /// its turn, after the batches before it.
    public func next() throws -> FaceBatch? {
        try state.take()
    }
}

/// Shared between a stream and its worker threads.
private final class StreamState: @unchecked Sendable {
    let source: FaceBatchSource
    let epoch: Int
    let order: [Int]
    let total: Int
    private let condition = NSCondition()
    private var ready = [Int: Result<FaceBatch, Error>]()
    private var nextToProduce = 0
    private var nextToConsume = 0
    private var cancelled = false

    init(source: FaceBatchSource, epoch: Int) {
        self.source = source
        self.epoch = epoch
        order = source.order(epoch: epoch)
        total = source.batchCount
    }

    func work() {
        while true {
            condition.lock()
            while !cancelled && nextToProduce < total && nextToProduce >= nextToConsume + source.prefetch {
                condition.wait()
            }
            if cancelled || nextToProduce >= total {
                condition.unlock()
                return
            }
            let number = nextToProduce
            nextToProduce += 1
            condition.unlock()
            let result = Result { try source.makeBatch(number, order: order, epoch: epoch) }
            condition.lock()
            ready[number] = result
            condition.broadcast()
            condition.unlock()
        }
    }

    func take() throws -> FaceBatch? {
        condition.lock()
        defer { condition.unlock() }
        guard nextToConsume < total else { return nil }
        while ready[nextToConsume] == nil { condition.wait() }
        let result = ready.removeValue(forKey: nextToConsume)!
        nextToConsume += 1
        condition.broadcast()
        return try result.get()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
