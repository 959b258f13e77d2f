import Core
import Faces
import Foundation

/// A dataset decoded once into memory (cropped and resized, before augmentation and normalisation), served as
/// batches to the trainer: augmentation is drawn from the batch seed the trainer passes, so training stays
/// reproducible and resumable. Memory: 4·C·S² bytes per image (48 KiB at 64×64 RGB).
final class ImageSet: Core.BatchSource, @unchecked Sendable {
    let samples: [FaceSample]
    let labels: [Int]
    let pipeline: ImagePipeline
    let augmentation: Augmentation?
    /// The decoded images in [0, 1], before augmentation and normalisation.
    let images: [RasterImage]

    /// Decodes every sample with `pipeline` on all cores.
    init(_ samples: [FaceSample], pipeline: ImagePipeline, augmentation: Augmentation? = nil) throws {
        self.samples = samples
        self.labels = samples.map(\.label)
        self.pipeline = pipeline
        self.augmentation = augmentation
        let decoded = Decoded(count: samples.count)
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var i = worker
            while i < samples.count, !decoded.failed {
                do { decoded.store(try pipeline.load(samples[i]), at: i) } catch { decoded.fail(error) }
                i += workers
            }
        }
        if let error = decoded.error { throw error }
        images = decoded.images.map { $0! }
    }

    /// Images decoded by several threads, and the first error.
    private final class Decoded: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var images: [RasterImage?]
        private(set) var error: Error?
        var failed: Bool { lock.lock(); defer { lock.unlock() }; return error != nil }

        init(count: Int) { images = Array(repeating: nil, count: count) }

        func store(_ image: RasterImage, at i: Int) { lock.lock(); images[i] = image; lock.unlock() }
        func fail(_ e: Error) { lock.lock(); if error == nil { error = e }; lock.unlock() }
    }

    /// A view of the same decoded images with other augmentation.
    private init(sharing other: ImageSet, augmentation: Augmentation?) {
        samples = other.samples
        labels = other.labels
        pipeline = other.pipeline
        images = other.images
        self.augmentation = augmentation
    }

    func with(augmentation: Augmentation?) -> ImageSet { ImageSet(sharing: self, augmentation: augmentation) }

    var count: Int { samples.count }

    /// The samples at `indices` as a normalised NCHW batch; `seed` draws each image's augmentation.
    func batch(indices: [Int], seed: UInt64) throws -> Core.Batch {
        var data = [Float]()
        data.reserveCapacity(indices.count * pipeline.imageLength)
        for (position, i) in indices.enumerated() {
            var image = images[i]
            if let augmentation { image = augmentation.apply(to: image, seed: seed, epoch: 0, index: position) }
            data.append(contentsOf: image.normalized(pipeline.normalization))
        }
        return Core.Batch(input: Tensor(shape: [indices.count, pipeline.channels, pipeline.height, pipeline.width], data: data),
                          labels: indices.map { labels[$0] })
    }

    /// The max-pool output of conv block `layer` (block1…block5) for every image (no augmentation), NCHW
    /// [count, C, s, s], computed in batches.
    func features(of model: VGG16, after layer: String = "block5", batchSize: Int) throws -> Tensor {
        var data = [Float]()
        var shape: [Int] = []
        for start in stride(from: 0, to: count, by: batchSize) {
            let f = try model.activations(batch(indices: Array(start..<min(count, start + batchSize)), seed: 0).input, after: layer)
            data.append(contentsOf: f.data)
            shape = Array(f.shape.dropFirst())
        }
        return Tensor(shape: [count] + shape, data: data)
    }

    /// Logits [count, K] of every image (no augmentation), in batches.
    func logits(of model: VGG16, batchSize: Int) throws -> Tensor {
        var data = [Float]()
        for start in stride(from: 0, to: count, by: batchSize) {
            data.append(contentsOf: try model.logits(batch(indices: Array(start..<min(count, start + batchSize)), seed: 0).input).data)
        }
        return Tensor(shape: [count, model.configuration.classCount], data: data)
    }

    /// The predicted class of every image: the arg-max of its logits (the lower class on ties).
    func predictions(of model: VGG16, batchSize: Int) throws -> [Int] {
        let logits = try self.logits(of: model, batchSize: batchSize)
        let k = model.configuration.classCount
        return (0..<count).map { i in Self.argmax(logits.data[(i * k)..<((i + 1) * k)]) }
    }

    /// Index of the largest value (the lower index on ties), relative to the slice start.
    static func argmax(_ row: ArraySlice<Float>) -> Int {
        var best = row.startIndex
        for i in row.indices where row[i] > row[best] { best = i }
        return best - row.startIndex
    }
}
